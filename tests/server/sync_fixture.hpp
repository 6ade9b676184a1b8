// A small shop on a temporary SQLite database for the sync unit tests: the services in process, two
// technicians with registered devices, a customer with an asset, and helpers that build ops and replay the log.
#pragma once

#include <Poco/JSON/Parser.h>
#include <Poco/TemporaryFile.h>

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>

#include "fieldserver/domain/catalog/catalog_service.hpp"
#include "fieldserver/domain/customers/customer_service.hpp"
#include "fieldserver/domain/jobs/job_service.hpp"
#include "fieldserver/domain/users/user_service.hpp"
#include "fieldserver/http/services.hpp"
#include "fieldserver/storage/change_log.hpp"
#include "fieldserver/storage/database.hpp"
#include "fieldserver/storage/migrations.hpp"
#include "fieldserver/sync/device_service.hpp"
#include "fieldserver/sync/sync_service.hpp"
#include "fieldsync/checksum.hpp"
#include "fieldsync/time.hpp"
#include "fieldsync/uuid.hpp"
#include "fieldsync/workflow.hpp"

namespace synctest {

using namespace fieldserver;
using Obj = Poco::JSON::Object::Ptr;

inline Obj json(const std::string& text) {
    Poco::JSON::Parser parser;
    return parser.parse(text).extract<Obj>();
}

inline std::string str(const Obj& o, const std::string& key) { return o->getValue<std::string>(key); }

// One log entry as the tests look at it.
struct Entry {
    std::int64_t seq;
    std::string bucket, table, row_id, op;
    std::int64_t version;
};

struct Shop {
    Poco::TemporaryFile dir;
    std::unique_ptr<Database> db;
    std::unique_ptr<UserService> users;
    std::unique_ptr<CustomerService> customers;
    std::unique_ptr<JobService> jobs;
    std::unique_ptr<DeviceService> devices;
    std::unique_ptr<CatalogService> catalog;
    std::unique_ptr<SyncService> sync;
    Actor admin{.role = Role::admin, .name = "test admin", .source = "test"};
    Actor dispatcher, tech_a, tech_b;  // tech_a and tech_b carry a registered device
    std::string customer, asset;

    Shop() {
        dir.createDirectories();
        db = std::make_unique<Database>(dir.path() + "/sync.db");
        migrate(*db);
        users = std::make_unique<UserService>(*db, 1000);
        customers = std::make_unique<CustomerService>(*db);
        jobs = std::make_unique<JobService>(*db, fieldsync::Workflow::builtin(), JobPolicy{});
        connect_job_listeners(*jobs);
        devices = std::make_unique<DeviceService>(*db);
        catalog = std::make_unique<CatalogService>(*db);
        restart_sync();
        dispatcher = user("disp", "dispatcher", "王芳");
        tech_a = with_device(user("tech.a", "technician", "李建国"));
        tech_b = with_device(user("tech.b", "technician", "张伟"));
        customer = str(customers->create_customer(dispatcher, json(R"({"name":"刘洋","phone":"13800138001"})")), "id");
        asset = new_asset(customer, "SN-1");
    }

    // A new SyncService on the same database: what a server restart leaves.
    void restart_sync() { sync = std::make_unique<SyncService>(*db, *jobs); }

    Actor user(const std::string& username, const std::string& role, const std::string& name) {
        auto body = json(R"({"password":"orchard-lantern-123456"})");
        body->set("username", username);
        body->set("role", role);
        body->set("name", name);
        auto u = users->create(admin, body);
        return Actor{.id = str(u, "id"), .role = *parse_role(role), .name = name, .source = "test"};
    }

    Actor with_device(Actor tech) {
        auto device = devices->register_device(tech, json(R"({"name":"平板 1","platform":"android"})"));
        tech.device_id = str(device, "device_id");
        return tech;
    }

    std::string new_asset(const std::string& customer_id, const std::string& serial) {
        auto body = json(R"({"model":"美的 BCD-520 冰箱"})");
        body->set("customer_id", customer_id);
        body->set("serial_no", serial);
        return str(customers->create_asset(dispatcher, body), "id");
    }

