// How hard a password is to guess, estimated by zxcvbn (Debian's libzxcvbn): dictionaries of common passwords,
// names and words, keyboard patterns, repeats, sequences and dates, plus words of the user's own.
#pragma once

#include <string>
#include <vector>

namespace fieldserver {

// The estimated guessing entropy in bits (log2 of the guesses an attacker needs), counting user_words (the
// username, the name) as known to the attacker.
double password_entropy_bits(const std::string& password, const std::vector<std::string>& user_words);

// The least entropy a new password must have: about 2^28 guesses, zxcvbn's "safely unguessable" for an online
// attack that the login rate limits slow further.
constexpr double kMinPasswordEntropyBits = 28.0;

}  // namespace fieldserver
