// The simulation's two kinds of tablet (sim_tablet.hpp).
#include "sim_tablet.hpp"

#include <Poco/JSON/Parser.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>

#include <cstdlib>
#include <sstream>
#include <stdexcept>

#include "fieldmobile/job_summary.hpp"
#include "fieldmobile/replica.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/wire.hpp"

namespace simtest {

namespace {

using fieldsync::Error;
using fieldsync::ErrorCode;

class NativeTablet : public Tablet {
  public:
    NativeTablet(std::string path, fieldmobile::Transport& transport, fieldmobile::SyncOptions options)
        : path_(std::move(path)), transport_(transport), options_(options) {
        open();
    }

    void login(const std::string& username, const std::string& password) override {
        client_->login(username, password, "linux");
    }
    std::vector<Obj> my_jobs() override { return replica_->jobs(*replica_->state("user_id")); }
    std::vector<Obj> rows(const std::string& table) override { return replica_->rows(table); }
    std::vector<std::string> outbox_op_ids() override {
        std::vector<std::string> out;
        for (const auto& entry : replica_->outbox()) out.push_back(entry.op.op_id);
        return out;
    }
    std::vector<std::string> conflict_op_ids() override {
        std::vector<std::string> out;
        for (const auto& c : replica_->conflicts()) out.push_back(c.op.op_id);
        return out;
    }
    std::optional<std::string> state(const std::string& key) override { return replica_->state(key); }
    std::string summary_sha256(const std::string& job_id) override {
        return fieldmobile::job_summary_sha256(*replica_, job_id);
    }
    std::string insert(const std::string& table, const Obj& fields) override { return replica_->insert(table, fields); }
    std::string update(const std::string& table, const std::string& row_id, const Obj& fields) override {
        return replica_->update(table, row_id, fields);
    }
    std::string act(const std::string& job_id, const std::string& action, const Obj& fields) override {
        return replica_->act(job_id, action, fields);
    }
    SyncFigures sync() override {
        auto report = client_->sync();
        return {report.pushed, report.pulled, report.checkpoint_applied};
    }
    void restart() override {
        client_.reset();
        replica_.reset();
        open();
    }

  private:
    void open() {
        replica_ = std::make_unique<fieldmobile::Replica>(path_);
        client_ = std::make_unique<fieldmobile::SyncClient>(*replica_, transport_, options_);
    }

    std::string path_;
    fieldmobile::Transport& transport_;
    fieldmobile::SyncOptions options_;
    std::unique_ptr<fieldmobile::Replica> replica_;
    std::unique_ptr<fieldmobile::SyncClient> client_;  // declared after the replica it uses: destroyed first
};

std::string json_text(const Poco::Dynamic::Var& value) {
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(value, out);
    return out.str();
}

Obj command(const std::string& name, std::initializer_list<std::pair<const char*, Poco::Dynamic::Var>> args = {}) {
    Obj out = new Poco::JSON::Object;
    out->set("cmd", name);
    for (const auto& [key, value] : args) out->set(key, value);
    return out;
}

// The WebAssembly core in `node sim_device.js`, spoken to by JSON lines (see sim_device.cpp).
class WasmTablet : public Tablet {
  public:
    WasmTablet(std::string path, fieldmobile::Transport& transport, std::string node, std::string script)
        : path_(std::move(path)), transport_(transport), node_(std::move(node)), script_(std::move(script)) {
        start();
    }
    ~WasmTablet() override { stop(); }

    void login(const std::string& username, const std::string& password) override {
        call(command("login", {{"username", username}, {"password", password}}));
    }
    std::vector<Obj> my_jobs() override { return objects(call(command("jobs"))); }
    std::vector<Obj> rows(const std::string& table) override {
        return objects(call(command("rows", {{"table", table}})));
    }
    std::vector<std::string> outbox_op_ids() override { return op_ids(call(command("outbox"))); }
    std::vector<std::string> conflict_op_ids() override { return op_ids(call(command("conflicts"))); }
    std::optional<std::string> state(const std::string& key) override {
        try {
            return call(command("state", {{"key", key}})).toString();
        } catch (const Error& e) {
            if (e.code() != ErrorCode::not_found) throw;
            return std::nullopt;
        }
    }
    std::string summary_sha256(const std::string& job_id) override {
        return call(command("summary", {{"job", job_id}})).extract<Obj>()->getValue<std::string>("sha256");
    }
    std::string insert(const std::string& table, const Obj& fields) override {
        return call(command("insert", {{"table", table}, {"fields", fields}})).toString();
    }
    std::string update(const std::string& table, const std::string& row_id, const Obj& fields) override {
        return call(command("update", {{"table", table}, {"id", row_id}, {"fields", fields}})).toString();
    }
    std::string act(const std::string& job_id, const std::string& action, const Obj& fields) override {
        return call(command("act", {{"job", job_id}, {"action", action}, {"fields", fields}})).toString();
    }
    SyncFigures sync() override {
        auto report = call(command("sync")).extract<Obj>();
        return {report->getValue<std::size_t>("pushed"), report->getValue<std::size_t>("pulled"),
                report->getValue<bool>("checkpoint_applied")};
    }
    void restart() override {
        stop();
        start();
    }

