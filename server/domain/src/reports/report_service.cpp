// Reports: job_facts rows kept current by refresh_job_facts, aggregated in one grouped scan per report.
#include "fieldserver/domain/reports/report_service.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <map>
#include <sstream>
#include <tuple>

#include "fieldserver/domain/common/field_values.hpp"
#include "fieldserver/domain/sla/sla_service.hpp"
#include "fieldserver/util/csv.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::Message;

namespace {

Value optional_flag(const std::optional<bool>& v) {
    return v ? Value(static_cast<std::int64_t>(*v ? 1 : 0)) : Value(std::monostate{});
}

// The aggregates every report draws from; sums rather than averages, so totals over groups stay exact.
const char* kAggregates =
    "COUNT(*) AS jobs, CAST(SUM(is_resolved) AS BIGINT) AS resolved, "
    "CAST(SUM(COALESCE(repair_minutes, 0)) AS BIGINT) AS repair_minutes, "
    "CAST(SUM(CASE WHEN is_first_time_fix = 1 THEN 1 ELSE 0 END) AS BIGINT) AS first_time_fixes, "
    "CAST(SUM(CASE WHEN is_resolved = 1 AND rework_count > 0 THEN 1 ELSE 0 END) AS BIGINT) AS reworked, "
    "CAST(SUM(is_warranty_repair) AS BIGINT) AS repeat_repairs, COUNT(rating) AS rated, "
    "CAST(SUM(COALESCE(rating, 0)) AS BIGINT) AS rating_sum, COUNT(response_met) AS response_measured, "
    "CAST(SUM(COALESCE(response_met, 0)) AS BIGINT) AS response_met, COUNT(resolution_met) AS resolution_measured, "
    "CAST(SUM(COALESCE(resolution_met, 0)) AS BIGINT) AS resolution_met, "
    "CAST(SUM(CASE WHEN is_resolved = 0 AND state IN ('cancelled', 'returned') THEN 1 ELSE 0 END) AS BIGINT) AS ended";

const char* kCounters[] = {"jobs",
                           "resolved",
                           "repair_minutes",
                           "first_time_fixes",
                           "reworked",
                           "repeat_repairs",
                           "rated",
                           "rating_sum",
                           "response_measured",
                           "response_met",
                           "resolution_measured",
                           "resolution_met",
                           "ended"};

// Columns per report, after group (and name): counts from the aggregates, and values derived from them.
const std::map<std::string, std::vector<std::string>>& report_columns() {
    static const std::map<std::string, std::vector<std::string>> columns = {
        {"jobs", {"jobs", "resolved", "ended", "open"}},
        {"sla-compliance",
         {"response_measured", "response_met", "response_compliance", "resolution_measured", "resolution_met",
          "resolution_compliance"}},
        {"mttr", {"resolved", "mean_repair_minutes", "mean_repair_hours"}},
        {"first-time-fix", {"resolved", "first_time_fixes", "first_time_fix_rate"}},
        {"rework", {"resolved", "reworked", "rework_rate"}},
        {"repeat-repairs", {"jobs", "repeat_repairs", "repeat_rate"}},
        {"satisfaction", {"rated", "mean_rating"}},
    };
    return columns;
}

// Fixed SQL per group_by; never text from the request.
const std::map<std::string, std::string>& group_columns() {
    static const std::map<std::string, std::string> groups = {{"technician", "technician_id"},
                                                              {"category", "category"},
                                                              {"model", "model"},
                                                              {"month", "reported_month"},
                                                              {"product_type", "product_type"}};
    return groups;
}

// part / whole × scale, rounded to `per` parts of one (10000: four decimals); null when whole is 0.
Poco::Dynamic::Var ratio(std::int64_t part, std::int64_t whole, double scale = 1, double per = 10000) {
    if (whole == 0) return {};
    return std::round(static_cast<double>(part) * scale / static_cast<double>(whole) * per) / per;
}

// Adds the derived columns to a row of counters.
void derive(Poco::JSON::Object::Ptr row) {
    auto n = [&](const char* key) { return integer(row, key); };
    // Cancelled and returned-unrepaired jobs ended without a resolution: they are not open.
    row->set("open", n("jobs") - n("resolved") - n("ended"));
    row->set("response_compliance", ratio(n("response_met"), n("response_measured")));
    row->set("resolution_compliance", ratio(n("resolution_met"), n("resolution_measured")));
    row->set("mean_repair_minutes", ratio(n("repair_minutes"), n("resolved"), 1, 10));
    row->set("mean_repair_hours", ratio(n("repair_minutes"), n("resolved"), 1.0 / 60, 100));
    row->set("first_time_fix_rate", ratio(n("first_time_fixes"), n("resolved")));
    row->set("rework_rate", ratio(n("reworked"), n("resolved")));
    row->set("repeat_rate", ratio(n("repeat_repairs"), n("jobs")));
    row->set("mean_rating", ratio(n("rating_sum"), n("rated"), 1, 100));
}

// The columns of a job_facts row that its rollup contribution depends on.
const char* kFactColumns =
    "reported_at, technician_id, original_technician_id, category, model, is_resolved, repair_minutes, "
    "is_first_time_fix, rework_count, is_warranty_repair, rating, response_met, resolution_met, state, product_type";

using Contribution = std::array<std::int64_t, std::size(kCounters)>;

// What one job adds to the daily sums, in kCounters order; all zero for no row.
Contribution contribution(const Poco::JSON::Object::Ptr& f) {
    Contribution c{};
    if (!f) return c;
    auto flag = [&](const char* key) { return has_value(f, key) && f->get(key).convert<bool>() ? 1 : 0; };
    bool resolved = flag("is_resolved");
    c = {1,
         resolved ? 1 : 0,
         integer(f, "repair_minutes"),
         flag("is_first_time_fix"),
         resolved && integer(f, "rework_count") > 0 ? 1 : 0,
         flag("is_warranty_repair"),
         has_value(f, "rating") ? 1 : 0,
         integer(f, "rating"),
         has_value(f, "response_met") ? 1 : 0,
         integer(f, "response_met"),
         has_value(f, "resolution_met") ? 1 : 0,
         integer(f, "resolution_met"),
         !resolved && (text(f, "state") == "cancelled" || text(f, "state") == "returned") ? 1 : 0};
    return c;
}

// The rollup dimensions and the facts column each groups by (fixed SQL).
const std::vector<std::pair<std::string, std::string>>& dimensions() {
    static const std::vector<std::pair<std::string, std::string>> dims = {
        {"all", "'all'"},
        {"technician", "technician_id"},
        {"original_technician", "original_technician_id"},
        {"category", "category"},
        {"model", "model"},
        {"product_type", "COALESCE(product_type, '')"}};
    return dims;
}

// The row's group in a dimension; empty for original_technician when the job repeats no earlier repair.
std::string key_of(const Poco::JSON::Object::Ptr& f, const std::string& dimension) {
    if (dimension == "all") return "all";
    if (dimension == "original_technician") return text(f, "original_technician_id");
    return text(f, dimension == "technician" ? "technician_id" : dimension);
}

// The changes a transaction makes to the daily sums, by (dimension, group, day): gathered as its jobs' facts change
// and written once just before it commits (Db::gathered), in key order. On PostgreSQL the day's rows (the "all"
// row above all) are then locked only from that one statement to the commit, and transactions take them in the
// same order, so they neither wait through each other's whole action nor deadlock.
using RollupKey = std::tuple<std::string, std::string, std::string>;
using RollupSums = std::map<RollupKey, Contribution>;

void write_rollup(Db& db, const RollupSums& sums) {
    // Rows per statement: 16 values each stays under SQLite's smallest limit of bound values (999).
    constexpr std::size_t kRowsPerStatement = 50;
    std::string columns, updates;
    for (const char* c : kCounters) {
        columns += std::string(", ") + c;
        updates += std::string(updates.empty() ? "" : ", ") + c + " = job_rollup." + c + " + excluded." + c;
    }
    std::string tuple = "(?, ?, ?";
    for (std::size_t i = 0; i < std::size(kCounters); ++i) tuple += ", ?";
    tuple += ")";
    Params params;
    std::string values;
    auto flush = [&] {
        if (params.empty()) return;
        db.execute("INSERT INTO job_rollup (dimension, group_key, day" + columns + ") VALUES " + values +
                       " ON CONFLICT (dimension, group_key, day) DO UPDATE SET " + updates,
                   params);
        params.clear();
        values.clear();
    };
    for (const auto& [key, delta] : sums) {
        if (std::all_of(delta.begin(), delta.end(), [](std::int64_t v) { return v == 0; })) continue;
        const auto& [dimension, group, day] = key;
        params.insert(params.end(), {dimension, group, day});
        for (auto v : delta) params.emplace_back(v);
        values += (values.empty() ? "" : ", ") + tuple;
        if (params.size() >= kRowsPerStatement * (3 + std::size(kCounters))) flush();
    }
    flush();
}

void add_to_rollup(Db& db, const std::string& dimension, const std::string& key, const std::string& day,
                   const Contribution& delta, int sign) {
    auto& sums = db.gathered<RollupSums>("job_rollup", write_rollup);
    auto& sum = sums[{dimension, key, day}];
    for (std::size_t i = 0; i < delta.size(); ++i) sum[i] += sign * delta[i];
}

// A CSV field of the row's value: text made spreadsheet-safe, numbers as they are.
std::string cell(const Poco::JSON::Object::Ptr& row, const std::string& key) {
    if (!has_value(row, key)) return "";
    auto v = row->get(key);
    if (v.isString()) return csv_text_field(v.extract<std::string>());
    std::ostringstream out;
    if (v.isInteger())
        out << v.convert<std::int64_t>();
    else
        out << v.convert<double>();
    return out.str();
}

}  // namespace

