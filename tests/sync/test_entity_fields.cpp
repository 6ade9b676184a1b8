// The field tables agree with the conflict rules: every field a device may write has a value rule, and a field a
// device writes is one the conflict rules let it write; insert and update checks built on them.
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "fieldsync/conflict.hpp"
#include "fieldsync/entity_fields.hpp"
#include "fieldsync/error.hpp"

using namespace fieldsync;

namespace {

const EntityField* field_of(const EntityFields& table, const std::string& name) {
    auto it = std::find_if(table.fields.begin(), table.fields.end(),
                           [&](const EntityField& f) { return f.spec.name == name; });
    return it == table.fields.end() ? nullptr : &*it;
}

Poco::JSON::Object::Ptr json(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Object::Ptr>();
}

ErrorCode code_of(const std::function<void()>& f, std::string& field) {
    try {
        f();
    } catch (const Error& e) {
        field = e.field();
        return e.code();
    }
    FAIL("no error");
    return ErrorCode::internal;
}

}  // namespace

TEST_CASE("every synced table a device writes has a field table matching its conflict rules", "[entity_fields]") {
    std::size_t writable = 0;
    for (const auto& rules : synced_tables()) {
        if (rules.access == TableAccess::read_only) {
            CHECK_THROWS_AS(entity_fields(rules.name), std::invalid_argument);
            continue;
        }
        ++writable;
        INFO("table " << rules.name);
        const auto& table = entity_fields(rules.name);
        for (const auto& column : rules.fields) {
            INFO("column " << column.name);
            const auto* field = field_of(table, column.name);
            if (column.rule == FieldRule::server_authoritative) {
                if (field) CHECK_FALSE(field->from_devices);
                continue;
            }
            REQUIRE(field);
            CHECK(field->from_devices);
            CHECK(field->updatable == (column.rule == FieldRule::lww));
        }
        for (const auto& field : table.fields) {
            INFO("field " << field.spec.name);
            const auto* rule = find_field_rule(rules.name, field.spec.name);
            if (field.from_devices) {
                REQUIRE(rule);
                CHECK(*rule != FieldRule::server_authoritative);
            } else {
                CHECK((!rule || *rule == FieldRule::server_authoritative));
            }
        }
    }
    CHECK(writable == entity_tables().size());
    for (const auto& table : entity_tables()) CHECK(is_synced_table(table.table));
}

TEST_CASE("insert and update checks: required fields, clearing, dates, office-only fields", "[entity_fields]") {
    const auto& customers = entity_fields("customers");
    const auto& assets = entity_fields("assets");
    std::string field;
    CHECK(code_of([&] { validate_insert(customers, Writer::device, *json(R"({"name":"刘洋"})"), "create"); }, field) ==
          ErrorCode::missing_field);
    CHECK(field == "phone");
    CHECK_NOTHROW(validate_update(customers, Writer::device, *json(R"({"email":null})"), "update"));
    CHECK(code_of([&] { validate_update(customers, Writer::device, *json(R"({"phone":null})"), "update"); }, field) ==
          ErrorCode::invalid_field);
    CHECK(field == "phone");
    // The map position is the office's: the API may set it, a device may not.
    auto located = json(R"({"location":{"lat":31.2,"lng":121.5}})");
    CHECK_NOTHROW(validate_update(customers, Writer::api, *located, "update"));
    CHECK(code_of([&] { validate_update(customers, Writer::device, *located, "update"); }, field) ==
          ErrorCode::invalid_field);
    CHECK(field == "location");
    // Lengths count characters: 200 Chinese characters are 600 bytes and still a valid name.
    std::string name;
    for (int i = 0; i < 200; ++i) name += "字";
    auto long_name = json("{}");
    long_name->set("name", name);
    CHECK_NOTHROW(validate_update(customers, Writer::device, *long_name, "update"));
    long_name->set("name", name + "字");
    CHECK_THROWS_AS(validate_update(customers, Writer::device, *long_name, "update"), Error);
    CHECK_NOTHROW(validate_update(assets, Writer::device, *json(R"({"purchase_date":"2024-02-29"})"), "update"));
    CHECK(code_of([&] { validate_update(assets, Writer::device, *json(R"({"purchase_date":"2023-02-29"})"), "u"); },
                  field) == ErrorCode::invalid_field);
    CHECK(field == "purchase_date");
    // customer_id is set by the insert only.
    CHECK_THROWS_AS(validate_update(assets, Writer::api, *json(R"({"customer_id":"c"})"), "update"), Error);
}
