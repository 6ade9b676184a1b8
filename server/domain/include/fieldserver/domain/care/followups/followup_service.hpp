// Follow-up calls (回访): one is due some days after a job ends (accepted, plan declined, cancelled, withdrawn,
// returned unrepaired); agents work the queue of calls due, take the satisfaction survey by phone (or the customer
// fills it in the portal) or waive the call with a reason. A rating of 2 or less opens a complaint.
#pragma once

#include <Poco/JSON/Object.h>

#include "fieldserver/domain/care/care_records.hpp"
#include "fieldserver/domain/common/listing.hpp"
#include "fieldserver/domain/jobs/job_change.hpp"

namespace fieldserver {

// Listener of job changes (services.cpp): the follow-up a job's end calls for, and the complaint a 1- or 2-star
// rating at acceptance opens, in the change's transaction.
void record_followup(Db& db, const JobChange& change, const CarePolicy& policy);

// The workflow requirement followup_settled (schemas/workflow.json, on close): no follow-up of the job is still
// due — each was done (a survey) or waived with a reason. A job that never had one is settled.
bool followup_settled(Db& db, const std::string& job_id);

class FollowupService {
  public:
    FollowupService(Database& db, CarePolicy policy) : db_(db), policy_(policy) {}

    // Staff: every follow-up; a customer: their own. Filters state (due, done, waived), job_id, overdue=true.
    Poco::JSON::Object::Ptr list(const Actor& actor, const Query& query);
    Poco::JSON::Object::Ptr get(const Actor& actor, const std::string& id);
    // {rating 1–5, technician_rating?, timeliness_rating?, price_rating?, comment?}: by staff on the phone or by
    // the customer in the portal; a follow-up that is no longer due is a 409.
    Poco::JSON::Object::Ptr survey(const Actor& actor, const std::string& id, const Poco::JSON::Object::Ptr& body);
    // {reason}: staff only.
    Poco::JSON::Object::Ptr waive(const Actor& actor, const std::string& id, const Poco::JSON::Object::Ptr& body);

  private:
    Database& db_;
    CarePolicy policy_;
};

}  // namespace fieldserver
