// The repair job through its whole life: reporting, listing, and every workflow action, each validated by the
// shared workflow table, applied in one transaction and recorded as an audit event.
#pragma once

#include <Poco/JSON/Object.h>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/common/listing.hpp"
#include "fieldserver/storage/database.hpp"
#include "fieldsync/workflow.hpp"

namespace fieldserver {

struct JobPolicy {
    int warranty_days = 90;                  // repair warranty after acceptance
    bool auto_approve_free_warranty = true;  // approve at once when covered and free to the customer
};

class JobService {
  public:
    JobService(Database& db, const fieldsync::Workflow& workflow, JobPolicy policy)
        : db_(db), workflow_(workflow), policy_(policy) {}

    Poco::JSON::Object::Ptr create(const Actor& actor, const Poco::JSON::Object::Ptr& body);
    Poco::JSON::Object::Ptr list(const Actor& actor, const Query& query);
    Poco::JSON::Object::Ptr get(const Actor& actor, const std::string& id);
    // Takes a workflow action; returns the job as get() shows it afterwards.
    Poco::JSON::Object::Ptr act(const Actor& actor, const std::string& id, const std::string& action,
                                const Poco::JSON::Object::Ptr& fields);
    // act() inside the caller's transaction, for services that change more along with the job (auto-assign
    // books the visit in the same transaction as the assignment).
    void act_in(Db& db, const Actor& actor, const std::string& id, const std::string& action,
                const Poco::JSON::Object::Ptr& fields) {
        apply(db, actor, id, action, fields);
    }
    // {text, sha256}: what the customer signs at acceptance.
    Poco::JSON::Object::Ptr summary(const Actor& actor, const std::string& id);
    Poco::JSON::Array::Ptr events(const Actor& actor, const std::string& id);
    Poco::JSON::Object::Ptr verify(const Actor& actor, const std::string& id);
    // Every job's chain; {ok, jobs, broken: [verify results that failed]}.
    Poco::JSON::Object::Ptr verify_all(const Actor& actor);

    Poco::JSON::Object::Ptr list_warranties(const Actor& actor, const Query& query);
    Poco::JSON::Object::Ptr get_warranty(const Actor& actor, const std::string& id);

    // Job counts by state, for metrics.
    std::vector<std::pair<std::string, std::int64_t>> count_by_state();

  private:
    Poco::JSON::Object::Ptr load_visible(Db& db, const Actor& actor, const std::string& id);
    Poco::JSON::Object::Ptr view(Db& db, const Actor& actor, const std::string& id);
    void apply(Db& db, const Actor& actor, const std::string& id, const std::string& action,
               const Poco::JSON::Object::Ptr& fields);

    Database& db_;
    const fieldsync::Workflow& workflow_;
    JobPolicy policy_;
};

}  // namespace fieldserver
