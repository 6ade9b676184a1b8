// The after-sales routes: purchase facts, exchange/return/refund cases, policies, the deadline sweep.
#pragma once

#include "fieldserver/http/api_server.hpp"

namespace fieldserver {

// Who may open and follow after-sales cases and record purchase facts: the office, customer care's agents (客服,
// for a caller) and supervisors (主管), and the customer; which case moves each may make is after_sales.json's.
inline const Access kAfterSalesParties{false,
                                       {Role::admin, Role::dispatcher, Role::agent, Role::supervisor, Role::customer}};
// Who may read the after-sales policies (customer care quotes windows and time limits to callers).
inline const Access kPolicyReaders{false, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor}};

// /api/v1/assets/{id}/purchase, /api/v1/jobs/{id}/after-sales, /api/v1/after-sales/cases…,
// /api/v1/policies/time-limits, /api/v1/policies/after-sales, /api/v1/deadlines/sweep.
void add_after_sales_routes(Router& router, Services& services);

}  // namespace fieldserver
