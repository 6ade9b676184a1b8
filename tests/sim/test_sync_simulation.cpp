// The randomized sync simulation: one real server, a dozen technician tablets and a dispatcher doing random valid
// and invalid work under disconnects, lost responses and device restarts; at the end everyone converges.
// FIELDREPAIR_SIM_SEED and FIELDREPAIR_SIM_STEPS choose the run; the seed is printed with every failure.
#include <Poco/File.h>
#include <Poco/TemporaryFile.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>

#include "../integration/fixtures.hpp"
#include "fieldmobile/transport.hpp"
#include "fieldsync/conflict.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/wire.hpp"
#include "sim_tablet.hpp"

using namespace fieldtest;
using fieldsync::Error;
using fieldsync::ErrorCode;

namespace {

using Rng = std::mt19937_64;

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
    const char* v = std::getenv(name);
    return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

bool chance(Rng& rng, double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }

template <typename T>
const T& pick(Rng& rng, const std::vector<T>& items) {
    return items[std::uniform_int_distribution<std::size_t>(0, items.size() - 1)(rng)];
}

// What every push response that reached a device said: the ops the device saw acknowledged.
struct Acks {
    std::set<std::string> applied, rejected;
};

// The network between one tablet and the server: healthy, offline (nothing reaches the server) or lossy
// (requests fail before sending, or reach the server and lose their response). Draws from its own generator.
class SimTransport : public fieldmobile::Transport {
  public:
    SimTransport(const TestServer& srv, std::uint64_t seed, Acks& acks)
        : https_(fieldmobile::make_https_transport({srv.base_url(), srv.cert_file(), 10, 60})),
          rng_(seed),
          acks_(acks) {}

    enum class Net { healthy, offline, lossy } net = Net::healthy;
    bool lose_next_push = false;  // the next push reaches the server and its response is lost
    int fail_pull_in = 0;         // the n-th pull from now (1-based) fails before reaching the server

    fieldmobile::HttpResponse send(const fieldmobile::HttpRequest& request) override {
        bool push = request.target == "/api/v1/sync/push";
        bool pull = request.target.rfind("/api/v1/sync/pull", 0) == 0;
        if (net == Net::offline) throw Error(ErrorCode::unavailable, "no network");
        if (pull && fail_pull_in > 0 && --fail_pull_in == 0) throw Error(ErrorCode::unavailable, "pull dropped");
        if (net == Net::lossy && chance(rng_, 0.15)) throw Error(ErrorCode::unavailable, "connection refused");
        auto response = https_->send(request);
        bool lose = (push && lose_next_push) || (net == Net::lossy && chance(rng_, 0.3));
        if (push) lose_next_push = false;
        if (lose) throw Error(ErrorCode::unavailable, "connection reset after the request was sent");
        if (push && response.status == 200) {
            for (const auto& r : fieldsync::decode_push_response(*fieldsync::parse_json_object(response.body)).results)
                (r.status == fieldsync::OpStatus::applied ? acks_.applied : acks_.rejected).insert(r.op_id);
        }
        return response;
    }

  private:
    std::unique_ptr<fieldmobile::Transport> https_;
    Rng rng_;
    Acks& acks_;
};

// The wall time of the steps by tenth of the run and by kind, printed at the end: the cost of a step must not grow
// with the data the run has made (docs/testing-hardening.md, "long runs").
class StepClock {
  public:
    enum Kind { dispatcher, write, sync, restart, kinds };
    explicit StepClock(std::uint64_t steps) : tenth_(std::max<std::uint64_t>(1, steps / 10)) {}

    // Called before each step (and once after the last): closes the previous step's time, and prints each tenth
    // as it completes, so a long run shows its trend while it runs.
    void at(std::uint64_t step) {
        auto now = std::chrono::steady_clock::now();
        if (step > 0) {
            std::size_t i = std::min<std::uint64_t>((step - 1) / tenth_, 9);
            blocks_[i].seconds[kind_] += std::chrono::duration<double>(now - last_).count();
            if (++blocks_[i].steps == tenth_ && i < 9) std::cout << "sim: " << line(i) << std::endl;
        }
        last_ = now;
    }
    void kind(Kind k) { kind_ = k; }

