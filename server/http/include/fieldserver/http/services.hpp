// Every service the routes call, built once by the composition root (server/app/src/composition.cpp, through the
// constructor in services.cpp); route registration only registers routes.
#pragma once

#include "fieldserver/domain/aftersales/case_service.hpp"
#include "fieldserver/domain/aftersales/policies.hpp"
#include "fieldserver/domain/aftersales/purchase_service.hpp"
#include "fieldserver/domain/attachments/attachment_service.hpp"
#include "fieldserver/domain/care/appeals/appeal_service.hpp"
#include "fieldserver/domain/care/care_sweep.hpp"
#include "fieldserver/domain/care/complaints/complaint_service.hpp"
#include "fieldserver/domain/care/followups/followup_service.hpp"
#include "fieldserver/domain/care/messages/message_service.hpp"
#include "fieldserver/domain/catalog/catalog_service.hpp"
#include "fieldserver/domain/customers/customer_service.hpp"
#include "fieldserver/domain/deadlines/deadline_service.hpp"
#include "fieldserver/domain/dispatch/dispatch_service.hpp"
#include "fieldserver/domain/dispatch/technician_service.hpp"
#include "fieldserver/domain/jobs/job_service.hpp"
#include "fieldserver/domain/notes/note_service.hpp"
#include "fieldserver/domain/notifications/notification_service.hpp"
#include "fieldserver/domain/portal/portal_service.hpp"
#include "fieldserver/domain/reports/report_service.hpp"
#include "fieldserver/domain/sla/sla_service.hpp"
#include "fieldserver/domain/users/auth_service.hpp"
#include "fieldserver/domain/users/user_service.hpp"
#include "fieldserver/http/client_address.hpp"
#include "fieldserver/sync/device_service.hpp"
#include "fieldserver/sync/sync_service.hpp"

namespace fieldserver {

// Who may read /metrics (setting metrics.access): clients on the loopback address, callers sending
// "Authorization: Bearer <token>", or anyone.
struct MetricsAccess {
    enum class Mode { loopback, token, open };
    Mode mode = Mode::loopback;
    std::string token;
};

// The settings services take, from the server's configuration (server/app/src/config.cpp).
struct ServiceSettings {
    std::int64_t token_ttl_seconds = 0;
    int login_max_failures = 0;
    int login_window_seconds = 0;
    int pbkdf2_iterations = 0;
    JobPolicy jobs;
    std::string attachments_dir;
    MetricsAccess metrics;
    TrustedProxies trusted_proxies;
    CarePolicy care;
};

// Registers on jobs what every job change records, in its transaction: audit event, notification outbox, report
// facts, sync change log; and how its audit trail is read back. Services' constructor calls it.
void connect_job_listeners(JobService& jobs);

struct Services {
    // Builds every service in declaration order, so a service may take a reference to one declared before it.
    Services(Database& db, const ServiceSettings& settings);
    Services(const Services&) = delete;
    Services& operator=(const Services&) = delete;

    Database& db;
    AuthService auth;
    UserService users;
    CustomerService customers;
    JobService jobs;
    TechnicianService technicians;
    SlaService sla;
    DispatchService dispatch;
    ReportService reports;
    CatalogService catalog;
    NoteService notes;
    DeviceService devices;
    SyncService sync;
    AttachmentService attachments;
    PortalService portal;
    NotificationService notifications;
    ComplaintService complaints;
    AppealService appeals;
    FollowupService followups;
    MessageService messages;
    PolicyService policies;
    PurchaseService purchases;
    CaseService cases;
    DeadlineService deadlines;
    CareSweep care_sweep;
    MetricsAccess metrics_access;
    TrustedProxies trusted_proxies;
};

}  // namespace fieldserver
