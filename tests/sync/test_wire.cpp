// The protocol-1 wire format: round trips of every message, protocol version errors, bounds, and strictness.
#include <catch2/catch.hpp>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "fieldsync/checksum.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/wire.hpp"

using namespace fieldsync;

namespace {

std::string op_id(int i) {
    char out[37];
    std::snprintf(out, sizeof out, "0190d1e2-7c3a-7b4e-8f00-%012d", i);
    return out;
}

Op make_op(int i, OpKind kind) {
    Op op;
    op.op_id = op_id(i);
    op.table = kind == OpKind::action ? "jobs" : "customers";
    op.row_id = "0190d1e2-0000-7000-8000-00000000c001";
    op.kind = kind;
    op.timestamp = {1'763'700'000'000 + i, static_cast<std::uint32_t>(i % 3), "tab-7"};
    op.base_version = kind == OpKind::insert ? 0 : 2;
    if (kind == OpKind::action) op.action = "start_repair";
    if (kind == OpKind::insert || kind == OpKind::update) {
        op.fields = new Poco::JSON::Object;
        op.fields->set("address", std::string("上海市浦东新区 " + std::to_string(i) + " 号"));
    }
    return op;
}

PushRequest push_request(int count = 4) {
    PushRequest r{"tab-7", {}};
    const OpKind kinds[] = {OpKind::insert, OpKind::update, OpKind::action, OpKind::delete_};
    for (int i = 0; i < count; ++i) r.ops.push_back(make_op(i, kinds[i % 4]));
    return r;
}

PushResponse push_response() {
    return {{{op_id(0), OpStatus::applied, 1, std::nullopt},
             {op_id(1), OpStatus::rejected, 0,
              WireError{ErrorCode::invalid_transition, "cannot complete_repair a job that is cancelled", ""}},
             {op_id(2), OpStatus::rejected, 0, WireError{ErrorCode::forbidden, "state is set by the server", "state"}},
             {op_id(3), OpStatus::applied, 17, std::nullopt}},
            4711};
}

PullResponse pull_response() {
    PullResponse r;
    Poco::JSON::Object::Ptr row = new Poco::JSON::Object;
    row->set("id", std::string("0190d1e2-0000-7000-8000-00000000c001"));
    row->set("name", std::string("王小明"));
    row->set("notes", Poco::Dynamic::Var());
    Poco::JSON::Object::Ptr part = new Poco::JSON::Object;
    part->set("sku", std::string("MB-220"));
    part->set("unit_price_cents", 129900);
    r.changes = {{101, "tech:u1", "customers", "0190d1e2-0000-7000-8000-00000000c001", 3, ChangeOp::put, row, {}},
                 {102, "tech:u1", "jobs", "0190d1e2-0000-7000-8000-00000000a001", 9, ChangeOp::remove, nullptr, {}},
                 {140, "catalog", "parts", "MB-220", 1, ChangeOp::put, part, {}}};
    r.cursor = 150;
    r.has_more = false;
    r.checkpoint = Checkpoint{150, {{"tech:u1", 0x0123456789abcdefULL}, {"catalog", 0xfedcba9876543210ULL}}};
    r.write_checkpoint = 120;
    return r;
}

template <class Decode>
void expect_error(Decode decode, const Poco::JSON::Object::Ptr& json, ErrorCode code, const std::string& field) {
    try {
        decode(*json);
        FAIL("decoded " << to_json_text(json));
    } catch (const Error& e) {
        INFO(e.what());
        CHECK(to_string(e.code()) == to_string(code));
        CHECK(e.field() == field);
    }
}

auto push_decoder(WireLimits limits = {}) {
    return [limits](const Poco::JSON::Object& o) { return decode_push_request(o, limits); };
}
auto push_response_decoder() {
    return [](const Poco::JSON::Object& o) { return decode_push_response(o); };
}
// Decodes the object, and checks on its JSON text that the text decoder refuses exactly what the object decoder
// refuses, with the same code and field (the text, not the object, since 1.0 is written as 1).
auto pull_decoder(WireLimits limits = {}) {
    return [limits](const Poco::JSON::Object& o) {
        std::ostringstream out;
        o.stringify(out);
        std::string text = out.str();
        std::optional<std::pair<ErrorCode, std::string>> text_error, object_error;
        try {
            decode_pull_response_text(text, limits);
        } catch (const Error& e) {
            text_error = {e.code(), e.field()};
        }
        try {
            decode_pull_response(*parse_json_object(text), limits);
        } catch (const Error& e) {
            object_error = {e.code(), e.field()};
        }
        CHECK(text_error.has_value() == object_error.has_value());
        if (text_error && object_error) {
            CHECK(to_string(text_error->first) == to_string(object_error->first));
            CHECK(text_error->second == object_error->second);
        }
        return decode_pull_response(o, limits);
    };
}

Poco::JSON::Object::Ptr item(const Poco::JSON::Object::Ptr& message, const char* array, unsigned index) {
    return message->getArray(array)->getObject(index);
}

}  // namespace

