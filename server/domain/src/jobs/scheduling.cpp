// Visit booking with the overlap check, check-ins, and shipment status derived from the job's schedule and repair.
#include "fieldserver/domain/jobs/scheduling.hpp"

#include <cmath>

#include "fieldserver/domain/sla/sla_service.hpp"
#include "fieldserver/storage/change_log.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;

void book_visit(Db& db, const Actor& actor, const std::string& job_id, const std::string& technician_id,
                const std::string& kind, std::int64_t start_ms, std::int64_t end_ms) {
    std::string start = fieldsync::format_utc(start_ms), end = fieldsync::format_utc(end_ms);
    // A visit counts while its job is live and still the technician's: cancelling or reassigning frees the time.
    auto clash = db.query_one(
        "SELECT v.job_id, j.ticket_no, v.starts_at, v.ends_at FROM visits v JOIN jobs j ON j.id = v.job_id "
        "WHERE v.technician_id = ? AND v.status = 'booked' AND v.job_id <> ? AND j.assignee_id = v.technician_id "
        "AND j.state NOT IN ('cancelled', 'closed') AND v.starts_at < ? AND v.ends_at > ? ORDER BY v.starts_at LIMIT 1",
        {technician_id, job_id, end, start});
    if (clash)
        throw Error(ErrorCode::conflict,
                    fieldsync::Message{"conflict.visit_clash",
                                       {{"start", text(clash, "starts_at")},
                                        {"end", text(clash, "ends_at")},
                                        {"ticket", text(clash, "ticket_no")},
                                        {"job_id", text(clash, "job_id")}}},
                    "window_start");
    auto replaced =
        db.query("SELECT id FROM visits WHERE job_id = ? AND kind = ? AND status = 'booked'", {job_id, kind});
    db.execute("UPDATE visits SET status = 'replaced' WHERE job_id = ? AND kind = ? AND status = 'booked'",
               {job_id, kind});
    std::string id = fieldsync::uuid_v7();
    db.execute(
        "INSERT INTO visits (id, job_id, technician_id, kind, starts_at, ends_at, status, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 'booked', ?, ?)",
        {id, job_id, technician_id, kind, start, end, text_or_null(actor.id),
         fieldsync::format_utc(fieldsync::now_ms())});
    // The technician's tablet holds the job's visits; a rescheduled one shows as replaced.
    for (const auto& v : *replaced) record_change(db, "visits", text(v.extract<Poco::JSON::Object::Ptr>(), "id"));
    record_change(db, "visits", id);
}

void record_check_in(Db& db, const std::string& technician_id, const std::string& job_id,
                     const Poco::JSON::Object::Ptr& location, const std::string& field) {
    auto valid = [&](const char* key, double limit) {
        return location && location->has(key) && location->get(key).isNumeric() && !location->get(key).isBoolean() &&
               std::abs(location->getValue<double>(key)) <= limit;
    };
    if (!valid("lat", 90) || !valid("lng", 180) || location->size() != 2)
        throw Error(ErrorCode::invalid_field, fieldsync::Message{"field.location", {{"field", field}}}, field);
    db.execute("INSERT INTO technician_checkins (id, user_id, job_id, lat, lng, at) VALUES (?, ?, ?, ?, ?, ?)",
               {fieldsync::uuid_v7(), technician_id, text_or_null(job_id), location->getValue<double>("lat"),
                location->getValue<double>("lng"), fieldsync::format_utc(fieldsync::now_ms())});
}

Poco::Dynamic::Var shipment_view(const Poco::JSON::Object::Ptr& job) {
    auto schedule = job->getObject("schedule");
    if (text(job, "mode") != "depot" || !schedule || !has_value(schedule, "carrier")) return {};
    auto repair = job->getObject("repair");
    Poco::JSON::Object::Ptr s = new Poco::JSON::Object;
    s->set("carrier", text(schedule, "carrier"));
    s->set("tracking_no", text(schedule, "tracking_no"));
    s->set("announced_at", schedule->get("scheduled_at"));
    bool received = has_value(repair, "started_at"), returned = has_value(repair, "return_tracking_no");
    s->set("received_at", received ? repair->get("started_at") : Poco::Dynamic::Var());
    s->set("return_carrier", returned ? repair->get("return_carrier") : Poco::Dynamic::Var());
    s->set("return_tracking_no", returned ? repair->get("return_tracking_no") : Poco::Dynamic::Var());
    s->set("returned_at", returned ? repair->get("completed_at") : Poco::Dynamic::Var());
    s->set("status", std::string(returned ? "returned" : received ? "received" : "in_transit"));
    return s;
}

void add_dispatch_views(Db& db, const Poco::JSON::Array::Ptr& jobs) {
    if (!jobs) return;
    add_sla_views(db, jobs, fieldsync::now_ms());
    for (const auto& v : *jobs) {
        auto job = v.extract<Poco::JSON::Object::Ptr>();
        job->set("shipment", shipment_view(job));
    }
}

}  // namespace fieldserver
