// The JSON Schemas in schemas/sync/ against the code: their lists of tables, actions, kinds and error codes must
// be the ones libfieldsync enforces, and every key the encoder writes must be one the schema describes.
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "fieldsync/bucket.hpp"
#include "fieldsync/conflict.hpp"
#include "fieldsync/wire.hpp"
#include "fieldsync/workflow.hpp"

using namespace fieldsync;

namespace {

Poco::JSON::Object::Ptr load(const std::string& name) {
    std::ifstream in(std::string(FIELDREPAIR_SOURCE_DIR) + "/schemas/sync/" + name);
    REQUIRE(in.good());
    std::stringstream text;
    text << in.rdbuf();
    Poco::JSON::Parser parser;
    return parser.parse(text.str()).extract<Poco::JSON::Object::Ptr>();
}

// The string members of an enum; null (allowed where a field may be absent) is skipped.
std::set<std::string> strings(const Poco::JSON::Array::Ptr& values) {
    REQUIRE(values);
    std::set<std::string> out;
    for (const auto& v : *values)
        if (!v.isEmpty()) out.insert(v.toString());
    return out;
}

std::set<std::string> keys(const Poco::JSON::Object::Ptr& object) {
    std::set<std::string> out;
    for (const auto& [k, v] : *object) out.insert(k);
    return out;
}

// Keys the encoder wrote must be declared; keys the schema requires must have been written.
void check_keys(const Poco::JSON::Object::Ptr& schema, const Poco::JSON::Object::Ptr& encoded) {
    auto declared = keys(schema->getObject("properties"));
    for (const auto& k : keys(encoded)) CHECK(declared.count(k));
    for (const auto& k : strings(schema->getArray("required"))) CHECK(encoded->has(k));
}

Op sample(OpKind kind) {
    Op op;
    op.op_id = "0190d1e2-7c3a-7b4e-8f00-0123456789ab";
    op.table = "jobs";
    op.row_id = "0190d1e2-0000-7000-8000-00000000a001";
    op.kind = kind;
    op.timestamp = {1'763'700'000'000, 0, "tab-7"};
    if (kind == OpKind::action) op.action = "hold";
    if (kind != OpKind::delete_) {
        op.fields = new Poco::JSON::Object;
        op.fields->set("reason", std::string("x"));
    }
    return op;
}

}  // namespace

TEST_CASE("the schemas are draft 2020-12 with ids", "[sync][schema]") {
    for (const char* name :
         {"op.schema.json", "push_request.schema.json", "push_response.schema.json", "pull_response.schema.json"}) {
        INFO(name);
        auto s = load(name);
        CHECK(s->getValue<std::string>("$schema") == "https://json-schema.org/draft/2020-12/schema");
        CHECK(s->getValue<std::string>("$id").find(std::string("/schemas/sync/") + name) != std::string::npos);
    }
}

TEST_CASE("op.schema.json lists what decode_op accepts", "[sync][schema]") {
    auto props = load("op.schema.json")->getObject("properties");
    std::set<std::string> tables, actions;
    for (const auto& t : synced_tables()) tables.insert(t.name);
    for (const auto& t : Workflow::builtin().transitions()) actions.insert(t.action);
    CHECK(strings(props->getObject("table")->getArray("enum")) == tables);
    CHECK(strings(props->getObject("action")->getArray("enum")) == actions);
    CHECK(strings(props->getObject("kind")->getArray("enum")) ==
          std::set<std::string>{"insert", "update", "delete", "action"});

    auto schema = load("op.schema.json");
    for (OpKind kind : {OpKind::insert, OpKind::update, OpKind::delete_, OpKind::action}) {
        INFO(to_string(kind));
        check_keys(schema, encode_op(sample(kind)));
    }
}

TEST_CASE("push_response.schema.json lists every error code", "[sync][schema]") {
    auto codes = strings(load("push_response.schema.json")
                             ->getObject("$defs")
                             ->getObject("error")
                             ->getObject("properties")
                             ->getObject("code")
                             ->getArray("enum"));
    std::set<std::string> expected;
#define FIELDSYNC_NAME(code) expected.insert(#code);
    FIELDSYNC_ERROR_CODES(FIELDSYNC_NAME)
#undef FIELDSYNC_NAME
    CHECK(codes == expected);
    for (const auto& c : codes) CHECK(error_code_named(c).has_value());
}

TEST_CASE("pull_response.schema.json puts tables in the buckets bucket.hpp does", "[sync][schema]") {
    auto rule =
        load("pull_response.schema.json")->getObject("$defs")->getObject("change")->getArray("allOf")->getObject(0);
    auto table_enum = [](const Poco::JSON::Object::Ptr& branch) {
        return strings(branch->getObject("properties")->getObject("table")->getArray("enum"));
    };
    auto as_set = [](const std::vector<std::string>& v) { return std::set<std::string>(v.begin(), v.end()); };
    CHECK(table_enum(rule->getObject("then")) == as_set(bucket_tables(BucketKind::catalog)));
    CHECK(table_enum(rule->getObject("else")) == as_set(bucket_tables(BucketKind::technician)));
}

TEST_CASE("encoded messages use only the keys their schemas declare", "[sync][schema]") {
    PushRequest request{"tab-7", {sample(OpKind::update)}};
    check_keys(load("push_request.schema.json"), encode(request));
    PushResponse response{{{"0190d1e2-7c3a-7b4e-8f00-0123456789ab", OpStatus::applied, 2, std::nullopt}}, 5};
    check_keys(load("push_response.schema.json"), encode(response));
    PullResponse pull;
    pull.checkpoint = Checkpoint{0, {{"catalog", 0}}};
    auto pull_schema = load("pull_response.schema.json");
    check_keys(pull_schema, encode(pull));
    Change change{1, "catalog", "parts", "p1", 1, ChangeOp::put, new Poco::JSON::Object};
    check_keys(pull_schema->getObject("$defs")->getObject("change"),
               encode(PullResponse{{change}, 1, true, {}, 0, false})->getArray("changes")->getObject(0));
}