TEST_CASE("push requests round-trip through JSON text", "[sync][wire]") {
    auto request = push_request();
    auto text = to_json_text(encode(request));
    CHECK(text.find("\"protocol\":1") != std::string::npos);
    CHECK(decode_push_request(*parse_json_object(text)) == request);

    PushRequest empty{"tab-7", {}};
    CHECK(decode_push_request(*parse_json_object(to_json_text(encode(empty)))) == empty);
}

TEST_CASE("push responses round-trip through JSON text", "[sync][wire]") {
    auto response = push_response();
    auto json = encode(response);
    CHECK_FALSE(item(json, "results", 0)->has("error"));
    CHECK_FALSE(item(json, "results", 1)->has("version"));
    CHECK_FALSE(item(json, "results", 1)->getObject("error")->has("field"));
    CHECK(item(json, "results", 2)->getObject("error")->getValue<std::string>("code") == "forbidden");
    CHECK(decode_push_response(*parse_json_object(to_json_text(json))) == response);
}

TEST_CASE("pull responses round-trip through JSON text", "[sync][wire]") {
    auto response = pull_response();
    auto json = encode(response);
    CHECK(json->getObject("checkpoint")->getObject("buckets")->getValue<std::string>("tech:u1") == "0123456789abcdef");
    CHECK_FALSE(item(json, "changes", 1)->has("row"));
    CHECK(decode_pull_response(*parse_json_object(to_json_text(json))) == response);

    SECTION("a middle page carries no checkpoint") {
        response.has_more = true;
        response.checkpoint.reset();
        CHECK(decode_pull_response(*encode(response)) == response);
    }
    SECTION("a reset carries neither changes nor checkpoint") {
        PullResponse reset;
        reset.reset_required = true;
        reset.cursor = 0;
        CHECK(decode_pull_response(*encode(reset)) == reset);
    }
    SECTION("a caught-up device gets an empty page with a checkpoint") {
        response.changes.clear();
        CHECK(decode_pull_response(*encode(response)) == response);
    }
}

TEST_CASE("pull responses written as text decode to the same message", "[sync][wire]") {
    auto response = pull_response();
    CHECK(decode_pull_response(*parse_json_object(encode_text(response))) == response);

    SECTION("a row given as stored text goes out verbatim") {
        std::string stored = R"({"id":"c\"1","name":"王小明 \\ \n","lat":22.3,"is_vip":true,"notes":null})";
        response.changes[0].row = nullptr;
        response.changes[0].row_text = stored;
        response.changes[0].row_id = "c\"1";
        auto text = encode_text(response);
        CHECK(text.find(stored) != std::string::npos);
        auto decoded = decode_pull_response(*parse_json_object(text));
        CHECK(decoded == response);
        CHECK(decoded.changes[0].row_id == "c\"1");
        CHECK(decoded.changes[0].row->getValue<std::string>("name") == "王小明 \\ \n");
        CHECK(to_json_text(encode(response)) == to_json_text(encode(decoded)));
    }
    SECTION("middle pages and resets") {
        response.has_more = true;
        response.checkpoint.reset();
        CHECK(decode_pull_response(*parse_json_object(encode_text(response))) == response);
        PullResponse reset;
        reset.reset_required = true;
        CHECK(decode_pull_response(*parse_json_object(encode_text(reset))) == reset);
    }
}

