// An in-process stand-in for the server's sync endpoints behind the Transport interface: a change log, op
// results remembered by op id, pages bounded by limit, checkpoints with real fieldsync checksums, attachments by
// offset. Every message goes through fieldsync's encoders and strict decoders, as on the wire. It also loses
// responses and goes down on request, which the real server cannot be made to do on cue.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/URI.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "fieldmobile/transport.hpp"
#include "fieldsync/checksum.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/job_summary.hpp"
#include "fieldsync/wire.hpp"
#include "fieldsync/workflow.hpp"

namespace mobiletest {

using Poco::JSON::Object;

inline const std::string kUser = "u1";
inline const std::string kBucket = "tech:u1";

class FakeServer : public fieldmobile::Transport {
  public:
    struct Row {
        std::string bucket;
        std::int64_t version = 0;
        Object::Ptr row;
    };

    std::map<std::pair<std::string, std::string>, Row> rows;
    std::vector<fieldsync::Change> log;
    std::map<std::string, fieldsync::OpResult> results;  // by op id: exactly-once
    std::map<std::string, int> applications;             // how often each op id changed data
    std::map<std::string, std::string> blobs;            // sha256 -> bytes received
    std::vector<fieldmobile::HttpRequest> requests;
    std::int64_t retained_from = 0;  // a cursor below this gets reset_required
    std::int64_t device_write_checkpoint = 0;
    bool down = false;            // every request fails as unreachable
    int lose_push_responses = 0;  // apply the push, then fail as if the response was lost
    int fail_pull_number = 0;     // the n-th pull request (1-based) fails as unreachable
    int pulls = 0;
    // Refuse record_acceptance whose summary_sha256 is not that of the server's own rows, as the server does.
    bool check_summaries = false;
    std::int64_t seq = 0;

    // Writes a row (as the dispatcher or the server would) and logs the change.
    void put(const std::string& table, const std::string& id, Object::Ptr row, const std::string& bucket = kBucket) {
        auto& r = rows[{table, id}];
        r.bucket = bucket;
        r.version += 1;
        row->set("id", id);
        r.row = fieldsync::parse_json_object(fieldsync::to_json_text(row));
        log_put(table, id, r);
    }

    // The row leaves the device's buckets (reassigned, cancelled): a removal in the log.
    void remove(const std::string& table, const std::string& id) {
        auto it = rows.find({table, id});
        fieldsync::Change c;
        c.seq = ++seq;
        c.bucket = it->second.bucket;
        c.table = table;
        c.row_id = id;
        c.version = it->second.version;
        c.op = fieldsync::ChangeOp::remove;
        log.push_back(c);
        rows.erase(it);
    }

    // The SHA-256 of a job's summary from this server's rows: fieldsync's text, gathered here independently of the
    // device (plan rows carry plan_version, as on the device).
    std::string summary_sha256(const std::string& job_id) const {
        auto job = row("jobs", job_id);
        auto text = [](const Object::Ptr& r, const std::string& key) {
            return r && r->has(key) && !r->isNull(key) ? r->getValue<std::string>(key) : std::string();
        };
        auto customer = row("customers", text(job, "customer_id"));
        auto asset = row("assets", text(job, "asset_id"));
        fieldsync::JobSummaryInput in{.ticket_no = text(job, "ticket_no"),
                                      .customer_name = text(customer, "name"),
                                      .asset_model = text(asset, "model"),
                                      .asset_serial_no = text(asset, "serial_no"),
                                      .description = text(job, "description"),
                                      .plan_version = fieldsync::summary_plan_version(*job),
                                      .repair = job->getObject("repair")};
        for (const auto& [key, r] : rows)
            if (key.first == "plans" && text(r.row, "job_id") == job_id &&
                r.row->optValue<std::int64_t>("plan_version", 0) == in.plan_version)
                in.plan = r.row;
        return fieldsync::job_summary_sha256(in);
    }

    Object::Ptr row(const std::string& table, const std::string& id) const {
        auto it = rows.find({table, id});
        return it == rows.end() ? nullptr : it->second.row;
    }

