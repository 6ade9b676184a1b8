// Demo data for a first look: technicians, customers with Chinese names and addresses, their products, and
// jobs in various states, all created through the services so every rule and audit event applies.
#pragma once

#include <string>

#include "fieldserver/http/services.hpp"

namespace fieldserver {

// Loads the demo into an empty database (no jobs yet); returns false and changes nothing otherwise.
// Every demo user gets password.
bool load_demo_data(Services& services, const std::string& password);

}  // namespace fieldserver
