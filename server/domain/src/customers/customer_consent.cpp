// A customer's consent to SMS notices as staff record it (told on the phone, in person, in writing) and as a portal
// report gives it, each change kept with who recorded it, when and how; the notification outbox reads the current one.
#include "fieldserver/domain/common/field_values.hpp"
#include "fieldserver/domain/customers/customer_service.hpp"
#include "fieldserver/domain/customers/sms_consent.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"
#include "fieldsync/workflow.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::FieldSpec;
using fieldsync::FieldType;

void store_sms_consent(Db& db, const std::string& customer_id, bool consent, const std::string& source,
                       const std::string& recorded_by, const Value& note) {
    std::string now = fieldsync::format_utc(fieldsync::now_ms());
    auto kept = db.query_one("SELECT email_consent FROM customer_contact_prefs WHERE customer_id = ?", {customer_id});
    bool email = kept ? integer(kept, "email_consent") != 0
                      : !text(db.query_one("SELECT email FROM customers WHERE id = ?", {customer_id}), "email").empty();
    db.execute("DELETE FROM customer_contact_prefs WHERE customer_id = ?", {customer_id});
    db.execute(
        "INSERT INTO customer_contact_prefs (customer_id, sms_consent, email_consent, updated_at) VALUES (?, ?, ?, ?)",
        {customer_id, consent, email, now});
    db.execute(
        "INSERT INTO customer_consent_changes (id, customer_id, sms_consent, source, note, recorded_by, recorded_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        {fieldsync::uuid_v7(), customer_id, consent, source, note, text_or_null(recorded_by), now});
}

Poco::JSON::Object::Ptr sms_consent(Database& database, const Actor& actor, const std::string& id) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor});
    return database.read([&](Db& db) {
        CustomerService::load_customer(db, id);
        auto now = db.query_one("SELECT sms_consent FROM customer_contact_prefs WHERE customer_id = ?", {id});
        auto changes = db.query(
            "SELECT x.sms_consent, x.source, x.note, x.recorded_by, u.name AS recorded_by_name, x.recorded_at "
            "FROM customer_consent_changes x LEFT JOIN users u ON u.id = x.recorded_by WHERE x.customer_id = ? "
            "ORDER BY x.recorded_at DESC, x.id DESC",
            {id});
        for (const auto& v : *changes) {
            auto change = v.extract<Poco::JSON::Object::Ptr>();
            change->set("sms_consent", integer(change, "sms_consent") != 0);
        }
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
        out->set("customer_id", id);
        out->set("sms_consent", now && integer(now, "sms_consent") != 0);
        out->set("changes", changes);
        return out;
    });
}

Poco::JSON::Object::Ptr record_sms_consent(Database& database, const Actor& actor, const std::string& id,
                                           const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::agent});
    static const std::vector<FieldSpec> required = {
        {.name = "sms_consent", .type = FieldType::boolean},
        {.name = "source", .type = FieldType::string, .allowed = {"phone", "in_person", "written"}}};
    static const std::vector<FieldSpec> optional = {{.name = "note", .type = FieldType::string, .max_length = 500}};
    fieldsync::validate_fields(required, optional, *body, "record SMS consent");
    database.write([&](Db& db) {
        CustomerService::load_customer(db, id);
        store_sms_consent(db, id, body->getValue<bool>("sms_consent"), text(body, "source"), actor.id,
                          optional_text(body, "note"));
    });
    return sms_consent(database, actor, id);
}

}  // namespace fieldserver
