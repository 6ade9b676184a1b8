// Messages between a customer and the staff on a job, and the queue of customer messages still unanswered.
#include "fieldserver/domain/care/messages/message_service.hpp"

#include "fieldserver/domain/care/care_records.hpp"
#include "fieldserver/domain/notifications/notification_outbox.hpp"
#include "fieldserver/storage/change_log.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"
#include "fieldsync/workflow.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::FieldType;

namespace {

const char* kColumns = "id, job_id, author_id, author_role, author_name, body, created_at";

}  // namespace

Poco::JSON::Object::Ptr MessageService::post(const Actor& actor, const std::string& job_id,
                                             const Poco::JSON::Object::Ptr& body) {
    fieldsync::validate_fields({{.name = "body", .type = FieldType::string, .max_length = 2000}}, {}, *body,
                               "send a message");
    std::string message = plain_text(body, "body", 2000);
    std::string id = fieldsync::uuid_v7(), now = fieldsync::format_utc(fieldsync::now_ms());
    return db_.write([&](Db& db) {
        auto job = visible_job(db, actor, job_id);
        std::string name = actor.name;
        if (name.empty() && actor.role == Role::customer)
            name = text(db.query_one("SELECT name FROM customers WHERE id = ?", {actor.customer_id}), "name");
        db.execute(
            "INSERT INTO job_messages (id, job_id, author_id, author_role, author_name, body, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            {id, job_id, text_or_null(actor.id), actor.role_name(), name, message, now});
        // To the assigned technician's device (its bucket holds the job's messages) and live listeners.
        record_change(db, "job_messages", id);
        if (actor.role != Role::customer)
            enqueue_customer_notice(
                db, job_id, "message_reply",
                "工单 " + text(job, "ticket_no") + " 有新回复 / New reply on ticket " + text(job, "ticket_no"),
                message);
        return db.query_one(std::string("SELECT ") + kColumns + " FROM job_messages WHERE id = ?", {id});
    });
}

Poco::JSON::Array::Ptr MessageService::list(const Actor& actor, const std::string& job_id) {
    return db_.read([&](Db& db) {
        visible_job(db, actor, job_id);
        return db.query(
            std::string("SELECT ") + kColumns + " FROM job_messages WHERE job_id = ? ORDER BY created_at, id",
            {job_id});
    });
}

Poco::JSON::Object::Ptr MessageService::waiting(const Actor& actor, const Query& query) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor});
    allow_filters(query, {});
    // The latest message of each job, kept when a customer wrote it.
    const std::string from = "job_messages m JOIN jobs j ON j.id = m.job_id JOIN customers c ON c.id = j.customer_id";
    const std::string where =
        "m.author_role = 'customer' AND NOT EXISTS (SELECT 1 FROM job_messages n WHERE n.job_id = m.job_id AND "
        "(n.created_at > m.created_at OR (n.created_at = m.created_at AND n.id > m.id)))";
    return db_.read([&](Db& db) {
        return paged(db, "m.id, m.job_id, j.ticket_no, c.name AS customer_name, m.author_name, m.body, m.created_at",
                     from, where, {}, "m.created_at DESC, m.id DESC", page_of(query));
    });
}

}  // namespace fieldserver
