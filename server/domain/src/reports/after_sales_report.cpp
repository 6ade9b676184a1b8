// The after-sales report: exchange, return and refund cases per kind, with refunds and default approvals.
#include "fieldserver/domain/reports/report_service.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/time.hpp"

namespace fieldserver {

namespace {

const std::vector<std::string>& after_sales_columns() {
    static const std::vector<std::string> columns = {
        "requests", "approved", "refused", "withdrawn", "approved_by_default", "refunds", "refunded_amount", "open"};
    return columns;
}

}  // namespace

Poco::JSON::Object::Ptr ReportService::after_sales(const std::string& from, const std::string& to) {
    auto rows = db_.read([&](Db& db) {
        return db.query(
            "SELECT s.kind AS kind, COUNT(*) AS requests, "
            "CAST(SUM(CASE WHEN s.decided_by IS NOT NULL AND s.state <> 'refused' THEN 1 ELSE 0 END) AS BIGINT) "
            "AS approved, "
            "CAST(SUM(CASE WHEN s.state = 'refused' THEN 1 ELSE 0 END) AS BIGINT) AS refused, "
            "CAST(SUM(CASE WHEN s.state = 'withdrawn' THEN 1 ELSE 0 END) AS BIGINT) AS withdrawn, "
            "CAST(SUM(CASE WHEN s.decided_by = 'system' THEN 1 ELSE 0 END) AS BIGINT) AS approved_by_default, "
            "COUNT(r.id) AS refunds, CAST(SUM(COALESCE(r.amount_cents, 0)) AS BIGINT) AS refunded_cents, "
            "CAST(SUM(CASE WHEN s.state NOT IN ('refused', 'withdrawn', 'closed') THEN 1 ELSE 0 END) AS BIGINT) AS "
            "open "
            "FROM after_sales_cases s LEFT JOIN refunds r ON r.case_id = s.id "
            "WHERE s.created_at >= ? AND s.created_at < ? GROUP BY s.kind",
            {from, to.empty() ? std::string("9999") : fieldsync::add_days(to, 1)});
    });
    Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
    Poco::JSON::Object::Ptr total = new Poco::JSON::Object;
    for (const auto& c : after_sales_columns())
        total->set(c, c == "refunded_amount" ? Poco::Dynamic::Var(0.0) : Poco::Dynamic::Var(std::int64_t{0}));
    for (const char* kind : {"exchange", "return_refund", "refund_only"}) {
        Poco::JSON::Object::Ptr row = new Poco::JSON::Object;
        row->set("group", kind);
        Poco::JSON::Object::Ptr found;
        for (const auto& v : *rows)
            if (text(v.extract<Poco::JSON::Object::Ptr>(), "kind") == kind)
                found = v.extract<Poco::JSON::Object::Ptr>();
        for (const auto& c : after_sales_columns()) {
            if (c == "refunded_amount") {
                double amount = found ? integer(found, "refunded_cents") / 100.0 : 0.0;
                row->set(c, amount);
                total->set(c, total->getValue<double>(c) + amount);
            } else {
                std::int64_t n = found ? integer(found, c) : 0;
                row->set(c, n);
                total->set(c, integer(total, c) + n);
            }
        }
        out->add(row);
    }
    Poco::JSON::Array::Ptr columns = new Poco::JSON::Array;
    columns->add("group");
    for (const auto& c : after_sales_columns()) columns->add(c);
    Poco::JSON::Object::Ptr result = new Poco::JSON::Object;
    result->set("report", "after-sales");
    result->set("from", from.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(from));
    result->set("to", to.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(to));
    result->set("group_by", "kind");
    result->set("columns", columns);
    result->set("rows", out);
    result->set("total", total);
    return result;
}

}  // namespace fieldserver
