// The customer-care report: grouped counts over the care tables, one query per figure.
#include "fieldserver/domain/care/care_report.hpp"

#include <Poco/JSON/Array.h>

#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"

namespace fieldserver {
namespace {

using fieldsync::Error;
using fieldsync::ErrorCode;

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

Poco::JSON::Object::Ptr satisfaction(Db& db, const Params& range) {
    // AVG is cast so both dialects answer a floating-point number (PostgreSQL's AVG is NUMERIC).
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    auto all = db.query_one(
        "SELECT COUNT(*) AS n, CAST(AVG(rating * 1.0) AS DOUBLE PRECISION) AS average FROM followups "
        "WHERE state = 'done' AND created_at >= ? AND created_at < ?",
        range);
    out->set("count", integer(all, "n"));
    out->set("average", has_value(all, "average") ? Poco::Dynamic::Var(number(all, "average")) : Poco::Dynamic::Var());
    out->set("by_technician",
             db.query("SELECT f.technician_id, u.name AS technician_name, COUNT(*) AS count, "
                      "CAST(AVG(f.rating * 1.0) AS DOUBLE PRECISION) AS average, "
                      "CAST(AVG(f.technician_rating * 1.0) AS DOUBLE PRECISION) AS technician_average "
                      "FROM followups f LEFT JOIN users u ON u.id = f.technician_id WHERE f.state = 'done' "
                      "AND f.created_at >= ? AND f.created_at < ? GROUP BY f.technician_id, u.name ORDER BY u.name",
                      range));
    return out;
}

}  // namespace

Poco::JSON::Object::Ptr care_report(Database& database, const Actor& actor, const Query& query) {
    require_role(actor, {Role::admin, Role::dispatcher, Role::supervisor});
    allow_filters(query, {"from", "to"});
    Params range;
    for (const auto& [key, fallback] : {std::pair<const char*, const char*>{"from", "0000-01-01T00:00:00.000Z"},
                                        {"to", "9999-12-31T23:59:59.999Z"}}) {
        std::string value = filter(query, key);
        if (value.empty()) {
            range.emplace_back(std::string(fallback));
            continue;
        }
        auto parsed = fieldsync::parse_date_time(value);
        if (!parsed) throw Error(ErrorCode::invalid_field, std::string(key) + " must be a date-time", key);
        range.emplace_back(fieldsync::format_utc(*parsed));
    }
    return database.read([&](Db& db) {
        Poco::JSON::Object::Ptr complaints = new Poco::JSON::Object;
        complaints->set("by_type", counts(db, "complaints", "type", range));
        complaints->set("by_state", counts(db, "complaints", "state", range));
        complaints->set("by_outcome", counts(db, "complaints", "outcome", range));
        complaints->set("contact_late", db.scalar("SELECT COUNT(*) FROM complaints WHERE contact_overdue_at IS NOT "
                                                  "NULL AND created_at >= ? AND created_at < ?",
                                                  range));
        complaints->set("resolve_late", db.scalar("SELECT COUNT(*) FROM complaints WHERE resolve_overdue_at IS NOT "
                                                  "NULL AND created_at >= ? AND created_at < ?",
                                                  range));
        Poco::JSON::Object::Ptr appeals = new Poco::JSON::Object;
        appeals->set("by_state", counts(db, "appeals", "state", range));
        appeals->set("callback_late", db.scalar("SELECT COUNT(*) FROM appeals WHERE callback_overdue_at IS NOT NULL "
                                                "AND created_at >= ? AND created_at < ?",
                                                range));
        Poco::JSON::Object::Ptr followups = new Poco::JSON::Object;
        followups->set("by_state", counts(db, "followups", "state", range));
        Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
        out->set("complaints", complaints);
        out->set("appeals", appeals);
        out->set("followups", followups);
        out->set("satisfaction", satisfaction(db, range));
        return out;
    });
}

}  // namespace fieldserver
