// A repair job as the workflow rules read it: the typed columns of a jobs row, mapped from the row in one place.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <optional>
#include <string>

#include "fieldsync/workflow.hpp"

namespace fieldserver {

struct JobPolicy {
    int warranty_days = 90;                  // repair warranty after acceptance
    bool auto_approve_free_warranty = true;  // approve at once when covered and free to the customer
    std::string portal_url;                  // "https://host" before a tracking link in notices (empty: the path)
};

struct Job {
    std::string id;
    std::string ticket_no;
    std::string customer_id;
    std::string asset_id;
    std::string state;
    std::string previous_state;  // the state before on_hold; empty otherwise
    std::string assignee_id;     // empty: unassigned
    std::string mode;            // on_site, depot, or empty before a plan exists
    std::string close_reason;
    std::int64_t plan_version = 0;
    std::optional<std::int64_t> approved_plan_version;
    std::int64_t rework_count = 0;
    std::int64_t version = 0;  // the row's optimistic-lock version
    // The JSON documents of schedule_json and repair_json, null when unset.
    Poco::JSON::Object::Ptr schedule;
    Poco::JSON::Object::Ptr repair;

    fieldsync::JobPosition position() const { return {state, previous_state, mode}; }
};

// The job of a row as JobService's select returns it (JSON columns already parsed, without their _json suffix).
Job job_from_row(const Poco::JSON::Object::Ptr& row);

}  // namespace fieldserver
