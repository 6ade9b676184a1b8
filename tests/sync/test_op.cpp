// Sync ops: exact encode/decode round trips, and every malformed op rejected with the field at fault.
#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "fieldsync/error.hpp"
#include "fieldsync/op.hpp"
#include "fieldsync/wire.hpp"
#include "fieldsync/workflow.hpp"

using namespace fieldsync;

namespace {

const HlcTimestamp kHlc{1'763'700'000'000, 3, "tab-7"};

Op sample_op(OpKind kind) {
    Op op;
    op.op_id = "0190d1e2-7c3a-7b4e-8f00-0123456789ab";
    op.table = "customers";
    op.row_id = "0190d1e2-0000-7000-8000-00000000c001";
    op.kind = kind;
    op.timestamp = kHlc;
    op.base_version = 4;
    switch (kind) {
        case OpKind::insert:
        case OpKind::update:
            op.fields = new Poco::JSON::Object;
            op.fields->set("name", std::string("王小明"));
            op.fields->set("phone", std::string("+86 138 0000 0000"));
            op.fields->set("email", Poco::Dynamic::Var());  // null: clearing a field is a write too
            break;
        case OpKind::action:
            op.table = "jobs";
            op.action = "complete_repair";
            op.fields = new Poco::JSON::Object;
            op.fields->set("work_summary", std::string("更换主板"));
            op.fields->set("time_spent_minutes", 95);
            op.fields->set("parts_used", Poco::JSON::Array::Ptr(new Poco::JSON::Array));
            break;
        case OpKind::delete_:
            break;
    }
    return op;
}

Poco::JSON::Object::Ptr valid_json() { return encode_op(sample_op(OpKind::update)); }

void expect_error(const Poco::JSON::Object& json, ErrorCode code, const std::string& field,
                  const std::string& path = {}) {
    try {
        decode_op(json, path);
        FAIL("decoded " << to_json_text(new Poco::JSON::Object(json)));
    } catch (const Error& e) {
        CHECK(to_string(e.code()) == to_string(code));
        CHECK(e.field() == field);
        CHECK(std::string(e.what()).find(field) == 0);  // the message names the field first
    }
}

}  // namespace

TEST_CASE("op kinds have their wire names", "[sync][op]") {
    CHECK(to_string(OpKind::insert) == "insert");
    CHECK(to_string(OpKind::update) == "update");
    CHECK(to_string(OpKind::delete_) == "delete");
    CHECK(to_string(OpKind::action) == "action");
    CHECK(op_kind_named("delete") == OpKind::delete_);
    CHECK_FALSE(op_kind_named("delete_").has_value());
    CHECK_FALSE(op_kind_named("upsert").has_value());
}

TEST_CASE("ops round-trip exactly through JSON objects and JSON text", "[sync][op]") {
    Op op = sample_op(GENERATE(OpKind::insert, OpKind::update, OpKind::delete_, OpKind::action));
    INFO(to_string(op.kind));
    auto encoded = encode_op(op);
    CHECK(decode_op(*encoded) == op);

    auto text = to_json_text(encoded);
    if (op.kind == OpKind::insert || op.kind == OpKind::update) CHECK(text.find("王小明") != std::string::npos);
    auto reparsed = decode_op(*parse_json_object(text));
    CHECK(reparsed == op);
    CHECK(to_json_text(encode_op(reparsed)) == text);
}

TEST_CASE("an action op without fields round-trips with null fields", "[sync][op]") {
    Op op = sample_op(OpKind::action);
    op.action = "resume";
    op.fields = nullptr;
    auto encoded = encode_op(op);
    CHECK_FALSE(encoded->has("fields"));
    Op decoded = decode_op(*encoded);
    CHECK(decoded.fields.isNull());
    CHECK(decoded == op);
}

TEST_CASE("op equality notices every member", "[sync][op]") {
    Op a = sample_op(OpKind::update);
    std::vector<std::function<void(Op&)>> changes = {
        [](Op& o) { o.op_id[0] = '1'; },      [](Op& o) { o.table = "assets"; },
        [](Op& o) { o.row_id.back() = '2'; }, [](Op& o) { o.kind = OpKind::insert; },
        [](Op& o) { o.action = "x"; },        [](Op& o) { o.timestamp.counter++; },
        [](Op& o) { o.base_version++; },      [](Op& o) { o.fields->set("name", std::string("李")); },
        [](Op& o) { o.fields = nullptr; }};
    for (std::size_t i = 0; i < changes.size(); ++i) {
        INFO("change " << i);
        Op b = a;
        b.fields = new Poco::JSON::Object(*a.fields);
        changes[i](b);
        CHECK_FALSE(a == b);
    }
}