    std::map<std::string, std::uint64_t> checksums() const {
        std::map<std::string, std::uint64_t> out{{kBucket, 0}, {"catalog", 0}};
        for (const auto& [key, r] : rows) {
            fieldsync::BucketChecksum sum(out[r.bucket]);
            sum.add(key.first, key.second, r.version);
            out[r.bucket] = sum.value();
        }
        return out;
    }

    std::size_t count(const std::string& method, const std::string& prefix) const {
        std::size_t n = 0;
        for (const auto& r : requests)
            if (r.method == method && r.target.rfind(prefix, 0) == 0) ++n;
        return n;
    }

    fieldmobile::HttpResponse send(const fieldmobile::HttpRequest& request) override {
        requests.push_back(request);
        if (down) throw fieldsync::Error(fieldsync::ErrorCode::unavailable, "connection refused");
        Poco::URI uri(request.target);
        std::string path = uri.getPath();
        std::map<std::string, std::string> query;
        for (const auto& [k, v] : uri.getQueryParameters()) query[k] = v;
        if (request.method == "POST" && path == "/api/v1/auth/login")
            return json(200,
                        R"({"token":"user-token","user":{"id":"u1","role":"technician","display_name":"李师傅"}})");
        if (request.method == "POST" && path == "/api/v1/sync/devices")
            return json(201, R"({"device_id":"dev-1","device_token":"device-token"})");
        if (request.bearer != "device-token")
            return json(401, R"({"error":{"code":"unauthenticated","message":"no"}})");
        if (request.method == "POST" && path == "/api/v1/sync/push") return push(request.body);
        if (request.method == "GET" && path == "/api/v1/sync/pull") {
            if (++pulls == fail_pull_number) throw fieldsync::Error(fieldsync::ErrorCode::unavailable, "timed out");
            return pull(std::stoll(query["cursor"]), std::stoul(query["limit"]));
        }
        const std::string blob_prefix = "/api/v1/attachments/";
        if (path.rfind(blob_prefix, 0) == 0) {
            std::string sha = path.substr(blob_prefix.size());
            if (request.method == "GET") {
                auto it = blobs.find(sha);
                if (it == blobs.end()) return json(404, R"({"error":{"code":"not_found","message":"no bytes yet"}})");
                return json(200, R"({"received_bytes":)" + std::to_string(it->second.size()) + "}");
            }
            auto& have = blobs[sha];
            if (std::stoul(query["offset"]) != have.size())
                return json(409, R"({"error":{"code":"conflict","message":"wrong offset","field":"offset"}})");
            have += request.body;
            return json(200, R"({"received_bytes":)" + std::to_string(have.size()) + "}");
        }
        return json(404, R"({"error":{"code":"not_found","message":"no route"}})");
    }

  private:
    static fieldmobile::HttpResponse json(int status, const std::string& body) {
        return {status, body, {{"content-type", "application/json"}}};
    }

    void log_put(const std::string& table, const std::string& id, const Row& r) {
        fieldsync::Change c;
        c.seq = ++seq;
        c.bucket = r.bucket;
        c.table = table;
        c.row_id = id;
        c.version = r.version;
        c.op = fieldsync::ChangeOp::put;
        c.row = fieldsync::parse_json_object(fieldsync::to_json_text(r.row));
        log.push_back(c);
    }

