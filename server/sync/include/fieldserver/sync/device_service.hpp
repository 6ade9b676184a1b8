// Technicians' devices: registration, long-lived revocable device tokens (stored hashed), listing.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/common/listing.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

class DeviceService {
  public:
    explicit DeviceService(Database& db) : db_(db) {}

    // A technician registers a device {name, platform}: {device_id, device_token, ...}. The token is shown once.
    Poco::JSON::Object::Ptr register_device(const Actor& actor, const Poco::JSON::Object::Ptr& body);
    // A technician's own devices; staff see everyone's (filter user_id).
    Poco::JSON::Object::Ptr list(const Actor& actor, const Query& query);
    // The owner or staff revoke a device: its token stops working at once. Revoking twice is harmless.
    void revoke(const Actor& actor, const std::string& device_id);

  private:
    Database& db_;
};

}  // namespace fieldserver