void refresh_job_facts(Db& db, const std::string& job_id) {
    auto job = db.query_one(
        "SELECT j.id, j.created_at, j.state, j.priority, j.category, j.product_type, j.assignee_id, j.customer_id, "
        "j.rework_count, "
        "j.is_warranty_repair, a.model, l.assignee_id AS original_technician_id FROM jobs j "
        "LEFT JOIN assets a ON a.id = j.asset_id LEFT JOIN jobs l ON l.id = j.linked_job_id WHERE j.id = ?",
        {job_id});
    if (!job) return;
    auto before = db.query_one(std::string("SELECT ") + kFactColumns + " FROM job_facts WHERE job_id = ?", {job_id});
    std::int64_t now = fieldsync::now_ms();
    auto events = load_job_events(db, {job_id})[job_id];
    auto sla = evaluate_job_sla(load_sla_setup(db), text(job, "priority"), text(job, "customer_id"), events, now);
    auto history = state_history(events);
    std::string reported_at = text(job, "created_at");
    bool resolved = sla && sla->resolution.reached_at_ms.has_value();
    Value resolved_at, repair_minutes, first_time_fix, rating;
    if (resolved) {
        std::int64_t reported_ms = history.empty() ? now : history.front().entered_at_ms;
        resolved_at = fieldsync::format_utc(*sla->resolution.reached_at_ms);
        repair_minutes = (*sla->resolution.reached_at_ms - reported_ms) / 60'000;
        // Fixed at the first repair visit: no rejected acceptance and no second repair visit.
        std::int64_t repair_visits =
            db.scalar("SELECT COUNT(*) FROM visits WHERE job_id = ? AND kind = 'repair'", {job_id});
        first_time_fix = static_cast<std::int64_t>(integer(job, "rework_count") == 0 && repair_visits <= 1 ? 1 : 0);
    }
    if (auto a =
            db.query_one("SELECT rating FROM acceptances WHERE job_id = ? ORDER BY signed_at DESC LIMIT 1", {job_id}))
        rating = integer(a, "rating");
    db.execute(
        "INSERT INTO job_facts (job_id, reported_at, reported_month, state, priority, category, model, technician_id, "
        "original_technician_id, resolved_at, repair_minutes, is_resolved, is_first_time_fix, rework_count, "
        "is_warranty_repair, rating, response_met, resolution_met, product_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id) DO UPDATE SET state = excluded.state, "
        "priority = excluded.priority, product_type = excluded.product_type, "
        "category = excluded.category, model = excluded.model, technician_id = excluded.technician_id, "
        "original_technician_id = excluded.original_technician_id, resolved_at = excluded.resolved_at, "
        "repair_minutes = excluded.repair_minutes, is_resolved = excluded.is_resolved, "
        "is_first_time_fix = excluded.is_first_time_fix, rework_count = excluded.rework_count, "
        "is_warranty_repair = excluded.is_warranty_repair, rating = excluded.rating, "
        "response_met = excluded.response_met, resolution_met = excluded.resolution_met",
        {job_id, reported_at, reported_at.substr(0, 7), text(job, "state"), text(job, "priority"),
         text(job, "category"), text(job, "model"), text(job, "assignee_id"),
         text_or_null(text(job, "original_technician_id")), resolved_at, repair_minutes,
         static_cast<std::int64_t>(resolved ? 1 : 0), first_time_fix, integer(job, "rework_count"),
         static_cast<std::int64_t>(job->getValue<bool>("is_warranty_repair") ? 1 : 0), rating,
         optional_flag(sla ? sla->response.met : std::nullopt), optional_flag(sla ? sla->resolution.met : std::nullopt),
         optional_text(job, "product_type")});
    // The daily sums change by the difference between the job's old and new row, group by group.
    auto after = db.query_one(std::string("SELECT ") + kFactColumns + " FROM job_facts WHERE job_id = ?", {job_id});
    auto old_part = contribution(before), new_part = contribution(after);
    std::string day = reported_at.substr(0, 10);
    for (const auto& [dimension, column] : dimensions()) {
        std::string old_key = before ? key_of(before, dimension) : "", new_key = key_of(after, dimension);
        bool keyed = dimension != "original_technician";
        if (before && old_key == new_key) {
            Contribution delta{};
            for (std::size_t i = 0; i < delta.size(); ++i) delta[i] = new_part[i] - old_part[i];
            if (keyed || !new_key.empty()) add_to_rollup(db, dimension, new_key, day, delta, 1);
            continue;
        }
        if (before && (keyed || !old_key.empty())) add_to_rollup(db, dimension, old_key, day, old_part, -1);
        if (keyed || !new_key.empty()) add_to_rollup(db, dimension, new_key, day, new_part, 1);
    }
}

