// The checks of an action's fields beyond the workflow table's specs (a plan's items and totals, parts used, a
// signature),
// one implementation the server applies and the device runs before it queues a move.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace fieldsync {

// A plan that passed check_plan, with its totals in cents.
struct CheckedPlan {
    std::string mode;      // on_site or depot
    std::string currency;  // CNY when the plan names none
    Poco::JSON::Array::Ptr items;
    std::int64_t total_cents = 0;
    std::int64_t cost_to_customer_cents = 0;
};

// Checks a proposed plan: mode, at least one valid item, and a cost to the customer within 0 and the items'
// total. Throws Error(missing_field or invalid_field) with a field under "plan." (e.g. plan.cost_to_customer).
CheckedPlan check_plan(const Poco::JSON::Object::Ptr& plan);

// Checks the parts a completed repair used; answers their priced total in cents. Throws Error(field parts_used).
std::int64_t check_parts_used(const Poco::JSON::Array::Ptr& parts);

// Checks an acceptance's signature_strokes: pen strokes (each an array of [x, y] points), or the keyboard alternative,
// exactly one {"typed": name} whose name is signer_name. Throws Error(invalid_field, field signature_strokes).
void check_signature(const Poco::JSON::Object& fields);

// The checks above that action's fields call for (submit_assessment: plan; complete_repair: parts_used;
// record_acceptance: the signature).
void check_action_details(std::string_view action, const Poco::JSON::Object& fields);

}  // namespace fieldsync
