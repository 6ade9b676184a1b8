// Small readers for JSON objects that treat absent and null alike.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>

namespace fieldserver {

// The string at key, or fallback when absent or null.
inline std::string text(const Poco::JSON::Object::Ptr& o, const std::string& key, const std::string& fallback = {}) {
    if (!o || !o->has(key) || o->isNull(key)) return fallback;
    return o->get(key).convert<std::string>();
}

inline bool has_value(const Poco::JSON::Object::Ptr& o, const std::string& key) {
    return o && o->has(key) && !o->isNull(key);
}

inline std::int64_t integer(const Poco::JSON::Object::Ptr& o, const std::string& key, std::int64_t fallback = 0) {
    if (!has_value(o, key)) return fallback;
    return o->get(key).convert<std::int64_t>();
}

inline double number(const Poco::JSON::Object::Ptr& o, const std::string& key, double fallback = 0) {
    if (!has_value(o, key)) return fallback;
    return o->get(key).convert<double>();
}

// The object, or JSON null when there is none (a null Ptr cannot be stringified).
inline Poco::Dynamic::Var or_null(const Poco::JSON::Object::Ptr& o) {
    return o ? Poco::Dynamic::Var(o) : Poco::Dynamic::Var();
}

// A JSON document's text, keys sorted, for storage and hashing.
std::string to_json(const Poco::Dynamic::Var& value);

}  // namespace fieldserver