TEST_CASE("malformed ops are rejected with the field at fault", "[sync][op]") {
    struct Case {
        const char* what;
        std::function<void(Poco::JSON::Object&)> mutate;
        ErrorCode code;
        std::string field;
    };
    auto to_action = [](Poco::JSON::Object& o) {
        o.set("kind", std::string("action"));
        o.set("table", std::string("jobs"));
        o.set("action", std::string("start_repair"));
    };
    std::vector<Case> cases = {
        {"no op_id", [](auto& o) { o.remove("op_id"); }, ErrorCode::missing_field, "op_id"},
        {"null op_id", [](auto& o) { o.set("op_id", Poco::Dynamic::Var()); }, ErrorCode::missing_field, "op_id"},
        {"op_id a number", [](auto& o) { o.set("op_id", 7); }, ErrorCode::invalid_field, "op_id"},
        {"op_id not a UUID", [](auto& o) { o.set("op_id", std::string("op-1")); }, ErrorCode::invalid_field, "op_id"},
        {"op_id upper case", [](auto& o) { o.set("op_id", std::string("0190D1E2-7C3A-7B4E-8F00-0123456789AB")); },
         ErrorCode::invalid_field, "op_id"},
        {"no table", [](auto& o) { o.remove("table"); }, ErrorCode::missing_field, "table"},
        {"unknown table", [](auto& o) { o.set("table", std::string("users")); }, ErrorCode::invalid_field, "table"},
        {"table an array", [](auto& o) { o.set("table", Poco::JSON::Array::Ptr(new Poco::JSON::Array)); },
         ErrorCode::invalid_field, "table"},
        {"no row_id", [](auto& o) { o.remove("row_id"); }, ErrorCode::missing_field, "row_id"},
        {"row_id not a UUID", [](auto& o) { o.set("row_id", std::string("42")); }, ErrorCode::invalid_field, "row_id"},
        {"no kind", [](auto& o) { o.remove("kind"); }, ErrorCode::missing_field, "kind"},
        {"unknown kind", [](auto& o) { o.set("kind", std::string("upsert")); }, ErrorCode::invalid_field, "kind"},
        {"kind a number", [](auto& o) { o.set("kind", 1); }, ErrorCode::invalid_field, "kind"},
        {"action on an update", [](auto& o) { o.set("action", std::string("start_repair")); }, ErrorCode::invalid_field,
         "action"},
        {"action op without action",
         [&](auto& o) {
             to_action(o);
             o.remove("action");
         },
         ErrorCode::missing_field, "action"},
        {"unknown action",
         [&](auto& o) {
             to_action(o);
             o.set("action", std::string("teleport"));
         },
         ErrorCode::invalid_field, "action"},
        {"action a boolean",
         [&](auto& o) {
             to_action(o);
             o.set("action", true);
         },
         ErrorCode::invalid_field, "action"},
        {"action op on customers",
         [&](auto& o) {
             to_action(o);
             o.set("table", std::string("customers"));
         },
         ErrorCode::invalid_field, "table"},
        {"action fields an array",
         [&](auto& o) {
             to_action(o);
             o.set("fields", Poco::JSON::Array::Ptr(new Poco::JSON::Array));
         },
         ErrorCode::invalid_field, "fields"},
        {"update without fields", [](auto& o) { o.remove("fields"); }, ErrorCode::missing_field, "fields"},
        {"insert with null fields",
         [](auto& o) {
             o.set("kind", std::string("insert"));
             o.set("fields", Poco::Dynamic::Var());
         },
         ErrorCode::missing_field, "fields"},
        {"fields a string", [](auto& o) { o.set("fields", std::string("{}")); }, ErrorCode::invalid_field, "fields"},
        {"update with no field", [](auto& o) { o.set("fields", Poco::JSON::Object::Ptr(new Poco::JSON::Object)); },
         ErrorCode::invalid_field, "fields"},
        {"delete with fields", [](auto& o) { o.set("kind", std::string("delete")); }, ErrorCode::invalid_field,
         "fields"},
        {"no hlc", [](auto& o) { o.remove("hlc"); }, ErrorCode::missing_field, "hlc"},
        {"hlc a number", [](auto& o) { o.set("hlc", 1763700000000); }, ErrorCode::invalid_field, "hlc"},
        {"hlc garbled", [](auto& o) { o.set("hlc", std::string("2026-11-21T08:30:00Z")); }, ErrorCode::invalid_field,
         "hlc"},
        {"no base_version", [](auto& o) { o.remove("base_version"); }, ErrorCode::missing_field, "base_version"},
        {"negative base_version", [](auto& o) { o.set("base_version", -1); }, ErrorCode::invalid_field, "base_version"},
        {"fractional base_version", [](auto& o) { o.set("base_version", 1.5); }, ErrorCode::invalid_field,
         "base_version"},
        {"base_version a string", [](auto& o) { o.set("base_version", std::string("4")); }, ErrorCode::invalid_field,
         "base_version"},
        {"base_version a boolean", [](auto& o) { o.set("base_version", true); }, ErrorCode::invalid_field,
         "base_version"},
        {"unknown key", [](auto& o) { o.set("priority", 1); }, ErrorCode::invalid_field, "priority"},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        auto json = valid_json();
        c.mutate(*json);
        expect_error(*json, c.code, c.field);
    }
}

TEST_CASE("an unrepresentable base_version is rejected, not wrapped", "[sync][op]") {
    auto text = to_json_text(valid_json());
    auto at = text.find("\"base_version\":4");
    REQUIRE(at != std::string::npos);
    text.replace(at, 16, "\"base_version\":18446744073709551615");
    expect_error(*parse_json_object(text), ErrorCode::invalid_field, "base_version");
}

TEST_CASE("decode_op prefixes the path of the op to the field", "[sync][op]") {
    auto json = valid_json();
    json->set("kind", std::string("merge"));
    expect_error(*json, ErrorCode::invalid_field, "ops[3].kind", "ops[3]");
}

TEST_CASE("every workflow action can travel as an action op", "[sync][op]") {
    for (const auto& t : Workflow::builtin().transitions()) {
        Op op = sample_op(OpKind::action);
        op.action = t.action;
        op.fields = nullptr;
        INFO(t.action);
        CHECK(decode_op(*encode_op(op)) == op);
    }
}

TEST_CASE("is_lower_uuid accepts one spelling per id", "[sync][op]") {
    CHECK(is_lower_uuid("0190d1e2-7c3a-7b4e-8f00-0123456789ab"));
    CHECK_FALSE(is_lower_uuid("0190D1E2-7c3a-7b4e-8f00-0123456789ab"));
    CHECK_FALSE(is_lower_uuid("0190d1e27c3a7b4e8f000123456789ab"));
    CHECK_FALSE(is_lower_uuid(""));
}