std::size_t ReportService::backfill() {
    // Facts loaded in bulk (an import, the benchmark) come without their daily sums: derive them once.
    db_.write([](Db& db) {
        if (db.scalar("SELECT COUNT(*) FROM job_rollup") > 0 || db.scalar("SELECT COUNT(*) FROM job_facts") == 0)
            return;
        std::string columns;
        for (const char* c : kCounters) columns += std::string(", ") + c;
        for (const auto& [dimension, column] : dimensions())
            db.execute("INSERT INTO job_rollup (dimension, group_key, day" + columns + ") SELECT CAST(? AS TEXT), " +
                           column + ", substr(reported_at, 1, 10), " + kAggregates + " FROM job_facts" +
                           (dimension == "original_technician" ? " WHERE original_technician_id IS NOT NULL" : "") +
                           // A constant is no grouping column in PostgreSQL: the "all" sums group by day alone.
                           " GROUP BY " + (dimension == "all" ? std::string() : column + ", ") +
                           "substr(reported_at, 1, 10)",
                       {dimension});
    });
    auto missing = db_.read([](Db& db) {
        return db.query("SELECT j.id FROM jobs j LEFT JOIN job_facts f ON f.job_id = j.id WHERE f.job_id IS NULL");
    });
    for (const auto& v : *missing)
        db_.write([&](Db& db) { refresh_job_facts(db, text(v.extract<Poco::JSON::Object::Ptr>(), "id")); });
    return missing->size();
}

