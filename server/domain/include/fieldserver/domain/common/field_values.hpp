// Request fields as bound column values and stored columns as API fields: optional text and {lat, lng} locations,
// the same rule for every service that stores them.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>
#include <utility>

#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// The text at key of body, or NULL when absent or null (an empty string stays an empty string).
Value optional_text(const Poco::JSON::Object::Ptr& body, const std::string& key);

// The location object {lat, lng} at key of body as the values of two columns: both NULL when it is absent or null.
// Throws Error(invalid_field, key) unless lat is a number in −90…90 and lng one in −180…180.
std::pair<Value, Value> location_values(const Poco::JSON::Object::Ptr& body, const std::string& key);

// The inverse for the API view: replaces the row's lat_column and lng_column by key {lat, lng}, or by null when the
// row has no location.
void nest_location(Poco::JSON::Object& row, const std::string& lat_column, const std::string& lng_column,
                   const std::string& key);

}  // namespace fieldserver
