// Fuzzes the workflow's field validation with parsed JSON objects against every transition of the built-in table
// in every repair mode. Invariants: validation throws only fieldsync::Error with a missing_field or invalid_field
// code that names a field, and what passes has every required field, no unlisted one, and each of its type.
#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fieldsync/error.hpp"
#include "fieldsync/workflow.hpp"
#include "fuzz_support.hpp"

using namespace fieldsync;
using fuzzsupport::require;

namespace {

bool listed(const std::vector<FieldSpec>& specs, const std::string& name) {
    return std::any_of(specs.begin(), specs.end(), [&](const FieldSpec& s) { return s.name == name; });
}

bool has_type(const Poco::Dynamic::Var& v, FieldType type) {
    switch (type) {
        case FieldType::string:
        case FieldType::date_time:
        case FieldType::date:
            return v.isString();
        case FieldType::integer:
            return v.isInteger() && !v.isBoolean();
        case FieldType::number:
            return v.isNumeric() && !v.isBoolean();
        case FieldType::boolean:
            return v.isBoolean();
        case FieldType::object:
            return v.type() == typeid(Poco::JSON::Object::Ptr);
        case FieldType::array:
            return v.type() == typeid(Poco::JSON::Array::Ptr);
    }
    return false;
}

void check_passed(const Transition& t, const std::string& mode, const Poco::JSON::Object& fields) {
    auto required = t.fields;
    if (auto it = t.by_mode.find(mode); it != t.by_mode.end())
        required.insert(required.end(), it->second.begin(), it->second.end());
    for (const auto& spec : required) {
        require(fields.has(spec.name) && !fields.isNull(spec.name), t.action + " passed without " + spec.name);
        require(has_type(fields.get(spec.name), spec.type), t.action + " passed a mistyped " + spec.name);
    }
    for (const auto& [name, value] : fields) {
        require(listed(required, name) || listed(t.optional, name), t.action + " passed the unlisted field " + name);
        for (const auto& spec : t.optional)
            if (spec.name == name && !value.isEmpty())
                require(has_type(value, spec.type), t.action + " passed a mistyped " + name);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    Poco::JSON::Object::Ptr fields;
    try {
        Poco::JSON::Parser parser;
        auto parsed = parser.parse(std::string(reinterpret_cast<const char*>(data), size));
        if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) return 0;
        fields = parsed.extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception&) {
        return 0;
    }
    const auto& workflow = Workflow::builtin();
    for (const auto& t : workflow.transitions()) {
        for (const std::string mode : {"", "on_site", "depot"}) {
            try {
                workflow.validate(t, *fields, mode);
            } catch (const Error& e) {
                require(e.code() == ErrorCode::missing_field || e.code() == ErrorCode::invalid_field,
                        "validation failed with another code");
                // missing_field names an absent or null field; invalid_field one that is there (an unlisted one
                // may be null).
                bool present = fields->has(e.field()) && !fields->isNull(e.field());
                require(e.code() == ErrorCode::missing_field ? !present : fields->has(e.field()),
                        "the error names a field it should not: " + e.field());
                continue;
            }
            check_passed(t, mode, *fields);
        }
    }
    return 0;
}
