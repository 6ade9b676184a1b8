// The customer-care report: grouped counts and timings over the care tables of a period, one query per figure, as
// JSON for the care desk's charts or as one spreadsheet-safe CSV.
#include "fieldserver/domain/care/care_report.hpp"

#include <Poco/JSON/Array.h>

#include <cmath>
#include <sstream>

#include "fieldserver/util/csv.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"

namespace fieldserver {
namespace {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::Message;

// The filters as SQL: the creation range and the grouping of the satisfaction series.
struct Period {
    std::string from, to;    // from (inclusive), to (exclusive), UTC date-times
    Params range;            // {from, to}
    std::string bucket;      // SQL of the time bucket over f.created_at
    std::string group_sql;   // SQL of the series' group
    std::string group_name;  // SQL of the group's display name
    std::string group_join;  // what the group needs joined to followups f
    std::string now;         // for records waiting past their deadline
};

// Minutes from column a to column b (ISO UTC texts), in the database's dialect.
std::string minutes_between(Db& db, const std::string& a, const std::string& b) {
    if (db.dialect() == Dialect::postgresql)
        return "EXTRACT(EPOCH FROM (CAST(" + b + " AS TIMESTAMPTZ) - CAST(" + a + " AS TIMESTAMPTZ))) / 60.0";
    return "(julianday(" + b + ") - julianday(" + a + ")) * 1440.0";
}

std::string or_default(const std::string& value, const std::string& fallback) {
    return value.empty() ? fallback : value;
}

// A date (the whole day) or a date-time; to a date, the day after is the end.
std::string bound(const Query& query, const char* key, const std::string& fallback) {
    std::string value = filter(query, key);
    if (value.empty()) return fallback;
    if (fieldsync::is_date(value))
        return (std::string(key) == "to" ? fieldsync::add_days(value, 1) : value) + "T00:00:00.000Z";
    auto parsed = fieldsync::parse_date_time(value);
    if (!parsed) throw Error(ErrorCode::invalid_field, Message{"field.type.date_or_time", {{"field", key}}}, key);
    return fieldsync::format_utc(*parsed);
}

Period period_of(const Query& query) {
    allow_filters(query, {"from", "to", "period", "group_by", "format"});
    Period p;
    std::string from = bound(query, "from", "0000-01-01T00:00:00.000Z");
    std::string to = bound(query, "to", "9999-12-31T23:59:59.999Z");
    if (to < from)
        throw Error(ErrorCode::invalid_field, Message{"field.before", {{"field", "to"}, {"other", "from"}}}, "to");
    p.from = from;
    p.to = to;
    p.range = {from, to};
    std::string period = or_default(filter(query, "period"), "month");
    if (period != "month" && period != "day")
        throw Error(ErrorCode::invalid_field, Message{"field.one_of", {{"field", "period"}, {"values", "month, day"}}},
                    "period");
    p.bucket = period == "month" ? "substr(f.created_at, 1, 7)" : "substr(f.created_at, 1, 10)";
    std::string group_by = or_default(filter(query, "group_by"), "product_type");
    if (group_by == "product_type") {
        p.group_sql = p.group_name = "COALESCE(j.product_type, '')";
        p.group_join = " JOIN jobs j ON j.id = f.job_id";
    } else if (group_by == "technician") {
        p.group_sql = "COALESCE(f.technician_id, '')";
        p.group_name = "COALESCE(MAX(u.name), '')";
        p.group_join = " LEFT JOIN users u ON u.id = f.technician_id";
    } else {
        throw Error(ErrorCode::invalid_field,
                    Message{"field.one_of", {{"field", "group_by"}, {"values", "product_type, technician"}}},
                    "group_by");
    }
    std::string format = or_default(filter(query, "format"), "json");
    if (format != "json" && format != "csv")
        throw Error(ErrorCode::invalid_field, Message{"field.one_of", {{"field", "format"}, {"values", "json, csv"}}},
                    "format");
    p.now = fieldsync::format_utc(fieldsync::now_ms());
    return p;
}

Poco::Dynamic::Var average_or_null(const Poco::JSON::Object::Ptr& row, const std::string& key) {
    return has_value(row, key) ? Poco::Dynamic::Var(number(row, key)) : Poco::Dynamic::Var();
}

// {value: count} of column over table's rows created in the range.
Poco::JSON::Object::Ptr counts(Db& db, const std::string& table, const std::string& column, const Params& range) {
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    auto rows = db.query("SELECT COALESCE(" + column + ", 'none') AS k, COUNT(*) AS n FROM " + table +
                             " WHERE created_at >= ? AND created_at < ? GROUP BY COALESCE(" + column + ", 'none')",
                         range);
    for (const auto& v : *rows) {
        auto row = v.extract<Poco::JSON::Object::Ptr>();
        out->set(text(row, "k"), integer(row, "n"));
    }
    return out;
}

// How a deadline was kept over table's rows of the period: {count, within_deadline, late, waiting_overdue,
// average_minutes} for the moment done_at (against due_at) of records started at created_at; waiting_overdue
// counts records still waiting (waiting_sql) past their deadline.
Poco::JSON::Object::Ptr timing(Db& db, const Period& p, const std::string& table, const std::string& done_at,
                               const std::string& due_at, const std::string& waiting_sql) {
    // AVG and SUM are cast so both dialects answer plain numbers (PostgreSQL's are NUMERIC).
    auto row =
        db.query_one("SELECT COUNT(" + done_at + ") AS n, CAST(SUM(CASE WHEN " + done_at + " <= " + due_at +
                         " THEN 1 ELSE 0 END) AS BIGINT) AS within, CAST(SUM(CASE WHEN " + done_at + " > " + due_at +
                         " THEN 1 ELSE 0 END) AS BIGINT) AS late, CAST(SUM(CASE WHEN " + done_at + " IS NULL AND " +
                         waiting_sql + " AND " + due_at + " <= ? THEN 1 ELSE 0 END) AS BIGINT) AS waiting, CAST(AVG(" +
                         minutes_between(db, "created_at", done_at) + ") AS DOUBLE PRECISION) AS minutes FROM " +
                         table + " WHERE created_at >= ? AND created_at < ?",
                     {p.now, p.range[0], p.range[1]});
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("count", integer(row, "n"));
    out->set("within_deadline", integer(row, "within"));
    out->set("late", integer(row, "late"));
    out->set("waiting_overdue", integer(row, "waiting"));
    auto minutes = average_or_null(row, "minutes");
    out->set("average_minutes", minutes.isEmpty() ? minutes : Poco::Dynamic::Var(std::round(number(row, "minutes"))));
    return out;
}

Poco::JSON::Object::Ptr complaints_part(Db& db, const Period& p) {
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("by_type", counts(db, "complaints", "type", p.range));
    out->set("by_state", counts(db, "complaints", "state", p.range));
    out->set("by_outcome", counts(db, "complaints", "outcome", p.range));
    out->set("contact_late", db.scalar("SELECT COUNT(*) FROM complaints WHERE contact_overdue_at IS NOT NULL AND "
                                       "created_at >= ? AND created_at < ?",
                                       p.range));
    out->set("resolve_late", db.scalar("SELECT COUNT(*) FROM complaints WHERE resolve_overdue_at IS NOT NULL AND "
                                       "created_at >= ? AND created_at < ?",
                                       p.range));
    out->set("first_contact", timing(db, p, "complaints", "contacted_at", "contact_due_at", "state = 'open'"));
    out->set("resolution", timing(db, p, "complaints", "resolved_at", "resolve_due_at",
                                  "state IN ('open', 'contacted', 'escalated')"));
    return out;
}

Poco::JSON::Object::Ptr appeals_part(Db& db, const Period& p) {
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    auto by_state = counts(db, "appeals", "state", p.range);
    out->set("by_state", by_state);
    out->set("callback_late", db.scalar("SELECT COUNT(*) FROM appeals WHERE callback_overdue_at IS NOT NULL AND "
                                        "created_at >= ? AND created_at < ?",
                                        p.range));
    out->set("callback", timing(db, p, "appeals", "called_back_at", "callback_due_at",
                                "state IN ('open', 'called_back', 'escalated')"));
    std::int64_t upheld = by_state->has("upheld") ? by_state->getValue<std::int64_t>("upheld") : 0;
    std::int64_t refused = by_state->has("refused") ? by_state->getValue<std::int64_t>("refused") : 0;
    Poco::JSON::Object::Ptr decided = new Poco::JSON::Object;
    decided->set("upheld", upheld);
    decided->set("refused", refused);
    decided->set("upheld_rate", upheld + refused ? Poco::Dynamic::Var(static_cast<double>(upheld) / (upheld + refused))
                                                 : Poco::Dynamic::Var());
    out->set("decided", decided);
    return out;
}

Poco::JSON::Object::Ptr followups_part(Db& db, const Period& p) {
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("by_state", counts(db, "followups", "state", p.range));
    auto row = db.query_one(
        "SELECT COUNT(*) AS n, CAST(SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END) AS BIGINT) AS done, "
        "CAST(SUM(CASE WHEN state = 'waived' THEN 1 ELSE 0 END) AS BIGINT) AS waived, "
        "CAST(SUM(CASE WHEN state = 'due' AND due_at <= ? THEN 1 ELSE 0 END) AS BIGINT) AS overdue "
        "FROM followups WHERE created_at >= ? AND created_at < ?",
        {p.now, p.range[0], p.range[1]});
    std::int64_t total = integer(row, "n"), done = integer(row, "done"), waived = integer(row, "waived");
    Poco::JSON::Object::Ptr completion = new Poco::JSON::Object;
    completion->set("total", total);
    completion->set("done", done);
    completion->set("waived", waived);
    completion->set("due", total - done - waived);
    completion->set("overdue", integer(row, "overdue"));
    completion->set("completion_rate",
                    total ? Poco::Dynamic::Var(static_cast<double>(done) / total) : Poco::Dynamic::Var());
    completion->set("settled_rate",
                    total ? Poco::Dynamic::Var(static_cast<double>(done + waived) / total) : Poco::Dynamic::Var());
    out->set("completion", completion);
    return out;
}

// Satisfaction over the period: overall, by technician, and the series by group (product type or technician)
// and time bucket.
Poco::JSON::Object::Ptr satisfaction_part(Db& db, const Period& p) {
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    auto all = db.query_one(
        "SELECT COUNT(*) AS n, CAST(AVG(rating * 1.0) AS DOUBLE PRECISION) AS average FROM followups "
        "WHERE state = 'done' AND created_at >= ? AND created_at < ?",
        p.range);
    out->set("count", integer(all, "n"));
    out->set("average", average_or_null(all, "average"));
    out->set("by_technician",
             db.query("SELECT f.technician_id, u.name AS technician_name, COUNT(*) AS count, "
                      "CAST(AVG(f.rating * 1.0) AS DOUBLE PRECISION) AS average, "
                      "CAST(AVG(f.technician_rating * 1.0) AS DOUBLE PRECISION) AS technician_average "
                      "FROM followups f LEFT JOIN users u ON u.id = f.technician_id WHERE f.state = 'done' "
                      "AND f.created_at >= ? AND f.created_at < ? GROUP BY f.technician_id, u.name ORDER BY u.name",
                      p.range));
    auto series =
        db.query("SELECT " + p.group_sql + " AS grp, " + p.group_name + " AS name, " + p.bucket +
                     " AS period, COUNT(*) AS count, CAST(AVG(f.rating * 1.0) AS DOUBLE PRECISION) AS "
                     "average FROM followups f" +
                     p.group_join + " WHERE f.state = 'done' AND f.created_at >= ? AND f.created_at < ? GROUP BY " +
                     p.group_sql + ", " + p.bucket + " ORDER BY " + p.bucket + ", " + p.group_sql,
                 p.range);
    Poco::JSON::Array::Ptr rows = new Poco::JSON::Array;
    for (const auto& v : *series) {
        auto r = v.extract<Poco::JSON::Object::Ptr>();
        Poco::JSON::Object::Ptr row = new Poco::JSON::Object;
        row->set("group", text(r, "grp"));
        row->set("name", text(r, "name"));
        row->set("period", text(r, "period"));
        row->set("count", integer(r, "count"));
        row->set("average", average_or_null(r, "average"));
        rows->add(row);
    }
    out->set("series", rows);
    return out;
}

std::string number_text(const Poco::Dynamic::Var& v) {
    if (v.isEmpty()) return "";
    std::ostringstream out;
    if (v.isInteger())
        out << v.convert<std::int64_t>();
    else
        out << v.convert<double>();
    return out.str();
}

// Every figure of an object as CSV lines of section,figure,group,period,count,value.
void object_lines(std::string& csv, const std::string& section, const std::string& figure,
                  const Poco::JSON::Object::Ptr& obj) {
    for (const auto& [key, value] : *obj) {
        if (value.type() == typeid(Poco::JSON::Object::Ptr)) {
            object_lines(csv, section, figure.empty() ? key : figure + "." + key,
                         value.extract<Poco::JSON::Object::Ptr>());
            continue;
        }
        if (value.type() == typeid(Poco::JSON::Array::Ptr)) continue;
        bool grouped = figure.rfind("by_", 0) == 0;
        csv += csv_line({csv_text_field(section),
                         csv_text_field(grouped          ? figure
                                        : figure.empty() ? key
                                                         : figure + "." + key),
                         grouped ? csv_text_field(key) : "", "", "", number_text(value)});
    }
}

std::string report_csv(const Poco::JSON::Object::Ptr& report) {
    std::string csv = kCsvBom + csv_line({"section", "figure", "group", "period", "count", "value"});
    for (const char* section : {"complaints", "appeals", "followups", "satisfaction"})
        object_lines(csv, section, "", report->getObject(section));
    auto satisfaction = report->getObject("satisfaction");
    for (const auto& v : *satisfaction->getArray("by_technician")) {
        auto r = v.extract<Poco::JSON::Object::Ptr>();
        csv += csv_line({"satisfaction", "by_technician", csv_text_field(text(r, "technician_name")), "",
                         number_text(r->get("count")), number_text(r->get("average"))});
    }
    for (const auto& v : *satisfaction->getArray("series")) {
        auto r = v.extract<Poco::JSON::Object::Ptr>();
        csv += csv_line({"satisfaction", "series", csv_text_field(text(r, "name")), csv_text_field(text(r, "period")),
                         number_text(r->get("count")), number_text(r->get("average"))});
    }
    return csv;
}

}  // namespace

CareReport care_report(Database& database, const Actor& actor, const Query& query) {
    require_role(actor, {Role::admin, Role::agent, Role::supervisor});
    Period p = period_of(query);
    auto json = database.read([&](Db& db) {
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
        out->set("from", p.from);
        out->set("to", p.to);
        out->set("complaints", complaints_part(db, p));
        out->set("appeals", appeals_part(db, p));
        out->set("followups", followups_part(db, p));
        out->set("satisfaction", satisfaction_part(db, p));
        return out;
    });
    CareReport result;
    if (filter(query, "format") == "csv") {
        result.csv = report_csv(json);
        std::string to = filter(query, "to");
        // The name from the checked bounds, never from the raw query text.
        result.filename = "care-report" + (filter(query, "from").empty() ? "" : "_" + p.from.substr(0, 10)) +
                          (to.empty() ? "" : "_" + (fieldsync::is_date(to) ? to : p.to.substr(0, 10))) + ".csv";
    } else {
        result.json = json;
    }
    return result;
}

}  // namespace fieldserver
