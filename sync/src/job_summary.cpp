// The signed job summary's text and hash: the one format the server and the device share.
#include "fieldsync/job_summary.hpp"

#include <Poco/JSON/Array.h>

#include <sstream>

#include "fieldsync/digest.hpp"
#include "fieldsync/money.hpp"

namespace fieldsync {
namespace {

using Poco::JSON::Object;

// Absent, null and a missing object all read as empty (or 0): the summary shows what there is.
std::string text(const Object::Ptr& o, const std::string& key) { return o ? o->optValue<std::string>(key, {}) : ""; }
std::int64_t integer(const Object::Ptr& o, const std::string& key) { return o ? o->optValue<std::int64_t>(key, 0) : 0; }
double number(const Object::Ptr& o, const std::string& key) { return o ? o->optValue<double>(key, 0) : 0; }

}  // namespace

std::int64_t summary_plan_version(const Object& job) {
    std::int64_t latest = job.optValue<std::int64_t>("plan_version", 0);
    return job.optValue<std::int64_t>("approved_plan_version", latest);
}

std::string job_summary_text(const JobSummaryInput& in) {
    std::ostringstream s;
    s << "工单 Ticket: " << in.ticket_no << "\n";
    s << "客户 Customer: " << in.customer_name << "\n";
    s << "产品 Product: " << in.asset_model << " / " << in.asset_serial_no << "\n";
    s << "故障 Fault: " << in.description << "\n";
    if (in.plan) {
        s << "检测 Findings: " << text(in.plan, "findings") << "\n";
        s << "方案 Plan v" << in.plan_version << " (" << text(in.plan, "mode") << "):\n";
        if (auto items = in.plan->getArray("items"))
            for (const auto& v : *items) {
                auto item = v.extract<Object::Ptr>();
                s << "  - " << text(item, "description") << " × " << text(item, "quantity") << " @ "
                  << format_cents(to_cents(number(item, "unit_price"))) << "\n";
            }
        s << "客户费用 Cost to customer: " << format_cents(integer(in.plan, "cost_to_customer_cents")) << " "
          << text(in.plan, "currency") << "\n";
    }
    if (in.repair) {
        s << "维修 Work: " << text(in.repair, "work_summary") << "\n";
        s << "用时 Time spent: " << integer(in.repair, "time_spent_minutes") << " min\n";
        if (auto parts = in.repair->getArray("parts_used"))
            for (const auto& v : *parts) {
                auto part = v.extract<Object::Ptr>();
                s << "  - " << text(part, "description") << " × " << text(part, "quantity") << "\n";
            }
    }
    return s.str();
}

std::string job_summary_sha256(const JobSummaryInput& input) { return sha256_hex(job_summary_text(input)); }

}  // namespace fieldsync
