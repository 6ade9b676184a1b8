// After-sales cases: exchange (换货), return and refund (退货退款) and refund only (仅退款), opened against a
// repair job, with their window checked from the purchase facts, moved by the table in schemas/after_sales.json,
// and recorded on the job's audit chain, notifications and change log like a job action.
#pragma once

#include <Poco/JSON/Object.h>

#include <map>
#include <string>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/common/listing.hpp"
#include "fieldserver/domain/jobs/job_change.hpp"
#include "fieldserver/domain/jobs/job_service.hpp"
#include "fieldserver/storage/database.hpp"
#include "fieldsync/workflow.hpp"

namespace fieldserver {

// What a case action handler reads and sets; the common part (resolve, validate, save, publish) is CaseService's.
struct CaseActionContext {
    Db& db;
    const Actor& actor;
    const Poco::JSON::Object::Ptr& row;     // the case as stored
    const Poco::JSON::Object::Ptr& fields;  // validated against the table
    std::string now;
    std::map<std::string, Value> set;  // columns the action changes besides state
};

using CaseActionHandler = void (*)(CaseActionContext&);

// Every after-sales action's handler, checked against schemas/after_sales.json when the service is built.
const std::map<std::string, CaseActionHandler>& case_action_handlers();

class CaseService {
  public:
    // Throws std::logic_error when the handlers and the after-sales table disagree.
    CaseService(Database& db, JobService& jobs);

    // Opens a case on a job the actor may see: {kind, reason, amount?, override_reason?}.
    Poco::JSON::Object::Ptr open(const Actor& actor, const std::string& job_id, const Poco::JSON::Object::Ptr& body);
    Poco::JSON::Object::Ptr list(const Actor& actor, const Query& query);
    Poco::JSON::Object::Ptr get(const Actor& actor, const std::string& id);
    Poco::JSON::Object::Ptr act(const Actor& actor, const std::string& id, const std::string& action,
                                const Poco::JSON::Object::Ptr& fields);
    // act() inside the caller's transaction (a deadline approving by default).
    void act_in(Db& db, const Actor& actor, const std::string& id, const std::string& action,
                const Poco::JSON::Object::Ptr& fields);

  private:
    Poco::JSON::Object::Ptr load_visible(Db& db, const Actor& actor, const std::string& id);
    Poco::JSON::Object::Ptr view(Db& db, const Actor& actor, const std::string& id);
    // A case row as the API shows it, with the actions actor may take.
    Poco::JSON::Object::Ptr with_actions(Db& db, const Actor& actor, Poco::JSON::Object::Ptr row) const;
    void publish(Db& db, const Actor& actor, const Poco::JSON::Object::Ptr& row, const std::string& action,
                 const Poco::JSON::Object::Ptr& before, const Poco::JSON::Object::Ptr& fields);

    Database& db_;
    JobService& jobs_;
    const fieldsync::Workflow& workflow_;
};

}  // namespace fieldserver
