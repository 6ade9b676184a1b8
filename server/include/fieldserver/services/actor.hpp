// Who is asking: the authenticated user behind a request, and the request's origin for the audit trail.
#pragma once

#include <initializer_list>
#include <string>

namespace fieldserver {

struct Actor {
    std::string id;
    std::string role;  // admin, dispatcher, technician, customer, or system for automatic moves
    std::string name;
    std::string customer_id;  // for role customer: the customer record this login belongs to
    std::string source;       // client address, for audit events
    // For a customer-portal session (ticket number and phone, no account): the one job it may see; empty otherwise.
    // The phone may be shared or typed by someone else, so such a session never sees the customer's other records.
    std::string job_scope;
    // For a request made with a device token (sync): the registered device; empty for a login token.
    std::string device_id;

    bool is(std::initializer_list<const char*> roles) const {
        for (const char* r : roles)
            if (role == r) return true;
        return false;
    }
    bool is_staff() const { return is({"admin", "dispatcher"}); }
};

// Throws Error(forbidden) unless actor has one of roles.
void require_role(const Actor& actor, std::initializer_list<const char*> roles);

}  // namespace fieldserver