  private:
    void start() {
        Poco::Pipe to, from;
        // --liftoff-only: V8's baseline compiler alone; a tablet killed every few seconds would spend most of its
        // CPU optimizing code it never runs again (start 0.35 s instead of 0.6–0.9 s, a third of the CPU).
        process_ = std::make_unique<Poco::ProcessHandle>(
            Poco::Process::launch(node_, {"--no-experimental-fetch", "--liftoff-only", script_}, &to, &from, nullptr));
        to_ = std::make_unique<Poco::PipeOutputStream>(to);
        from_ = std::make_unique<Poco::PipeInputStream>(from);
        call(command("open", {{"path", path_}}));
    }
    // Killed, not asked to close: whatever the core had not made durable is lost, as on a tablet that dies.
    void stop() {
        if (!process_) return;
        Poco::Process::kill(*process_);
        process_->wait();
        to_.reset();
        from_.reset();
        process_.reset();
    }

    // Sends a command and answers the core's requests until its result comes back.
    Poco::Dynamic::Var call(const Obj& cmd) {
        *to_ << json_text(cmd) << '\n' << std::flush;
        for (std::string line;;) {
            if (!std::getline(*from_, line))
                throw std::runtime_error("the WebAssembly tablet on " + path_ + " stopped answering");
            auto message = Poco::JSON::Parser().parse(line).extract<Obj>();
            if (message->has("http")) {
                answer(message->getObject("http"));
                continue;
            }
            if (auto error = message->getObject("error")) {
                auto code = fieldsync::error_code_named(error->getValue<std::string>("code"));
                throw Error(code.value_or(ErrorCode::internal), error->getValue<std::string>("message"),
                            error->getValue<std::string>("field"));
            }
            return message->get("ok");
        }
    }

    // Sends one of the core's requests through the simulation's network and hands the answer back ({} for none).
    void answer(const Obj& http) {
        fieldmobile::HttpRequest request{http->getValue<std::string>("method"), http->getValue<std::string>("target"),
                                         http->getValue<std::string>("body"),
                                         http->getValue<std::string>("content_type"),
                                         http->getValue<std::string>("bearer")};
        Poco::JSON::Object reply;
        try {
            auto response = transport_.send(request);
            reply.set("status", response.status);
            reply.set("body", response.body);
            auto retry_after = response.headers.find("retry-after");
            if (retry_after != response.headers.end()) reply.set("retry_after", std::atoi(retry_after->second.c_str()));
        } catch (const Error& e) {
            if (e.code() != ErrorCode::unavailable) throw;
        }
        *to_ << json_text(reply) << '\n' << std::flush;
    }

    static std::vector<Obj> objects(const Poco::Dynamic::Var& value) {
        std::vector<Obj> out;
        for (const auto& v : *value.extract<Poco::JSON::Array::Ptr>()) out.push_back(v.extract<Obj>());
        return out;
    }
    // The op ids of outbox entries or conflict records ({op: {op_id}, ...}).
    static std::vector<std::string> op_ids(const Poco::Dynamic::Var& value) {
        std::vector<std::string> out;
        for (const auto& entry : objects(value)) out.push_back(entry->getObject("op")->getValue<std::string>("op_id"));
        return out;
    }

    std::string path_;
    fieldmobile::Transport& transport_;
    std::string node_, script_;
    std::unique_ptr<Poco::ProcessHandle> process_;
    std::unique_ptr<Poco::PipeOutputStream> to_;
    std::unique_ptr<Poco::PipeInputStream> from_;
};

}  // namespace

std::unique_ptr<Tablet> native_tablet(const std::string& path, fieldmobile::Transport& transport,
                                      fieldmobile::SyncOptions options) {
    return std::make_unique<NativeTablet>(path, transport, options);
}

std::unique_ptr<Tablet> wasm_tablet(const std::string& path, fieldmobile::Transport& transport, const std::string& node,
                                    const std::string& script) {
    return std::make_unique<WasmTablet>(path, transport, node, script);
}

}  // namespace simtest
