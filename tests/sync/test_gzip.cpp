// gzip on the wire: what is compressed comes back byte for byte, bounded, and anything else is refused clearly.
#include <catch2/catch.hpp>
#include <random>

#include "fieldsync/error.hpp"
#include "fieldsync/gzip.hpp"

using namespace fieldsync;

TEST_CASE("gzip round trips text and binary bytes and shrinks repetitive JSON", "[sync][gzip]") {
    std::string json;
    for (int i = 0; i < 2000; ++i)
        json += R"({"table":"customers","row_id":")" + std::to_string(i) + R"(","row":{"name":"王芳","city":"上海"}},)";
    auto packed = gzip_compress(json);
    CHECK(packed.size() * 5 < json.size());
    CHECK(static_cast<unsigned char>(packed[0]) == 0x1f);  // the gzip magic number
    CHECK(static_cast<unsigned char>(packed[1]) == 0x8b);
    CHECK(gzip_decompress(packed, json.size()) == json);

    std::mt19937 rng(7);
    std::string binary(100000, '\0');
    for (auto& c : binary) c = static_cast<char>(rng());
    CHECK(gzip_decompress(gzip_compress(binary), binary.size()) == binary);
}

TEST_CASE("gzip_decompress refuses bodies past the limit and bytes that are not gzip", "[sync][gzip]") {
    std::string zeros(1 << 20, '0');
    auto bomb = gzip_compress(zeros);
    REQUIRE(bomb.size() < 10000);
    try {
        gzip_decompress(bomb, 64 * 1024);
        FAIL("a body past the limit was expanded");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::payload_too_large);
    }
    auto text = gzip_compress(std::string(5000, 'a') + "尾");
    for (const std::string& bad : {std::string("{\"not\":\"gzip\"}"), bomb.substr(0, 10) + std::string(40, 'x'),
                                   text.substr(0, text.size() - 12), std::string()}) {
        try {
            gzip_decompress(bad, 1 << 20);
            FAIL("not gzip, yet decompressed");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::malformed_json);
        }
    }
}

TEST_CASE("accepts_gzip reads Accept-Encoding with its q-values", "[sync][gzip]") {
    CHECK(accepts_gzip("gzip"));
    CHECK(accepts_gzip("deflate, gzip;q=0.8"));
    CHECK(accepts_gzip("GZIP"));
    CHECK(accepts_gzip("br, *"));
    CHECK(accepts_gzip("x-gzip"));
    CHECK_FALSE(accepts_gzip(""));
    CHECK_FALSE(accepts_gzip("identity"));
    CHECK_FALSE(accepts_gzip("gzip;q=0"));
    CHECK_FALSE(accepts_gzip("gzip; q=0.0, br"));
    CHECK_FALSE(accepts_gzip("gzipx"));
}
