// Technician resources: settings rows with defaults from the SLA calendar, check-ins, visits, day timelines.
#include "fieldserver/domain/dispatch/technician_service.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "fieldserver/dispatch/geo.hpp"
#include "fieldserver/domain/jobs/scheduling.hpp"
#include "fieldserver/domain/sla/sla_service.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/workflow.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::FieldSpec;
using fieldsync::FieldType;
using fieldsync::Message;
namespace d = dispatch;

namespace {

constexpr int kDefaultCapacity = 6;

struct Settings {
    int utc_offset_minutes = 0;
    d::WeeklyHours hours;
    std::vector<std::string> days_off;
    int capacity = kDefaultCapacity;
    std::vector<std::string> certified_models;
    bool is_default = true;
    std::string updated_at;
};

std::vector<std::string> strings_of(const Poco::Dynamic::Var& v) {
    std::vector<std::string> out;
    if (v.type() == typeid(Poco::JSON::Array::Ptr))
        for (const auto& s : *v.extract<Poco::JSON::Array::Ptr>()) out.push_back(s.convert<std::string>());
    return out;
}

Poco::JSON::Array::Ptr array_of(const std::vector<std::string>& items) {
    Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
    for (const auto& s : items) out->add(s);
    return out;
}

std::map<std::string, Settings> load_settings(Db& db) {
    std::map<std::string, Settings> out;
    auto settings_rows = db.query(
        "SELECT user_id, utc_offset_minutes, weekly_hours_json, days_off_json, "
        "capacity_per_day, certified_models_json, updated_at FROM technician_settings");
    for (const auto& v : *settings_rows) {
        auto r = v.extract<Poco::JSON::Object::Ptr>();
        out[text(r, "user_id")] = Settings{static_cast<int>(integer(r, "utc_offset_minutes")),
                                           parse_weekly_hours(r->get("weekly_hours"), "weekly_hours"),
                                           strings_of(r->get("days_off")),
                                           static_cast<int>(integer(r, "capacity_per_day")),
                                           strings_of(r->get("certified_models")),
                                           false,
                                           text(r, "updated_at")};
    }
    return out;
}

Settings defaults(const SlaSetup& sla) {
    Settings s;
    s.utc_offset_minutes = sla.calendar.utc_offset_minutes();
    s.hours = sla.calendar.hours();
    return s;
}

Poco::JSON::Object::Ptr settings_view(const std::string& id, const Settings& s) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("technician_id", id);
    o->set("utc_offset_minutes", s.utc_offset_minutes);
    o->set("weekly_hours", weekly_hours_json(s.hours));
    o->set("days_off", array_of(s.days_off));
    o->set("capacity_per_day", s.capacity);
    o->set("certified_models", array_of(s.certified_models));
    o->set("is_default", s.is_default);
    o->set("updated_at", s.updated_at.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(s.updated_at));
    return o;
}

std::int64_t ms_of(const std::string& iso_text) {
    auto v = fieldsync::parse_date_time(iso_text);
    return v ? *v : 0;
}

Poco::JSON::Object::Ptr point(double lat, double lng) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
    o->set("lat", lat);
    o->set("lng", lng);
    return o;
}

// The technician row, or not_found; a technician may read only themselves.
Poco::JSON::Object::Ptr technician_row(Db& db, const Actor& actor, const std::string& id) {
    if (actor.role == Role::technician && actor.id != id)
        throw Error(ErrorCode::not_found, Message{"technician.not_found", {{"id", id}}});
    auto row = db.query_one(
        "SELECT id, name, region, skills_json, home_lat, home_lng, is_active FROM users "
        "WHERE id = ? AND role = 'technician'",
        {id});
    if (!row) throw Error(ErrorCode::not_found, Message{"technician.not_found", {{"id", id}}});
    return row;
}

std::string date_param(const Query& query, const d::BusinessCalendar& calendar) {
    std::string date = filter(query, "date");
    if (date.empty()) return calendar.local_date(fieldsync::now_ms());
    if (!fieldsync::is_date(date))
        throw Error(ErrorCode::invalid_field, Message{"field.type.date", {{"field", "date"}}}, "date");
    return date;
}

}  // namespace