    void print() const {
        std::ostringstream out;
        out << "sim: ms per step by tenth of the run (dispatcher / device write / sync / restart shares):";
        for (std::size_t i = 0; i < blocks_.size() && blocks_[i].steps > 0; ++i) out << "\n  " << line(i);
        WARN(out.str());
    }

  private:
    struct Block {
        std::array<double, kinds> seconds{};
        std::uint64_t steps = 0;
    };

    std::string line(std::size_t i) const {
        const auto& b = blocks_[i];
        double total = 0;
        for (double s : b.seconds) total += s;
        std::ostringstream out;
        out << "tenth " << i + 1 << ": " << std::fixed << std::setprecision(2)
            << 1000 * total / static_cast<double>(std::max<std::uint64_t>(1, b.steps)) << " ms/step (";
        for (int k = 0; k < kinds; ++k)
            out << (k ? " / " : "") << std::setprecision(0) << 100 * b.seconds[k] / std::max(total, 1e-9) << "%";
        out << ")";
        return out.str();
    }
    std::uint64_t tenth_;
    std::array<Block, 10> blocks_{};
    Kind kind_ = dispatcher;
    std::chrono::steady_clock::time_point last_;
};

// A pushed-or-pending op a device made, remembered for the final accounting.
struct OpRecord {
    std::string op_id, table, row_id, action;
    fieldsync::OpKind kind = fieldsync::OpKind::update;
    std::string job_id;  // notes and actions: the job
};

// A tablet and its network. Every second tablet runs the WebAssembly core when the run is given one
// (FIELDREPAIR_SIM_WASM_DEVICE, see main's TEST_CASE), the rest the native core.
struct Device {
    std::size_t tech = 0;
    std::string dir = Poco::TemporaryFile::tempName();
    std::string path = dir + "/replica.db";
    std::unique_ptr<SimTransport> network;
    std::unique_ptr<fieldmobile::RetryingTransport> retrying;  // some tablets retry, some do not
    std::unique_ptr<simtest::Tablet> core;
    bool wasm = false;
    std::vector<OpRecord> ops;

    Device() { Poco::File(dir).createDirectories(); }
    ~Device() {
        core.reset();
        Poco::File(dir).remove(true);
    }
    fieldmobile::Transport& transport() {
        return retrying ? static_cast<fieldmobile::Transport&>(*retrying) : *network;
    }
};

struct Tech {
    std::string username, id;
};

// The rows the server says a technician's device holds: a full pull from cursor 0 with a fresh device token.
std::map<std::pair<std::string, std::string>, std::string> server_view(const TestServer& srv, const Tech& tech) {
    std::string user = login_as(srv, tech.username);
    auto device =
        need(srv.post("/api/v1/sync/devices", body({{"name", "sim audit"}, {"platform", "linux"}}), user), 201);
    std::string token = device.str("device_token");
    std::map<std::pair<std::string, std::string>, std::string> rows;
    std::int64_t cursor = 0;
    for (;;) {
        auto reply = need(srv.get("/api/v1/sync/pull?cursor=" + std::to_string(cursor) + "&limit=1000", token), 200);
        auto page = fieldsync::decode_pull_response(*reply.object());
        REQUIRE_FALSE(page.reset_required);
        for (const auto& c : page.changes) {
            if (c.op == fieldsync::ChangeOp::put)
                rows[{c.table, c.row_id}] = fieldsync::to_json_text(c.row);
            else
                rows.erase({c.table, c.row_id});
        }
        cursor = page.cursor;
        if (!page.has_more) break;
    }
    return rows;
}

std::map<std::pair<std::string, std::string>, std::string> replica_view(simtest::Tablet& tablet) {
    std::map<std::pair<std::string, std::string>, std::string> rows;
    for (const auto& table : fieldsync::synced_tables())
        for (const auto& row : tablet.rows(table.name))
            rows[{table.name, text_of(row, "id")}] = fieldsync::to_json_text(row);
    return rows;
}

// The server's remembered result of every op (sync_op_results), read from its SQLite file: op id -> status.
std::map<std::string, std::string> server_op_results(const std::string& database) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    std::map<std::string, std::string> out;
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT op_id, status FROM sync_op_results", -1, &s, nullptr) == SQLITE_OK);
    while (sqlite3_step(s) == SQLITE_ROW)
        out[reinterpret_cast<const char*>(sqlite3_column_text(s, 0))] =
            reinterpret_cast<const char*>(sqlite3_column_text(s, 1));
    sqlite3_finalize(s);
    sqlite3_close(db);
    return out;
}