    std::string new_job(const std::string& customer_id = {}, const std::string& asset_id = {}) {
        auto body = json(R"({"description":"冰箱不制冷"})");
        body->set("customer_id", customer_id.empty() ? customer : customer_id);
        body->set("asset_id", asset_id.empty() ? asset : asset_id);
        return str(jobs->create(dispatcher, body), "id");
    }

    void act(const Actor& who, const std::string& job, const std::string& action, const std::string& fields) {
        jobs->act(who, job, action, json(fields));
    }
    void assign(const std::string& job, const Actor& tech) {
        act(dispatcher, job, "assign", R"({"technician_id":")" + tech.id + "\"}");
    }
    void reassign(const std::string& job, const Actor& tech) {
        act(dispatcher, job, "reassign", R"({"technician_id":")" + tech.id + "\"}");
    }

    std::vector<Entry> log(const std::string& bucket = {}) {
        return db->read([&](Db& d) {
            std::vector<Entry> out;
            auto rows =
                d.query("SELECT seq, bucket, table_name, row_id, op, version FROM sync_changes ORDER BY seq", {});
            for (const auto& v : *rows) {
                auto r = v.extract<Obj>();
                if (!bucket.empty() && str(r, "bucket") != bucket) continue;
                out.push_back({r->getValue<std::int64_t>("seq"), str(r, "bucket"), str(r, "table_name"),
                               str(r, "row_id"), str(r, "op"), r->getValue<std::int64_t>("version")});
            }
            return out;
        });
    }

    // The last entry of a row in a bucket ("" when none).
    std::string last_op(const std::string& bucket, const std::string& table, const std::string& row_id) {
        std::string op;
        for (const auto& e : log(bucket))
            if (e.table == table && e.row_id == row_id) op = e.op;
        return op;
    }

    fieldsync::PullResponse pull(const Actor& tech, std::int64_t cursor, std::int64_t limit = 1000) {
        return sync->pull(tech, {{"cursor", std::to_string(cursor)}, {"limit", std::to_string(limit)}});
    }

    // Pulls every page from cursor into replica ((bucket, table, row_id) -> version); returns the last response.
    fieldsync::PullResponse pull_all(const Actor& tech, std::int64_t cursor,
                                     std::map<std::tuple<std::string, std::string, std::string>, std::int64_t>& replica,
                                     std::int64_t limit = 3) {
        for (;;) {
            auto page = pull(tech, cursor, limit);
            for (const auto& c : page.changes) {
                auto key = std::make_tuple(c.bucket, c.table, c.row_id);
                if (c.op == fieldsync::ChangeOp::put)
                    replica[key] = c.version;
                else
                    replica.erase(key);
            }
            cursor = page.cursor;
            if (!page.has_more) return page;
        }
    }

    fieldsync::Op op(const Actor& tech, const std::string& table, const std::string& row_id, fieldsync::OpKind kind,
                     const std::string& fields, std::int64_t wall_ms = 0) {
        fieldsync::Op o;
        o.op_id = fieldsync::uuid_v7();
        o.table = table;
        o.row_id = row_id;
        o.kind = kind;
        if (!fields.empty()) o.fields = json(fields);
        o.timestamp = {wall_ms ? wall_ms : fieldsync::now_ms(), 0, tech.device_id};
        return o;
    }

    fieldsync::PushResponse push(const Actor& tech, const std::vector<fieldsync::Op>& ops) {
        fieldsync::PushRequest request{tech.device_id, ops};
        return sync->push(tech, fieldsync::encode(request));
    }
};

// The checksum of a replica's bucket, computed from the rows it holds.
inline std::uint64_t replica_checksum(
    const std::map<std::tuple<std::string, std::string, std::string>, std::int64_t>& replica,
    const std::string& bucket) {
    fieldsync::BucketChecksum sum;
    for (const auto& [key, version] : replica)
        if (std::get<0>(key) == bucket) sum.add(std::get<1>(key), std::get<2>(key), version);
    return sum.value();
}

}  // namespace synctest