    fieldsync::OpResult apply(const fieldsync::Op& op) {
        fieldsync::OpResult result{op.op_id, fieldsync::OpStatus::applied, 0, std::nullopt};
        try {
            auto key = std::make_pair(op.table, op.row_id);
            auto it = rows.find(key);
            if (op.kind == fieldsync::OpKind::insert) {
                Row& r = rows[key];
                r.bucket = kBucket;
                r.version += 1;
                r.row = new Object;
                for (const auto& [k, v] : *op.fields) r.row->set(k, v);
                r.row->set("id", op.row_id);
                r.row->set("author_id", kUser);
                log_put(op.table, op.row_id, r);
                result.version = r.version;
            } else {
                if (it == rows.end()) throw fieldsync::Error(fieldsync::ErrorCode::not_found, "no such row");
                Row& r = it->second;
                Object::Ptr next = fieldsync::parse_json_object(fieldsync::to_json_text(r.row));
                if (op.kind == fieldsync::OpKind::action) {
                    const auto& wf = fieldsync::Workflow::builtin();
                    fieldsync::JobPosition pos{next->optValue<std::string>("state", ""),
                                               next->has("previous_state") && !next->isNull("previous_state")
                                                   ? next->getValue<std::string>("previous_state")
                                                   : "",
                                               next->optValue<std::string>("mode", "")};
                    const auto& t = wf.resolve(op.action, pos, "technician");
                    wf.validate(t, *op.fields, pos.mode);
                    if (check_summaries && op.action == "record_acceptance" &&
                        op.fields->getValue<std::string>("summary_sha256") != summary_sha256(op.row_id))
                        throw fieldsync::Error(fieldsync::ErrorCode::stale_summary,
                                               "the job changed after the summary was shown", "summary_sha256");
                    std::string target = wf.target(t, pos);
                    next->set("previous_state",
                              target == "on_hold" ? Poco::Dynamic::Var(pos.state) : Poco::Dynamic::Var());
                    next->set("state", target);
                } else {
                    for (const auto& [k, v] : *op.fields) next->set(k, v);
                }
                r.row = next;
                r.version += 1;
                log_put(op.table, op.row_id, r);
                result.version = r.version;
            }
            applications[op.op_id] += 1;
        } catch (const fieldsync::Error& e) {
            result.status = fieldsync::OpStatus::rejected;
            result.version = 0;
            result.error = fieldsync::WireError{e.code(), e.what(), e.field()};
        }
        return result;
    }

    fieldmobile::HttpResponse push(const std::string& body) {
        auto request = fieldsync::decode_push_request(*fieldsync::parse_json_object(body));
        fieldsync::PushResponse response;
        for (const auto& op : request.ops) {
            auto it = results.find(op.op_id);
            if (it == results.end()) it = results.emplace(op.op_id, apply(op)).first;
            response.results.push_back(it->second);
        }
        device_write_checkpoint = seq;
        response.write_checkpoint = seq;
        if (lose_push_responses > 0) {
            --lose_push_responses;
            throw fieldsync::Error(fieldsync::ErrorCode::unavailable, "connection reset after the request was sent");
        }
        return json(200, fieldsync::to_json_text(fieldsync::encode(response)));
    }

    fieldmobile::HttpResponse pull(std::int64_t cursor, std::size_t limit) {
        fieldsync::PullResponse page;
        if (cursor < retained_from && cursor != 0) {
            page.reset_required = true;
            page.cursor = cursor;
            return json(200, fieldsync::to_json_text(fieldsync::encode(page)));
        }
        page.cursor = cursor;
        for (const auto& c : log) {
            if (c.seq <= cursor) continue;
            if (page.changes.size() == limit) {
                page.has_more = true;
                break;
            }
            page.changes.push_back(c);
            page.cursor = c.seq;
        }
        if (!page.has_more) {
            page.cursor = seq;
            page.checkpoint = fieldsync::Checkpoint{seq, checksums()};
            page.write_checkpoint = device_write_checkpoint;
        }
        return json(200, fieldsync::to_json_text(fieldsync::encode(page)));
    }
};

// A server-side job row as the sync log carries it.
inline Object::Ptr job_row(const std::string& ticket, const std::string& state, const std::string& mode = "on_site") {
    Object::Ptr row = new Object;
    row->set("ticket_no", ticket);
    row->set("state", state);
    row->set("previous_state", Poco::Dynamic::Var());
    row->set("assignee_id", kUser);
    row->set("mode", mode);
    row->set("priority", "high");
    row->set("fault_description", "洗衣机不排水，显示E21");
    return row;
}

}  // namespace mobiletest
