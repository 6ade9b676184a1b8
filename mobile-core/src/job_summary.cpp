// The signed job summary, rebuilt from synced rows in the server's exact format.
#include "fieldmobile/job_summary.hpp"

#include <Poco/JSON/Array.h>

#include <cmath>
#include <iomanip>
#include <sstream>

#include "fieldsync/error.hpp"

namespace fieldmobile {
namespace {

using Poco::JSON::Object;

std::string text(const Object::Ptr& o, const std::string& key) {
    if (!o || !o->has(key) || o->isNull(key)) return {};
    return o->get(key).convert<std::string>();
}

std::int64_t integer(const Object::Ptr& o, const std::string& key, std::int64_t fallback = 0) {
    if (!o || !o->has(key) || o->isNull(key)) return fallback;
    return o->get(key).convert<std::int64_t>();
}

double number(const Object::Ptr& o, const std::string& key) {
    if (!o || !o->has(key) || o->isNull(key)) return 0;
    return o->get(key).convert<double>();
}

std::int64_t cents(double amount) { return static_cast<std::int64_t>(std::llround(amount * 100)); }

std::string money(std::int64_t cents_value) {
    std::ostringstream out;
    out << cents_value / 100 << "." << std::setw(2) << std::setfill('0') << std::llabs(cents_value % 100);
    return out.str();
}

}  // namespace

std::string job_summary_text(const Replica& replica, const std::string& job_id) {
    auto job = replica.row("jobs", job_id);
    if (!job) throw fieldsync::Error(fieldsync::ErrorCode::not_found, "no job " + job_id + " on this device");
    auto customer = replica.row("customers", text(job, "customer_id"));
    auto asset = replica.row("assets", text(job, "asset_id"));
    std::ostringstream s;
    s << "工单 Ticket: " << text(job, "ticket_no") << "\n";
    s << "客户 Customer: " << text(customer, "name") << "\n";
    s << "产品 Product: " << text(asset, "model") << " / " << text(asset, "serial_no") << "\n";
    s << "故障 Fault: " << text(job, "description") << "\n";
    std::int64_t version = integer(job, "approved_plan_version", integer(job, "plan_version"));
    Object::Ptr plan;
    for (const auto& p : replica.rows_of_job("plans", job_id))
        if (integer(p, "plan_version") == version) plan = p;
    if (plan) {
        s << "检测 Findings: " << text(plan, "findings") << "\n";
        s << "方案 Plan v" << integer(plan, "plan_version") << " (" << text(plan, "mode") << "):\n";
        if (auto items = plan->getArray("items"))
            for (const auto& v : *items) {
                auto item = v.extract<Object::Ptr>();
                s << "  - " << text(item, "description") << " × " << text(item, "quantity") << " @ "
                  << money(cents(number(item, "unit_price"))) << "\n";
            }
        s << "客户费用 Cost to customer: " << money(integer(plan, "cost_to_customer_cents")) << " "
          << text(plan, "currency") << "\n";
    }
    if (auto repair = job->getObject("repair")) {
        s << "维修 Work: " << text(repair, "work_summary") << "\n";
        s << "用时 Time spent: " << integer(repair, "time_spent_minutes") << " min\n";
        if (auto parts = repair->getArray("parts_used"))
            for (const auto& v : *parts) {
                auto part = v.extract<Object::Ptr>();
                s << "  - " << text(part, "description") << " × " << text(part, "quantity") << "\n";
            }
    }
    return s.str();
}

std::string job_summary_sha256(const Replica& replica, const std::string& job_id) {
    return sha256_hex(job_summary_text(replica, job_id));
}

}  // namespace fieldmobile
