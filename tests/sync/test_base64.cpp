// Base64 for images on the wire: the encoder and decoder the server and the device share.
#include <catch2/catch.hpp>

#include "fieldsync/base64.hpp"

TEST_CASE("base64 round-trips bytes, without line breaks", "[sync][base64]") {
    std::string png("\x89PNG\r\n\x1a\n\0\x01\xff", 11);
    CHECK(fieldsync::base64_encode("") == "");
    CHECK(fieldsync::base64_encode("签名") == "562+5ZCN");
    CHECK(fieldsync::base64_decode(fieldsync::base64_encode(png)) == png);
    // No line breaks, however long: a signature or a mail header word stays one line.
    CHECK(fieldsync::base64_encode(std::string(300, 'x')).find('\n') == std::string::npos);
}
