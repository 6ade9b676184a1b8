// The after-sales policies as versioned documents: time limits (how long people may wait before the system acts)
// and the after-sales terms (return and exchange windows, fees, product warranty).
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// How long a wait may last, in hours, and what happens then.
struct TimeLimits {
    double case_response_hours = 48;         // the merchant's answer to a return/refund/exchange request; then approved
    double plan_reminder_hours = 24;         // reminder to the customer about a plan waiting for them
    double plan_decision_hours = 168;        // then plan_on_expiry
    std::string plan_on_expiry = "decline";  // decline, or keep_waiting (no decision by the system)
    double hold_reminder_hours = 72;         // a hold without an end date: the dispatcher is reminded
};

struct AfterSalesTerms {
    int return_days = 7;                       // return and refund (and refund only) for quality problems, from receipt
    int exchange_days = 15;                    // exchange, from receipt
    std::int64_t inspection_fee_cents = 5000;  // returning a product unrepaired, or withdrawing after inspection
    int product_warranty_days = 365;           // from the purchase date when the asset has no warranty_until
    std::string currency = "CNY";
};

TimeLimits load_time_limits(Db& db);
AfterSalesTerms load_after_sales_terms(Db& db);

class PolicyService {
  public:
    explicit PolicyService(Database& db) : db_(db) {}

    // {name, version, updated_by, updated_at, ...values}: the document in force (version 0: the defaults).
    Poco::JSON::Object::Ptr time_limits(const Actor& actor);
    Poco::JSON::Object::Ptr after_sales_terms(const Actor& actor);
    // Validates the whole document and stores it as the next version.
    Poco::JSON::Object::Ptr put_time_limits(const Actor& actor, const Poco::JSON::Object::Ptr& body);
    Poco::JSON::Object::Ptr put_after_sales_terms(const Actor& actor, const Poco::JSON::Object::Ptr& body);

  private:
    Database& db_;
};

}  // namespace fieldserver