// Open and resolved conflict records the server keeps for a device: their op ids.
std::multiset<std::string> server_conflicts(const TestServer& srv, const std::string& token,
                                            const std::string& device_id) {
    std::multiset<std::string> out;
    for (int offset = 0;; offset += 200) {
        auto page =
            list(srv, "/api/v1/sync/conflicts?device_id=" + device_id + "&limit=200&offset=" + std::to_string(offset),
                 token);
        auto items = page->getArray("items");
        for (const auto& v : *items) out.insert(text_of(v.extract<Obj>(), "op_id"));
        if (items->size() < 200) break;
    }
    return out;
}

}  // namespace

TEST_CASE("Randomized sync: a dozen tablets and a dispatcher converge with nothing lost or doubled", "[sim]") {
    const std::uint64_t seed = env_number("FIELDREPAIR_SIM_SEED", 20261121);
    const std::uint64_t steps = env_number("FIELDREPAIR_SIM_STEPS", 3000);
    // The WebAssembly build of the core (sim_device.js, run by node) on every second tablet, when given.
    const char* wasm_env = std::getenv("FIELDREPAIR_SIM_WASM_DEVICE");
    const std::string wasm_device = wasm_env ? wasm_env : "";
    const char* node_env = std::getenv("FIELDREPAIR_NODE");
    const std::string node = node_env && *node_env ? node_env : "/usr/bin/node";
    // Printed before the run as well, so a run stopped by a timeout still tells how to repeat it.
    std::cout << "sim: FIELDREPAIR_SIM_SEED=" << seed << " FIELDREPAIR_SIM_STEPS=" << steps << std::endl;
    INFO("FIELDREPAIR_SIM_SEED=" << seed << " FIELDREPAIR_SIM_STEPS=" << steps);
    Rng rng(seed);

    TestServer srv;
    std::string admin = srv.admin_token();
    create_user(srv, admin, "sim.disp", "dispatcher");
    std::string dispatcher = login_as(srv, "sim.disp");

    constexpr std::size_t kTechs = 10;
    std::vector<Tech> techs;
    for (std::size_t i = 0; i < kTechs; ++i) {
        std::string name = "sim.tech" + std::to_string(i);
        techs.push_back({name, create_user(srv, admin, name, "technician")});
    }
    std::vector<std::string> customers;
    std::map<std::string, std::vector<std::string>> assets;  // customer -> assets
    for (int i = 0; i < 8; ++i) {
        std::string c = create_customer(srv, dispatcher, "客户 " + std::to_string(i), "1380000000" + std::to_string(i));
        customers.push_back(c);
        for (int a = 0; a < 2; ++a)
            assets[c].push_back(create_asset(srv, dispatcher, c, "型号 M" + std::to_string(a),
                                             "SIM-" + std::to_string(i) + "-" + std::to_string(a), "2020-01-31"));
    }

    // Twelve tablets: every technician has one, the first two have a second.
    Acks acks;
    std::vector<std::unique_ptr<Device>> devices;
    for (std::size_t i = 0; i < kTechs + 2; ++i) {
        auto d = std::make_unique<Device>();
        d->tech = i % kTechs;
        d->network = std::make_unique<SimTransport>(srv, rng(), acks);
        if (i % 2 == 0)
            d->retrying = std::make_unique<fieldmobile::RetryingTransport>(
                *d->network, fieldmobile::RetryPolicy{3, 1, 4}, [](std::int64_t) {}, static_cast<std::uint32_t>(i));
        d->wasm = !wasm_device.empty() && i % 2 == 1;
        if (d->wasm) {
            d->core = simtest::wasm_tablet(d->path, d->transport(), node, wasm_device);
        } else {
            fieldmobile::SyncOptions options;
            options.pull_limit = std::vector<std::size_t>{3, 20, 500}[i % 3];
            d->core = simtest::native_tablet(d->path, d->transport(), options);
        }
        d->core->login(techs[d->tech].username, "orchard-lantern-" + techs[d->tech].username);
        devices.push_back(std::move(d));
    }

    std::vector<std::string> jobs;
    std::size_t dispatcher_calls = 0, local_refusals = 0, syncs_failed = 0, restarts = 0, notes_made = 0;
    int counter = 0;
    auto unique_text = [&](const std::string& prefix) { return prefix + " #" + std::to_string(++counter); };

    // A dispatcher call that may be refused but must never fail the server or change anything when refused.
    auto dispatcher_call = [&](const std::string& method, const std::string& path, const Obj& b) {
        ++dispatcher_calls;
        Reply r = srv.request(method, path, to_text(b), dispatcher);
        INFO(method << " " << path << " " << to_text(b) << " -> " << r.status << " " << r.body);
        CHECK(r.status < 500);
        return r;
    };

    auto dispatcher_step = [&] {
        double r = std::uniform_real_distribution<double>(0, 1)(rng);
        if (jobs.empty() || r < 0.2) {
            const auto& c = pick(rng, customers);
            auto created = need(srv.post("/api/v1/jobs",
                                         body({{"customer_id", c},
                                               {"asset_id", pick(rng, assets[c])},
                                               {"description", unique_text("不制冷 not cooling")}}),
                                         dispatcher),
                                201);
            jobs.push_back(created.str("id"));
            dispatcher_call("POST", "/api/v1/jobs/" + jobs.back() + "/actions/assign",
                            body({{"technician_id", pick(rng, techs).id}}));
            return;
        }
        if (r < 0.35) {  // edit a customer, sometimes with a value the server must refuse
            const auto& c = pick(rng, customers);
            auto before = need(srv.get("/api/v1/customers/" + c, dispatcher), 200).object();
            bool bad = chance(rng, 0.3);
            Obj edit = bad ? (chance(rng, 0.5) ? body({{"phone", 12345}}) : body({{"no_such_field", "x"}}))
                       : chance(rng, 0.5) ? body({{"phone", "139" + std::to_string(rng() % 100000000)}})
                                          : body({{"notes", unique_text("办公室备注")}});
            Reply reply = dispatcher_call("PATCH", "/api/v1/customers/" + c, edit);
            if (bad) {
                CHECK(reply.status >= 400);
                auto after = need(srv.get("/api/v1/customers/" + c, dispatcher), 200).object();
                CHECK(to_text(after) == to_text(before));
            } else {
                CHECK(reply.status == 200);
            }
            return;
        }
        if (r < 0.4) {  // settle a conflict a technician's tablet raised
            auto open = list(srv, "/api/v1/sync/conflicts?status=open&limit=5", dispatcher)->getArray("items");
            if (open->size() > 0)
                need(srv.post("/api/v1/sync/conflicts/" + text_of(open->getObject(0), "id") + "/resolve",
                              body({{"resolution", "dismissed"}, {"note", "sim"}}), dispatcher),
                     200);
            return;
        }
        if (r < 0.41) {  // compact the log: tablets behind it re-bootstrap
            need(srv.post("/api/v1/sync/compact", body(), admin), 200);
            return;
        }
        // Move a job on, or try something its state does not allow.
        const std::string job = pick(rng, jobs);
        auto j = need(srv.get("/api/v1/jobs/" + job, dispatcher), 200).object();
        std::string state = text_of(j, "state");
        std::string action;
        Obj fields = body();
        if (chance(rng, 0.25)) {
            action = pick(rng, std::vector<std::string>{"assign", "reassign", "cancel", "approve_plan", "schedule",
                                                        "close", "no_such_action"});
        } else if (state == "plan_proposed") {
            action = "approve_plan";
        } else if (state == "approved") {
            action = "schedule";
        } else if (state == "accepted") {
            action = "close";
        } else if (state == "reported") {
            action = "assign";
        } else {
            action = chance(rng, 0.6) ? "reassign" : "cancel";
        }
        if (action == "assign" || action == "reassign")
            fields->set("technician_id", chance(rng, 0.1) ? std::string("no-such-user") : pick(rng, techs).id);
        if (action == "cancel") fields->set("reason", "客户取消");
        if (action == "approve_plan")
            fields->set("plan_version", j->has("plan_version") && !j->isNull("plan_version") ? int_of(j, "plan_version")
                                                                                             : std::int64_t{1});
        if (action == "schedule") {
            fields->set("technician_id", text_of(j, "assignee_id"));
            fields->set("window_start", kWindowStart);
            fields->set("window_end", kWindowEnd);
        }
        // Closing needs the follow-up call settled; mostly the office waives it first, sometimes it forgets (409).
        if (action == "close" && state == "accepted" && chance(rng, 0.9)) {
            auto due = need(srv.get("/api/v1/followups?state=due&job_id=" + job, dispatcher), 200).object();
            for (const auto& f : *due->getArray("items"))
                need(srv.post("/api/v1/followups/" + text_of(f.extract<Obj>(), "id") + "/waive",
                              body({{"reason", "模拟:不回访"}}), dispatcher),
                     200);
        }
        Reply reply = dispatcher_call("POST", "/api/v1/jobs/" + job + "/actions/" + action, fields);
        if (reply.status != 200) {  // refused: the job is as it was
            auto after = need(srv.get("/api/v1/jobs/" + job, dispatcher), 200).object();
            CHECK(int_of(after, "version") == int_of(j, "version"));
        }
    };

    auto record = [&](Device& d, const std::string& op_id_or_empty, const std::string& table, const std::string& row_id,
                      fieldsync::OpKind kind, const std::string& action, const std::string& job_id) {
        // An insert returns the row id: its op is the newest in the outbox.
        std::string op_id = op_id_or_empty.empty() ? d.core->outbox_op_ids().back() : op_id_or_empty;
        d.ops.push_back({op_id, table, row_id, action, kind, job_id});
    };

    auto write_step = [&](Device& d) {
        auto mine = d.core->my_jobs();
        if (mine.empty()) return;
        const auto& job = pick(rng, mine);
        std::string job_id = text_of(job, "id");
        std::size_t outbox_before = d.core->outbox_op_ids().size();
        double r = std::uniform_real_distribution<double>(0, 1)(rng);
        try {
            if (r < 0.2) {
                std::string field = pick(rng, std::vector<std::string>{"site_contact", "site_phone", "access_notes",
                                                                       "notes", "state"});  // state: refused
                auto op = d.core->update("jobs", job_id, body({{field.c_str(), unique_text("现场")}}));
                record(d, op, "jobs", job_id, fieldsync::OpKind::update, "", job_id);
            } else if (r < 0.4) {
                std::string customer = text_of(job, "customer_id");
                // A blank phone passes on the tablet; the server refuses it and the op becomes a conflict.
                Obj edit = chance(rng, 0.1)   ? body({{"phone", ""}})
                           : chance(rng, 0.5) ? body({{"phone", "137" + std::to_string(rng() % 100000000)}})
                                              : body({{"notes", unique_text("技师备注")}, {"address", "现场地址"}});
                auto op = d.core->update("customers", customer, edit);
                record(d, op, "customers", customer, fieldsync::OpKind::update, "", job_id);
            } else if (r < 0.6) {
                auto row = d.core->insert(
                    "job_notes", body({{"job_id", job_id}, {"kind", "note"}, {"body", unique_text("现场记录")}}));
                record(d, "", "job_notes", row, fieldsync::OpKind::insert, "", job_id);
                ++notes_made;
            } else {
                std::string action =
                    pick(rng, std::vector<std::string>{"submit_assessment", "revise_plan", "start_repair",
                                                       "complete_repair", "record_acceptance", "reject_acceptance",
                                                       "hold", "resume", "assign", "close"});
                bool incomplete = chance(rng, 0.1);
                Obj fields = body();
                if (action == "submit_assessment") fields = assessment();
                if (action == "complete_repair") fields = completion();
                if (action == "record_acceptance") fields = acceptance(d.core->summary_sha256(job_id));
                if (action == "revise_plan" || action == "reject_acceptance" || action == "hold")
                    fields->set("reason", unique_text("原因"));
                if (action == "assign") fields->set("technician_id", techs[d.tech].id);
                if (incomplete && fields->size() > 0) {
                    std::string first = fields->begin()->first;
                    fields->remove(first);
                }
                auto op = d.core->act(job_id, action, fields);
                record(d, op, "jobs", job_id, fieldsync::OpKind::action, action, job_id);
            }
        } catch (const Error& e) {
            // Refused on the tablet itself: nothing queued.
            ++local_refusals;
            INFO("refused locally: " << e.what());
            CHECK(d.core->outbox_op_ids().size() == outbox_before);
        }
    };

    auto sync_step = [&](Device& d) {
        try {
            d.core->sync();
        } catch (const Error& e) {
            INFO((d.wasm ? "WebAssembly" : "native") << " device " << d.path << " sync failed: " << e.what());
            REQUIRE(e.code() == ErrorCode::unavailable);
            ++syncs_failed;
        }
    };

    StepClock clock(steps);
    for (std::uint64_t step = 0; step < steps; ++step) {
        INFO("step " << step);
        clock.at(step);
        double r = std::uniform_real_distribution<double>(0, 1)(rng);
        if (r < 0.25) {
            clock.kind(StepClock::dispatcher);
            dispatcher_step();
            continue;
        }
        Device& d = *pick(rng, devices);
        if (r < 0.6) {
            clock.kind(StepClock::write);
            write_step(d);
        } else if (r < 0.9) {
            clock.kind(StepClock::sync);
            double n = std::uniform_real_distribution<double>(0, 1)(rng);
            d.network->net = n < 0.55  ? SimTransport::Net::healthy
                             : n < 0.8 ? SimTransport::Net::lossy
                                       : SimTransport::Net::offline;
            sync_step(d);
        } else if (r < 0.95) {  // killed between push and ack: the server applied the ops, the tablet never heard
            clock.kind(StepClock::restart);
            d.network->net = SimTransport::Net::healthy;
            d.network->lose_next_push = true;
            sync_step(d);
            d.network->lose_next_push = false;
            d.core->restart();
            ++restarts;
        } else {  // killed in the middle of a pull
            clock.kind(StepClock::restart);
            d.network->net = SimTransport::Net::healthy;
            d.network->fail_pull_in = 1 + static_cast<int>(rng() % 3);
            sync_step(d);
            d.network->fail_pull_in = 0;
            d.core->restart();
            ++restarts;
        }
    }

    clock.at(steps);
    clock.print();

    // The network heals: everyone syncs until a whole round changes nothing.
    for (auto& d : devices) d->network->net = SimTransport::Net::healthy;
    bool quiet = false;
    for (int round = 0; round < 6 && !quiet; ++round) {
        quiet = true;
        for (auto& d : devices) {
            auto report = d->core->sync();
            if (report.pushed > 0 || report.pulled > 0 || !report.checkpoint_applied) quiet = false;
        }
    }
    REQUIRE(quiet);

    std::map<std::string, std::string> results;
    if (postgres_server().empty()) results = server_op_results(srv.database());
    std::map<std::pair<std::string, std::string>, std::size_t> applied_actions;  // (job, action) -> ops applied
    std::size_t device_ops = 0, conflicts_total = 0;
    for (auto& d : devices) {
        INFO((d->wasm ? "WebAssembly" : "native") << " device " << d->path << " of " << techs[d->tech].username);
        // No pending work left behind.
        CHECK(d->core->outbox_op_ids().empty());
        // The tablet holds exactly the server's view of its buckets.
        auto expected = server_view(srv, techs[d->tech]);
        auto actual = replica_view(*d->core);
        for (const auto& [key, row] : expected) {
            INFO("server row " << key.first << " " << key.second);
            auto it = actual.find(key);
            REQUIRE(it != actual.end());
            CHECK(it->second == row);
        }
        for (const auto& [key, row] : actual) {
            INFO("replica row " << key.first << " " << key.second);
            CHECK(expected.count(key) == 1);
        }
        // Every op it made is applied or a conflict on both sides; nothing silently dropped.
        std::set<std::string> conflicted;
        for (const auto& op_id : d->core->conflict_op_ids()) conflicted.insert(op_id);
        auto on_server = server_conflicts(srv, dispatcher, *d->core->state("device_id"));
        CHECK(std::set<std::string>(on_server.begin(), on_server.end()) == conflicted);
        CHECK(on_server.size() == conflicted.size());  // one conflict record per rejected op
        conflicts_total += conflicted.size();
        for (const auto& op : d->ops) {
            INFO("op " << op.op_id << " " << op.table << " " << op.row_id << " " << op.action);
            ++device_ops;
            bool rejected = conflicted.count(op.op_id) > 0;
            if (!results.empty()) {
                REQUIRE(results.count(op.op_id) == 1);
                CHECK(results[op.op_id] == (rejected ? "rejected" : "applied"));
            }
            // What the tablet was told stays true.
            if (acks.applied.count(op.op_id)) CHECK_FALSE(rejected);
            if (acks.rejected.count(op.op_id)) CHECK(rejected);
            if (op.kind == fieldsync::OpKind::action && !rejected) ++applied_actions[{op.job_id, op.action}];
            if (op.table == "job_notes") {
                auto notes = list(srv, "/api/v1/jobs/" + op.job_id + "/notes", dispatcher)->getArray("items");
                std::size_t copies = 0;
                for (const auto& v : *notes) copies += text_of(v.extract<Obj>(), "id") == op.row_id;
                CHECK(copies == (rejected ? 0u : 1u));
            }
        }
    }
    // Each applied workflow op left exactly one event on its job; technicians' actions come only from tablets.
    static const std::set<std::string> tech_actions = {
        "submit_assessment", "revise_plan",       "start_repair", "complete_repair",
        "record_acceptance", "reject_acceptance", "hold",         "resume"};
    for (const auto& job : jobs) {
        auto events = list(srv, "/api/v1/jobs/" + job + "/events", dispatcher)->getArray("items");
        std::map<std::string, std::size_t> seen;
        for (const auto& e : *events) {
            std::string a = text_of(e.extract<Obj>(), "action");
            if (tech_actions.count(a)) ++seen[a];
        }
        for (const auto& a : tech_actions) {
            INFO("job " << job << " action " << a);
            auto it = applied_actions.find({job, a});
            CHECK(seen[a] == (it == applied_actions.end() ? 0u : it->second));
        }
    }
    std::size_t wasm_devices = 0, wasm_ops = 0;
    for (const auto& d : devices)
        if (d->wasm) ++wasm_devices, wasm_ops += d->ops.size();
    WARN("sim: seed " << seed << ", " << steps << " steps, " << devices.size() << " devices (" << wasm_devices
                      << " on the WebAssembly core, " << wasm_ops << " of the ops), " << jobs.size() << " jobs, "
                      << device_ops << " device ops (" << conflicts_total << " conflicts, " << notes_made << " notes), "
                      << local_refusals << " refused on the tablet, " << dispatcher_calls << " dispatcher calls, "
                      << syncs_failed << " failed syncs, " << restarts << " restarts");
}