std::vector<d::Technician> load_technicians(Db& db, std::int64_t at_ms, const std::string& only_id) {
    auto sla = load_sla_setup(db);
    auto settings = load_settings(db);
    std::string sql =
        "SELECT id, name, region, skills_json, home_lat, home_lng FROM users "
        "WHERE role = 'technician' AND is_active = 1";
    Params params;
    if (!only_id.empty()) {
        sql += " AND id = ?";
        params.emplace_back(only_id);
    }
    std::vector<d::Technician> out;
    std::map<std::string, std::size_t> index;
    auto user_rows = db.query(sql + " ORDER BY name, id", params);
    for (const auto& v : *user_rows) {
        auto r = v.extract<Poco::JSON::Object::Ptr>();
        d::Technician t;
        t.id = text(r, "id");
        t.name = text(r, "name");
        t.region = text(r, "region");
        if (auto skills = r->getObject("skills"))
            for (const auto& [category, level] : *skills) t.skills[category] = level.convert<int>();
        t.home = {number(r, "home_lat"), number(r, "home_lng")};
        auto it = settings.find(t.id);
        Settings s = it != settings.end() ? it->second : defaults(sla);
        t.hours = d::BusinessCalendar(s.utc_offset_minutes, s.hours, sla.holidays);
        t.days_off = {s.days_off.begin(), s.days_off.end()};
        t.capacity_per_day = s.capacity;
        t.certified_models = {s.certified_models.begin(), s.certified_models.end()};
        index[t.id] = out.size();
        out.push_back(std::move(t));
    }
    std::string at = fieldsync::format_utc(at_ms);
    auto checkin_rows = db.query(
        "SELECT c.user_id, c.lat, c.lng, c.at FROM technician_checkins c WHERE c.at = "
        "(SELECT MAX(l.at) FROM technician_checkins l WHERE l.user_id = c.user_id AND l.at <= ?)",
        {at});
    for (const auto& v : *checkin_rows) {
        auto r = v.extract<Poco::JSON::Object::Ptr>();
        if (auto it = index.find(text(r, "user_id")); it != index.end())
            out[it->second].last_check_in = d::CheckIn{{number(r, "lat"), number(r, "lng")}, ms_of(text(r, "at"))};
    }
    // Two days either side covers every UTC offset; each visit is then kept on its technician's own local day.
    auto visits = db.query(
        "SELECT v.job_id, v.technician_id, v.starts_at, v.ends_at, c.lat, c.lng FROM visits v "
        "JOIN jobs j ON j.id = v.job_id JOIN customers c ON c.id = j.customer_id WHERE v.status = 'booked' "
        "AND j.assignee_id = v.technician_id AND j.state NOT IN ('cancelled', 'closed') AND v.starts_at < ? AND "
        "v.ends_at > ?",
        {fieldsync::format_utc(at_ms + 2 * d::kDayMs), fieldsync::format_utc(at_ms - 2 * d::kDayMs)});
    for (const auto& v : *visits) {
        auto r = v.extract<Poco::JSON::Object::Ptr>();
        auto it = index.find(text(r, "technician_id"));
        if (it == index.end()) continue;
        auto& t = out[it->second];
        std::int64_t start = ms_of(text(r, "starts_at"));
        if (t.hours.local_day(start) != t.hours.local_day(at_ms)) continue;
        d::GeoPoint where = has_value(r, "lat") ? d::GeoPoint{number(r, "lat"), number(r, "lng")} : t.home;
        t.booked_today.push_back({text(r, "job_id"), where, start, ms_of(text(r, "ends_at"))});
    }
    return out;
}

