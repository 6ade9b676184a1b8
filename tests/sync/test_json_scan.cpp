// The strict JSON scanner and the pull decoder built on it: escapes, UTF-8, nesting and malformed input, and rows
// kept as the server's exact text.
#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fieldsync/error.hpp"
#include "fieldsync/json_scan.hpp"
#include "fieldsync/wire.hpp"

using namespace fieldsync;

namespace {

std::string scanned_string(const std::string& json) {
    JsonScanner in(json);
    auto out = in.string();
    REQUIRE(in.at_end());
    return out;
}

bool valid_value(const std::string& json) {
    try {
        JsonScanner in(json);
        in.skip_value();
        return in.at_end();
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::malformed_json);
        return false;
    }
}

const char* kRow = R"({ "id" : "c1", "name":"王小明 \"老王\"", "notes":null, "tags":["a",{"b":[1,2.5e3,-0.5]}],)"
                   R"("emoji":"\ud83d\ude00", "path":"C:\\tmp\/x", "state":"scheduled", "n":7 })";

std::string page_with_row(const std::string& row) {
    return R"({"protocol":1,"changes":[{"seq":5,"bucket":"tech:u1","table":"customers","row_id":"c1","version":2,)"
           R"("op":"put","row":)" +
           row + R"(}],"cursor":5,"has_more":true,"write_checkpoint":0,"reset_required":false})";
}

}  // namespace

TEST_CASE("the scanner refuses a NUL character in text", "[sync][json]") {
    // Names and notes with a NUL would be cut short wherever C strings read them; no body or page may hold one.
    CHECK_THROWS_AS(scanned_string("\"\\u0000\""), fieldsync::Error);
    CHECK_THROWS_AS(scanned_string("\"a\\u0000b\""), fieldsync::Error);
    CHECK(scanned_string("\"\\u0001\"") == std::string(1, '\x01'));
}

TEST_CASE("the scanner decodes every JSON string escape and UTF-8 text", "[sync][json]") {
    CHECK(scanned_string(R"("plain")") == "plain");
    CHECK(scanned_string(R"("\" \\ \/ \b \f \n \r \t")") == "\" \\ / \b \f \n \r \t");
    CHECK(scanned_string(R"("\u0041\u00e9\u4e2d")") == "A\xc3\xa9\xe4\xb8\xad");
    CHECK(scanned_string(R"("\ud83d\ude00")") == "\xf0\x9f\x98\x80");  // a surrogate pair: one emoji
    CHECK(scanned_string(R"("\uD83D\uDE00")") == "\xf0\x9f\x98\x80");
    CHECK(scanned_string("\"上海市浦东新区 王先生\"") == "上海市浦东新区 王先生");
    CHECK(scanned_string("\"\xf0\x9f\x98\x80\"") == "\xf0\x9f\x98\x80");
}

TEST_CASE("the scanner refuses malformed strings", "[sync][json]") {
    for (const std::string& bad : std::vector<std::string>{
             R"("unterminated)", R"("bad escape \x")", R"("\u12")", R"("\u12g4")", R"("\ud83d")", R"("\ud83d\u0041")",
             R"("\ude00")", R"("\ud83dx")", std::string("\"tab\there\""), std::string("\"nl\nhere\""),
             std::string("\"\xc3\""),                                   // truncated UTF-8
             std::string("\"\xc0\xaf\""),                               // overlong
             std::string("\"\xed\xa0\x80\""),                           // a surrogate encoded in UTF-8
             std::string("\"\xf4\x90\x80\x80\""),                       // past U+10FFFF
             std::string("\"\xff\""), std::string("\"\x80\""), "\"\\",  // stray bytes, a trailing backslash
         }) {
        INFO(bad);
        CHECK_FALSE(valid_value(bad));
    }
}

TEST_CASE("the scanner validates numbers, literals, nesting and whitespace", "[sync][json]") {
    for (const std::string& good :
         std::vector<std::string>{"0", "-0", "12", "-12.5", "1e9", "1E+9", "2.5e-3", "true", "false", "null", "[]",
                                  "{}", " [ 1 , { \"a\" : [ ] } ] ", "\t{\"a\":\n{\"b\":\r\n{}}}"})
        CHECK(valid_value(good));
    for (const std::string& bad : std::vector<std::string>{
             "",      " ",       "01",       "+1",  "1.",   ".5",   "1e",         "1e+",     "--1",      "0x10",
             "tru",   "nul",     "True",     "NaN", "[1,]", "[,1]", "[1 2]",      "{\"a\"}", "{\"a\":}", "{\"a\":1,}",
             "{a:1}", "{'a':1}", "{\"a\":1", "[1",  "]",    "}",    "{\"a\":1}}", "[1] [2]", "/*c*/1"})
        CHECK_FALSE(valid_value(bad));
    std::string deep(JsonScanner::kMaxDepth, '[');
    deep += std::string(JsonScanner::kMaxDepth, ']');
    CHECK(valid_value(deep));
    CHECK_FALSE(valid_value("[" + deep + "]"));
    CHECK_FALSE(valid_value(std::string(100000, '[')));  // refused, not followed into a stack overflow
}

