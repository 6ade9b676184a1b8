// Encoding and strict decoding of sync ops.
#include "fieldsync/op.hpp"

#include <algorithm>
#include <sstream>

#include "fieldsync/conflict.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/uuid.hpp"
#include "fieldsync/workflow.hpp"
#include "json_reader.hpp"

namespace fieldsync {
namespace {

std::string json_text(const Poco::JSON::Object::Ptr& object) {
    if (!object) return "null";
    std::ostringstream out;
    object->stringify(out);
    return out.str();
}

}  // namespace

std::string_view to_string(OpKind kind) noexcept {
    switch (kind) {
        case OpKind::insert:
            return "insert";
        case OpKind::update:
            return "update";
        case OpKind::delete_:
            return "delete";
        case OpKind::action:
            return "action";
    }
    return "update";
}

std::optional<OpKind> op_kind_named(std::string_view name) noexcept {
    for (OpKind kind : {OpKind::insert, OpKind::update, OpKind::delete_, OpKind::action})
        if (to_string(kind) == name) return kind;
    return std::nullopt;
}

bool is_lower_uuid(std::string_view text) {
    return is_uuid(std::string(text)) &&
           std::none_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'F'; });
}

bool operator==(const Op& a, const Op& b) {
    return a.op_id == b.op_id && a.table == b.table && a.row_id == b.row_id && a.kind == b.kind &&
           a.action == b.action && a.timestamp == b.timestamp && a.base_version == b.base_version &&
           json_text(a.fields) == json_text(b.fields);
}

Poco::JSON::Object::Ptr encode_op(const Op& op) {
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("op_id", op.op_id);
    out->set("table", op.table);
    out->set("row_id", op.row_id);
    out->set("kind", std::string(to_string(op.kind)));
    if (op.kind == OpKind::action) out->set("action", op.action);
    if (op.fields) out->set("fields", op.fields);
    out->set("hlc", format_hlc(op.timestamp));
    out->set("base_version", op.base_version);
    return out;
}

Op decode_op(const Poco::JSON::Object& json, const std::string& path) {
    detail::JsonReader in(json, path);
    Op op;
    op.op_id = in.string("op_id");
    if (!is_lower_uuid(op.op_id)) in.fail(ErrorCode::invalid_field, "op_id", "wire.uuid");
    op.table = in.string("table");
    if (!is_synced_table(op.table)) in.fail(ErrorCode::invalid_field, "table", "wire.not_synced");
    op.row_id = in.string("row_id");
    if (!is_lower_uuid(op.row_id)) in.fail(ErrorCode::invalid_field, "row_id", "wire.uuid");

    auto kind = op_kind_named(in.string("kind"));
    if (!kind)
        in.fail(ErrorCode::invalid_field, "kind", "field.one_of", {{"values", "insert, update, delete, action"}});
    op.kind = *kind;

    if (op.kind == OpKind::action) {
        op.action = in.string("action");
        if (!Workflow::builtin().has_action(op.action))
            in.fail(ErrorCode::invalid_field, "action", "wire.not_an_action", {{"value", op.action}});
        if (op.table != "jobs") in.fail(ErrorCode::invalid_field, "table", "wire.action_table");
    } else {
        in.absent("action", "wire.only_action");
    }

    switch (op.kind) {
        case OpKind::insert:
        case OpKind::update:
            op.fields = in.object("fields");
            if (op.fields->size() == 0) in.fail(ErrorCode::invalid_field, "fields", "wire.no_fields");
            break;
        case OpKind::action:
            if (in.has("fields")) op.fields = in.object("fields");
            break;
        case OpKind::delete_:
            in.absent("fields", "wire.not_on_delete");
            break;
    }

    auto hlc = try_parse_hlc(in.string("hlc"));
    if (!hlc) in.fail(ErrorCode::invalid_field, "hlc", "wire.hlc");
    op.timestamp = *hlc;
    op.base_version = in.integer("base_version", 0);
    in.finish();
    return op;
}

}  // namespace fieldsync
