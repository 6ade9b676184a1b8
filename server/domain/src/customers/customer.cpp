// Stored customer and asset rows as typed records.
#include "fieldserver/domain/customers/customer.hpp"

#include "fieldserver/util/json.hpp"

namespace fieldserver {
namespace {

std::optional<std::string> optional_column(const Poco::JSON::Object::Ptr& row, const std::string& key) {
    if (!has_value(row, key)) return std::nullopt;
    return text(row, key);
}

}  // namespace

Customer customer_from_row(const Poco::JSON::Object::Ptr& row) {
    return {.id = text(row, "id"),
            .name = text(row, "name"),
            .phone = text(row, "phone"),
            .email = optional_column(row, "email"),
            .address = optional_column(row, "address"),
            .notes = optional_column(row, "notes"),
            .version = integer(row, "version")};
}

Asset asset_from_row(const Poco::JSON::Object::Ptr& row) {
    return {.id = text(row, "id"),
            .customer_id = text(row, "customer_id"),
            .model = text(row, "model"),
            .serial_no = text(row, "serial_no"),
            .purchase_date = optional_column(row, "purchase_date"),
            .warranty_until = optional_column(row, "warranty_until"),
            .version = integer(row, "version")};
}

}  // namespace fieldserver
