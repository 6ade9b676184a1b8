// zxcvbn through its C interface; the match details are not asked for, so nothing is left to free.
#include "fieldserver/util/password_strength.hpp"

#include <zxcvbn.h>

namespace fieldserver {

double password_entropy_bits(const std::string& password, const std::vector<std::string>& user_words) {
    std::vector<const char*> words;
    for (const auto& w : user_words)
        if (!w.empty()) words.push_back(w.c_str());
    words.push_back(nullptr);
    return ZxcvbnMatch(password.c_str(), words.data(), nullptr);
}

}  // namespace fieldserver
