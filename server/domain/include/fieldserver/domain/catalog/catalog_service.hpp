// The shared catalogs every technician's device holds: parts and fault categories, kept by the office.
#pragma once

#include <Poco/JSON/Object.h>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/common/listing.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

class CatalogService {
  public:
    explicit CatalogService(Database& db) : db_(db) {}

    // {sku, name, unit?, unit_price, currency?, is_active?}; admin and dispatcher. A taken sku is a conflict.
    Poco::JSON::Object::Ptr create_part(const Actor& actor, const Poco::JSON::Object::Ptr& body);
    // Any user; filters q (sku or name) and active (true|false).
    Poco::JSON::Object::Ptr list_parts(const Actor& actor, const Query& query);
    // {code, name, parent_id?, is_active?}; admin and dispatcher. A taken code is a conflict.
    Poco::JSON::Object::Ptr create_fault_category(const Actor& actor, const Poco::JSON::Object::Ptr& body);
    Poco::JSON::Object::Ptr list_fault_categories(const Actor& actor, const Query& query);

  private:
    Database& db_;
};

}  // namespace fieldserver