// Found by fuzzing (tests/fuzz/corpus/device_pull/pull_row_number_out_of_range.json): a row holding 1e999 passed
// validation, was stored as text by the device and could not be read back.
TEST_CASE("numbers no double holds are refused by validation as by decoding", "[sync][json]") {
    for (const std::string& bad :
         std::vector<std::string>{"1e999", "-1e999", "1e-400", "[0.5e400]", "{\"n\":" + std::string(400, '9') + "}"}) {
        INFO(bad);
        CHECK_FALSE(valid_value(bad));
        CHECK_THROWS_AS(JsonScanner(bad).value(), Error);
    }
    for (const std::string& good : std::vector<std::string>{"1e308", "-2.3e-308", "[1E+2]", std::string(299, '9')}) {
        INFO(good);
        CHECK(valid_value(good));
        CHECK_NOTHROW(JsonScanner(good).value());
    }
    CHECK_THROWS_AS(decode_pull_response_text(page_with_row(R"({"id":"c1","n":1e999})")), Error);
}

TEST_CASE("the scanner gives values as Poco's parser would", "[sync][json]") {
    JsonScanner in(R"({"i":-42,"u":18446744073709551615,"d":2.5,"s":"中","b":true,"n":null,"a":[1,"x"],"o":{"k":1}})");
    auto value = in.value();
    auto object = value.extract<Poco::JSON::Object::Ptr>();
    CHECK(object->getValue<std::int64_t>("i") == -42);
    CHECK(object->get("u").convert<std::uint64_t>() == 18446744073709551615ULL);
    CHECK(object->getValue<double>("d") == 2.5);
    CHECK(object->getValue<std::string>("s") == "中");
    CHECK(object->getValue<bool>("b"));
    CHECK(object->isNull("n"));
    CHECK(object->getArray("a")->size() == 2);
    CHECK(object->getObject("o")->getValue<int>("k") == 1);
}

TEST_CASE("scan_members reads top-level members of a row without parsing it", "[sync][json]") {
    auto members = scan_members(kRow, {"id", "state", "notes", "n", "missing", "name"});
    REQUIRE(members);
    CHECK((*members)[0] == "c1");
    CHECK((*members)[1] == "scheduled");
    CHECK((*members)[2] == "");  // null
    CHECK((*members)[3] == "7");
    CHECK_FALSE((*members)[4]);
    CHECK((*members)[5] == "王小明 \"老王\"");
    // Nested members of the same name are not top-level; the last of repeated keys wins.
    auto nested = scan_members(R"({"x":{"state":"inner"},"state":"a","state":"b"})", {"state"});
    REQUIRE(nested);
    CHECK((*nested)[0] == "b");
    // Not one valid object, or a wanted member that is a container or a fraction: the caller must parse.
    CHECK_FALSE(scan_members(R"({"id":"c1")", {"id"}));
    CHECK_FALSE(scan_members(R"({"id":"c1"} x)", {"id"}));
    CHECK_FALSE(scan_members(R"([1])", {"id"}));
    CHECK_FALSE(scan_members(R"({"id":{"a":1}})", {"id"}));
    CHECK_FALSE(scan_members(R"({"id":1.5})", {"id"}));
    // Found by fuzzing (tests/fuzz/corpus/json_scan/members_bigint.json): these print differently once parsed.
    CHECK_FALSE(scan_members(R"({"id":18446744073709551616})", {"id"}));
    CHECK_FALSE(scan_members(R"({"id":-9223372036854775809})", {"id"}));
    CHECK((*scan_members(R"({"id":18446744073709551615})", {"id"}))[0] == "18446744073709551615");
    CHECK((*scan_members(R"({"id":-9223372036854775808})", {"id"}))[0] == "-9223372036854775808");
    CHECK(scan_members(R"({"other":{"a":[1.5]}})", {"id"}));
}

TEST_CASE("a pull page decoded from text keeps each row as the server's exact text", "[sync][wire][json]") {
    auto page = decode_pull_response_text(page_with_row(kRow));
    REQUIRE(page.changes.size() == 1);
    const auto& change = page.changes[0];
    CHECK_FALSE(change.row);
    CHECK(change.row_text == kRow);
    CHECK(change.seq == 5);
    CHECK(change.table == "customers");
    CHECK(page.cursor == 5);
    CHECK(page.has_more);
    // The same message as the object decoder sees it.
    CHECK(page == decode_pull_response(*parse_json_object(page_with_row(kRow))));
}

