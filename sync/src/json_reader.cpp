// Typed, path-aware getters over Poco JSON objects for the strict decoders of ops and wire messages.
#include "json_reader.hpp"

#include <Poco/Exception.h>

namespace fieldsync::detail {

Poco::JSON::Object::Ptr as_object(const Poco::Dynamic::Var& value) {
    if (value.type() == typeid(Poco::JSON::Object::Ptr)) return value.extract<Poco::JSON::Object::Ptr>();
    if (value.type() == typeid(Poco::JSON::Object)) return new Poco::JSON::Object(value.extract<Poco::JSON::Object>());
    return nullptr;
}

Poco::JSON::Array::Ptr as_array(const Poco::Dynamic::Var& value) {
    if (value.type() == typeid(Poco::JSON::Array::Ptr)) return value.extract<Poco::JSON::Array::Ptr>();
    if (value.type() == typeid(Poco::JSON::Array)) return new Poco::JSON::Array(value.extract<Poco::JSON::Array>());
    return nullptr;
}

JsonReader::JsonReader(const Poco::JSON::Object& object, std::string path) : object_(object), path_(std::move(path)) {}

std::string JsonReader::path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void JsonReader::fail(ErrorCode code, std::string_view key, std::string id,
                      std::vector<std::pair<std::string, std::string>> args) const {
    std::string field = path(key);
    args.emplace_back("field", field);
    throw Error(code, Message{std::move(id), std::move(args)}, field);
}

bool JsonReader::has(std::string_view key) {
    read_.emplace(key);
    std::string k(key);
    return object_.has(k) && !object_.isNull(k);
}

Poco::Dynamic::Var JsonReader::required(std::string_view key) {
    if (!has(key)) fail(ErrorCode::missing_field, key, "error.missing_field.field");
    return object_.get(std::string(key));
}

std::string JsonReader::string(std::string_view key) {
    auto v = required(key);
    if (!v.isString()) fail(ErrorCode::invalid_field, key, "field.type.string");
    auto s = v.extract<std::string>();
    if (s.empty()) fail(ErrorCode::invalid_field, key, "field.empty");
    return s;
}

std::int64_t JsonReader::integer(std::string_view key, std::int64_t min, std::int64_t max) {
    auto v = required(key);
    if (!v.isInteger() || v.isBoolean()) fail(ErrorCode::invalid_field, key, "field.type.integer");
    std::int64_t n;
    try {
        n = v.convert<std::int64_t>();
    } catch (const Poco::RangeException&) {
        fail(ErrorCode::invalid_field, key, "field.out_of_range");
    }
    if (n < min) fail(ErrorCode::invalid_field, key, "field.min", {{"min", std::to_string(min)}});
    if (n > max) fail(ErrorCode::invalid_field, key, "field.max", {{"max", std::to_string(max)}});
    return n;
}

bool JsonReader::boolean(std::string_view key) {
    auto v = required(key);
    if (!v.isBoolean()) fail(ErrorCode::invalid_field, key, "field.type.boolean");
    return v.extract<bool>();
}

Poco::JSON::Object::Ptr JsonReader::object(std::string_view key) {
    auto o = as_object(required(key));
    if (!o) fail(ErrorCode::invalid_field, key, "field.type.object");
    return o;
}

Poco::JSON::Array::Ptr JsonReader::array(std::string_view key) {
    auto a = as_array(required(key));
    if (!a) fail(ErrorCode::invalid_field, key, "field.type.array");
    return a;
}

void JsonReader::absent(std::string_view key, const std::string& id) {
    if (has(key)) fail(ErrorCode::invalid_field, key, id);
}

void JsonReader::finish() const {
    for (const auto& [key, value] : object_)
        if (!read_.count(key)) fail(ErrorCode::invalid_field, key, "wire.unknown_field");
}

}  // namespace fieldsync::detail
