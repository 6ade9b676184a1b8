// Shared parts of the customer-care records: due times, history entries, audit events and evidence checks.
#include "fieldserver/domain/care/care_records.hpp"

#include <Poco/JSON/Parser.h>
#include <Poco/String.h>

#include <optional>

#include "fieldserver/domain/audit/audit_log.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/base64.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::Message;

std::string care_due(std::int64_t now_ms, std::int64_t minutes) {
    return fieldsync::format_utc(now_ms + minutes * 60'000);
}

std::string append_history(const Poco::JSON::Array::Ptr& history_in, const Actor& actor, const std::string& action,
                           const std::string& note, const std::string& at) {
    Poco::JSON::Array::Ptr history = history_in ? new Poco::JSON::Array(*history_in) : new Poco::JSON::Array;
    Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
    entry->set("at", at);
    entry->set("action", action);
    entry->set("actor_id", actor.id.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(actor.id));
    entry->set("actor_role", actor.role_name());
    entry->set("actor_name", actor.name);
    entry->set("note", note.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(note));
    history->add(entry);
    return to_json(history);
}

void audit_care(Db& db, const std::string& job_id, const Actor& actor, const std::string& action,
                const Poco::JSON::Object::Ptr& after) {
    if (job_id.empty()) return;
    // In a job's events "state" is the job's state (audit checkpoints verify the job row against it), so the
    // record's own state is named as the record's.
    Poco::JSON::Object::Ptr recorded = new Poco::JSON::Object(*after);
    if (recorded->has("state")) {
        recorded->set("record_state", recorded->get("state"));
        recorded->remove("state");
    }
    append_event(db, job_id, actor, action, new Poco::JSON::Object, recorded);
}

std::string checked_evidence(Db& db, const Poco::JSON::Object::Ptr& body, const std::string& job_id) {
    Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
    if (!has_value(body, "evidence")) return to_json(out);
    auto list = body->getArray("evidence");
    if (!list || list->size() > 10)
        throw Error(ErrorCode::invalid_field, Message{"care.evidence_list", {{"max", "10"}}}, "evidence");
    for (const auto& v : *list) {
        if (!v.isString()) throw Error(ErrorCode::invalid_field, Message{"care.evidence_ids", {}}, "evidence");
        std::string id = v.toString();
        auto row = db.query_one("SELECT job_id FROM attachments WHERE id = ?", {id});
        if (!row || (!job_id.empty() && text(row, "job_id") != job_id))
            throw Error(ErrorCode::invalid_field, Message{"care.evidence_of_job", {{"id", id}}}, "evidence");
        out->add(id);
    }
    return to_json(out);
}

std::vector<EvidenceFile> read_evidence_files(const Poco::JSON::Object::Ptr& body) {
    constexpr std::size_t kMaxFiles = 5, kMaxBytes = 4 * 1024 * 1024;
    std::vector<EvidenceFile> files;
    if (!has_value(body, "evidence_files")) return files;
    auto list = body->getArray("evidence_files");
    if (!list || list->size() > kMaxFiles)
        throw Error(ErrorCode::invalid_field, Message{"care.evidence_files", {{"max", std::to_string(kMaxFiles)}}},
                    "evidence_files");
    for (const auto& v : *list) {
        auto file = v.type() == typeid(Poco::JSON::Object::Ptr) ? v.extract<Poco::JSON::Object::Ptr>() : nullptr;
        auto bytes = file ? fieldsync::base64_decode(text(file, "content_base64")) : std::nullopt;
        if (!bytes || bytes->empty())
            throw Error(ErrorCode::invalid_field, Message{"care.evidence_base64", {}}, "evidence_files");
        if (bytes->size() > kMaxBytes)
            throw Error(ErrorCode::invalid_field, Message{"care.evidence_large", {{"limit", "4 MiB"}}},
                        "evidence_files");
        std::string type = sniff_content_type(*bytes);
        if (type != "image/jpeg" && type != "image/png" && type != "application/pdf")
            throw Error(ErrorCode::invalid_field, Message{"care.evidence_type", {}}, "evidence_files");
        files.push_back({.content_type = type,
                         .file_name = Poco::trim(text(file, "file_name")).substr(0, 200),
                         .bytes = std::move(*bytes)});
        files.back().size_bytes = static_cast<std::int64_t>(files.back().bytes.size());
    }
    return files;
}

void store_evidence_files(AttachmentService& attachments, std::vector<EvidenceFile>& files) {
    for (auto& f : files) {
        f.sha256 = attachments.store(f.bytes);
        f.bytes.clear();
    }
}

std::string attach_evidence(Db& db, const std::string& evidence_json, const std::vector<EvidenceFile>& files,
                            const std::string& customer_id, const std::string& job_id, const Actor& actor) {
    if (files.empty()) return evidence_json;
    auto ids = Poco::JSON::Parser().parse(evidence_json).extract<Poco::JSON::Array::Ptr>();
    std::string now = fieldsync::format_utc(fieldsync::now_ms());
    for (const auto& f : files) {
        std::string id = fieldsync::uuid_v7();
        db.execute(
            "INSERT INTO care_evidence (id, customer_id, job_id, sha256, content_type, size_bytes, file_name, "
            "uploader_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            {id, customer_id, text_or_null(job_id), f.sha256, f.content_type, f.size_bytes, text_or_null(f.file_name),
             text_or_null(actor.id), now});
        ids->add(id);
    }
    return to_json(ids);
}