TEST_CASE("a missing or wrong protocol version is refused with a clear message", "[sync][wire]") {
    std::vector<std::pair<const char*, std::function<void(const Poco::JSON::Object&)>>> decoders = {
        {"push request", push_decoder()},
        {"push response", push_response_decoder()},
        {"pull response", pull_decoder()}};
    std::vector<Poco::JSON::Object::Ptr> messages = {encode(push_request()), encode(push_response()),
                                                     encode(pull_response())};
    for (std::size_t i = 0; i < decoders.size(); ++i) {
        INFO(decoders[i].first);
        auto decode = decoders[i].second;
        CHECK_NOTHROW(decode(*messages[i]));

        Poco::JSON::Object::Ptr json = new Poco::JSON::Object(*messages[i]);
        json->remove("protocol");
        try {
            decode(*json);
            FAIL("accepted without protocol");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::missing_field);
            CHECK(e.field() == "protocol");
            CHECK_THAT(std::string(e.what()), Catch::Contains("protocol 1"));
        }

        json->set("protocol", 2);
        try {
            decode(*json);
            FAIL("accepted protocol 2");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::invalid_field);
            CHECK(e.field() == "protocol");
            CHECK_THAT(std::string(e.what()), Catch::Contains("2 is not supported") && Catch::Contains("protocol 1"));
        }

        // A newer protocol may change anything else; the version is checked before any other field.
        json->set("protocol", 0);
        json->set("something_new", true);
        expect_error(decode, json, ErrorCode::invalid_field, "protocol");
        json->set("protocol", std::string("1"));
        expect_error(decode, json, ErrorCode::invalid_field, "protocol");
        json->set("protocol", 1.0);
        expect_error(decode, json, ErrorCode::invalid_field, "protocol");
        json->set("protocol", Poco::Dynamic::Var());
        expect_error(decode, json, ErrorCode::missing_field, "protocol");
    }
}

TEST_CASE("a push carries at most the configured number of ops", "[sync][wire]") {
    auto at_limit = encode(push_request(500));
    CHECK(decode_push_request(*at_limit).ops.size() == 500);
    expect_error(push_decoder(), encode(push_request(501)), ErrorCode::payload_too_large, "ops");
    expect_error(push_decoder(WireLimits{2, 1000}), encode(push_request(3)), ErrorCode::payload_too_large, "ops");
    CHECK(decode_push_request(*encode(push_request(2)), WireLimits{2, 1000}).ops.size() == 2);
}

TEST_CASE("malformed push requests are rejected with the field path", "[sync][wire]") {
    struct Case {
        const char* what;
        std::function<void(Poco::JSON::Object&)> mutate;
        ErrorCode code;
        std::string field;
    };
    std::vector<Case> cases = {
        {"no device_id", [](auto& o) { o.remove("device_id"); }, ErrorCode::missing_field, "device_id"},
        {"device_id with a space", [](auto& o) { o.set("device_id", std::string("tab 7")); }, ErrorCode::invalid_field,
         "device_id"},
        {"no ops", [](auto& o) { o.remove("ops"); }, ErrorCode::missing_field, "ops"},
        {"ops an object", [](auto& o) { o.set("ops", Poco::JSON::Object::Ptr(new Poco::JSON::Object)); },
         ErrorCode::invalid_field, "ops"},
        {"an op that is a string", [](auto& o) { o.getArray("ops")->set(2, std::string("op")); },
         ErrorCode::invalid_field, "ops[2]"},
        {"a bad hlc in the second op", [](auto& o) { o.getArray("ops")->getObject(1)->set("hlc", std::string("x")); },
         ErrorCode::invalid_field, "ops[1].hlc"},
        {"a missing table in the fourth op", [](auto& o) { o.getArray("ops")->getObject(3)->remove("table"); },
         ErrorCode::missing_field, "ops[3].table"},
        {"a repeated op id",
         [](auto& o) { o.getArray("ops")->getObject(2)->set("op_id", o.getArray("ops")->getObject(0)->get("op_id")); },
         ErrorCode::invalid_field, "ops[2].op_id"},
        {"an unknown key", [](auto& o) { o.set("since", 3); }, ErrorCode::invalid_field, "since"},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        auto json = parse_json_object(to_json_text(encode(push_request())));
        c.mutate(*json);
        expect_error(push_decoder(), json, c.code, c.field);
    }
}

