// A plan's and a repair's item lists and an acceptance's signature, checked the same way on the server and on the
// device.
#include "fieldsync/action_checks.hpp"

#include <vector>

#include "fieldsync/error.hpp"
#include "fieldsync/money.hpp"
#include "fieldsync/workflow.hpp"

namespace fieldsync {

namespace {

double number(const Poco::JSON::Object& o, const std::string& key) {
    if (!o.has(key) || o.isNull(key)) return 0;
    return o.get(key).convert<double>();
}

std::string text(const Poco::JSON::Object& o, const std::string& key, const std::string& fallback) {
    if (!o.has(key) || o.isNull(key)) return fallback;
    return o.get(key).convert<std::string>();
}

// The message of a field inside an object at path: the field named by its whole path ("plan.items[0].quantity").
Message within(Message message, const std::string& path) {
    for (auto& [name, value] : message.args)
        if (name == "field") value = path + "." + value;
    return message;
}

// Validates each item against specs; returns the sum of quantity × unit_price in cents.
std::int64_t check_items(const Poco::JSON::Array::Ptr& items, const std::string& field,
                         const std::vector<FieldSpec>& required, const std::vector<FieldSpec>& optional) {
    std::int64_t total = 0;
    if (!items) return total;
    for (std::size_t i = 0; i < items->size(); ++i) {
        auto item = items->getObject(static_cast<unsigned>(i));
        std::string where = field + "[" + std::to_string(i) + "]";
        if (!item) throw Error(ErrorCode::invalid_field, Message{"field.type.object", {{"field", where}}}, field);
        try {
            validate_fields(required, optional, *item, "describe " + field);
        } catch (const Error& e) {
            throw Error(e.code(), within(e.message(), where), field);
        }
        if (number(*item, "quantity") <= 0)
            throw Error(ErrorCode::invalid_field,
                        Message{"plan.quantity", {{"item", where}, {"number", std::to_string(i + 1)}}}, field);
        total += to_cents(number(*item, "quantity") * number(*item, "unit_price"));
    }
    return total;
}

}  // namespace

CheckedPlan check_plan(const Poco::JSON::Object::Ptr& plan) {
    static const std::vector<FieldSpec> required = {
        {.name = "mode", .type = FieldType::string, .allowed = {"on_site", "depot"}},
        {.name = "items", .type = FieldType::array},
        {.name = "cost_to_customer", .type = FieldType::number, .min = 0, .max = 10'000'000},
    };
    static const std::vector<FieldSpec> optional = {{.name = "currency", .type = FieldType::string, .max_length = 3}};
    static const std::vector<FieldSpec> item_required = {
        {.name = "kind", .type = FieldType::string, .allowed = {"part", "labour"}},
        {.name = "description", .type = FieldType::string, .max_length = 500},
        {.name = "quantity", .type = FieldType::number, .max = 100000},
        {.name = "unit_price", .type = FieldType::number, .min = 0, .max = 10'000'000},
    };
    static const std::vector<FieldSpec> item_optional = {
        {.name = "part_no", .type = FieldType::string, .max_length = 100}};
    if (!plan) throw Error(ErrorCode::invalid_field, Message{"field.type.object", {{"field", "plan"}}}, "plan");
    try {
        validate_fields(required, optional, *plan, "propose a plan");
    } catch (const Error& e) {
        throw Error(e.code(), within(e.message(), "plan"), "plan." + e.field());
    }
    CheckedPlan in;
    in.mode = text(*plan, "mode", "");
    in.currency = text(*plan, "currency", "CNY");
    in.items = plan->getArray("items");
    if (in.items->size() == 0)
        throw Error(ErrorCode::invalid_field, Message{"field.empty", {{"field", "plan.items"}}}, "plan.items");
    in.total_cents = check_items(in.items, "plan.items", item_required, item_optional);
    in.cost_to_customer_cents = to_cents(number(*plan, "cost_to_customer"));
    if (in.cost_to_customer_cents > in.total_cents)
        throw Error(
            ErrorCode::invalid_field,
            Message{"plan.cost_over_total",
                    {{"cost", format_cents(in.cost_to_customer_cents)}, {"total", format_cents(in.total_cents)}}},
            "plan.cost_to_customer");
    return in;
}

std::int64_t check_parts_used(const Poco::JSON::Array::Ptr& parts) {
    static const std::vector<FieldSpec> part_required = {
        {.name = "description", .type = FieldType::string, .max_length = 500},
        {.name = "quantity", .type = FieldType::number, .max = 100000},
    };
    static const std::vector<FieldSpec> part_optional = {
        {.name = "part_no", .type = FieldType::string, .max_length = 100},
        {.name = "unit_price", .type = FieldType::number, .min = 0, .max = 10'000'000},
    };
    return check_items(parts, "parts_used", part_required, part_optional);
}

void check_signature(const Poco::JSON::Object& fields) {
    auto strokes = fields.getArray("signature_strokes");
    if (!strokes || strokes->size() == 0)
        throw Error(ErrorCode::invalid_field, Message{"field.empty", {{"field", "signature_strokes"}}},
                    "signature_strokes");
    for (std::size_t i = 0; i < strokes->size(); ++i) {
        if (strokes->isArray(static_cast<unsigned>(i))) continue;
        auto typed = strokes->getObject(static_cast<unsigned>(i));
        if (!typed || typed->size() != 1 || !typed->has("typed"))
            throw Error(ErrorCode::invalid_field,
                        Message{"signature.stroke", {{"index", std::to_string(i)}, {"number", std::to_string(i + 1)}}},
                        "signature_strokes");
        if (strokes->size() != 1 || text(*typed, "typed", "") != text(fields, "signer_name", "") ||
            text(fields, "signer_name", "").empty())
            throw Error(ErrorCode::invalid_field, Message{"signature.typed", {}}, "signature_strokes");
    }
}

void check_action_details(std::string_view action, const Poco::JSON::Object& fields) {
    if (action == "submit_assessment") check_plan(fields.getObject("plan"));
    if (action == "complete_repair" && fields.has("parts_used") && !fields.isNull("parts_used"))
        check_parts_used(fields.getArray("parts_used"));
    if (action == "record_acceptance") check_signature(fields);
}

}  // namespace fieldsync
