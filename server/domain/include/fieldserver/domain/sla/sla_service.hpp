// SLA clocks of repair jobs: policies per priority (overridden per customer contract) on one business calendar,
// each job's clocks from its state history, the jobs at risk, and escalation to a named dispatcher.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "fieldserver/dispatch/business_calendar.hpp"
#include "fieldserver/dispatch/sla.hpp"
#include "fieldserver/domain/common/actor.hpp"
#include "fieldserver/domain/common/listing.hpp"
#include "fieldserver/storage/database.hpp"

namespace fieldserver {

// Everything the clocks need, as stored.
struct SlaSetup {
    dispatch::SlaPolicy policy;
    dispatch::BusinessCalendar calendar;
    std::vector<std::string> holidays;
    std::map<std::string, std::string> escalate_to;  // priority -> user id
    std::string default_escalate_to;                 // for a priority that names nobody; empty: none
    std::map<std::pair<std::string, std::string>, dispatch::SlaTerms> contracts;  // (customer id, priority)

    // The policy with the customer's contract terms, if any, in place of the priority's.
    dispatch::SlaPolicy policy_for(const std::string& customer_id) const;
};

SlaSetup load_sla_setup(Db& db);

// Weekly hours as the API writes them: seven arrays (Monday first) of "HH:MM-HH:MM" strings.
dispatch::WeeklyHours parse_weekly_hours(const Poco::Dynamic::Var& value, const std::string& field);
Poco::JSON::Array::Ptr weekly_hours_json(const dispatch::WeeklyHours& hours);

// One job's history entry: the state entered (empty for events that move no state), when, by what action and whom.
struct JobEvent {
    std::string state;
    std::int64_t at_ms = 0;
    std::string action;
    std::string actor_id;
    std::string actor_role;
};

// The audit events of jobs, oldest first, keyed by job id.
std::map<std::string, std::vector<JobEvent>> load_job_events(Db& db, const std::vector<std::string>& job_ids);
// The states a job went through, for evaluate_sla.
std::vector<dispatch::StateEntry> state_history(const std::vector<JobEvent>& events);

// Clocks of a job (priority and customer_id as stored) at now_ms; nullopt without history or priority.
std::optional<dispatch::SlaReport> evaluate_job_sla(const SlaSetup& setup, const std::string& priority,
                                                    const std::string& customer_id, const std::vector<JobEvent>& events,
                                                    std::int64_t now_ms);

// {response, resolution, status, paused, stopped}: the "sla" of a job as the API shows it.
Poco::JSON::Object::Ptr sla_view(const dispatch::SlaReport& report);

// Adds "sla" to each job row (id, priority, customer_id) in jobs, evaluated now.
void add_sla_views(Db& db, const Poco::JSON::Array::Ptr& jobs, std::int64_t now_ms);

class SlaService {
  public:
    explicit SlaService(Database& db) : db_(db) {}

    Poco::JSON::Object::Ptr policies(const Actor& actor);
    // Replaces the four priorities' terms, the at-risk threshold and the customer contracts; escalate_to (when
    // present) sets or, as null, clears the default escalation dispatcher.
    Poco::JSON::Object::Ptr put_policies(const Actor& actor, const Poco::JSON::Object::Ptr& body);
    Poco::JSON::Object::Ptr calendar(const Actor& actor);
    Poco::JSON::Object::Ptr put_calendar(const Actor& actor, const Poco::JSON::Object::Ptr& body);
    // Open jobs whose response or resolution clock is at risk or breached, most urgent first.
    Poco::JSON::Object::Ptr at_risk(const Actor& actor, const Query& query);
    // Evaluates every open job and escalates each clock newly at risk or breached once: an "escalate" audit event
    // naming the dispatcher escalated to (the priority's escalate_to, else the default one, else whoever last
    // assigned the job), which notifies that dispatcher. {checked, escalations: [...]}.
    Poco::JSON::Object::Ptr check(const Actor& actor);

  private:
    Database& db_;
};

// Runs SlaService::check every interval_seconds on its own thread, from construction until destruction, in the
// rounds for which may_run() answers true (the instance holding the periodic work's lease), and then the round's
// further work (after_check: the deadline sweep), whose failure does not stop the next round.
class SlaChecker {
  public:
    SlaChecker(SlaService& sla, int interval_seconds, Poco::Logger& log, std::function<bool()> may_run,
               std::function<void()> after_check = {});
    ~SlaChecker();
    SlaChecker(const SlaChecker&) = delete;
    SlaChecker& operator=(const SlaChecker&) = delete;

  private:
    void run();

    SlaService& sla_;
    int interval_seconds_;
    Poco::Logger& log_;
    std::function<bool()> may_run_;
    std::function<void()> after_check_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace fieldserver
