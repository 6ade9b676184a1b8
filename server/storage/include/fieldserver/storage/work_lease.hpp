// Leases on periodic work: among instances sharing one database, the one holding a lease row does that work until
// the lease expires, so a round runs in one instance at a time and passes on when its holder dies.
#pragma once

#include <cstdint>
#include <string>

#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// Takes or renews the lease `name` for holder until now_ms + ttl_ms, in one bound update: true when holder has it
// now (it held it, or the last holder's lease had expired), false while another instance holds it.
bool take_work_lease(Database& database, const std::string& name, const std::string& holder, std::int64_t now_ms,
                     std::int64_t ttl_ms);

// Gives the lease up at once (a clean stop), so another instance takes the work over without waiting for it to expire.
void release_work_lease(Database& database, const std::string& name, const std::string& holder);

}  // namespace fieldserver
