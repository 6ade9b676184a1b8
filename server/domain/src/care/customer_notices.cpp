// Customer notices for assignment, hold and cancellation, written to the outbox with the change that causes them.
#include "fieldserver/domain/care/customer_notices.hpp"

#include "fieldserver/domain/notifications/notification_outbox.hpp"
#include "fieldserver/util/json.hpp"

namespace fieldserver {

void notify_customer_of_step(Db& db, const JobChange& c) {
    auto fields = c.after ? c.after->getObject("fields") : nullptr;
    std::string reason = text(fields, "reason");
    if (c.action == "assign" || c.action == "reassign") {
        auto tech =
            db.query_one("SELECT u.name FROM jobs j JOIN users u ON u.id = j.assignee_id WHERE j.id = ?", {c.job_id});
        enqueue_customer_notice(db, c.job_id, "job_assigned", "已为您安排工程师 / A technician is assigned",
                                "工程师 " + text(tech, "name") + " 将负责您的维修，并会尽快与您联系。\n" +
                                    "A technician will handle your repair and contact you soon.");
    } else if (c.action == "hold") {
        enqueue_customer_notice(db, c.job_id, "job_on_hold", "维修暂停 / Your repair is on hold",
                                "原因：" + reason + "\nReason: " + reason);
    } else if (c.action == "cancel" || c.action == "decline_plan") {
        enqueue_customer_notice(db, c.job_id, "job_cancelled", "工单已取消 / Your ticket is cancelled",
                                reason.empty() ? std::string("工单已取消。\nThe ticket is cancelled.")
                                               : "原因：" + reason + "\nReason: " + reason);
    }
}

}  // namespace fieldserver