TEST_CASE("malformed push responses are rejected with the field path", "[sync][wire]") {
    struct Case {
        const char* what;
        std::function<void(Poco::JSON::Object&)> mutate;
        ErrorCode code;
        std::string field;
    };
    auto result = [](Poco::JSON::Object& o, unsigned i) { return o.getArray("results")->getObject(i); };
    std::vector<Case> cases = {
        {"applied without version", [&](auto& o) { result(o, 0)->remove("version"); }, ErrorCode::missing_field,
         "results[0].version"},
        {"applied with version 0", [&](auto& o) { result(o, 0)->set("version", 0); }, ErrorCode::invalid_field,
         "results[0].version"},
        {"applied with an error", [&](auto& o) { result(o, 0)->set("error", result(o, 1)->getObject("error")); },
         ErrorCode::invalid_field, "results[0].error"},
        {"rejected without error", [&](auto& o) { result(o, 1)->remove("error"); }, ErrorCode::missing_field,
         "results[1].error"},
        {"rejected with a version", [&](auto& o) { result(o, 1)->set("version", 3); }, ErrorCode::invalid_field,
         "results[1].version"},
        {"unknown error code", [&](auto& o) { result(o, 1)->getObject("error")->set("code", std::string("oops")); },
         ErrorCode::invalid_field, "results[1].error.code"},
        {"error without message", [&](auto& o) { result(o, 2)->getObject("error")->remove("message"); },
         ErrorCode::missing_field, "results[2].error.message"},
        {"unknown status", [&](auto& o) { result(o, 3)->set("status", std::string("pending")); },
         ErrorCode::invalid_field, "results[3].status"},
        {"result op_id not a UUID", [&](auto& o) { result(o, 3)->set("op_id", std::string("x")); },
         ErrorCode::invalid_field, "results[3].op_id"},
        {"repeated result", [&](auto& o) { result(o, 3)->set("op_id", result(o, 0)->get("op_id")); },
         ErrorCode::invalid_field, "results[3].op_id"},
        {"negative write_checkpoint", [](auto& o) { o.set("write_checkpoint", -1); }, ErrorCode::invalid_field,
         "write_checkpoint"},
        {"no write_checkpoint", [](auto& o) { o.remove("write_checkpoint"); }, ErrorCode::missing_field,
         "write_checkpoint"},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        auto json = parse_json_object(to_json_text(encode(push_response())));
        c.mutate(*json);
        expect_error(push_response_decoder(), json, c.code, c.field);
    }
}

TEST_CASE("malformed pull responses are rejected with the field path", "[sync][wire]") {
    struct Case {
        const char* what;
        std::function<void(Poco::JSON::Object&)> mutate;
        ErrorCode code;
        std::string field;
    };
    auto change = [](Poco::JSON::Object& o, unsigned i) { return o.getArray("changes")->getObject(i); };
    std::vector<Case> cases = {
        {"seq going backwards", [&](auto& o) { change(o, 1)->set("seq", 100); }, ErrorCode::invalid_field,
         "changes[1].seq"},
        {"seq repeated", [&](auto& o) { change(o, 2)->set("seq", 102); }, ErrorCode::invalid_field, "changes[2].seq"},
        {"table outside its bucket", [&](auto& o) { change(o, 2)->set("bucket", std::string("tech:u1")); },
         ErrorCode::invalid_field, "changes[2].table"},
        {"unknown bucket", [&](auto& o) { change(o, 0)->set("bucket", std::string("everyone")); },
         ErrorCode::invalid_field, "changes[0].bucket"},
        {"unknown table", [&](auto& o) { change(o, 0)->set("table", std::string("users")); }, ErrorCode::invalid_field,
         "changes[0].table"},
        {"put without row", [&](auto& o) { change(o, 0)->remove("row"); }, ErrorCode::missing_field, "changes[0].row"},
        {"remove with row", [&](auto& o) { change(o, 1)->set("row", change(o, 0)->getObject("row")); },
         ErrorCode::invalid_field, "changes[1].row"},
        {"unknown change op", [&](auto& o) { change(o, 1)->set("op", std::string("patch")); }, ErrorCode::invalid_field,
         "changes[1].op"},
        {"version 0", [&](auto& o) { change(o, 1)->set("version", 0); }, ErrorCode::invalid_field,
         "changes[1].version"},
        {"cursor before the last change", [](auto& o) { o.set("cursor", 139); }, ErrorCode::invalid_field, "cursor"},
        {"has_more not a boolean", [](auto& o) { o.set("has_more", 0); }, ErrorCode::invalid_field, "has_more"},
        {"no reset_required", [](auto& o) { o.remove("reset_required"); }, ErrorCode::missing_field, "reset_required"},
        {"last page without checkpoint", [](auto& o) { o.remove("checkpoint"); }, ErrorCode::missing_field,
         "checkpoint"},
        {"checkpoint on a middle page", [](auto& o) { o.set("has_more", true); }, ErrorCode::invalid_field,
         "checkpoint"},
        {"reset with changes", [](auto& o) { o.set("reset_required", true); }, ErrorCode::invalid_field, "changes"},
        {"bad checksum",
         [](auto& o) {
             o.getObject("checkpoint")->getObject("buckets")->set("tech:u1", std::string("0123456789ABCDEF"));
         },
         ErrorCode::invalid_field, "checkpoint.buckets.tech:u1"},
        {"checksum as a number", [](auto& o) { o.getObject("checkpoint")->getObject("buckets")->set("catalog", 5); },
         ErrorCode::invalid_field, "checkpoint.buckets.catalog"},
        {"bad bucket in checkpoint",
         [](auto& o) {
             o.getObject("checkpoint")->getObject("buckets")->set("tech:", std::string("0123456789abcdef"));
         },
         ErrorCode::invalid_field, "checkpoint.buckets.tech:"},
        {"checkpoint without seq", [](auto& o) { o.getObject("checkpoint")->remove("seq"); }, ErrorCode::missing_field,
         "checkpoint.seq"},
        {"unknown key in checkpoint", [](auto& o) { o.getObject("checkpoint")->set("at", 1); },
         ErrorCode::invalid_field, "checkpoint.at"},
        {"unknown key in a change", [&](auto& o) { change(o, 0)->set("hlc", std::string("x")); },
         ErrorCode::invalid_field, "changes[0].hlc"},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        auto json = parse_json_object(to_json_text(encode(pull_response())));
        c.mutate(*json);
        expect_error(pull_decoder(), json, c.code, c.field);
    }
}

