// Messages on a job: the customer asks (portal), staff answer (board, care desk), and each reply reaches the
// customer by email or SMS. Plain text, length-limited; pages render it escaped.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/common/listing.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

class MessageService {
  public:
    explicit MessageService(Database& db) : db_(db) {}

    // {body}: by the job's customer, staff, or the technician it is assigned to.
    Poco::JSON::Object::Ptr post(const Actor& actor, const std::string& job_id, const Poco::JSON::Object::Ptr& body);
    // The job's messages, oldest first.
    Poco::JSON::Array::Ptr list(const Actor& actor, const std::string& job_id);
    // Staff: jobs whose latest message is the customer's (waiting for an answer), newest first.
    Poco::JSON::Object::Ptr waiting(const Actor& actor, const Query& query);

  private:
    Database& db_;
};

}  // namespace fieldserver
