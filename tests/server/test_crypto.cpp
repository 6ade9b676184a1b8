// Password hashing, tokens and SHA-256 through OpenSSL.
#include <catch2/catch.hpp>
#include <set>

#include "fieldserver/util/crypto.hpp"

using namespace fieldserver;

TEST_CASE("SHA-256 matches the standard test vectors", "[server][crypto]") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("passwords hash with a fresh salt and verify only with the right password", "[server][crypto]") {
    // The production default, so the test measures what users get.
    const int iterations = 210000;
    std::string hash = hash_password("正确的密码 correct horse", iterations);
    CHECK(hash.rfind("pbkdf2-sha256$210000$", 0) == 0);
    CHECK(verify_password("正确的密码 correct horse", hash));
    CHECK_FALSE(verify_password("正确的密码 correct hors", hash));
    CHECK_FALSE(verify_password("", hash));
    CHECK(hash_password("same", 1000) != hash_password("same", 1000));
}

TEST_CASE("malformed stored hashes never verify", "[server][crypto]") {
    std::string good = hash_password("pw", 1000);
    for (const std::string& bad :
         {std::string(""), std::string("plain"), std::string("pbkdf2-sha256$x$00$00"), std::string("md5$1000$00$00"),
          good.substr(0, good.size() - 2), std::string("pbkdf2-sha256$0$00$") + std::string(64, '0')})
        CHECK_FALSE(verify_password("pw", bad));
}

TEST_CASE("random tokens are URL-safe and distinct", "[server][crypto]") {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        auto t = random_token();
        CHECK(t.size() == 43);
        CHECK(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
              std::string::npos);
        seen.insert(t);
    }
    CHECK(seen.size() == 200);
}
