// Optional text and locations between request bodies, bound values and API rows.
#include "fieldserver/domain/common/field_values.hpp"

#include <cmath>

#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::Message;

Value optional_text(const Poco::JSON::Object::Ptr& body, const std::string& key) {
    if (!has_value(body, key)) return std::monostate{};
    return text(body, key);
}

std::pair<Value, Value> location_values(const Poco::JSON::Object::Ptr& body, const std::string& key) {
    if (!has_value(body, key)) return {std::monostate{}, std::monostate{}};
    auto location = body->getObject(key);
    auto valid = [&](const char* coordinate, double limit) {
        // JSON true would convert to 1, so booleans are refused explicitly.
        return location && location->has(coordinate) && location->get(coordinate).isNumeric() &&
               !location->get(coordinate).isBoolean() && std::abs(location->getValue<double>(coordinate)) <= limit;
    };
    if (!valid("lat", 90) || !valid("lng", 180))
        throw Error(ErrorCode::invalid_field, Message{"field.location", {{"field", key}}}, key);
    return {location->getValue<double>("lat"), location->getValue<double>("lng")};
}

void nest_location(Poco::JSON::Object& row, const std::string& lat_column, const std::string& lng_column,
                   const std::string& key) {
    if (!row.isNull(lat_column)) {
        Poco::JSON::Object::Ptr location = new Poco::JSON::Object;
        location->set("lat", row.get(lat_column));
        location->set("lng", row.get(lng_column));
        row.set(key, location);
    } else {
        row.set(key, Poco::Dynamic::Var());
    }
    row.remove(lat_column);
    row.remove(lng_column);
}

}  // namespace fieldserver