std::int64_t plan_start(Db& db, const std::string& date, const std::string& field) {
    if (!fieldsync::is_date(date))
        throw Error(ErrorCode::invalid_field, Message{"field.type.date", {{"field", field}}}, field);
    auto calendar = load_sla_setup(db).calendar;
    std::int64_t now = fieldsync::now_ms();
    std::int64_t day = d::day_number(date), today = calendar.local_day(now);
    if (day < today) throw Error(ErrorCode::invalid_field, Message{"field.past", {{"field", field}}}, field);
    if (day == today) return now;
    return day * d::kDayMs - static_cast<std::int64_t>(calendar.utc_offset_minutes()) * d::kMinuteMs;
}

Poco::JSON::Object::Ptr TechnicianService::list(const Actor& actor, const Query& query) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::agent, Role::supervisor});
    allow_filters(query, {"date", "region"});
    std::string region = filter(query, "region");
    return db_.read([&](Db& db) {
        auto sla = load_sla_setup(db);
        std::string date = date_param(query, sla.calendar);
        auto settings = load_settings(db);
        // Noon of the date in the calendar's offset picks the same local day for every technician near it.
        std::int64_t at = d::day_number(date) * d::kDayMs + 12 * 3'600'000 -
                          static_cast<std::int64_t>(sla.calendar.utc_offset_minutes()) * d::kMinuteMs;
        auto technicians = load_technicians(db, at);
        std::map<std::string, Poco::JSON::Object::Ptr> rows;
        auto user_rows = db.query(
            "SELECT id, username, name, phone, region, skills_json, home_lat, home_lng FROM users "
            "WHERE role = 'technician' AND is_active = 1");
        for (const auto& v : *user_rows)
            rows[text(v.extract<Poco::JSON::Object::Ptr>(), "id")] = v.extract<Poco::JSON::Object::Ptr>();
        Poco::JSON::Array::Ptr items = new Poco::JSON::Array;
        for (const auto& t : technicians) {
            if (!region.empty() && t.region != region) continue;
            auto row = rows[t.id];
            Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
            o->set("id", t.id);
            o->set("username", text(row, "username"));
            o->set("name", t.name);
            o->set("phone", row->get("phone"));
            o->set("region", row->get("region"));
            o->set("skills", row->getObject("skills")
                                 ? Poco::Dynamic::Var(row->getObject("skills"))
                                 : Poco::Dynamic::Var(Poco::JSON::Object::Ptr(new Poco::JSON::Object)));
            o->set("home_location", has_value(row, "home_lat") ? Poco::Dynamic::Var(point(t.home.lat, t.home.lng))
                                                               : Poco::Dynamic::Var());
            if (t.last_check_in) {
                auto loc = point(t.last_check_in->location.lat, t.last_check_in->location.lng);
                loc->set("at", fieldsync::format_utc(t.last_check_in->at_ms));
                o->set("current_location", loc);
            } else {
                o->set("current_location", Poco::Dynamic::Var());
            }
            std::int64_t day = t.hours.local_day(at);
            bool day_off = t.days_off.count(date) > 0;
            Poco::JSON::Object::Ptr load = new Poco::JSON::Object;
            load->set("date", date);
            load->set("booked", static_cast<std::int64_t>(t.booked_today.size()));
            load->set("capacity", t.capacity_per_day);
            load->set("working", !day_off && !t.hours.working_spans(day).empty());
            load->set("day_off", day_off);
            o->set("load", load);
            auto it = settings.find(t.id);
            o->set("certified_models",
                   array_of(it != settings.end() ? it->second.certified_models : std::vector<std::string>{}));
            items->add(o);
        }
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
        out->set("date", date);
        out->set("items", items);
        return out;
    });
}

Poco::JSON::Object::Ptr TechnicianService::settings(const Actor& actor, const std::string& id) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::technician});
    return db_.read([&](Db& db) {
        technician_row(db, actor, id);
        auto sla = load_sla_setup(db);
        auto all = load_settings(db);
        auto it = all.find(id);
        return settings_view(id, it != all.end() ? it->second : defaults(sla));
    });
}

