// The sync client: wire messages from fieldsync, HTTP through the Transport, state in the Replica.
#include "fieldmobile/sync_client.hpp"

#include <Poco/File.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <iterator>
#include <set>

#include "fieldsync/error.hpp"

namespace fieldmobile {
namespace {

using fieldsync::Error;
using fieldsync::ErrorCode;
using Poco::JSON::Object;

// The server's error body as an Error; a reply without one still says what happened.
[[noreturn]] void throw_reply(const HttpResponse& response) {
    try {
        auto body = fieldsync::parse_json_object(response.body);
        if (auto error = body->getObject("error")) {
            auto code =
                fieldsync::error_code_named(error->optValue<std::string>("code", "")).value_or(ErrorCode::internal);
            std::string field =
                error->has("field") && !error->isNull("field") ? error->getValue<std::string>("field") : "";
            throw Error(code, error->optValue<std::string>("message", "HTTP " + std::to_string(response.status)),
                        field);
        }
    } catch (const Error& e) {
        if (e.code() != ErrorCode::malformed_json) throw;
    }
    throw Error(response.status >= 500 || response.status == 429 ? ErrorCode::unavailable : ErrorCode::internal,
                "the server answered HTTP " + std::to_string(response.status));
}

std::string read_range(const std::string& path, std::int64_t offset, std::size_t size) {
    std::ifstream in(path, std::ios::binary);
    in.seekg(offset);
    std::string out(size, '\0');
    in.read(out.data(), static_cast<std::streamsize>(size));
    if (!in) throw Error(ErrorCode::internal, "cannot read " + path);
    return out;
}

}  // namespace

SyncClient::SyncClient(Replica& replica, Transport& transport, SyncOptions options)
    : replica_(replica), transport_(transport), options_(options) {}

HttpResponse SyncClient::call(const HttpRequest& request) { return transport_.send(request); }

Object::Ptr SyncClient::call_json(HttpRequest request) {
    if (request.content_type.empty() && !request.body.empty()) request.content_type = "application/json";
    HttpResponse response = call(request);
    if (response.status < 200 || response.status >= 300) throw_reply(response);
    if (response.body.empty()) return new Object;
    return fieldsync::parse_json_object(response.body);
}

std::string SyncClient::device_token() const {
    auto token = replica_.state("device_token");
    if (!token) throw Error(ErrorCode::unauthenticated, "this device is not registered with a server: log in first");
    return *token;
}

Object::Ptr SyncClient::login(const std::string& username, const std::string& password, const std::string& platform) {
    Object::Ptr credentials = new Object;
    credentials->set("username", username);
    credentials->set("password", password);
    auto session = call_json({"POST", "/api/v1/auth/login", fieldsync::to_json_text(credentials), "", ""});
    std::string token = session->optValue<std::string>("token", "");
    if (token.empty()) throw Error(ErrorCode::internal, "the login reply carries no token");
    auto user = session->getObject("user");
    replica_.set_state("user_token", token);
    replica_.set_state("username", username);
    if (user) {
        replica_.set_state("user_id", user->optValue<std::string>("id", ""));
        replica_.set_state("role", user->optValue<std::string>("role", "technician"));
        replica_.set_state("display_name", user->optValue<std::string>("name", username));
    }
    Object::Ptr device = new Object;
    device->set("name", "fieldtech " + replica_.node_id());
    device->set("platform", platform);
    auto registered = call_json({"POST", "/api/v1/sync/devices", fieldsync::to_json_text(device), "", token});
    std::string device_id = registered->optValue<std::string>("device_id", "");
    std::string device_token = registered->optValue<std::string>("device_token", "");
    if (device_id.empty() || device_token.empty())
        throw Error(ErrorCode::internal, "the device registration reply carries no device_id and device_token");
    replica_.set_device(device_id, device_token);
    return session;
}

Object::Ptr SyncClient::get_json(const std::string& target) {
    auto token = replica_.state("user_token");
    return call_json({"GET", target, "", "", token ? *token : device_token()});
}

Object::Ptr SyncClient::post_json(const std::string& target, const Object::Ptr& body) {
    auto token = replica_.state("user_token");
    return call_json({"POST", target, fieldsync::to_json_text(body), "", token ? *token : device_token()});
}

SyncReport SyncClient::push() {
    SyncReport report;
    std::string token = device_token();
    std::string device_id = replica_.state("device_id").value_or(replica_.node_id());
    for (;;) {
        auto ops = replica_.unacknowledged(options_.limits.max_ops_per_push);
        if (ops.empty()) break;
        fieldsync::PushRequest request{device_id, ops};
        auto reply =
            call_json({"POST", "/api/v1/sync/push", fieldsync::to_json_text(fieldsync::encode(request)), "", token});
        auto response = fieldsync::decode_push_response(*reply, options_.limits);
        std::set<std::string> pushed;
        for (const auto& op : ops) pushed.insert(op.op_id);
        for (const auto& r : response.results)
            if (!pushed.count(r.op_id))
                throw Error(ErrorCode::internal, "the push response names op " + r.op_id + ", which was not pushed");
        auto settled = replica_.settle(response);
        report.pushed += ops.size();
        report.applied += settled.applied;
        report.rejected += settled.rejected;
        report.superseded.insert(report.superseded.end(), settled.superseded.begin(), settled.superseded.end());
        // A response that settles nothing would make this loop push the same batch forever.
        if (settled.applied + settled.rejected == 0)
            throw Error(ErrorCode::internal,
                        "the server settled none of the " + std::to_string(ops.size()) + " pushed ops");
    }
    return report;
}

std::int64_t SyncClient::upload_attachments() {
    std::string token = device_token();
    std::int64_t sent = 0;
    for (const auto& file : replica_.attachments_to_upload()) {
        std::string base = "/api/v1/attachments/" + file.sha256;
        std::int64_t received = 0;
        HttpResponse have = call({"GET", base, "", "", token});
        if (have.status == 200) {
            received = fieldsync::parse_json_object(have.body)->optValue<std::int64_t>("received_bytes", 0);
        } else if (have.status != 404) {
            throw_reply(have);
        }
        try {
            while (received < file.size_bytes) {
                auto size = static_cast<std::size_t>(std::min<std::int64_t>(
                    static_cast<std::int64_t>(options_.chunk_bytes), file.size_bytes - received));
                auto reply = call_json({"PUT", base + "?offset=" + std::to_string(received),
                                        read_range(file.path, received, size), "application/octet-stream", token});
                std::int64_t now =
                    reply->optValue<std::int64_t>("received_bytes", received + static_cast<std::int64_t>(size));
                if (now <= received) throw Error(ErrorCode::internal, "the server took none of the chunk");
                sent += now - received;
                received = now;
                replica_.set_uploaded_bytes(file.sha256, received);
            }
            replica_.set_uploaded_bytes(file.sha256, std::max(received, file.size_bytes));
        } catch (const Error& e) {
            // The metadata op may not be applied yet (or was rejected); the bytes wait for the next sync.
            if (e.code() == ErrorCode::unavailable) throw;
        }
    }
    return sent;
}

fieldsync::PullResponse SyncClient::fetch_page(std::int64_t cursor, const std::string& token) {
    std::string target = "/api/v1/sync/pull?cursor=" + std::to_string(cursor) +
                         "&limit=" + std::to_string(options_.pull_limit) +
                         "&max_bytes=" + std::to_string(options_.pull_max_bytes);
    // Decoded straight from the text: each row stays the server's text, stored without being parsed.
    HttpResponse reply = call({"GET", target, "", "", token});
    if (reply.status < 200 || reply.status >= 300) throw_reply(reply);
    return fieldsync::decode_pull_response_text(reply.body, options_.limits);
}

SyncReport SyncClient::pull() {
    SyncReport report;
    std::string token = device_token();
    int rebootstraps = 0;
    int resets = 0;
    // The next page, asked for while this one is applied: the server reads and sends it meanwhile. It is asked from
    // the cursor this page stores, so pages still apply in order, each with its cursor in its own transaction; one
    // fetched for a page that then fails to apply is dropped (a pull is a read). Only this thread touches the
    // replica, and only one thread at a time the transport (the future is waited for before the next call).
    std::future<fieldsync::PullResponse> next;
    for (;;) {
        auto page = next.valid() ? next.get() : fetch_page(replica_.cursor(), token);
        if (page.reset_required) {
            // Each reset follows a compaction of the server's log; one that keeps compacting is asked again later.
            if (replica_.cursor() == 0 && resets > 0)
                throw Error(ErrorCode::internal, "the server asks for a reset of a pull from cursor 0");
            if (resets++ >= options_.max_resets)
                throw Error(ErrorCode::unavailable, "the server compacted its log " + std::to_string(resets) +
                                                        " times during this sync; try again later");
            // Pending work goes up first, so the fresh copy already contains it.
            auto pushed = push();
            report.pushed += pushed.pushed;
            report.applied += pushed.applied;
            report.rejected += pushed.rejected;
            replica_.begin_rebootstrap();
            report.rebootstrapped = true;
            continue;
        }
        std::int64_t before = replica_.cursor();
        if (options_.prefetch_pages && page.has_more && page.cursor > before)
            next = std::async(std::launch::async,
                              [this, cursor = page.cursor, &token] { return fetch_page(cursor, token); });
        auto result = replica_.apply_pull_page(page);
        report.pulled += result.changes;
        ++report.pages;
        // A page that promises more but does not move the cursor would be asked for again forever.
        if (page.has_more && replica_.cursor() <= before)
            throw Error(ErrorCode::internal,
                        "the server answered has_more without moving past cursor " + std::to_string(before));
        if (page.has_more) continue;
        if (!result.mismatched_buckets.empty()) {
            if (rebootstraps++ >= options_.max_rebootstraps)
                throw Error(ErrorCode::internal, "the replica still disagrees with the server's checksum of bucket " +
                                                     result.mismatched_buckets.front() + " after a re-download");
            replica_.begin_rebootstrap();
            report.rebootstrapped = true;
            continue;
        }
        report.checkpoint_applied = result.checkpoint_applied;
        report.checkpoint_deferred = result.checkpoint_deferred;
        break;
    }
    report.cursor = replica_.cursor();
    return report;
}

SyncReport SyncClient::rebootstrap() {
    device_token();  // a device that never logged in is told so before its replica is touched
    replica_.begin_rebootstrap();
    SyncReport report = pull();
    report.rebootstrapped = true;
    return report;
}

SyncReport SyncClient::sync() {
    SyncReport report = push();
    report.uploaded_bytes = upload_attachments();
    report.attachments_waiting = replica_.attachments_to_upload().size();
    SyncReport pulled = pull();
    report.pushed += pulled.pushed;
    report.applied += pulled.applied;
    report.rejected += pulled.rejected;
    report.pulled = pulled.pulled;
    report.pages = pulled.pages;
    report.checkpoint_applied = pulled.checkpoint_applied;
    report.checkpoint_deferred = pulled.checkpoint_deferred;
    report.rebootstrapped = pulled.rebootstrapped;
    report.cursor = pulled.cursor;
    return report;
}

}  // namespace fieldmobile
