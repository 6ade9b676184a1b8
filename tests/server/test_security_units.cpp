// The pieces of the security work that need no server: trusted proxy ranges, the audit signing key, the password
// strength estimate and the attachment type sniffing.
#include <Poco/TemporaryFile.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "fieldserver/domain/attachments/attachment_service.hpp"
#include "fieldserver/http/client_address.hpp"
#include "fieldserver/util/password_strength.hpp"
#include "fieldserver/util/signing_key.hpp"

using namespace fieldserver;

TEST_CASE("trusted proxies match addresses and CIDR ranges of both families", "[server][security]") {
    TrustedProxies proxies("10.0.0.0/8, 192.168.1.7, 2001:db8::/32");
    CHECK(proxies.contains("10.1.2.3"));
    CHECK(proxies.contains("::ffff:10.200.0.1"));
    CHECK(proxies.contains("192.168.1.7"));
    CHECK_FALSE(proxies.contains("192.168.1.8"));
    CHECK_FALSE(proxies.contains("11.0.0.1"));
    CHECK(proxies.contains("2001:db8:ffff::1"));
    CHECK_FALSE(proxies.contains("2001:db9::1"));
    CHECK_FALSE(proxies.contains("not an address"));
    CHECK(TrustedProxies("").empty());
    CHECK(TrustedProxies("172.16.0.0/12").contains("172.31.255.255"));
    CHECK_FALSE(TrustedProxies("172.16.0.0/12").contains("172.32.0.0"));
    CHECK_THROWS_AS(TrustedProxies("10.0.0.0/33"), std::invalid_argument);
    CHECK_THROWS_AS(TrustedProxies("balancer.local"), std::invalid_argument);
}

TEST_CASE("the audit key signs, verifies, persists at 0600 and refuses other signatures", "[server][security]") {
    Poco::TemporaryFile dir;
    dir.createDirectories();
    std::string path = dir.path() + "/audit-key.pem";
    auto key = SigningKey::load_or_create(path);
    std::string signature = key->sign_hex("job\n3\nabc\napproved");
    CHECK(signature.size() == 128);
    CHECK(key->verify_hex("job\n3\nabc\napproved", signature));
    CHECK_FALSE(key->verify_hex("job\n3\nabc\nclosed", signature));
    CHECK_FALSE(key->verify_hex("job\n3\nabc\napproved", "00" + signature.substr(2)));
    CHECK_FALSE(key->verify_hex("job\n3\nabc\napproved", "not hex"));
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    // Loaded again, it is the same key; another key does not accept its signatures.
    auto again = SigningKey::load_or_create(path);
    CHECK(again->public_key_pem() == key->public_key_pem());
    CHECK(again->verify_hex("job\n3\nabc\napproved", signature));
    auto other = SigningKey::load_or_create(dir.path() + "/other.pem");
    CHECK_FALSE(other->verify_hex("job\n3\nabc\napproved", signature));
}

TEST_CASE("zxcvbn rates weak passwords low and counts the user's own words", "[server][security]") {
    for (const char* weak : {"aaaaaaaaaa", "password123", "1234567890", "qwertyuiop"})
        CHECK(password_entropy_bits(weak, {}) < kMinPasswordEntropyBits);
    CHECK(password_entropy_bits("zhang.wei.zhang.wei", {"zhang.wei", "Zhang Wei"}) < kMinPasswordEntropyBits);
    CHECK(password_entropy_bits("copper-kettle-harbour-9", {"tech.a"}) >= kMinPasswordEntropyBits);
    CHECK(password_entropy_bits("orchard-lantern-tech.a", {"tech.a", "User tech.a"}) >= kMinPasswordEntropyBits);
}

TEST_CASE("attachment types come from the bytes", "[server][security]") {
    CHECK(sniff_content_type("\xFF\xD8\xFF\xE0" + std::string(20, 'x')) == "image/jpeg");
    CHECK(sniff_content_type("\x89PNG\r\n\x1a\n" + std::string(20, 'x')) == "image/png");
    CHECK(sniff_content_type(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16) + std::string(20, 'x')) == "image/webp");
    CHECK(sniff_content_type(std::string("\0\0\0\x18"
                                         "ftypheic",
                                         12) +
                             std::string(20, 'x')) == "image/heic");
    CHECK(sniff_content_type("%PDF-1.7\n" + std::string(20, 'x')) == "application/pdf");
    CHECK(sniff_content_type("<html><script>alert(1)</script>").empty());
    CHECK(sniff_content_type("GIF89a" + std::string(20, 'x')).empty());
    CHECK(sniff_content_type("\xFF\xD8").empty());
}
