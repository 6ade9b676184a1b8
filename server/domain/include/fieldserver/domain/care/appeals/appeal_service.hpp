// Appeals (申诉): a customer, or an agent for them, disputes a decision on a job (warranty refused, damage found
// customer-caused); they are called back within the policy's time (48 hours), may ask for a supervisor, and a
// supervisor decides. An upheld appeal sends the plan back to assessment through the workflow.
#pragma once

#include <Poco/JSON/Object.h>

#include "fieldserver/domain/care/care_records.hpp"
#include "fieldserver/domain/common/listing.hpp"
#include "fieldserver/domain/jobs/job_service.hpp"

namespace fieldserver {

class AppealService {
  public:
    AppealService(Database& db, JobService& jobs, AttachmentService& attachments, CarePolicy policy)
        : db_(db), jobs_(jobs), attachments_(attachments), policy_(policy) {}

    // {job_id, decision (warranty_refused, customer_caused), reason, evidence?}: 409 when the job's latest plan made
    // no such decision, or an appeal against it is still open.
    Poco::JSON::Object::Ptr create(const Actor& actor, const Poco::JSON::Object::Ptr& body);
    // Staff: every appeal; a customer: their own. Filters state, job_id, overdue=true (call-back past due).
    Poco::JSON::Object::Ptr list(const Actor& actor, const Query& query);
    Poco::JSON::Object::Ptr get(const Actor& actor, const std::string& id);
    // call_back {note} (staff), escalate {note?} (staff or the customer), decide {outcome upheld|refused, note}
    // (supervisor, admin), set_deadline {callback_due_at} (supervisor, admin).
    Poco::JSON::Object::Ptr act(const Actor& actor, const std::string& id, const std::string& action,
                                const Poco::JSON::Object::Ptr& body);

  private:
    Database& db_;
    JobService& jobs_;
    AttachmentService& attachments_;
    CarePolicy policy_;
};

}  // namespace fieldserver
