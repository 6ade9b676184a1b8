// Fuzzes request bodies as the server reads them (server/http/src/api_handler.cpp read_body: Poco's JSON parser,
// then "must be an object") and checks them with fieldsync::validate_fields against field tables like the
// server's, covering every field type and constraint. Invariants: parsing throws only Poco::Exception, validation
// only fieldsync::Error, and every error message and field name is valid UTF-8 (they go back in the JSON error body).
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fieldsync/error.hpp"
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

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Poco::Dynamic::Var parsed;
    try {
        Poco::JSON::Parser parser;
        parsed = parser.parse(std::string(reinterpret_cast<const char*>(data), size));
    } catch (const Poco::Exception&) {
        return 0;
    }
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) return 0;
    auto body = parsed.extract<Poco::JSON::Object::Ptr>();
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
