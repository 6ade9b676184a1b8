// Who is asking: the authenticated user behind a request, and the request's origin for the audit trail.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace fieldserver {

// The kinds of principal. Stored and sent as their names (users.role, audit events, the workflow table's roles).
// agent (customer-service agent, 客服) and supervisor (主管) were added last, so existing values keep their numbers.
enum class Role { admin, dispatcher, technician, customer, system, agent, supervisor };

std::string to_string(Role role);
// The role named text, or nothing for a name that is not a role.
std::optional<Role> parse_role(std::string_view text);

struct Actor {
    std::string id;
    Role role = Role::system;  // system: automatic moves (auto-approval, SLA checker, deadlines)
    std::string name;
    std::string customer_id;  // for role customer: the customer record this login belongs to
    std::string source;       // client address, for audit events
    // For a customer-portal session (ticket number and phone, no account): the one job it may see; empty otherwise.
    // The phone may be shared or typed by someone else, so such a session never sees the customer's other records.
    std::string job_scope;
    // For a request made with a device token (sync): the registered device; empty for a login token.
    std::string device_id;

    bool is(std::initializer_list<Role> roles) const {
        for (Role r : roles)
            if (role == r) return true;
        return false;
    }
    // Staff see every job, customer and asset: the office (admin, dispatcher) and customer care (agent,
    // supervisor). What each may change is checked by role where the change is made.
    bool is_staff() const { return is({Role::admin, Role::dispatcher, Role::agent, Role::supervisor}); }
    // The role's name, as the workflow table and the audit trail know it.
    std::string role_name() const { return to_string(role); }
};

// Throws Error(forbidden) unless actor has one of roles.
void require_role(const Actor& actor, std::initializer_list<Role> roles);

}  // namespace fieldserver