namespace {

void check_report_filters(const std::string& from, const std::string& to, const std::string& group_by,
                          const std::string& format) {
    for (const auto& [key, value] : {std::pair<const char*, std::string>{"from", from}, {"to", to}})
        if (!value.empty() && !fieldsync::is_date(value))
            throw Error(ErrorCode::invalid_field, Message{"field.type.date", {{"field", key}}}, key);
    if (!from.empty() && !to.empty() && to < from)
        throw Error(ErrorCode::invalid_field, Message{"field.before", {{"field", "to"}, {"other", "from"}}}, "to");
    if (!group_by.empty() && !group_columns().count(group_by))
        throw Error(ErrorCode::invalid_field,
                    Message{"field.one_of",
                            {{"field", "group_by"}, {"values", "technician, category, product_type, model, month"}}},
                    "group_by");
    if (!format.empty() && format != "json" && format != "csv")
        throw Error(ErrorCode::invalid_field, Message{"field.one_of", {{"field", "format"}, {"values", "json, csv"}}},
                    "format");
}

// Repeat repairs counted against the technician of the earlier repair, from the same source as the rows.
void add_repeat_repairs(Db& db, const Poco::JSON::Array::Ptr& out, bool from_rollup, const Params& rollup_params,
                        const std::string& where, const Params& params) {
    std::map<std::string, std::int64_t> repeats;
    Params repeat_params = rollup_params;
    repeat_params[0] = std::string("original_technician");
    auto repeat_rows = from_rollup
                           ? db.query(
                                 "SELECT group_key, CAST(SUM(repeat_repairs) AS BIGINT) AS n FROM job_rollup WHERE "
                                 "dimension = ? AND day >= ? AND day <= ? GROUP BY group_key",
                                 repeat_params)
                           : db.query(
                                 "SELECT original_technician_id AS group_key, COUNT(*) AS n FROM job_facts "
                                 "WHERE is_warranty_repair = 1 AND original_technician_id IS NOT NULL AND " +
                                     where + " GROUP BY original_technician_id",
                                 params);
    for (const auto& v : *repeat_rows) {
        auto r = v.extract<Poco::JSON::Object::Ptr>();
        repeats[text(r, "group_key")] = integer(r, "n");
    }
    for (const auto& v : *out) {
        auto r = v.extract<Poco::JSON::Object::Ptr>();
        r->set("repeat_repairs", repeats[text(r, "group_key")]);
    }
}

void add_technician_names(Db& db, const Poco::JSON::Array::Ptr& out) {
    std::map<std::string, std::string> names;
    auto name_rows = db.query("SELECT id, name FROM users WHERE role = 'technician'");
    for (const auto& v : *name_rows) {
        auto r = v.extract<Poco::JSON::Object::Ptr>();
        names[text(r, "id")] = text(r, "name");
    }
    for (const auto& v : *out) {
        auto r = v.extract<Poco::JSON::Object::Ptr>();
        r->set("name", names[text(r, "group_key")]);
    }
}

// The report as CSV with a byte order mark, so spreadsheet programs read it as UTF-8.
std::string csv_text(const std::vector<std::string>& header, const Poco::JSON::Array::Ptr& rows) {
    std::string csv = kCsvBom;
    for (std::size_t i = 0; i < header.size(); ++i) csv += (i ? "," : "") + header[i];
    csv += "\r\n";
    for (const auto& v : *rows) {
        auto r = v.extract<Poco::JSON::Object::Ptr>();
        for (std::size_t i = 0; i < header.size(); ++i) csv += (i ? "," : "") + cell(r, header[i]);
        csv += "\r\n";
    }
    return csv;
}

// The report's rows (its columns, derived figures included) and the total row over all of them.
std::pair<Poco::JSON::Array::Ptr, Poco::JSON::Object::Ptr> report_table(const Poco::JSON::Array::Ptr& rows,
                                                                        const std::vector<std::string>& columns,
                                                                        const std::string& group_by) {
    Poco::JSON::Object::Ptr total = new Poco::JSON::Object;
    for (const char* c : kCounters) total->set(c, static_cast<std::int64_t>(0));
    Poco::JSON::Array::Ptr out_rows = new Poco::JSON::Array;
    for (const auto& v : *rows) {
        auto r = v.extract<Poco::JSON::Object::Ptr>();
        // SQLite reports expression columns without a type; the counters are whole numbers in either dialect.
        for (const char* c : kCounters) r->set(c, integer(r, c));
        for (const char* c : kCounters) total->set(c, integer(total, c) + integer(r, c));
        derive(r);
        Poco::JSON::Object::Ptr row = new Poco::JSON::Object;
        row->set("group", text(r, "group_key"));
        if (group_by == "technician") row->set("name", text(r, "name"));
        for (const auto& c : columns) row->set(c, r->get(c));
        out_rows->add(row);
    }
    derive(total);
    Poco::JSON::Object::Ptr total_row = new Poco::JSON::Object;
    for (const auto& c : columns) total_row->set(c, total->get(c));

    return {out_rows, total_row};
}

}  // namespace

