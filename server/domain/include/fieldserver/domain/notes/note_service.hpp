// Job notes: the technician's append-only log on a job (arrival, findings, work, parts, time), written through
// the API or offline as synced inserts.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/storage/database.hpp"
#include "fieldsync/entity_fields.hpp"

namespace fieldserver {

class NoteService {
  public:
    explicit NoteService(Database& db) : db_(db) {}

    // {body, kind?}: the new note. Staff on any job, a technician on a job assigned to them.
    Poco::JSON::Object::Ptr add(const Actor& actor, const std::string& job_id, const Poco::JSON::Object::Ptr& body);
    // The job's notes, oldest first.
    Poco::JSON::Array::Ptr list(const Actor& actor, const std::string& job_id);

    // Validates (with the job_notes field table) and inserts a note with id inside the caller's transaction and
    // records it in the change log: the one place a note is written, for the API and for synced inserts.
    // fields: {job_id, body, kind?}.
    static void insert(Db& db, const Actor& actor, const std::string& id, const Poco::JSON::Object::Ptr& fields,
                       fieldsync::Writer writer);

  private:
    Database& db_;
};

}  // namespace fieldserver
