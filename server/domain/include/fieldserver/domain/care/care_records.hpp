// What the customer-care records (complaints, appeals, follow-ups, messages) share: their time limits, their
// history, their audit events on the job's trail and the notices that tell the customer.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fieldserver/domain/attachments/attachment_service.hpp"
#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/common/listing.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// The time limits of customer care (settings care.*). Defaults follow the seed documents: an appeal is called back
// within 48 hours (申诉…48 小时内…电联).
struct CarePolicy {
    std::int64_t complaint_contact_minutes = 24 * 60;      // first contact with a complaining customer
    std::int64_t complaint_resolve_minutes = 3 * 24 * 60;  // complaint resolved
    std::int64_t appeal_callback_minutes = 48 * 60;        // appeal called back
    std::int64_t followup_delay_minutes = 3 * 24 * 60;     // follow-up call after a job ends
    std::int64_t deadline_near_minutes = 24 * 60;          // a customer told their own deadline is near
};

// now + minutes, as the UTC text the records store.
std::string care_due(std::int64_t now_ms, std::int64_t minutes);

// The text of a history_json column: history (as the storage layer reads the column, or null for a new record)
// with one more entry {at, action, actor_id, actor_role, actor_name, note}.
std::string append_history(const Poco::JSON::Array::Ptr& history, const Actor& actor, const std::string& action,
                           const std::string& note, const std::string& at);

// Records a care step on the job's audit trail (when the record belongs to a job), in db's transaction, so the
// job's history shows complaints, appeals and follow-ups beside the workflow actions.
void audit_care(Db& db, const std::string& job_id, const Actor& actor, const std::string& action,
                const Poco::JSON::Object::Ptr& after);

// Evidence given with a complaint or appeal: ids of attachments of the job (checked to exist and, when job_id is
// set, to belong to it), at most 10. Throws Error(invalid_field, field "evidence") otherwise.
std::string checked_evidence(Db& db, const Poco::JSON::Object::Ptr& body, const std::string& job_id);

// Evidence files sent with a complaint or an appeal: evidence_files is [{content_base64, file_name?}], at most 5,
// each at most 4 MiB and a JPEG, PNG or PDF by its first bytes (Error(invalid_field, field "evidence_files")
// otherwise). read_evidence_files only decodes and checks them; the caller checks everything else the record needs
// and only then stores the bytes (store_evidence_files, outside the record's transaction), so a refused record
// leaves no stored bytes behind.
struct EvidenceFile {
    std::string sha256, content_type, file_name, bytes;
    std::int64_t size_bytes = 0;
};
std::vector<EvidenceFile> read_evidence_files(const Poco::JSON::Object::Ptr& body);
void store_evidence_files(AttachmentService& attachments, std::vector<EvidenceFile>& files);
// evidence_json (checked_evidence's list) with the stored files added as care_evidence rows of the customer (and
// job_id, when the record has a job), the actor as uploader, in db's transaction. Care evidence is no attachment
// of the job: it never syncs to a technician's device.
std::string attach_evidence(Db& db, const std::string& evidence_json, const std::vector<EvidenceFile>& files,
                            const std::string& customer_id, const std::string& job_id, const Actor& actor);
// {bytes, content type told by the bytes} of care evidence id: for staff who handle complaints (admin, dispatcher,
// agent, supervisor) and for the customer the evidence belongs to (a portal session: of its job); not_found for
// anyone else, technicians included.
std::pair<std::string, std::string> evidence_content(Database& database, AttachmentService& attachments,
                                                     const Actor& actor, const std::string& id);

// Whether actor may see a care record row (customer_id, job_id): staff any, a customer their own (a portal session:
// of its one job).
bool care_record_visible(const Actor& actor, const Poco::JSON::Object::Ptr& row);
// The row of select_sql (a SELECT ending in "WHERE <alias>.id = ?") for id when actor may see it; Error(not_found,
// the catalog's "<noun>.not_found") otherwise, so a record of another customer reads as absent.
Poco::JSON::Object::Ptr load_visible_record(Db& db, const Actor& actor, const std::string& select_sql,
                                            const std::string& noun, const std::string& id);

// Whether a care list asks for overdue records only (?overdue=true); any other value is invalid_field.
bool overdue_only(const Query& query);

// A required plain-text field, trimmed, not blank, at most max_length bytes; throws Error(invalid_field) else.
std::string plain_text(const Poco::JSON::Object::Ptr& body, const std::string& field, std::size_t max_length);

// The job's {id, ticket_no, customer_id, assignee_id, state} when actor may see it (staff any job, a technician
// the jobs assigned to them, a customer their own, a portal session its one job); throws Error(not_found, field)
// otherwise, so someone else's job reads like a missing one.
Poco::JSON::Object::Ptr visible_job(Db& db, const Actor& actor, const std::string& job_id,
                                    const std::string& field = {});

}  // namespace fieldserver
