// The customer portal without an account: report a fault (finding or creating the customer and the product),
// open a session on one ticket with its number and the key of its tracking link, and the photos sent with a report
// (kept in the attachment store like technicians' photos, so they reach the assigned technician's tablet with the job).
#pragma once

#include <Poco/JSON/Object.h>

#include <string>

#include "fieldserver/domain/attachments/attachment_service.hpp"
#include "fieldserver/domain/common/rate_limit.hpp"
#include "fieldserver/domain/customers/customer_service.hpp"
#include "fieldserver/domain/jobs/job_service.hpp"
#include "fieldserver/domain/users/auth_service.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

struct PortalPhoto {
    std::string content_type;
    std::string bytes;
    std::string sha256;
};

class PortalService {
  public:
    PortalService(Database& db, CustomerService& customers, JobService& jobs, AttachmentService& attachments)
        : db_(db),
          customers_(customers),
          jobs_(jobs),
          attachments_(attachments),
          report_limit_(db, "portal_report_address", kReportsPerAddress, kReportWindowSeconds),
          lookup_address_limit_(db, "portal_lookup_address", kLookupFailuresPerAddress, kLookupWindowSeconds),
          lookup_ticket_limit_(db, "portal_lookup_ticket", kLookupFailuresPerTicket, kLookupWindowSeconds) {}

    // Reports a fault from source (a client address): {ticket_no, job_id, token, expires_at, access_key,
    // tracking_link}. The report never joins an existing customer or product: a name, phone and serial number
    // can be typed by anyone. Throws Error(rate_limited) with retry_after set when the address reported too often.
    Poco::JSON::Object::Ptr report(const Poco::JSON::Object::Ptr& body, const std::string& source, int& retry_after);
    // {token, expires_at, job_id, ticket_no} for {ticket_no, access_key} (the key of the report's tracking link).
    // A wrong ticket and a wrong key fail alike with Error(bad_credentials); repeated failures from an address or
    // on a ticket with Error(rate_limited).
    Poco::JSON::Object::Ptr open_session(const Poco::JSON::Object::Ptr& body, const std::string& source,
                                         int& retry_after);
    // The report's contact, preferred time and photo list, for staff and the job's own customer.
    Poco::JSON::Object::Ptr get_report(const Actor& actor, const std::string& job_id);
    // A photo of the report by its attachment id; not_found for any other attachment or a job actor may not see.
    PortalPhoto photo(const Actor& actor, const std::string& photo_id);
    // Moves photos stored by earlier versions (base64 rows of portal_photos) into the attachment store, once;
    // returns how many it moved.
    std::size_t adopt_stored_photos();

    static constexpr int kMaxPhotos = 4;
    static constexpr std::size_t kMaxPhotoBytes = 1024 * 1024;
    static constexpr std::int64_t kSessionSeconds = 30 * 60;

  private:
    // A shop's counter or a mobile carrier may put many customers behind one address, so the limits are loose
    // enough for people and tight enough to stop scripted flooding and ticket-number guessing.
    static constexpr int kReportsPerAddress = 20;
    static constexpr int kReportWindowSeconds = 3600;
    static constexpr int kLookupFailuresPerAddress = 10;
    static constexpr int kLookupFailuresPerTicket = 5;
    static constexpr int kLookupWindowSeconds = 600;

    // Throws Error(not_found) unless actor may see the job (JobService decides, scope included).
    void check_job_visible(const Actor& actor, const std::string& job_id);
    Poco::JSON::Object::Ptr issue_token(Db& db, const std::string& customer_id, const std::string& job_id,
                                        const std::string& ticket_no);

    Database& db_;
    CustomerService& customers_;
    JobService& jobs_;
    AttachmentService& attachments_;
    RateLimit report_limit_;
    RateLimit lookup_address_limit_;
    RateLimit lookup_ticket_limit_;
};

// The digits of a phone number without a leading China country code, so "+86 138-0013-8001" and "13800138001"
// name the same phone.
std::string normalized_phone(const std::string& phone);

}  // namespace fieldserver