TEST_CASE("a pull page with malformed JSON anywhere is refused as malformed_json", "[sync][wire][json]") {
    for (const std::string& row : std::vector<std::string>{R"({"id":"c1",})", R"({"id":"c1")", R"({"id":"\ud800"})",
                                                           R"({"id":tru})", std::string("{\"id\":\"\xc3\x28\"}")}) {
        INFO(row);
        try {
            decode_pull_response_text(page_with_row(row));
            FAIL("decoded");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::malformed_json);
        }
    }
    for (const std::string& body :
         std::vector<std::string>{std::string(), std::string("[]"), page_with_row(kRow) + "x",
                                  page_with_row(kRow).substr(0, 200), std::string("\"protocol\"")}) {
        INFO(body);
        try {
            decode_pull_response_text(body);
            FAIL("decoded");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::malformed_json);
        }
    }
}

TEST_CASE("a row that is not an object is refused by the text decoder as by the object decoder", "[sync][wire][json]") {
    for (const std::string& row : std::vector<std::string>{"[1]", "\"text\"", "42", "null"}) {
        INFO(row);
        try {
            decode_pull_response_text(page_with_row(row));
            FAIL("decoded");
        } catch (const Error& e) {
            CHECK(e.field() == "changes[0].row");
            CHECK(e.code() == (row == "null" ? ErrorCode::missing_field : ErrorCode::invalid_field));
        }
    }
}

TEST_CASE("the text decoder reads any spelling of a change as the object decoder does", "[sync][wire][json]") {
    const std::string tail = R"(],"cursor":9,"has_more":true,"write_checkpoint":0,"reset_required":false})";
    for (const std::string& change : std::vector<std::string>{
             // members in another order, with whitespace
             R"( { "op" : "put" , "row" : { "id" : "c1" } , "version" : 2 , "row_id" : "c1" , "table" : "customers" ,)"
             R"( "bucket" : "tech:u1" , "seq" : 5 } )",
             // repeated members: the last wins, as with Poco's parser
             R"({"seq":1,"seq":5,"bucket":"tech:u1","table":"customers","row_id":"c1","version":2,"op":"remove",)"
             R"("op":"put","row":[1],"row":{"id":"c1"}})",
             // a remove with a null row, escapes in the id
             R"({"seq":5,"bucket":"tech:u1","table":"customers","row_id":"c\u0031","version":2,"op":"remove",)"
             R"("row":null})",
             // a row with nested objects and text that needs escapes
             R"({"seq":5,"bucket":"catalog","table":"parts","row_id":"MB-220","version":1,"op":"put","row":)"
             R"({"id":"MB-220","name":"主板 \"A\"\n","specs":{"w":[1,{"x":null}]}}})",
         }) {
        INFO(change);
        std::string body = R"({"protocol":1,"changes":[)" + change + tail;
        auto from_text = decode_pull_response_text(body);
        CHECK(from_text == decode_pull_response(*parse_json_object(body)));
        REQUIRE(from_text.changes.size() == 1);
        CHECK_FALSE(from_text.changes[0].row);
    }
    std::vector<std::string> refused = {
        R"({"seq":0,"bucket":"tech:u1","table":"customers","row_id":"c1","version":2,"op":"remove"})",
        R"({"seq":5,"bucket":"tech:u1","table":"parts","row_id":"c1","version":2,"op":"remove"})",
        R"({"seq":5,"bucket":"tech:u1","table":"customers","row_id":"","version":2,"op":"remove"})",
        R"({"seq":5,"bucket":"tech:u1","table":"customers","row_id":"c1","version":2,"op":"put"})",
        R"({"seq":5,"bucket":"tech:u1","table":"customers","row_id":"c1","version":2,"op":"remove","row":{}})",
        R"({"seq":5,"bucket":"tech:u1","table":"customers","row_id":"c1","version":2.0,"op":"remove"})",
        R"({"seq":99999999999999999999,"bucket":"tech:u1","table":"customers","row_id":"c1","version":2,"op":"remove"})",
        R"({"seq":5,"bucket":"tech:u1","table":"customers","row_id":"c1","version":2,"op":"move"})",
        R"({"seq":5,"bucket":"tech:u1","table":"customers","row_id":"c1","version":2,"op":"remove","hlc":1})",
    };
    for (const auto& change : refused) {
        INFO(change);
        std::string body = R"({"protocol":1,"changes":[)" + change + tail;
        std::optional<std::string> text_field, object_field;
        try {
            decode_pull_response_text(body);
        } catch (const Error& e) {
            text_field = e.field();
        }
        try {
            decode_pull_response(*parse_json_object(body));
        } catch (const Error& e) {
            object_field = e.field();
        }
        REQUIRE(text_field);
        REQUIRE(object_field);
        // Poco's parser refuses a 20-digit number as malformed JSON, without a field; the scanner reads it and the
        // decoder names the field.
        if (!object_field->empty()) CHECK(*text_field == *object_field);
        CHECK_FALSE(text_field->empty());
    }
}