TEST_CASE("a pull page carries at most the configured number of changes", "[sync][wire]") {
    auto response = pull_response();
    expect_error(pull_decoder(WireLimits{500, 2}), encode(response), ErrorCode::payload_too_large, "changes");
    CHECK(decode_pull_response(*encode(response), WireLimits{500, 3}) == response);
}

TEST_CASE("bodies that are not one JSON object are malformed_json", "[sync][wire]") {
    for (const char* bad : {"", "{", "[1,2]", "\"protocol\"", "42", "{\"a\":1} trailing"}) {
        INFO(bad);
        try {
            parse_json_object(bad);
            FAIL("parsed");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::malformed_json);
        }
    }
    CHECK(parse_json_object("{\"protocol\":1}")->getValue<int>("protocol") == 1);
}

// Found by fuzzing (tests/fuzz/corpus/wire/pull_seq_past_64_bits.txt): Poco's parser read 2^64 + 1 as 1.
TEST_CASE("integers past 64 bits are not wrapped into valid values", "[sync][wire]") {
    auto parsed = parse_json_object(R"({"a":18446744073709551617,"b":-9223372036854775809,"c":18446744073709551615})");
    CHECK_FALSE(parsed->get("a").isInteger());
    CHECK(parsed->getValue<double>("a") == Approx(1.8446744073709552e19));
    CHECK_FALSE(parsed->get("b").isInteger());
    CHECK(parsed->getValue<std::uint64_t>("c") == 18446744073709551615ULL);
    auto text = encode_text(pull_response());
    const std::string seq = "\"seq\":101";
    text.replace(text.find(seq), seq.size(), "\"seq\":18446744073709551717");
    expect_error(pull_decoder(), parse_json_object(text), ErrorCode::invalid_field, "changes[0].seq");
}

TEST_CASE("message bodies must be valid UTF-8", "[sync][wire]") {
    for (const char* bad : {"{\"a\":\"\xff\"}", "{\"\xc3\x28\":1}", "{\"a\":\"\xed\xa0\x80\"}"}) {
        INFO(bad);
        try {
            parse_json_object(bad);
            FAIL("parsed");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::malformed_json);
        }
    }
}

TEST_CASE("error codes are found by name", "[sync][wire]") {
    CHECK(error_code_named("invalid_transition") == ErrorCode::invalid_transition);
    CHECK(error_code_named("internal") == ErrorCode::internal);
    CHECK_FALSE(error_code_named("Internal").has_value());
    CHECK(to_string(OpStatus::rejected) == "rejected");
    CHECK(to_string(ChangeOp::remove) == "remove");
}