Poco::JSON::Object::Ptr TechnicianService::update_settings(const Actor& actor, const std::string& id,
                                                           const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin, Role::dispatcher});
    static const std::vector<FieldSpec> optional = {
        {.name = "utc_offset_minutes", .type = FieldType::integer, .min = -1080, .max = 1080},
        {.name = "weekly_hours", .type = FieldType::array},
        {.name = "days_off", .type = FieldType::array},
        {.name = "capacity_per_day", .type = FieldType::integer, .min = 0, .max = 50},
        {.name = "certified_models", .type = FieldType::array},
    };
    fieldsync::validate_fields({}, optional, *body, "change a technician's schedule settings");
    return db_.write([&](Db& db) {
        technician_row(db, actor, id);
        auto sla = load_sla_setup(db);
        auto all = load_settings(db);
        Settings s = all.count(id) ? all[id] : defaults(sla);
        if (has_value(body, "utc_offset_minutes"))
            s.utc_offset_minutes = static_cast<int>(integer(body, "utc_offset_minutes"));
        if (has_value(body, "weekly_hours")) s.hours = parse_weekly_hours(body->get("weekly_hours"), "weekly_hours");
        auto strings = [&](const char* field, std::size_t max_length) {
            std::vector<std::string> out;
            for (const auto& v : *body->getArray(field)) {
                if (!v.isString() || v.extract<std::string>().empty() || v.extract<std::string>().size() > max_length)
                    throw Error(ErrorCode::invalid_field, Message{"field.strings", {{"field", field}}}, field);
                out.push_back(v.extract<std::string>());
            }
            std::sort(out.begin(), out.end());
            out.erase(std::unique(out.begin(), out.end()), out.end());
            return out;
        };
        if (has_value(body, "days_off")) {
            s.days_off = strings("days_off", 10);
            for (const auto& day : s.days_off)
                if (!fieldsync::is_date(day))
                    throw Error(ErrorCode::invalid_field,
                                Message{"field.item_not_date", {{"field", "days_off"}, {"value", day}}}, "days_off");
        }
        if (has_value(body, "capacity_per_day")) s.capacity = static_cast<int>(integer(body, "capacity_per_day"));
        if (has_value(body, "certified_models")) s.certified_models = strings("certified_models", 200);
        try {
            d::BusinessCalendar(s.utc_offset_minutes, s.hours);
        } catch (const std::invalid_argument& e) {
            throw Error(ErrorCode::invalid_field,
                        Message{"hours.invalid", {{"field", "weekly_hours"}, {"detail", e.what()}}}, "weekly_hours");
        }
        s.is_default = false;
        s.updated_at = fieldsync::format_utc(fieldsync::now_ms());
        db.execute("DELETE FROM technician_settings WHERE user_id = ?", {id});
        db.execute(
            "INSERT INTO technician_settings (user_id, utc_offset_minutes, weekly_hours_json, days_off_json, "
            "capacity_per_day, certified_models_json, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            {id, static_cast<std::int64_t>(s.utc_offset_minutes), to_json(weekly_hours_json(s.hours)),
             to_json(array_of(s.days_off)), static_cast<std::int64_t>(s.capacity),
             to_json(array_of(s.certified_models)), s.updated_at});
        return settings_view(id, s);
    });
}

Poco::JSON::Object::Ptr TechnicianService::check_in(const Actor& actor, const std::string& id,
                                                    const Poco::JSON::Object::Ptr& body) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::technician});
    fieldsync::validate_fields({{.name = "lat", .type = FieldType::number}, {.name = "lng", .type = FieldType::number}},
                               {{.name = "job_id", .type = FieldType::string}}, *body, "check in");
    return db_.write([&](Db& db) {
        technician_row(db, actor, id);
        std::string job_id = text(body, "job_id");
        if (!job_id.empty() &&
            db.scalar("SELECT COUNT(*) FROM jobs WHERE id = ? AND assignee_id = ?", {job_id, id}) == 0)
            throw Error(ErrorCode::invalid_field, Message{"technician.job_not_assigned", {}}, "job_id");
        Poco::JSON::Object::Ptr location = point(number(body, "lat"), number(body, "lng"));
        record_check_in(db, id, job_id, location, "lat");
        location->set("at", fieldsync::format_utc(fieldsync::now_ms()));
        location->set("technician_id", id);
        location->set("job_id", job_id.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(job_id));
        return location;
    });
}

