// A customer's consent to SMS notices: recorded by staff (told on the phone, in person, in writing) or by a portal
// report, every change kept with who recorded it, when and how; the notification outbox follows the current one.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// The consent and its history, newest first: {customer_id, sms_consent, changes: [{sms_consent, source, note,
// recorded_by, recorded_by_name, recorded_at}]}. Staff only; an unknown customer is Error(not_found).
Poco::JSON::Object::Ptr sms_consent(Database& database, const Actor& actor, const std::string& customer_id);

// Records consent given or withdrawn ({sms_consent, source: phone | in_person | written, note?}) by a dispatcher,
// agent or admin, and answers as sms_consent does.
Poco::JSON::Object::Ptr record_sms_consent(Database& database, const Actor& actor, const std::string& customer_id,
                                           const Poco::JSON::Object::Ptr& body);

// Stores consent and appends its history row in db's transaction (recorded_by empty: the customer, by a portal
// report). The email consent stays as it was (a first row: whether the customer has a mailbox).
void store_sms_consent(Db& db, const std::string& customer_id, bool consent, const std::string& source,
                       const std::string& recorded_by, const Value& note);

}  // namespace fieldserver
