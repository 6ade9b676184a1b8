// A repair plan as the job rules read it: the columns of a plans row, mapped from the row in one place.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <string>

#include "fieldserver/storage/database.hpp"

namespace fieldserver {

struct Plan {
    std::int64_t version = 0;
    std::string findings;
    std::optional<std::string> fault_category;
    bool is_warranty_covered = false;
    bool is_customer_caused = false;
    std::string mode;  // on_site or depot
    // The plan's items [{description, quantity, unit_price, ...}] as stored: data for the API and the summary.
    Poco::JSON::Array::Ptr items;
    std::int64_t total_cents = 0;
    std::int64_t cost_to_customer_cents = 0;
    std::string currency;
    std::string status;  // proposed, approved, declined, superseded
    std::string created_by;
    std::string created_at;
    std::optional<std::string> decided_by;
    std::optional<std::string> decided_at;
};

// The columns of a plans row as the API and the signed summary read them (items_json reads as items).
const char* plan_columns();

// The plan of a row selected with plan_columns() (an absent or null key reads as empty / false / nullopt).
Plan plan_from_row(const Poco::JSON::Object::Ptr& row);

// The row of a job's plan of that version, or null when there is none.
Poco::JSON::Object::Ptr plan_row(Db& db, const std::string& job_id, std::int64_t version);

}  // namespace fieldserver
