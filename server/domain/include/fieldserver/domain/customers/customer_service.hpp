// Customers and their assets (the products they bought), with search that works for Chinese text.
#pragma once

#include <Poco/JSON/Object.h>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/common/listing.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

class CustomerService {
  public:
    explicit CustomerService(Database& db) : db_(db) {}

    Poco::JSON::Object::Ptr create_customer(const Actor& actor, const Poco::JSON::Object::Ptr& body);
    Poco::JSON::Object::Ptr list_customers(const Actor& actor, const Query& query);
    Poco::JSON::Object::Ptr get_customer(const Actor& actor, const std::string& id);
    Poco::JSON::Object::Ptr update_customer(const Actor& actor, const std::string& id,
                                            const Poco::JSON::Object::Ptr& body);

    Poco::JSON::Object::Ptr create_asset(const Actor& actor, const Poco::JSON::Object::Ptr& body);
    Poco::JSON::Object::Ptr list_assets(const Actor& actor, const Query& query);
    Poco::JSON::Object::Ptr get_asset(const Actor& actor, const std::string& id);
    Poco::JSON::Object::Ptr update_asset(const Actor& actor, const std::string& id,
                                         const Poco::JSON::Object::Ptr& body);

    // Rows as the API shows them, or throws Error(not_found). No access check: callers check.
    static Poco::JSON::Object::Ptr load_customer(Db& db, const std::string& id);
    static Poco::JSON::Object::Ptr load_asset(Db& db, const std::string& id);

    // Who sees a customer's records (the customer, their assets and warranties): staff all, a customer their own,
    // a technician the customers of jobs assigned to them. customer_scope is that rule as a condition to append to
    // a WHERE clause (" AND <customer_id_column> …", empty for staff), its parameter appended to params.
    static std::string customer_scope(const Actor& actor, const std::string& customer_id_column, Params& params);
    // True when a job of the customer is assigned to the technician.
    static bool technician_serves(Db& db, const std::string& technician_id, const std::string& customer_id);

  private:
    // Throws Error(not_found) unless actor may see customer id: staff see all, a customer themself, a
    // technician the customers of jobs assigned to them.
    void check_visible(Db& db, const Actor& actor, const std::string& customer_id);
    Database& db_;
};

}  // namespace fieldserver
