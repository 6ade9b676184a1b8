// The notification outbox: which job events notify whom, and the rows written for them inside the transaction
// that records the event, so a notification exists exactly when the change that caused it is committed.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>
#include <vector>

#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// The events notifications are sent for, as webhooks subscribe to them: ticket_created, plan_proposed,
// visit_booked, repair_completed, warranty_issued, refund_made (to the customer), sla_at_risk, sla_breached (to
// dispatchers), audit_checkpoint (each signed head of a job's audit chain, for a copy kept outside the server), and
// the customer-care notices job_assigned, job_on_hold, job_cancelled, deadline_near, complaint_received,
// complaint_answered, appeal_received, appeal_decided.
const std::vector<std::string>& notification_events();

// The notification event of a job event (action and after-snapshot): "report" → ticket_created, an "escalate" of
// the SLA checker → sla_breached or sla_at_risk by its sla_status, …; empty when the event notifies nobody.
std::string notification_event_of(const std::string& action, const Poco::JSON::Object::Ptr& after);

// Called for every job event after its audit event (as a listener of job changes, and by the SLA checker): writes
// the emails and webhook calls the action calls for (none for most actions) into db's transaction, so a change and
// its notifications commit or roll back together. after is the event's after-snapshot; tracking_link (a new job's)
// goes into the customer's "report received" email and SMS, kept sealed until they are sent (tracking_links.hpp).
void enqueue_notifications(Db& db, const std::string& job_id, const Actor& actor, const std::string& action,
                           const Poco::JSON::Object::Ptr& after, const std::string& tracking_link = {});

// Queues body as a call of every webhook subscribed to event, in db's transaction.
void enqueue_webhook_event(Db& db, const std::string& event, const std::string& job_id, const std::string& body);
// Tells the customer of job_id of a customer-care step (complaint answered, appeal decided, a staff reply, …), in
// db's transaction: an email when the customer has a mailbox, an SMS when they agreed to SMS notices, and a call
// of every webhook subscribed to event ({event, job: {id, ticket_no, state, customer_id}, subject, at}).
void enqueue_customer_notice(Db& db, const std::string& job_id, const std::string& event, const std::string& subject,
                             const std::string& text);
// The same for a customer about no job (a complaint filed without one): the outbox rows have no job_id and the
// webhook body is {event, job: null, customer_id, subject, at}.
void enqueue_customer_notice_without_job(Db& db, const std::string& customer_id, const std::string& event,
                                         const std::string& subject, const std::string& text);

// Tells every active user of role (supervisors, for an overdue call-back or an escalation) by email.
void enqueue_staff_notice(Db& db, const std::string& job_id, const std::string& event, Role role,
                          const std::string& subject, const std::string& text);

// The SMS outbox body: {"to", "text", "event", "ticket_no"}, posted as JSON to the configured gateway (sms.url).
std::string sms_body(const std::string& to, const std::string& text, const std::string& event,
                     const std::string& ticket_no);

// A plausible single mailbox (local@domain, no spaces, brackets, commas or line breaks): addresses that are not
// are skipped, so stored text can never inject headers or extra recipients into a message.
bool is_mailbox(const std::string& address);

}  // namespace fieldserver
