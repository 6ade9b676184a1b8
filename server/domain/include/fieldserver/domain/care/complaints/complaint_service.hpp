// Complaints (投诉): a customer's complaint about service attitude, timeliness, the repair's quality or its price,
// recorded with its evidence, contacted and resolved within the time-limit policy, escalated to a supervisor when
// asked, and answered to the customer at each step.
#pragma once

#include <Poco/JSON/Object.h>

#include "fieldserver/domain/care/care_records.hpp"
#include "fieldserver/domain/common/listing.hpp"

namespace fieldserver {

// A complaint opened by the system or another service in its transaction (a low survey rating, a 1-star
// acceptance).
struct NewComplaint {
    std::string customer_id;
    std::string job_id;  // empty: about no particular job
    std::string type;    // service_attitude, timeliness, quality_of_repair, price, other
    std::string channel;
    std::string description;
    std::string evidence_json = "[]";
};

class ComplaintService {
  public:
    ComplaintService(Database& db, AttachmentService& attachments, CarePolicy policy)
        : db_(db), attachments_(attachments), policy_(policy) {}

    // {type, channel, description, customer_id?, job_id?, evidence?}. Staff for any customer; a customer for
    // themselves (their own job only).
    Poco::JSON::Object::Ptr create(const Actor& actor, const Poco::JSON::Object::Ptr& body);
    // Staff see every complaint, a customer their own; filters state, type, customer_id, job_id, overdue=true.
    Poco::JSON::Object::Ptr list(const Actor& actor, const Query& query);
    Poco::JSON::Object::Ptr get(const Actor& actor, const std::string& id);
    // contact {note}, escalate {note}, resolve {outcome, answer, linked_job_id?}, close {note?},
    // set_deadlines {contact_due_at?, resolve_due_at?} (supervisor): the complaint afterwards.
    Poco::JSON::Object::Ptr act(const Actor& actor, const std::string& id, const std::string& action,
                                const Poco::JSON::Object::Ptr& body);

    // Inserts a complaint in db's transaction with its deadlines from policy; returns its id.
    static std::string open(Db& db, const Actor& actor, const NewComplaint& complaint, const CarePolicy& policy);

  private:
    Database& db_;
    AttachmentService& attachments_;
    CarePolicy policy_;
};

}  // namespace fieldserver