Poco::JSON::Object::Ptr TechnicianService::day(const Actor& actor, const std::string& id, const Query& query) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::technician});
    allow_filters(query, {"date"});
    return db_.read([&](Db& db) {
        technician_row(db, actor, id);
        auto sla = load_sla_setup(db);
        auto all = load_settings(db);
        Settings s = all.count(id) ? all[id] : defaults(sla);
        std::string date = date_param(query, d::BusinessCalendar(s.utc_offset_minutes, s.hours));
        std::int64_t day_start =
            d::day_number(date) * d::kDayMs - static_cast<std::int64_t>(s.utc_offset_minutes) * d::kMinuteMs;
        auto technicians = load_technicians(db, day_start, id);
        if (technicians.empty()) throw Error(ErrorCode::not_found, Message{"user.no_technician", {{"id", id}}});
        const auto& t = technicians.front();
        auto visits = db.query(
            "SELECT v.id AS visit_id, v.job_id, v.kind, v.starts_at, v.ends_at, j.ticket_no, j.state, j.priority, "
            "j.category, c.name AS customer_name, c.address, c.lat, c.lng FROM visits v JOIN jobs j ON j.id = v.job_id "
            "JOIN customers c ON c.id = j.customer_id WHERE v.technician_id = ? AND v.status = 'booked' AND "
            "j.assignee_id = v.technician_id AND j.state NOT IN ('cancelled', 'closed') AND v.starts_at < ? AND "
            "v.ends_at > ? ORDER BY v.starts_at, v.id",
            {id, fieldsync::format_utc(day_start + d::kDayMs), fieldsync::format_utc(day_start)});
        d::TravelModel travel;
        d::GeoPoint at = t.last_check_in ? t.last_check_in->location : t.home;
        double total_km = 0, total_minutes = 0;
        for (const auto& v : *visits) {
            auto r = v.extract<Poco::JSON::Object::Ptr>();
            if (has_value(r, "lat")) {
                r->set("location", point(number(r, "lat"), number(r, "lng")));
                d::GeoPoint here{number(r, "lat"), number(r, "lng")};
                double km = d::haversine_km(at, here), minutes = d::travel_minutes(km, travel);
                r->set("travel_km", std::round(km * 10) / 10);
                r->set("travel_minutes", static_cast<std::int64_t>(std::llround(minutes)));
                total_km += km;
                total_minutes += minutes;
                at = here;
            } else {
                r->set("location", Poco::Dynamic::Var());
                r->set("travel_km", Poco::Dynamic::Var());
                r->set("travel_minutes", Poco::Dynamic::Var());
            }
            r->remove("lat");
            r->remove("lng");
        }
        std::int64_t day = t.hours.local_day(day_start + d::kDayMs / 2);
        Poco::JSON::Array::Ptr spans = new Poco::JSON::Array;
        for (const auto& span : t.hours.working_spans(day)) {
            Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
            o->set("start", fieldsync::format_utc(span.start_ms));
            o->set("end", fieldsync::format_utc(span.end_ms));
            spans->add(o);
        }
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
        out->set("technician_id", id);
        out->set("name", t.name);
        out->set("date", date);
        out->set("utc_offset_minutes", s.utc_offset_minutes);
        out->set("day_off", t.days_off.count(date) > 0);
        out->set("working_hours", spans);
        out->set("capacity_per_day", t.capacity_per_day);
        Poco::JSON::Object::Ptr start = t.last_check_in
                                            ? point(t.last_check_in->location.lat, t.last_check_in->location.lng)
                                            : point(t.home.lat, t.home.lng);
        start->set("source", std::string(t.last_check_in ? "check_in" : "home"));
        out->set("start_location", start);
        out->set("visits", visits);
        out->set("total_travel_km", std::round(total_km * 10) / 10);
        out->set("total_travel_minutes", static_cast<std::int64_t>(std::llround(total_minutes)));
        return out;
    });
}

}  // namespace fieldserver
