// The repair job through its whole life: reporting, listing, and every workflow action, each validated by the
// shared workflow table, applied in one transaction and published to the listeners that record it (job_change.hpp).
#pragma once

#include <Poco/JSON/Object.h>

#include <functional>
#include <map>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/common/listing.hpp"
#include "fieldserver/domain/jobs/job.hpp"
#include "fieldserver/domain/jobs/job_actions.hpp"
#include "fieldserver/domain/jobs/job_change.hpp"
#include "fieldserver/storage/database.hpp"
#include "fieldsync/workflow.hpp"

namespace fieldserver {

class JobService {
  public:
    // Throws std::logic_error when the action handlers (job_actions.hpp) and the workflow's actions disagree.
    JobService(Database& db, const fieldsync::Workflow& workflow, JobPolicy policy);

    // Where the composition root registers what a job change records, and how the audit trail is read back.
    JobChangeListeners& listeners() { return listeners_; }
    void read_trail_with(JobTrailReader reader) { trail_ = std::move(reader); }
    // Whether a requirement the workflow table names (its "requirements") holds for a job, read in the move's
    // transaction. The composition root registers one check per name; a move that needs an unregistered one
    // is a logic_error (the table and the code disagree).
    using RequirementCheck = std::function<bool(Db& db, const std::string& job_id)>;
    void check_requirement_with(const std::string& name, RequirementCheck check) {
        requirement_checks_[name] = std::move(check);
    }

    Poco::JSON::Object::Ptr create(const Actor& actor, const Poco::JSON::Object::Ptr& body);
    // Jobs the actor may see, newest report first; q searches them (job_search.cpp).
    Poco::JSON::Object::Ptr list(const Actor& actor, const Query& query);
    // Past repairs whose findings, work summary or notes match q, with product type and fault category filters,
    // most relevant first (job_search.cpp). Staff and technicians; no customer's name, phone or address.
    Poco::JSON::Object::Ptr knowledge(const Actor& actor, const Query& query);
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
    // A list's SQL before its search: the columns, the joins after "jobs j", the filters with their params.
    struct ListSql {
        std::string columns, joins, where;
        Params params;
    };
    // The page of jobs matching the search terms as well as sql's filters (job_search.cpp).
    Poco::JSON::Object::Ptr search_page(Db& db, const Actor& actor, const std::vector<std::string>& terms,
                                        const ListSql& sql, const Page& page) const;
    Poco::JSON::Object::Ptr load_visible(Db& db, const Actor& actor, const std::string& id);
    Poco::JSON::Object::Ptr view(Db& db, const Actor& actor, const std::string& id);
    // One workflow action inside db's transaction: load, resolve, validate, the action's handler, the
    // version-guarded save, the published change, and the automatic approval it may call for.
    void apply(Db& db, const Actor& actor, const std::string& id, const std::string& action,
               const Poco::JSON::Object::Ptr& fields);
    JobActionContext start_action(Db& db, const Actor& actor, const Job& job, const Poco::JSON::Object::Ptr& row,
                                  const Poco::JSON::Object::Ptr& fields) const;
    void save(const JobActionContext& c, const std::string& next) const;
    // The requirements of action that hold for the job, for the workflow's resolve().
    std::set<std::string> holding(Db& db, const std::string& id, const std::string& action) const;

    Database& db_;
    const fieldsync::Workflow& workflow_;
    JobPolicy policy_;
    JobChangeListeners listeners_;
    JobTrailReader trail_;
    std::map<std::string, RequirementCheck> requirement_checks_;
};

}  // namespace fieldserver
