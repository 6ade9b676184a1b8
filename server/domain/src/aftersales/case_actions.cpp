// One handler per after-sales action: what each move checks and records beyond the after-sales table.
#include "fieldserver/domain/aftersales/case_service.hpp"
#include "fieldserver/domain/common/field_values.hpp"
#include "fieldserver/util/json.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/money.hpp"
#include "fieldsync/uuid.hpp"

namespace fieldserver {

using fieldsync::Error;
using fieldsync::ErrorCode;
using fieldsync::Message;

namespace {

std::string kind(const CaseActionContext& c) { return text(c.row, "kind"); }

std::string who(const CaseActionContext& c) { return c.actor.id.empty() ? c.actor.role_name() : c.actor.id; }

// Goods travel only in an exchange or a return; a refund-only case has none.
void require_goods(const CaseActionContext& c, const std::string& action) {
    if (kind(c) == "refund_only")
        throw Error(ErrorCode::invalid_transition, Message{"case.no_goods", {{"action", action}}});
}

void approve(CaseActionContext& c) { c.set["decided_by"] = who(c); }

void refuse(CaseActionContext& c) {
    c.set["decided_by"] = who(c);
    c.set["refusal_reason"] = text(c.fields, "reason");
}

void nothing_more(CaseActionContext&) {}

void ship_back(CaseActionContext& c) {
    require_goods(c, "ship back");
    c.set["return_carrier"] = text(c.fields, "carrier");
    c.set["return_tracking_no"] = text(c.fields, "tracking_no");
}

void receive_goods(CaseActionContext& c) {
    require_goods(c, "receive");
    if (has_value(c.fields, "inspection")) c.set["inspection"] = text(c.fields, "inspection");
}

// The refund record: at most the amount approved, once per case (the unique key refuses a second one even when
// two requests race), by the original payment route (原路退回) unless another method is named.
void refund(CaseActionContext& c) {
    if (kind(c) == "exchange") throw Error(ErrorCode::invalid_transition, Message{"case.exchange_refund", {}});
    if (kind(c) == "return_refund" && text(c.row, "state") != "goods_received")
        throw Error(ErrorCode::invalid_transition, Message{"case.goods_first", {}});
    std::int64_t amount = fieldsync::to_cents(number(c.fields, "amount"));
    if (amount > integer(c.row, "amount_cents"))
        throw Error(
            ErrorCode::invalid_field,
            Message{"case.amount_over_asked", {{"asked", fieldsync::format_cents(integer(c.row, "amount_cents"))}}},
            "amount");
    if (c.db.scalar("SELECT COUNT(*) FROM refunds WHERE case_id = ?", {text(c.row, "id")}) > 0)
        throw Error(ErrorCode::conflict, Message{"case.refunded_already", {}}, "amount");
    std::string method = text(c.fields, "method");
    c.db.execute(
        "INSERT INTO refunds (id, case_id, job_id, amount_cents, currency, method, original_route, reference, "
        "refunded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {fieldsync::uuid_v7(), text(c.row, "id"), text(c.row, "job_id"), amount, text(c.row, "currency"), method,
         method == "original_route", optional_text(c.fields, "reference"), who(c), c.now});
}

void ship_replacement(CaseActionContext& c) {
    if (kind(c) != "exchange") throw Error(ErrorCode::invalid_transition, Message{"case.exchange_only", {}});
    c.set["replacement_serial_no"] = text(c.fields, "replacement_serial_no");
    c.set["replacement_carrier"] = text(c.fields, "carrier");
    c.set["replacement_tracking_no"] = text(c.fields, "tracking_no");
}

}  // namespace

const std::map<std::string, CaseActionHandler>& case_action_handlers() {
    static const std::map<std::string, CaseActionHandler> handlers = {
        {"approve", approve},
        {"refuse", refuse},
        {"withdraw", nothing_more},
        {"ship_back", ship_back},
        {"receive_goods", receive_goods},
        {"refund", refund},
        {"ship_replacement", ship_replacement},
        {"close", nothing_more},
    };
    return handlers;
}

}  // namespace fieldserver
