// Job notes: who may write and read them, and the one insert both the API and synced ops use.
#include "fieldserver/domain/notes/note_service.hpp"

#include "fieldserver/storage/change_log.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/entity_fields.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::Message;

namespace {

const char* kNoteColumns = "n.id, n.job_id, n.kind, n.body, n.author_id, u.name AS author_name, n.created_at";

// Throws Error(not_found) unless actor may see the job's notes: staff, or the technician it is assigned to.
// Notes are the workshop's own log, not shown to customers.
void check_job(Db& db, const Actor& actor, const std::string& job_id) {
    auto job = db.query_one("SELECT assignee_id FROM jobs WHERE id = ?", {job_id});
    bool visible =
        job && (actor.is_staff() || (actor.role == Role::technician && text(job, "assignee_id") == actor.id));
    if (!visible) throw Error(ErrorCode::not_found, Message{"job.not_found", {{"id", job_id}}});
}

}  // namespace

void NoteService::insert(Db& db, const Actor& actor, const std::string& id, const Poco::JSON::Object::Ptr& fields,
                         fieldsync::Writer writer) {
    fieldsync::validate_insert(fieldsync::entity_fields("job_notes"), writer, *fields, "add a note");
    std::string job_id = text(fields, "job_id");
    try {
        check_job(db, actor, job_id);
    } catch (const Error&) {
        throw Error(ErrorCode::not_found, Message{"job.not_found", {{"id", job_id}}}, "job_id");
    }
    db.execute("INSERT INTO job_notes (id, job_id, kind, body, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
               {id, job_id, text(fields, "kind", "note"), text(fields, "body"), text_or_null(actor.id),
                fieldsync::format_utc(fieldsync::now_ms())});
    record_change(db, "job_notes", id);
}

Poco::JSON::Object::Ptr NoteService::add(const Actor& actor, const std::string& job_id,
                                         const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::technician});
    if (body->has("job_id")) throw Error(ErrorCode::invalid_field, Message{"note.job_in_path", {}}, "job_id");
    Poco::JSON::Object::Ptr fields = new Poco::JSON::Object(*body);
    fields->set("job_id", job_id);
    std::string id = fieldsync::uuid_v7();
    return db_.write([&](Db& db) {
        insert(db, actor, id, fields, fieldsync::Writer::api);
        return db.query_one(std::string("SELECT ") + kNoteColumns +
                                " FROM job_notes n LEFT JOIN users u ON u.id = n.author_id WHERE n.id = ?",
                            {id});
    });
}

Poco::JSON::Array::Ptr NoteService::list(const Actor& actor, const std::string& job_id) {
    return db_.read([&](Db& db) {
        check_job(db, actor, job_id);
        return db.query(std::string("SELECT ") + kNoteColumns +
                            " FROM job_notes n LEFT JOIN users u ON u.id = n.author_id WHERE n.job_id = ? "
                            "ORDER BY n.created_at, n.id",
                        {job_id});
    });
}

}  // namespace fieldserver