ReportOutput ReportService::report(const Actor& actor, const std::string& name, const Query& query) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::supervisor});
    auto columns = report_columns().find(name);
    if (columns == report_columns().end() && name != "after-sales")
        throw Error(ErrorCode::not_found, Message{"report.not_found", {{"name", name}}});
    allow_filters(query, {"from", "to", "group_by", "technician_id", "format"});
    std::string from = filter(query, "from"), to = filter(query, "to"), group_by = filter(query, "group_by");
    std::string format = filter(query, "format");
    check_report_filters(from, to, group_by, format);
    if (name == "after-sales") {
        ReportOutput result;
        result.json = after_sales(from, to);
        return result;
    }

    std::string where = "reported_at >= ? AND reported_at < ?";
    Params params{from, to.empty() ? std::string("9999") : fieldsync::add_days(to, 1)};
    if (auto t = filter(query, "technician_id"); !t.empty()) {
        where += " AND technician_id = ?";
        params.emplace_back(t);
    }
    std::string group_sql = group_by.empty() ? "" : group_columns().at(group_by);
    // A repeat repair counts against the technician of the earlier repair, not the one fixing it again.
    bool blame_earlier = name == "repeat-repairs" && group_by == "technician";
    // Without a technician filter the daily sums answer; with one, that technician's facts (an index range).
    bool from_rollup = filter(query, "technician_id").empty();
    std::string sums;
    for (const char* c : kCounters) sums += std::string(", CAST(SUM(") + c + ") AS BIGINT) AS " + c;
    std::string dimension = group_by.empty() || group_by == "month" ? "all" : group_by;
    std::string rollup_group = group_by == "month" ? "substr(day, 1, 7)" : group_by.empty() ? "" : "group_key";
    Params rollup_params{dimension, from, to.empty() ? std::string("9999") : to};
    auto rows = db_.read([&](Db& db) {
        Poco::JSON::Array::Ptr out;
        if (from_rollup)
            out = db.query("SELECT " + (rollup_group.empty() ? std::string("'all'") : rollup_group) + " AS group_key" +
                               sums + " FROM job_rollup WHERE dimension = ? AND day >= ? AND day <= ?" +
                               (rollup_group.empty() ? "" : " GROUP BY " + rollup_group + " ORDER BY " + rollup_group),
                           rollup_params);
        else
            out = db.query("SELECT " + (group_sql.empty() ? std::string("'all'") : group_sql) + " AS group_key, " +
                               kAggregates + " FROM job_facts WHERE " + where +
                               (group_sql.empty() ? "" : " GROUP BY " + group_sql + " ORDER BY " + group_sql),
                           params);
        if (blame_earlier) add_repeat_repairs(db, out, from_rollup, rollup_params, where, params);
        if (group_by == "technician") add_technician_names(db, out);
        return out;
    });

    std::vector<std::string> header{"group"};
    if (group_by == "technician") header.push_back("name");
    header.insert(header.end(), columns->second.begin(), columns->second.end());
    auto [out_rows, total_row] = report_table(rows, columns->second, group_by);

    ReportOutput result;
    result.filename = name + (from.empty() ? "" : "_" + from) + (to.empty() ? "" : "_" + to) + ".csv";
    if (format == "csv") {
        result.csv = csv_text(header, out_rows);
        return result;
    }
    Poco::JSON::Array::Ptr header_json = new Poco::JSON::Array;
    for (const auto& h : header) header_json->add(h);
    result.json = new Poco::JSON::Object;
    result.json->set("report", name);
    result.json->set("from", from.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(from));
    result.json->set("to", to.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(to));
    result.json->set("group_by", group_by.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(group_by));
    result.json->set("columns", header_json);
    result.json->set("rows", out_rows);
    result.json->set("total", total_row);
    return result;
}

}  // namespace fieldserver
