// Password logins issue random bearer tokens; only their SHA-256 is stored, so a database leak yields none.
#include "fieldserver/domain/users/auth_service.hpp"

#include <algorithm>

#include "fieldserver/domain/users/user.hpp"
#include "fieldserver/domain/users/user_service.hpp"
#include "fieldserver/util/crypto.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;

AuthService::AuthService(Database& db, std::int64_t token_ttl_seconds, int max_failures, int window_seconds,
                         int pbkdf2_iterations)
    : db_(db),
      ttl_(token_ttl_seconds),
      stand_in_hash_(hash_password(random_token(), pbkdf2_iterations)),
      user_failures_(db, "login_user", max_failures, window_seconds),
      address_failures_(db, "login_address", max_failures * kAddressFactor, window_seconds),
      pair_failures_(db, "login_user_address", max_failures, window_seconds) {}

// A stranger must not be able to lock a user out by failing their logins, so no count locks an account outright:
// - every client address pauses after its free failures, for 2, 4, 8 … seconds (at most the window) per further
//   failure, whichever usernames it tried;
// - a username past its failures in the window refuses only the addresses that failed on it in that window; an
//   address that has not (the user's own tablet or office) still logs in with the right password. A guesser on
//   many addresses thus gets one try per address per window, each paused as above.
int AuthService::wait_before(const std::string& username, const std::string& source) {
    int wait = address_failures_.growing_delay(source);
    if (wait > 0) return wait;
    int user_wait = user_failures_.retry_after(username);
    return user_wait > 0 && pair_failures_.count(username + "\n" + source) > 0 ? user_wait : 0;
}

Poco::JSON::Object::Ptr AuthService::login(const std::string& username, const std::string& password,
                                           const std::string& source, int& retry_after) {
    retry_after = wait_before(username, source);
    if (retry_after > 0)
        throw Error(ErrorCode::rate_limited,
                    fieldsync::Message{"auth.too_many_failures", {{"seconds", std::to_string(retry_after)}}});
    auto user = db_.read([&](Db& db) {
        return db.query_one("SELECT id, role, password_hash, is_active FROM users WHERE username = ?", {username});
    });
    // A missing user costs one hash at the configured count, and an inactive one is verified like an active one,
    // so timing does not reveal which usernames exist or are active.
    bool ok = user ? verify_password(password, user->getValue<std::string>("password_hash"))
                   : (verify_password(password, stand_in_hash_), false);
    if (!ok || !user_from_row(user).is_active) {
        user_failures_.hit(username);
        address_failures_.hit(source);
        pair_failures_.hit(username + "\n" + source);
        throw Error(ErrorCode::bad_credentials, fieldsync::Message{"auth.wrong_password", {}});
    }
    // The user's own address is cleared; the username's count stays, so a success does not give a guesser
    // elsewhere a fresh set of tries.
    pair_failures_.clear(username + "\n" + source);
    std::string token = random_token();
    std::int64_t now = fieldsync::now_ms();
    std::string expires_at = fieldsync::format_utc(now + ttl_ * 1000);
    std::string user_id = user->getValue<std::string>("id");
    db_.write([&](Db& db) {
        db.execute("DELETE FROM auth_tokens WHERE expires_at < ?", {fieldsync::format_utc(now)});
        db.execute("INSERT INTO auth_tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                   {sha256_hex(token), user_id, fieldsync::format_utc(now), expires_at});
    });
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("token", token);
    out->set("expires_at", expires_at);
    out->set("user", db_.read([&](Db& db) { return UserService::load(db, user_id); }));
    return out;
}

std::optional<Actor> AuthService::authenticate(const std::string& token, const std::string& source) {
    auto row = db_.read([&](Db& db) {
        return db.query_one(
            "SELECT u.id, u.role, u.name, u.customer_id, u.is_active FROM auth_tokens t "
            "JOIN users u ON u.id = t.user_id WHERE t.token_hash = ? AND t.expires_at > ? AND u.is_active = 1",
            {sha256_hex(token), fieldsync::format_utc(fieldsync::now_ms())});
    });
    if (row) return user_from_row(row).actor(source);
    // A technician's device token (DeviceService issues it): long-lived, valid until the device is revoked.
    auto device = db_.read([&](Db& db) {
        return db.query_one(
            "SELECT u.id, u.role, u.name, u.is_active, d.id AS device_id FROM sync_devices d "
            "JOIN users u ON u.id = d.user_id WHERE d.token_hash = ? AND d.revoked_at IS NULL AND u.is_active = 1",
            {sha256_hex(token)});
    });
    if (device) {
        Actor actor = user_from_row(device).actor(source);
        actor.device_id = text(device, "device_id");
        return actor;
    }
    // A customer-portal session (PortalService issues it): a customer without an account, scoped to one job.
    auto portal = db_.read([&](Db& db) {
        return db.query_one(
            "SELECT t.customer_id, t.job_id, c.name FROM portal_tokens t JOIN customers c ON c.id = t.customer_id "
            "WHERE t.token_hash = ? AND t.expires_at > ?",
            {sha256_hex(token), fieldsync::format_utc(fieldsync::now_ms())});
    });
    if (!portal) return std::nullopt;
    return Actor{.role = Role::customer,
                 .name = text(portal, "name"),
                 .customer_id = text(portal, "customer_id"),
                 .source = source,
                 .job_scope = text(portal, "job_id")};
}

void AuthService::logout(const std::string& token) {
    db_.write([&](Db& db) {
        db.execute("DELETE FROM auth_tokens WHERE token_hash = ?", {sha256_hex(token)});
        db.execute("DELETE FROM portal_tokens WHERE token_hash = ?", {sha256_hex(token)});
        // Logging out on a device ends that device: its token is revoked as DELETE /sync/devices/{id} would.
        db.execute(
            "UPDATE sync_devices SET revoked_at = ?, revoked_by = user_id WHERE token_hash = ? AND revoked_at IS NULL",
            {fieldsync::format_utc(fieldsync::now_ms()), sha256_hex(token)});
    });
}

}  // namespace fieldserver
