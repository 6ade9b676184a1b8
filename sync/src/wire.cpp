// Encoding and strict decoding of the protocol-1 sync messages.
#include "fieldsync/wire.hpp"

#include <Poco/JSONString.h>

#include <charconv>
#include <functional>
#include <set>
#include <sstream>

#include "fieldsync/bucket.hpp"
#include "fieldsync/checksum.hpp"
#include "fieldsync/conflict.hpp"
#include "fieldsync/json_scan.hpp"
#include "json_reader.hpp"

namespace fieldsync {
namespace {

using detail::JsonReader;

std::string item_path(const std::string& array, std::size_t index) { return array + "[" + std::to_string(index) + "]"; }

void check_protocol(JsonReader& in) {
    const std::pair<std::string, std::string> speaks{"version", std::to_string(kProtocolVersion)};
    if (!in.has("protocol")) in.fail(ErrorCode::missing_field, "protocol", "wire.protocol_required", {speaks});
    std::int64_t version;
    try {
        version = in.integer("protocol");
    } catch (const Error&) {
        in.fail(ErrorCode::invalid_field, "protocol", "wire.protocol_integer", {speaks});
    }
    if (version != kProtocolVersion)
        in.fail(ErrorCode::invalid_field, "protocol", "wire.protocol_unsupported",
                {{"given", std::to_string(version)}, speaks});
}

// The array under key, each element an object, at most limit of them.
std::vector<Poco::JSON::Object::Ptr> objects(JsonReader& in, const std::string& key, std::size_t limit) {
    auto array = in.array(key);
    if (array->size() > limit)
        in.fail(ErrorCode::payload_too_large, key, "wire.too_many",
                {{"count", std::to_string(array->size())}, {"max", std::to_string(limit)}});
    std::vector<Poco::JSON::Object::Ptr> out;
    for (std::size_t i = 0; i < array->size(); ++i) {
        auto o = detail::as_object(array->get(static_cast<unsigned>(i)));
        if (!o)
            throw Error(ErrorCode::invalid_field, Message{"field.type.object", {{"field", item_path(key, i)}}},
                        item_path(key, i));
        out.push_back(std::move(o));
    }
    return out;
}

// Rejects an op id seen earlier in the same message: one op, one result.
void check_unique_op_id(std::set<std::string>& seen, const std::string& op_id, const std::string& item) {
    if (!seen.insert(op_id).second)
        throw Error(ErrorCode::invalid_field, Message{"wire.op_repeated", {{"field", item + ".op_id"}}},
                    item + ".op_id");
}

Poco::JSON::Object::Ptr encode_result(const OpResult& r) {
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("op_id", r.op_id);
    out->set("status", std::string(to_string(r.status)));
    if (r.status == OpStatus::applied) out->set("version", r.version);
    if (!r.superseded.empty()) {
        Poco::JSON::Array::Ptr fields = new Poco::JSON::Array;
        for (const auto& f : r.superseded) fields->add(f);
        out->set("superseded", fields);
    }
    if (r.error) {
        Poco::JSON::Object::Ptr error = new Poco::JSON::Object;
        error->set("code", std::string(to_string(r.error->code)));
        error->set("message", r.error->message);
        if (!r.error->field.empty()) error->set("field", r.error->field);
        out->set("error", error);
    }
    return out;
}

OpResult decode_result(const Poco::JSON::Object& json, const std::string& path) {
    JsonReader in(json, path);
    OpResult r;
    r.op_id = in.string("op_id");
    if (!is_lower_uuid(r.op_id)) in.fail(ErrorCode::invalid_field, "op_id", "wire.uuid");
    auto status = in.string("status");
    if (status == "applied") {
        r.status = OpStatus::applied;
        r.version = in.integer("version", 1);
        in.absent("error", "wire.only_rejected");
        if (in.has("superseded"))
            for (auto fields = in.array("superseded"); const auto& f : *fields) {
                if (!f.isString() || f.extract<std::string>().empty())
                    in.fail(ErrorCode::invalid_field, "superseded", "wire.field_names");
                r.superseded.push_back(f.extract<std::string>());
            }
    } else if (status == "rejected") {
        r.status = OpStatus::rejected;
        in.absent("version", "wire.only_applied");
        in.absent("superseded", "wire.only_applied");
        auto error_json = in.object("error");
        JsonReader error(*error_json, in.path("error"));
        auto code = error_code_named(error.string("code"));
        if (!code) error.fail(ErrorCode::invalid_field, "code", "wire.error_code");
        r.error = WireError{*code, error.string("message"), error.has("field") ? error.string("field") : ""};
        error.finish();
    } else {
        in.fail(ErrorCode::invalid_field, "status", "field.one_of", {{"values", "applied, rejected"}});
    }
    in.finish();
    return r;
}

Poco::JSON::Object::Ptr encode_change(const Change& c) {
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("seq", c.seq);
    out->set("bucket", c.bucket);
    out->set("table", c.table);
    out->set("row_id", c.row_id);
    out->set("version", c.version);
    out->set("op", std::string(to_string(c.op)));
    if (c.op == ChangeOp::put) out->set("row", c.row || c.row_text.empty() ? c.row : parse_json_object(c.row_text));
    return out;
}

Change decode_change(const Poco::JSON::Object& json, const std::string& path) {
    JsonReader in(json, path);
    Change c;
    c.seq = in.integer("seq", 1);
    c.bucket = in.string("bucket");
    if (!is_bucket_name(c.bucket)) in.fail(ErrorCode::invalid_field, "bucket", "wire.bucket");
    c.table = in.string("table");
    if (!is_synced_table(c.table)) in.fail(ErrorCode::invalid_field, "table", "wire.not_synced");
    if (!bucket_carries(c.bucket, c.table))
        in.fail(ErrorCode::invalid_field, "table", "wire.wrong_bucket", {{"table", c.table}, {"bucket", c.bucket}});
    // Server-made rows need not have device-style UUIDs, only an id that is safe to store and compare.
    c.row_id = in.string("row_id");
    if (c.row_id.size() > 128) in.fail(ErrorCode::invalid_field, "row_id", "field.max_length", {{"max", "128"}});
    c.version = in.integer("version", 1);
    auto op = in.string("op");
    if (op == "put") {
        c.op = ChangeOp::put;
        c.row = in.object("row");
    } else if (op == "remove") {
        c.op = ChangeOp::remove;
        in.absent("row", "wire.only_put");
    } else {
        in.fail(ErrorCode::invalid_field, "op", "field.one_of", {{"values", "put, remove"}});
    }
    in.finish();
    return c;
}

// The row of a change as JSON text, normalised through the parser when it came as text, so both forms compare.
std::string row_json_text(const Change& c) {
    if (c.row) return to_json_text(c.row);
    return c.row_text.empty() ? "null" : to_json_text(parse_json_object(c.row_text));
}

void append_json_string(std::string& out, const std::string& value) { out += Poco::toJSON(value, true); }

void append_change(std::string& out, const Change& c) {
    out += "{\"seq\":";
    out += std::to_string(c.seq);
    out += ",\"bucket\":";
    append_json_string(out, c.bucket);
    out += ",\"table\":";
    append_json_string(out, c.table);
    out += ",\"row_id\":";
    append_json_string(out, c.row_id);
    out += ",\"version\":";
    out += std::to_string(c.version);
    out += ",\"op\":\"";
    out += to_string(c.op);
    out += '"';
    if (c.op == ChangeOp::put) {
        out += ",\"row\":";
        out += c.row ? to_json_text(c.row) : c.row_text.empty() ? std::string("null") : c.row_text;
    }
    out += '}';
}

// Decodes change i of a pull response from its object at path; decode_change unless the text decoder knows better.
using ChangeDecoder = std::function<Change(std::size_t, const Poco::JSON::Object&, const std::string&)>;

PullResponse decode_pull(const Poco::JSON::Object& json, const WireLimits& limits, const ChangeDecoder& decode_one);

// A change object at the scanner that decode_change would accept, read without building objects: exactly the
// members of a put or a remove, once each, of the right JSON types and valid values, the row kept as its text.
// Anything else rewinds the scanner and gives nullopt, leaving decode_change to say what is wrong.
std::optional<Change> plain_change(JsonScanner& scan) {
    constexpr unsigned kSeq = 1, kBucket = 2, kTable = 4, kRowId = 8, kVersion = 16, kOp = 32, kRow = 64;
    std::size_t start = scan.position();
    Change c;
    std::string op;
    unsigned seen = 0;
    auto integer = [&](std::int64_t& out) {
        char first = scan.peek();
        if (first != '-' && (first < '0' || first > '9')) return false;
        auto number = scan.skip_value();
        auto r = std::from_chars(number.data(), number.data() + number.size(), out);
        return r.ec == std::errc() && r.ptr == number.data() + number.size();
    };
    auto text = [&](std::string& out) {
        if (scan.peek() != '"') return false;
        out = scan.string();
        return !out.empty();
    };
    scan.expect('{');
    bool plain = true;
    for (bool more = scan.first_member(); more; more = scan.next_member()) {
        std::string key = scan.key();
        unsigned bit = key == "seq"       ? kSeq
                       : key == "bucket"  ? kBucket
                       : key == "table"   ? kTable
                       : key == "row_id"  ? kRowId
                       : key == "version" ? kVersion
                       : key == "op"      ? kOp
                       : key == "row"     ? kRow
                                          : 0u;
        bool ok = bit != 0 && !(seen & bit);
        seen |= bit;
        if (ok) {
            switch (bit) {
                case kSeq:
                    ok = integer(c.seq);
                    break;
                case kBucket:
                    ok = text(c.bucket);
                    break;
                case kTable:
                    ok = text(c.table);
                    break;
                case kRowId:
                    ok = text(c.row_id);
                    break;
                case kVersion:
                    ok = integer(c.version);
                    break;
                case kOp:
                    ok = text(op);
                    break;
                default:
                    ok = scan.peek() == '{';
                    if (ok) c.row_text.assign(scan.skip_value());
            }
        }
        if (!ok) {
            plain = false;
            break;
        }
    }
    constexpr unsigned kRemove = kSeq | kBucket | kTable | kRowId | kVersion | kOp;
    c.op = op == "put" ? ChangeOp::put : ChangeOp::remove;
    plain = plain && ((op == "put" && seen == (kRemove | kRow)) || (op == "remove" && seen == kRemove)) && c.seq >= 1 &&
            c.version >= 1 && c.row_id.size() <= 128 && is_bucket_name(c.bucket) && is_synced_table(c.table) &&
            bucket_carries(c.bucket, c.table);
    if (plain) return c;
    scan.rewind(start);
    return std::nullopt;
}

}  // namespace

std::string_view to_string(OpStatus status) noexcept { return status == OpStatus::applied ? "applied" : "rejected"; }

std::string_view to_string(ChangeOp op) noexcept { return op == ChangeOp::put ? "put" : "remove"; }

std::optional<ErrorCode> error_code_named(std::string_view name) noexcept {
#define FIELDSYNC_MATCH(code) \
    if (name == #code) return ErrorCode::code;
    FIELDSYNC_ERROR_CODES(FIELDSYNC_MATCH)
#undef FIELDSYNC_MATCH
    return std::nullopt;
}

bool operator==(const Change& a, const Change& b) {
    return a.seq == b.seq && a.bucket == b.bucket && a.table == b.table && a.row_id == b.row_id &&
           a.version == b.version && a.op == b.op && row_json_text(a) == row_json_text(b);
}

Poco::JSON::Object::Ptr encode(const PushRequest& request) {
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("protocol", kProtocolVersion);
    out->set("device_id", request.device_id);
    Poco::JSON::Array::Ptr ops = new Poco::JSON::Array;
    for (const auto& op : request.ops) ops->add(encode_op(op));
    out->set("ops", ops);
    return out;
}

Poco::JSON::Object::Ptr encode(const PushResponse& response) {
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("protocol", kProtocolVersion);
    Poco::JSON::Array::Ptr results = new Poco::JSON::Array;
    for (const auto& r : response.results) results->add(encode_result(r));
    out->set("results", results);
    out->set("write_checkpoint", response.write_checkpoint);
    return out;
}

Poco::JSON::Object::Ptr encode(const PullResponse& response) {
    Poco::JSON::Object::Ptr out = new Poco::JSON::Object;
    out->set("protocol", kProtocolVersion);
    Poco::JSON::Array::Ptr changes = new Poco::JSON::Array;
    for (const auto& c : response.changes) changes->add(encode_change(c));
    out->set("changes", changes);
    out->set("cursor", response.cursor);
    out->set("has_more", response.has_more);
    if (response.checkpoint) {
        Poco::JSON::Object::Ptr checkpoint = new Poco::JSON::Object;
        checkpoint->set("seq", response.checkpoint->seq);
        Poco::JSON::Object::Ptr buckets = new Poco::JSON::Object;
        for (const auto& [name, sum] : response.checkpoint->buckets) buckets->set(name, format_checksum(sum));
        checkpoint->set("buckets", buckets);
        out->set("checkpoint", checkpoint);
    }
    out->set("write_checkpoint", response.write_checkpoint);
    out->set("reset_required", response.reset_required);
    return out;
}

std::string encode_text(const PullResponse& response) {
    std::string out;
    std::size_t size = 256;
    for (const auto& c : response.changes) size += 160 + c.row_text.size();
    out.reserve(size);
    out += "{\"protocol\":";
    out += std::to_string(kProtocolVersion);
    out += ",\"changes\":[";
    for (std::size_t i = 0; i < response.changes.size(); ++i) {
        if (i > 0) out += ',';
        append_change(out, response.changes[i]);
    }
    out += "],\"cursor\":";
    out += std::to_string(response.cursor);
    out += ",\"has_more\":";
    out += response.has_more ? "true" : "false";
    if (response.checkpoint) {
        out += ",\"checkpoint\":{\"seq\":";
        out += std::to_string(response.checkpoint->seq);
        out += ",\"buckets\":{";
        bool first = true;
        for (const auto& [name, sum] : response.checkpoint->buckets) {
            if (!first) out += ',';
            first = false;
            append_json_string(out, name);
            out += ':';
            append_json_string(out, format_checksum(sum));
        }
        out += "}}";
    }
    out += ",\"write_checkpoint\":";
    out += std::to_string(response.write_checkpoint);
    out += ",\"reset_required\":";
    out += response.reset_required ? "true" : "false";
    out += '}';
    return out;
}

PushRequest decode_push_request(const Poco::JSON::Object& json, const WireLimits& limits) {
    JsonReader in(json, {});
    check_protocol(in);
    PushRequest request;
    request.device_id = in.string("device_id");
    if (!is_node_id(request.device_id)) in.fail(ErrorCode::invalid_field, "device_id", "wire.node_id");
    auto ops = objects(in, "ops", limits.max_ops_per_push);
    std::set<std::string> seen;
    for (std::size_t i = 0; i < ops.size(); ++i) {
        request.ops.push_back(decode_op(*ops[i], item_path("ops", i)));
        check_unique_op_id(seen, request.ops.back().op_id, item_path("ops", i));
    }
    in.finish();
    return request;
}

PushResponse decode_push_response(const Poco::JSON::Object& json, const WireLimits& limits) {
    JsonReader in(json, {});
    check_protocol(in);
    PushResponse response;
    auto results = objects(in, "results", limits.max_ops_per_push);
    std::set<std::string> seen;
    for (std::size_t i = 0; i < results.size(); ++i) {
        response.results.push_back(decode_result(*results[i], item_path("results", i)));
        check_unique_op_id(seen, response.results.back().op_id, item_path("results", i));
    }
    response.write_checkpoint = in.integer("write_checkpoint", 0);
    in.finish();
    return response;
}

PullResponse decode_pull_response(const Poco::JSON::Object& json, const WireLimits& limits) {
    return decode_pull(json, limits, nullptr);
}

PullResponse decode_pull_response_text(std::string_view body, const WireLimits& limits) {
    // The envelope becomes a small Poco object so the one strict decoder above checks it. A change that is plainly
    // valid is read straight into a Change (its row only validated and kept as text); any other goes through
    // decode_change as an object, so its error is the same as from decode_pull_response. Shared empty objects stand
    // in for the rows and the changes decoded here.
    static const Poco::JSON::Object::Ptr kRowStandIn = new Poco::JSON::Object;
    static const Poco::JSON::Object::Ptr kChangeStandIn = new Poco::JSON::Object;
    struct Element {
        std::optional<Change> decoded;
        std::string_view row;
    };
    JsonScanner scan(body);
    if (scan.peek() != '{') throw Error(ErrorCode::malformed_json, Message{"wire.not_object", {}});
    scan.expect('{');
    Poco::JSON::Object envelope;
    std::vector<Element> elements;
    for (bool more = scan.first_member(); more; more = scan.next_member()) {
        std::string key = scan.key();
        if (key != "changes" || scan.peek() != '[') {
            envelope.set(key, scan.value());
            continue;
        }
        scan.expect('[');
        Poco::JSON::Array::Ptr changes = new Poco::JSON::Array;
        elements.clear();
        for (bool element = scan.first_element(); element; element = scan.next_element()) {
            if (scan.peek() != '{') {
                changes->add(scan.value());
                elements.emplace_back();
                continue;
            }
            if (auto change = plain_change(scan)) {
                changes->add(kChangeStandIn);
                elements.push_back({std::move(change), {}});
                continue;
            }
            scan.expect('{');
            Poco::JSON::Object::Ptr change = new Poco::JSON::Object;
            std::string_view row;
            for (bool field = scan.first_member(); field; field = scan.next_member()) {
                std::string name = scan.key();
                if (name == "row" && scan.peek() == '{') {
                    row = scan.skip_value();
                    change->set(name, kRowStandIn);
                } else {
                    if (name == "row") row = {};
                    change->set(name, scan.value());
                }
            }
            changes->add(change);
            elements.push_back({std::nullopt, row});
        }
        envelope.set(key, changes);
    }
    if (!scan.at_end()) scan.fail("text after the object");
    return decode_pull(envelope, limits, [&](std::size_t i, const Poco::JSON::Object& json, const std::string& path) {
        if (elements[i].decoded) return std::move(*elements[i].decoded);
        Change c = decode_change(json, path);
        if (c.row.get() == kRowStandIn.get()) {
            c.row = nullptr;
            c.row_text.assign(elements[i].row);
        }
        return c;
    });
}

namespace {

PullResponse decode_pull(const Poco::JSON::Object& json, const WireLimits& limits, const ChangeDecoder& decode_one) {
    JsonReader in(json, {});
    check_protocol(in);
    PullResponse response;
    auto changes = objects(in, "changes", limits.max_changes_per_pull);
    for (std::size_t i = 0; i < changes.size(); ++i) {
        auto path = item_path("changes", i);
        response.changes.push_back(decode_one ? decode_one(i, *changes[i], path) : decode_change(*changes[i], path));
        if (i > 0 && response.changes[i].seq <= response.changes[i - 1].seq)
            throw Error(ErrorCode::invalid_field,
                        Message{"wire.seq_order", {{"field", item_path("changes", i) + ".seq"}}},
                        item_path("changes", i) + ".seq");
    }
    response.cursor = in.integer("cursor", 0);
    if (!response.changes.empty() && response.cursor < response.changes.back().seq)
        in.fail(ErrorCode::invalid_field, "cursor", "wire.cursor_behind");
    response.has_more = in.boolean("has_more");
    response.reset_required = in.boolean("reset_required");
    response.write_checkpoint = in.integer("write_checkpoint", 0);

    bool last_page = !response.has_more && !response.reset_required;
    if (response.reset_required) {
        if (!response.changes.empty()) in.fail(ErrorCode::invalid_field, "changes", "wire.reset_changes");
        if (response.has_more) in.fail(ErrorCode::invalid_field, "has_more", "wire.reset_more");
    }
    if (!last_page) {
        in.absent("checkpoint", "wire.only_last_page");
    } else {
        auto cp_json = in.object("checkpoint");
        JsonReader cp(*cp_json, "checkpoint");
        Checkpoint checkpoint;
        checkpoint.seq = cp.integer("seq", 0);
        auto buckets_json = cp.object("buckets");
        JsonReader buckets(*buckets_json, cp.path("buckets"));
        for (const auto& [name, value] : *buckets_json) {
            if (!is_bucket_name(name)) buckets.fail(ErrorCode::invalid_field, name, "wire.bucket_name");
            auto text = buckets.string(name);
            try {
                checkpoint.buckets[name] = parse_checksum(text);
            } catch (const Error&) {
                buckets.fail(ErrorCode::invalid_field, name, "wire.checksum");
            }
        }
        cp.finish();
        response.checkpoint = std::move(checkpoint);
    }
    in.finish();
    return response;
}

}  // namespace

Poco::JSON::Object::Ptr parse_json_object(const std::string& text) {
    // The strict scanner, not Poco's parser: Poco 1.11 wraps integers past 64 bits (2^64 reads as 0, 2^64 + 1 as 1).
    JsonScanner scan(text);
    if (scan.peek() != '{') throw Error(ErrorCode::malformed_json, Message{"wire.not_object", {}});
    auto object = scan.value().extract<Poco::JSON::Object::Ptr>();
    if (!scan.at_end()) scan.fail("text after the object");
    return object;
}

std::string to_json_text(const Poco::JSON::Object::Ptr& object) {
    std::ostringstream out;
    object->stringify(out);
    return out.str();
}

}  // namespace fieldsync
