// The lease rows of periodic work (table work_leases): one conditional update takes or renews a lease.
#include "fieldserver/storage/work_lease.hpp"

namespace fieldserver {

bool take_work_lease(Database& database, const std::string& name, const std::string& holder, std::int64_t now_ms,
                     std::int64_t ttl_ms) {
    return database.write([&](Db& db) {
        return db.execute(
                   "UPDATE work_leases SET holder = ?, expires_at_ms = ? WHERE name = ? AND (holder = ? OR "
                   "expires_at_ms < ?)",
                   {holder, now_ms + ttl_ms, name, holder, now_ms}) == 1;
    });
}

void release_work_lease(Database& database, const std::string& name, const std::string& holder) {
    database.write([&](Db& db) {
        db.execute("UPDATE work_leases SET expires_at_ms = 0 WHERE name = ? AND holder = ?", {name, holder});
    });
}

}  // namespace fieldserver
