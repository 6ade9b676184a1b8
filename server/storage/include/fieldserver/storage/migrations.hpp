// Numbered schema migrations from schemas/migrations/server, applied in order and recorded.
#pragma once

#include <string>
#include <vector>

#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// Applies every embedded migration not yet recorded in schema_migrations, each in its own transaction.
// Returns the names of the migrations it applied.
std::vector<std::string> migrate(Database& db);

}  // namespace fieldserver