std::pair<std::string, std::string> evidence_content(Database& database, AttachmentService& attachments,
                                                     const Actor& actor, const std::string& id) {
    auto row = database.read([&](Db& db) {
        return db.query_one("SELECT customer_id, job_id, sha256 FROM care_evidence WHERE id = ?", {id});
    });
    // Staff who handle complaints, or the customer it belongs to: a technician is no care reader.
    bool care_staff = actor.is({Role::admin, Role::dispatcher, Role::agent, Role::supervisor});
    if (!row || !(care_staff || (actor.role == Role::customer && care_record_visible(actor, row))))
        throw Error(ErrorCode::not_found, Message{"care.evidence_not_found", {{"id", id}}});
    std::string bytes = attachments.read(text(row, "sha256"));
    return {bytes, sniff_content_type(bytes)};
}

std::string plain_text(const Poco::JSON::Object::Ptr& body, const std::string& field, std::size_t max_length) {
    std::string value = Poco::trim(text(body, field));
    if (value.empty()) throw Error(ErrorCode::invalid_field, Message{"field.blank", {{"field", field}}}, field);
    if (value.size() > max_length)
        throw Error(ErrorCode::invalid_field,
                    Message{"field.max_bytes", {{"field", field}, {"max", std::to_string(max_length)}}}, field);
    return value;
}

Poco::JSON::Object::Ptr visible_job(Db& db, const Actor& actor, const std::string& job_id, const std::string& field) {
    auto job = db.query_one("SELECT id, ticket_no, customer_id, assignee_id, state FROM jobs WHERE id = ?", {job_id});
    bool visible = job && (actor.is_staff() || actor.role == Role::system ||
                           (actor.role == Role::technician && text(job, "assignee_id") == actor.id) ||
                           (actor.role == Role::customer && text(job, "customer_id") == actor.customer_id &&
                            (actor.job_scope.empty() || actor.job_scope == job_id)));
    if (!visible) throw Error(ErrorCode::not_found, Message{"job.not_found", {{"id", job_id}}}, field);
    return job;
}

bool care_record_visible(const Actor& actor, const Poco::JSON::Object::Ptr& row) {
    return row && (actor.is_staff() || (actor.role == Role::customer && text(row, "customer_id") == actor.customer_id &&
                                        (actor.job_scope.empty() || actor.job_scope == text(row, "job_id"))));
}

Poco::JSON::Object::Ptr load_visible_record(Db& db, const Actor& actor, const std::string& select_sql,
                                            const std::string& noun, const std::string& id) {
    auto row = db.query_one(select_sql, {id});
    if (!care_record_visible(actor, row)) throw Error(ErrorCode::not_found, Message{noun + ".not_found", {{"id", id}}});
    return row;
}

bool overdue_only(const Query& query) {
    std::string overdue = filter(query, "overdue");
    if (!overdue.empty() && overdue != "true")
        throw Error(ErrorCode::invalid_field, Message{"care.overdue_true", {}}, "overdue");
    return overdue == "true";
}

}  // namespace fieldserver
