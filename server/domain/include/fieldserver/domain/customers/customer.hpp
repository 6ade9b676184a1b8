// Typed customer and asset records: the fields the rules read, mapped from a stored row in one place.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <string>

namespace fieldserver {

struct Customer {
    std::string id;
    std::string name;
    std::string phone;
    std::optional<std::string> email;
    std::optional<std::string> address;
    std::optional<std::string> notes;
    std::int64_t version = 0;
};

struct Asset {
    std::string id;
    std::string customer_id;
    std::string model;
    std::string serial_no;
    std::optional<std::string> purchase_date;   // YYYY-MM-DD
    std::optional<std::string> warranty_until;  // YYYY-MM-DD
    std::int64_t version = 0;
};

// A row of customers / assets as the API shows it, or a request body with the same keys (an absent or null key
// reads as empty / nullopt).
Customer customer_from_row(const Poco::JSON::Object::Ptr& row);
Asset asset_from_row(const Poco::JSON::Object::Ptr& row);

}  // namespace fieldserver
