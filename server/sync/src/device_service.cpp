// Device registration and revocation; AuthService accepts the tokens (auth_service.cpp).
#include "fieldserver/sync/device_service.hpp"

#include "fieldserver/util/crypto.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"
#include "fieldsync/workflow.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::FieldType;
using fieldsync::Message;

namespace {

const char* kDeviceColumns = "id, user_id, name, platform, write_checkpoint, created_at, last_seen_at, revoked_at";

}  // namespace

Poco::JSON::Object::Ptr DeviceService::register_device(const Actor& actor, const Poco::JSON::Object::Ptr& body) {
    // Only technicians sync a replica; a device of another role would have no bucket to pull.
    require_role(actor, {Role::technician});
    // A device token must not multiply itself: a stolen tablet token could otherwise mint tokens that outlive the
    // tablet's revocation.
    if (!actor.device_id.empty()) throw Error(ErrorCode::forbidden, Message{"sync.device_registers", {}});
    static const std::vector<fieldsync::FieldSpec> required = {
        {.name = "name", .type = FieldType::string, .max_length = 200},
        {.name = "platform",
         .type = FieldType::string,
         .allowed = {"android", "ios", "windows", "linux", "macos", "other"}},
    };
    fieldsync::validate_fields(required, {}, *body, "register a device");
    if (text(body, "name").find_first_not_of(" \t") == std::string::npos)
        throw Error(ErrorCode::invalid_field, Message{"field.blank", {{"field", "name"}}}, "name");
    // A UUID is also a valid HLC node id, so the device can stamp its writes with it.
    std::string id = fieldsync::uuid_v7(), token = "frd_" + random_token();
    std::string now = fieldsync::format_utc(fieldsync::now_ms());
    return db_.write([&](Db& db) {
        db.execute(
            "INSERT INTO sync_devices (id, user_id, name, platform, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            {id, actor.id, text(body, "name"), text(body, "platform"), sha256_hex(token), now});
        auto device = db.query_one(std::string("SELECT ") + kDeviceColumns + " FROM sync_devices WHERE id = ?", {id});
        device->set("device_id", id);
        device->set("device_token", token);
        return device;
    });
}

Poco::JSON::Object::Ptr DeviceService::list(const Actor& actor, const Query& query) {
    allow_filters(query, {"user_id"});
    std::string where = "1 = 1";
    Params params;
    if (!actor.is({Role::admin, Role::dispatcher})) {
        where += " AND user_id = ?";
        params.emplace_back(actor.id);
    }
    if (auto user = filter(query, "user_id"); !user.empty()) {
        where += " AND user_id = ?";
        params.emplace_back(user);
    }
    return db_.read([&](Db& db) {
        return paged(db, kDeviceColumns, "sync_devices", where, params, "created_at DESC, id", page_of(query));
    });
}

void DeviceService::revoke(const Actor& actor, const std::string& device_id) {
    db_.write([&](Db& db) {
        auto device = db.query_one("SELECT user_id FROM sync_devices WHERE id = ?", {device_id});
        // Someone else's device looks exactly like a missing one.
        if (!device || (!actor.is({Role::admin, Role::dispatcher}) && text(device, "user_id") != actor.id))
            throw Error(ErrorCode::not_found, Message{"sync.no_device", {{"id", device_id}}});
        db.execute("UPDATE sync_devices SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL",
                   {fieldsync::format_utc(fieldsync::now_ms()), text_or_null(actor.id), device_id});
    });
}

}  // namespace fieldserver
