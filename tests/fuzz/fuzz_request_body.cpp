// Fuzzes request bodies as the server reads them (server/http/src/api_handler.cpp: fieldsync::parse_json_object,
// the strict scanner, one object) and checks them with fieldsync::validate_fields against field tables like the
// server's, covering every field type and constraint. Invariants: reading and validation throw only
// fieldsync::Error; what is read holds no NUL and no invalid UTF-8 in its names and texts; every error message and
// field name is valid UTF-8 (they go back in the JSON error body).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fieldsync/error.hpp"
#include "fieldsync/wire.hpp"
#include "fieldsync/workflow.hpp"
#include "fuzz_support.hpp"

using fieldsync::FieldSpec;
using fieldsync::FieldType;
using fuzzsupport::require;

namespace {

struct Table {
    const char* what;
    std::vector<FieldSpec> required;
    std::vector<FieldSpec> optional;
};

// Shaped like the server's: a user, a portal fault report, a technician's position and schedule, a webhook.
const std::vector<Table>& tables() {
    static const std::vector<Table> all = {
        {"create a user",
         {{.name = "username", .type = FieldType::string, .max_length = 64},
          {.name = "password", .type = FieldType::string, .max_length = 200},
          {.name = "role", .type = FieldType::string, .allowed = {"admin", "dispatcher", "technician", "customer"}}},
         {{.name = "skills", .type = FieldType::array}, {.name = "is_active", .type = FieldType::boolean}}},
        {"report a fault",
         {{.name = "contact_name", .type = FieldType::string, .max_length = 200},
          {.name = "description", .type = FieldType::string, .max_length = 5000}},
         {{.name = "preferred_start", .type = FieldType::date_time},
          {.name = "preferred_end", .type = FieldType::date_time},
          {.name = "photos", .type = FieldType::array}}},
        {"report a position",
         {{.name = "lat", .type = FieldType::number, .min = -90, .max = 90},
          {.name = "lng", .type = FieldType::number, .min = -180, .max = 180}},
         {}},
        {"change schedule settings",
         {},
         {{.name = "utc_offset_minutes", .type = FieldType::integer, .min = -1080, .max = 1080},
          {.name = "max_jobs_per_day", .type = FieldType::integer, .min = 1, .max = 50},
          {.name = "home", .type = FieldType::object}}},
    };
    return all;
}

}  // namespace

namespace {

// Names and texts of what was read, at any depth: never a NUL, always valid UTF-8.
void check_texts(const Poco::Dynamic::Var& value, int depth = 0) {
    require(depth < 1000, "a value nested deeper than the scanner allows");
    if (value.isString()) {
        auto text = value.extract<std::string>();
        require(fuzzsupport::is_valid_utf8(text) && text.find('\0') == std::string::npos,
                "a text with NUL or bad UTF-8");
    } else if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
        for (const auto& [name, member] : *value.extract<Poco::JSON::Object::Ptr>()) {
            require(fuzzsupport::is_valid_utf8(name) && name.find('\0') == std::string::npos,
                    "a name with NUL or bad UTF-8");
            check_texts(member, depth + 1);
        }
    } else if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
        for (const auto& item : *value.extract<Poco::JSON::Array::Ptr>()) check_texts(item, depth + 1);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Poco::JSON::Object::Ptr body;
    try {
        body = fieldsync::parse_json_object(std::string(reinterpret_cast<const char*>(data), size));
    } catch (const fieldsync::Error& e) {
        require(fuzzsupport::is_valid_utf8(e.what()), "a parse error message that is not UTF-8");
        return 0;
    }
    require(!body.isNull(), "no object and no error");
    check_texts(Poco::Dynamic::Var(body));
    for (const auto& table : tables()) {
        try {
            fieldsync::validate_fields(table.required, table.optional, *body, table.what);
        } catch (const fieldsync::Error& e) {
            require(fuzzsupport::is_valid_utf8(e.what()), "an error message that is not UTF-8");
            require(fuzzsupport::is_valid_utf8(e.field()), "an error field that is not UTF-8");
        }
    }
    return 0;
}
