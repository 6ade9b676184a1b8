// fieldtech: a technician's command-line client on libfieldmobile. Every command works on the local replica
// first, so it works with the server unreachable; writes are queued as ops and go up with the next sync.
#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Path.h>
#include <Poco/Util/HelpFormatter.h>
#include <Poco/Util/OptionException.h>
#include <Poco/Util/OptionProcessor.h>
#include <Poco/Util/OptionSet.h>

#include <csignal>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fieldmobile/acceptance.hpp"
#include "fieldmobile/attachments.hpp"
#include "fieldmobile/live.hpp"
#include "fieldmobile/replica.hpp"
#include "fieldmobile/sync_client.hpp"
#include "fieldmobile/transport.hpp"
#include "fieldmobile/views.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/workflow.hpp"

namespace {

using fieldsync::Error;
using fieldsync::ErrorCode;
using Poco::JSON::Array;
using Poco::JSON::Object;
using Poco::Util::Option;
using Poco::Util::OptionSet;

// A wrong command line: exit status 2 with the usage.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// One option of a command: --name VALUE (argument names the value in --help), or a flag when argument is empty.
struct OptionSpec {
    OptionSpec(std::string name_, std::string argument_ = {}, bool required_ = false, bool repeatable_ = false)
        : name(std::move(name_)), argument(std::move(argument_)), required(required_), repeatable(repeatable_) {}

    std::string name;
    std::string argument;
    bool required;
    bool repeatable;
};

Option poco_option(const OptionSpec& spec) {
    Option option(spec.name, "");
    option.required(spec.required).repeatable(spec.repeatable);
    if (!spec.argument.empty()) option.argument(spec.argument);
    return option;
}

Option help_option() { return Option("help", "h", "this help"); }

// One command's arguments: --name value options (repeatable ones collect every value) and positionals.
struct Args {
    std::map<std::string, std::vector<std::string>> options;
    std::vector<std::string> positional;

    bool has(const std::string& name) const { return options.count(name) > 0; }
    std::string get(const std::string& name, const std::string& fallback = {}) const {
        auto it = options.find(name);
        return it == options.end() ? fallback : it->second.back();
    }
    const std::vector<std::string>& all(const std::string& name) const {
        static const std::vector<std::string> none;
        auto it = options.find(name);
        return it == options.end() ? none : it->second;
    }
};

// Poco's option errors in the words fieldtech has always used.
UsageError usage_error(const Poco::Util::OptionException& e) {
    // Poco's message starts with the option's name ("reason requires TEXT").
    std::string name = e.message().substr(0, e.message().find(' '));
    if (dynamic_cast<const Poco::Util::MissingOptionException*>(&e)) return UsageError("--" + name + " is required");
    if (dynamic_cast<const Poco::Util::MissingArgumentException*>(&e))
        return UsageError("--" + name + " needs a value");
    if (dynamic_cast<const Poco::Util::DuplicateOptionException*>(&e)) return UsageError("--" + name + " given twice");
    if (dynamic_cast<const Poco::Util::UnknownOptionException*>(&e)) return UsageError("unknown option --" + name);
    return UsageError(e.displayText());
}

// Feeds words to Poco's option processor (Unix style: --name value, --name=value) until stop_at_positional meets
// the first word that is not an option; returns how many words it consumed. A word starting with a single dash
// (other than -h) is a positional, as a note's text may be.
std::size_t process_options(const OptionSet& set, const std::vector<std::string>& words, Args& args,
                            bool stop_at_positional) {
    Poco::Util::OptionProcessor processor(set);
    processor.setUnixStyle(true);
    bool awaiting_value = false;
    std::size_t i = 0;
    try {
        for (; i < words.size(); ++i) {
            const std::string& w = words[i];
            bool single_dash = w.size() > 1 && w[0] == '-' && w[1] != '-' && w != "-h";
            std::string name, value;
            if ((single_dash && !awaiting_value) || !processor.process(w, name, value)) {
                if (stop_at_positional) break;
                args.positional.push_back(w);
                awaiting_value = false;
                continue;
            }
            awaiting_value = name.empty() && w != "--";
            if (!name.empty()) args.options[name].push_back(value);
        }
        processor.checkRequired();
    } catch (const Poco::Util::OptionException& e) {
        throw usage_error(e);
    }
    return i;
}

struct Settings {
    std::string replica;
    std::string server;
    std::string ca;
    bool json = false;
    bool offline = false;
};

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

std::string str(const Object::Ptr& o, const std::string& key) {
    if (!o || !o->has(key) || o->isNull(key)) return {};
    return o->get(key).convert<std::string>();
}

bool yes_no(const std::string& value, const std::string& option) {
    if (value == "yes") return true;
    if (value == "no") return false;
    throw UsageError("--" + option + " takes yes or no, not " + value);
}

std::int64_t integer_arg(const std::string& value, const std::string& what) {
    try {
        std::size_t used = 0;
        long long n = std::stoll(value, &used);
        if (used == value.size()) return n;
    } catch (const std::exception&) {
    }
    throw UsageError(what + " must be a whole number, not " + value);
}

double number_arg(const std::string& value, const std::string& what) {
    try {
        std::size_t used = 0;
        double n = std::stod(value, &used);
        if (used == value.size()) return n;
    } catch (const std::exception&) {
    }
    throw UsageError(what + " must be a number, not " + value);
}

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : text) {
        if (c == sep) {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

std::string pretty(const Poco::Dynamic::Var& v) {
    std::ostringstream s;
    if (v.type() == typeid(Object::Ptr))
        v.extract<Object::Ptr>()->stringify(s, 2);
    else if (v.type() == typeid(Array::Ptr))
        v.extract<Array::Ptr>()->stringify(s, 2);
    else
        s << v.toString();
    return s.str();
}

// Everything a command needs: the replica, and a sync client when a server is known.
class Session {
  public:
    explicit Session(const Settings& settings) : settings_(settings) {
        Poco::File(Poco::Path(settings.replica).parent()).createDirectories();
        replica_ = std::make_unique<fieldmobile::Replica>(settings.replica);
        server_ = !settings.server.empty() ? settings.server : replica_->state("server_url").value_or("");
        ca_ = !settings.ca.empty() ? settings.ca : replica_->state("ca_file").value_or("");
    }

    fieldmobile::Replica& replica() { return *replica_; }
    bool json() const { return settings_.json; }
    bool offline() const { return settings_.offline; }
    const std::string& server() const { return server_; }
    const std::string& ca() const { return ca_; }

    // A sync client; patient (retries with backoff) for explicit syncs, quick for the sync after a write.
    fieldmobile::SyncClient& client(bool patient) {
        if (server_.empty())
            throw Error(ErrorCode::missing_field, "no server configured: pass --server URL or set FIELDTECH_SERVER",
                        "server");
        fieldmobile::HttpsOptions options{server_, ca_, patient ? 10 : 3, patient ? 60 : 10};
        try {
            https_ = fieldmobile::make_https_transport(options);
        } catch (const std::invalid_argument& e) {
            throw Error(ErrorCode::invalid_field, e.what(), "server");
        }
        fieldmobile::RetryPolicy policy;
        policy.max_attempts = patient ? 4 : 1;
        retrying_ = std::make_unique<fieldmobile::RetryingTransport>(*https_, policy);
        client_ = std::make_unique<fieldmobile::SyncClient>(*replica_, *retrying_);
        return *client_;
    }

    void remember_server() {
        replica_->set_state("server_url", server_);
        if (!ca_.empty()) replica_->set_state("ca_file", Poco::Path(ca_).absolute().toString());
    }

    // After a local write: try to send it now unless --offline; say plainly what happened.
    void after_write(const std::string& what, Object::Ptr result) {
        std::string status = "queued";
        std::string detail;
        if (!settings_.offline && !server_.empty() && replica_->state("device_token")) {
            try {
                auto report = client(false).sync();
                status = "synced";
                detail = report.rejected
                             ? std::to_string(report.rejected) + " op(s) rejected: see `fieldtech conflicts`"
                             : "";
            } catch (const Error& e) {
                detail = e.code() == ErrorCode::unavailable ? "the server is unreachable" : e.what();
            }
        }
        auto waiting = static_cast<std::int64_t>(replica_->unacknowledged(100000).size());
        result->set("status", status);
        result->set("ops_waiting", waiting);
        if (json()) {
            result->stringify(std::cout);
            std::cout << "\n";
            return;
        }
        std::cout << what << "\n";
        if (status == "synced")
            std::cout << "Sent to the server." << (detail.empty() ? "" : " " + detail) << "\n";
        else
            std::cout << "Saved on this device and queued" << (detail.empty() ? "" : " (" + detail + ")") << "; "
                      << waiting << " op(s) wait for `fieldtech sync`.\n";
    }

    Object::Ptr job(const std::string& ticket_or_id) {
        auto job = replica_->find_job(ticket_or_id);
        if (!job)
            throw Error(ErrorCode::not_found, "no job " + ticket_or_id + " on this device (try `fieldtech sync`)");
        return job;
    }

  private:
    Settings settings_;
    std::unique_ptr<fieldmobile::Replica> replica_;
    std::string server_;
    std::string ca_;
    std::unique_ptr<fieldmobile::Transport> https_;
    std::unique_ptr<fieldmobile::RetryingTransport> retrying_;
    std::unique_ptr<fieldmobile::SyncClient> client_;
};

void print_json(const Poco::Dynamic::Var& v) { std::cout << pretty(v) << "\n"; }

void print_report(const fieldmobile::SyncReport& r) {
    std::cout << "Pushed " << r.pushed << " op(s): " << r.applied << " applied, " << r.rejected << " rejected.\n";
    std::cout << "Pulled " << r.pulled << " change(s) in " << r.pages << " page(s); cursor " << r.cursor << ".\n";
    if (r.uploaded_bytes) std::cout << "Uploaded " << r.uploaded_bytes << " attachment byte(s).\n";
    if (r.attachments_waiting)
        std::cout << r.attachments_waiting << " photo(s) or signature(s) wait for the server to take their bytes.\n";
    if (r.rebootstrapped) std::cout << "The replica was re-downloaded from the server (pending work kept).\n";
    if (r.checkpoint_deferred) std::cout << "The server has not caught up with this device's writes yet; sync again.\n";
    if (r.rejected) std::cout << "Some ops were rejected: see `fieldtech conflicts`.\n";
    for (const auto& s : r.superseded) std::cout << "Superseded by a newer edit on the server: " << s << "\n";
}

std::string job_line(const Object::Ptr& job, std::int64_t pending) {
    std::ostringstream s;
    s << (str(job, "ticket_no").empty() ? str(job, "id") : str(job, "ticket_no")) << "  " << str(job, "state");
    if (!str(job, "priority").empty()) s << "  [" << str(job, "priority") << "]";
    std::string text = str(job, "fault_description").empty() ? str(job, "description") : str(job, "fault_description");
    if (!text.empty()) s << "  " << text;
    if (pending) s << "  (" << pending << " change(s) not yet confirmed by the server)";
    return s.str();
}

// --- commands

struct Command {
    std::string name;
    std::string usage;
    std::string help;
    std::vector<OptionSpec> options;
    std::function<int(Session&, const Args&)> run;
};

int cmd_login(Session& s, const Args& a) {
    std::string username = a.has("username") ? a.get("username") : (a.positional.empty() ? "" : a.positional[0]);
    if (username.empty()) throw UsageError("a username is required");
    std::string password = a.has("password") ? a.get("password") : env("FIELDTECH_PASSWORD");
    if (password.empty()) {
        std::cerr << "Password for " << username << ": ";
        std::getline(std::cin, password);
    }
    auto& client = s.client(true);
    auto session = client.login(username, password, "linux");
    s.remember_server();
    auto report = client.sync();
    if (s.json()) {
        Object::Ptr out = new Object;
        out->set("user", session->get("user"));
        out->set("device_id", s.replica().state("device_id").value_or(""));
        out->set("sync", fieldmobile::report_json(report));
        print_json(out);
    } else {
        std::cout << "Logged in as " << s.replica().state("display_name").value_or(username) << "; this device is "
                  << s.replica().state("device_id").value_or("") << ".\n";
        print_report(report);
    }
    return 0;
}

// Set by Ctrl-C (SIGINT) or SIGTERM while `sync --live` waits.
volatile std::sig_atomic_t g_stop_live = 0;

// One line per sync the server's announcement caused: what it pulled, as text or one JSON object per line.
void print_live_sync(const Session& s, std::int64_t announced, const fieldmobile::SyncReport& r) {
    if (s.json()) {
        auto out = fieldmobile::report_json(r);
        out->set("event", "change");
        out->set("announced_seq", announced);
        out->stringify(std::cout);
        std::cout << std::endl;
        return;
    }
    std::cout << "change (seq " << announced << "): pulled " << r.pulled << " change(s), pushed " << r.pushed
              << " op(s); cursor " << r.cursor << "." << std::endl;
}

// Keeps the live connection (fieldmobile::LiveListener) and syncs each time the server announces a change past the
// cursor; no polling. Ends on Ctrl-C.
int sync_live(Session& s) {
    auto& client = s.client(true);
    auto first = client.sync();
    if (!s.json()) print_report(first);
    auto token = s.replica().state("device_token");
    if (!token) throw Error(ErrorCode::unauthenticated, "log in first: `fieldtech login USERNAME`");
    fieldmobile::LiveChanges changes;
    fieldmobile::LiveListener listener({s.server(), s.ca(), *token}, [&](const fieldmobile::LiveEvent& e) {
        changes.note(e);
        if (e.kind == "hello" && !s.json())
            std::cout << "live: connected; waiting for changes (Ctrl-C stops)" << std::endl;
    });
    std::signal(SIGINT, [](int) { g_stop_live = 1; });
    std::signal(SIGTERM, [](int) { g_stop_live = 1; });
    listener.start();
    while (!g_stop_live) {
        std::int64_t announced = changes.wait_above(s.replica().cursor(), 200);
        if (announced == 0) continue;
        try {
            print_live_sync(s, announced, client.sync());
        } catch (const Error& e) {
            if (e.code() != ErrorCode::unavailable) throw;
            // The listener reconnects on its own; the next announcement (its hello) brings the next try.
            if (!s.json()) std::cout << "The server is unreachable (" << e.what() << "); still listening." << std::endl;
            changes.wait_above(std::numeric_limits<std::int64_t>::max(), 1000);
        }
    }
    listener.stop();
    if (!s.json()) std::cout << "live: stopped." << std::endl;
    return 0;
}

int cmd_sync(Session& s, const Args& a) {
    if (a.has("live")) return sync_live(s);
    try {
        auto report = s.client(true).sync();
        if (s.json())
            print_json(fieldmobile::report_json(report));
        else
            print_report(report);
        return 0;
    } catch (const Error& e) {
        if (e.code() != ErrorCode::unavailable) throw;
        auto waiting = s.replica().unacknowledged(100000).size();
        if (s.json()) {
            Object::Ptr out = new Object;
            out->set("status", "unreachable");
            out->set("message", std::string(e.what()));
            out->set("ops_waiting", static_cast<std::int64_t>(waiting));
            print_json(out);
        } else {
            std::cout << "The server is unreachable (" << e.what() << ").\n"
                      << waiting << " op(s) stay queued on this device; nothing is lost.\n";
        }
        return 3;
    }
}

int cmd_jobs(Session& s, const Args& a) {
    std::string me = a.has("all") ? "" : s.replica().state("user_id").value_or("");
    auto jobs = fieldmobile::jobs_json(s.replica(), me);
    if (s.json()) {
        print_json(jobs);
        return 0;
    }
    if (jobs->size() == 0) std::cout << "No jobs on this device" << (me.empty() ? "" : " assigned to you") << ".\n";
    for (const auto& v : *jobs) {
        auto job = v.extract<Object::Ptr>();
        std::cout << job_line(job, job->getValue<std::int64_t>("pending_ops")) << "\n";
    }
    return 0;
}

int cmd_show(Session& s, const Args& a) {
    if (a.positional.size() != 1) throw UsageError("show takes one JOB");
    auto job = s.job(a.positional[0]);
    std::string id = str(job, "id");
    Object::Ptr out = new Object;
    out->set("job", job);
    Array::Ptr actions = new Array;
    for (const auto& action : fieldsync::Workflow::builtin().available(
             {str(job, "state"), str(job, "previous_state"), str(job, "mode")}, s.replica().role()))
        actions->add(action);
    out->set("available_actions", actions);
    for (const char* table : {"plans", "visits", "job_notes", "attachments"}) {
        Array::Ptr rows = new Array;
        for (const auto& r : s.replica().rows_of_job(table, id)) rows->add(r);
        out->set(table, rows);
    }
    out->set("pending_ops", s.replica().pending_ops("jobs", id));
    if (s.json()) {
        print_json(out);
        return 0;
    }
    std::cout << job_line(job, s.replica().pending_ops("jobs", id)) << "\n";
    for (const auto& [k, v] : *job)
        if (!v.isEmpty()) std::cout << "  " << k << ": " << pretty(v) << "\n";
    std::cout << "Actions you can take: ";
    for (std::size_t i = 0; i < actions->size(); ++i) std::cout << (i ? ", " : "") << actions->get(i).toString();
    std::cout << (actions->size() ? "" : "none") << "\n";
    for (const char* table : {"plans", "visits", "job_notes", "attachments"}) {
        auto rows = out->getArray(table);
        if (rows->size()) std::cout << table << ":\n";
        for (const auto& r : *rows) std::cout << "  " << pretty(r) << "\n";
    }
    return 0;
}

// Reports a queued action on job (as the user named it) and sends it unless offline.
int report_action(Session& s, const std::string& named, const std::string& job_id, const std::string& op_id,
                  const std::string& done) {
    auto after = s.replica().row("jobs", job_id);
    Object::Ptr result = new Object;
    result->set("op_id", op_id);
    result->set("job_id", job_id);
    result->set("state", str(after, "state"));
    s.after_write(done + " " + named + " (now " + str(after, "state") + ").", result);
    return 0;
}

// Queues a workflow action on JOB and reports it.
int act(Session& s, const Args& a, const std::string& action, const Object::Ptr& fields, const std::string& done) {
    if (a.positional.size() != 1) throw UsageError(action + " takes one JOB");
    auto job = s.job(a.positional[0]);
    std::string op_id = s.replica().act(str(job, "id"), action, fields);
    return report_action(s, a.positional[0], str(job, "id"), op_id, done);
}

int cmd_assess(Session& s, const Args& a) {
    Object::Ptr plan = new Object;
    std::string mode = a.get("mode");
    plan->set("mode", mode);
    plan->set("cost_to_customer", number_arg(a.get("cost"), "--cost"));
    Array::Ptr items = new Array;
    for (const auto& item : a.all("item")) {
        auto p = split(item, '|');
        if (p.size() != 4) throw UsageError("--item takes \"kind|description|quantity|unit price\", not " + item);
        Object::Ptr o = new Object;
        o->set("kind", p[0]);
        o->set("description", p[1]);
        o->set("quantity", number_arg(p[2], "an item's quantity"));
        o->set("unit_price", number_arg(p[3], "an item's unit price"));
        items->add(o);
    }
    plan->set("items", items);
    Object::Ptr fields = new Object;
    fields->set("findings", a.get("findings"));
    fields->set("warranty_covered", yes_no(a.get("warranty-covered"), "warranty-covered"));
    fields->set("customer_caused", yes_no(a.get("customer-caused"), "customer-caused"));
    fields->set("plan", plan);
    if (a.has("fault-category")) fields->set("fault_category", a.get("fault-category"));
    return act(s, a, "submit_assessment", fields, "Assessment and plan submitted for");
}

int cmd_start(Session& s, const Args& a) {
    Object::Ptr fields = new Object;
    if (a.has("receipt-inspection")) fields->set("receipt_inspection", a.get("receipt-inspection"));
    if (a.has("note")) fields->set("note", a.get("note"));
    return act(s, a, "start_repair", fields, "Repair started on");
}

int cmd_complete(Session& s, const Args& a) {
    Object::Ptr fields = new Object;
    fields->set("work_summary", a.get("summary"));
    fields->set("time_spent_minutes", integer_arg(a.get("minutes"), "--minutes"));
    Array::Ptr parts = new Array;
    for (const auto& part : a.all("part")) {
        auto p = split(part, '|');
        if (p.size() != 2) throw UsageError("--part takes \"description|quantity\", not " + part);
        Object::Ptr o = new Object;
        o->set("description", p[0]);
        o->set("quantity", number_arg(p[1], "a part's quantity"));
        parts->add(o);
    }
    fields->set("parts_used", parts);
    if (a.has("return-carrier")) fields->set("return_carrier", a.get("return-carrier"));
    if (a.has("return-tracking")) fields->set("return_tracking_no", a.get("return-tracking"));
    return act(s, a, "complete_repair", fields, "Repair completed on");
}

int cmd_hold(Session& s, const Args& a) {
    Object::Ptr fields = new Object;
    fields->set("reason", a.get("reason"));
    return act(s, a, "hold", fields, "Put on hold:");
}

int cmd_resume(Session& s, const Args& a) {
    Object::Ptr fields = new Object;
    if (a.has("note")) fields->set("note", a.get("note"));
    return act(s, a, "resume", fields, "Resumed");
}

// The summary hash the server checks on acceptance: the server's when it answers; empty otherwise, and the library
// computes it from the replica in the server's format (the server refuses it as stale_summary if the job changed
// meanwhile).
std::string server_summary_sha256(Session& s, const std::string& job_id) {
    if (s.offline() || s.server().empty() || !s.replica().state("device_token")) return {};
    try {
        return str(s.client(false).get_json("/api/v1/jobs/" + job_id + "/summary"), "sha256");
    } catch (const Error& e) {
        // An expired login token is no reason to stop the customer signing: compute it here instead.
        if (e.code() != ErrorCode::unavailable && e.code() != ErrorCode::unauthenticated) throw;
    }
    return {};
}

// The library's refusals of what came straight from an option, said as the command-line mistake they are.
void throw_as_usage_error(const Error& e) {
    if (e.field() == "signature_png") throw UsageError("--signature must be a PNG image");
    if (e.field() == "signature_strokes")
        throw UsageError("--strokes takes a JSON array of strokes, e.g. [[[0,0],[20,8]]]");
    throw e;
}

int cmd_accept(Session& s, const Args& a) {
    if (a.positional.size() != 1) throw UsageError("accept takes one JOB");
    auto job = s.job(a.positional[0]);
    std::string id = str(job, "id");
    fieldmobile::Acceptance acceptance;
    acceptance.signer_name = a.get("signer");
    acceptance.signature_png = fieldmobile::read_file_bytes(a.get("signature"), "signature");
    acceptance.signature_file_name = Poco::Path(a.get("signature")).getFileName();
    acceptance.strokes_json = a.get("strokes");
    acceptance.rating = integer_arg(a.get("rating"), "--rating");
    if (a.has("comment")) acceptance.comment = a.get("comment");
    acceptance.summary_sha256 = server_summary_sha256(s, id);
    bool fetched = !acceptance.summary_sha256.empty();
    fieldmobile::AcceptanceResult accepted;
    try {
        accepted = fieldmobile::record_acceptance(s.replica(), id, acceptance);
    } catch (const Error& e) {
        throw_as_usage_error(e);
    }
    if (!s.json())
        std::cout << "Summary SHA-256 "
                  << (fetched ? "fetched from the server" : "computed on this device (the server did not answer)")
                  << ".\n";
    return report_action(s, a.positional[0], id, accepted.op_id, "Acceptance recorded for");
}

int cmd_note(Session& s, const Args& a) {
    if (a.positional.size() != 2) throw UsageError("note takes JOB and TEXT");
    auto job = s.job(a.positional[0]);
    Object::Ptr fields = new Object;
    fields->set("job_id", str(job, "id"));
    fields->set("kind", a.get("kind", "note"));
    fields->set("body", a.positional[1]);
    Object::Ptr result = new Object;
    result->set("note_id", s.replica().insert("job_notes", fields));
    s.after_write("Note added to " + a.positional[0] + ".", result);
    return 0;
}

int cmd_photo(Session& s, const Args& a) {
    if (a.positional.size() != 2) throw UsageError("photo takes JOB and FILE");
    auto job = s.job(a.positional[0]);
    const std::string& file = a.positional[1];
    std::string id = fieldmobile::attach_file(s.replica(), str(job, "id"), "photo", file, a.get("caption"));
    Object::Ptr result = new Object;
    result->set("attachment_id", id);
    auto size = s.replica().row("attachments", id)->getValue<std::int64_t>("size_bytes");
    s.after_write("Photo " + Poco::Path(file).getFileName() + " (" + std::to_string(size) + " bytes) attached to " +
                      a.positional[0] + ".",
                  result);
    return 0;
}

int cmd_report(Session& s, const Args& a) {
    Object::Ptr body = new Object;
    body->set("customer_id", a.get("customer"));
    body->set("asset_id", a.get("asset"));
    body->set("description", a.get("description"));
    if (a.has("priority")) body->set("priority", a.get("priority"));
    if (a.has("category")) body->set("category", a.get("category"));
    // Jobs are created by the server, which issues the ticket number; devices cannot insert them offline.
    try {
        auto job = s.client(false).post_json("/api/v1/jobs", body);
        if (s.json())
            print_json(job);
        else
            std::cout << "Reported: ticket " << str(job, "ticket_no") << " (" << str(job, "state") << ").\n";
        return 0;
    } catch (const Error& e) {
        if (e.code() != ErrorCode::unavailable) throw;
        std::cout << "The server is unreachable, and a new job needs its ticket number from the server. Note the "
                     "fault on the current job meanwhile (`fieldtech note JOB TEXT`) and report it once online.\n";
        return 3;
    }
}

int cmd_pending(Session& s, const Args&) {
    auto outbox = fieldmobile::outbox_json(s.replica());
    if (s.json()) {
        print_json(outbox);
        return 0;
    }
    if (outbox->size() == 0) std::cout << "Nothing waiting: the server has everything done on this device.\n";
    for (const auto& v : *outbox) {
        auto e = v.extract<Object::Ptr>();
        auto op = e->getObject("op");
        std::cout << e->getValue<std::int64_t>("seq") << "  " << str(e, "created_at") << "  " << str(op, "kind") << " "
                  << str(op, "table") << (str(op, "action").empty() ? "" : " " + str(op, "action")) << " "
                  << str(op, "row_id")
                  << (e->getValue<bool>("acknowledged") ? "  (applied by the server, awaiting its checkpoint)"
                                                        : "  (waiting to be sent)")
                  << "\n";
    }
    return 0;
}

int cmd_conflicts(Session& s, const Args&) {
    auto conflicts = fieldmobile::conflicts_json(s.replica());
    if (s.json()) {
        print_json(conflicts);
        return 0;
    }
    if (conflicts->size() == 0) std::cout << "No conflicts: the server accepted everything sent from this device.\n";
    for (const auto& v : *conflicts) {
        auto c = v.extract<Object::Ptr>();
        auto op = c->getObject("op");
        std::cout << str(c, "recorded_at") << "  " << str(op, "kind") << " " << str(op, "table")
                  << (str(op, "action").empty() ? "" : " " + str(op, "action")) << " " << str(op, "row_id") << "\n"
                  << "    rejected: " << str(c, "message") << " [" << str(c, "code")
                  << (str(c, "field").empty() ? "" : ", field " + str(c, "field")) << "]\n";
    }
    return 0;
}

// Every command: its usage line and help (as --help shows them), its options and what runs it.
const std::vector<Command> kCommands = {
    {"login",
     "login USERNAME [--password P]",
     "Logs in (password from --password, FIELDTECH_PASSWORD or a prompt), registers this device with the "
     "server and syncs. Remembers --server and --ca in the replica.",
     {{"username", "NAME"}, {"password", "P"}},
     cmd_login},
    {"sync",
     "sync [--live]",
     "Pushes queued work, uploads photos, pulls the server's changes. Exit status 3: unreachable. --live: stays "
     "connected and syncs each time the server announces a change for this device, printing each; Ctrl-C stops.",
     {{"live"}},
     cmd_sync},
    {"jobs",
     "jobs [--all]",
     "Lists your jobs on this device (--all: every job the device holds).",
     {{"all"}},
     cmd_jobs},
    {"show",
     "show JOB",
     "Shows a job (by ticket number or id), its plans, visits, notes, photos and the actions you can take.",
     {},
     cmd_show},
    {"assess",
     "assess JOB --findings TEXT --warranty-covered yes|no --customer-caused yes|no --mode on_site|depot "
     "--item \"kind|description|quantity|unit price\"... --cost N [--fault-category C]",
     "Submits the assessment and the repair plan (kind: part or labour; --cost: what the customer pays).",
     {{"findings", "TEXT", true},
      {"warranty-covered", "yes|no", true},
      {"customer-caused", "yes|no", true},
      {"mode", "on_site|depot", true},
      {"item", "\"kind|description|quantity|unit price\"", false, true},
      {"cost", "N", true},
      {"fault-category", "C"}},
     cmd_assess},
    {"start",
     "start JOB [--receipt-inspection TEXT] [--note TEXT]",
     "Starts the repair (depot repairs need --receipt-inspection).",
     {{"receipt-inspection", "TEXT"}, {"note", "TEXT"}},
     cmd_start},
    {"complete",
     "complete JOB --summary TEXT --minutes N [--part \"description|quantity\"]... "
     "[--return-carrier C --return-tracking T]",
     "Completes the repair with the work done, time spent and parts used (depot: the return shipment).",
     {{"summary", "TEXT", true},
      {"minutes", "N", true},
      {"part", "\"description|quantity\"", false, true},
      {"return-carrier", "C"},
      {"return-tracking", "T"}},
     cmd_complete},
    {"hold",
     "hold JOB --reason TEXT",
     "Puts the job on hold (waiting for parts or the customer).",
     {{"reason", "TEXT", true}},
     cmd_hold},
    {"resume", "resume JOB [--note TEXT]", "Resumes a job on hold.", {{"note", "TEXT"}}, cmd_resume},
    {"accept",
     "accept JOB --signer NAME --signature FILE.png --rating 1-5 [--comment TEXT] [--strokes JSON]",
     "Records the customer's acceptance with their signature. The signature carries the SHA-256 of the job "
     "summary the server checks: the server's when it answers, else computed on this device from the replica "
     "(if the job changed on the server meanwhile, it refuses the acceptance and it shows under `fieldtech "
     "conflicts`). --strokes: the pen strokes as JSON [[[x,y],...],...]; without it, one stroke across the image.",
     {{"signer", "NAME", true},
      {"signature", "FILE.png", true},
      {"rating", "1-5", true},
      {"comment", "TEXT"},
      {"strokes", "JSON"}},
     cmd_accept},
    {"note", "note JOB TEXT [--kind K]", "Adds a note to the job.", {{"kind", "K"}}, cmd_note},
    {"photo",
     "photo JOB FILE [--caption TEXT]",
     "Attaches a photo; the bytes upload in resumable chunks.",
     {{"caption", "TEXT"}},
     cmd_photo},
    {"report",
     "report --customer ID --asset ID --description TEXT [--priority P] [--category C]",
     "Reports a new fault found on site (needs the server: it issues the ticket number).",
     {{"customer", "ID", true},
      {"asset", "ID", true},
      {"description", "TEXT", true},
      {"priority", "P"},
      {"category", "C"}},
     cmd_report},
    {"pending", "pending", "Lists work done on this device that the server has not confirmed yet.", {}, cmd_pending},
    {"conflicts", "conflicts", "Lists work the server rejected, with its reasons.", {}, cmd_conflicts},
};

// Given twice, the last one counts, as in most command-line tools.
OptionSet global_options() {
    OptionSet set;
    auto add = [&](const std::string& name, const std::string& argument, const std::string& description) {
        Option option(name, "", description);
        option.repeatable(true);
        if (!argument.empty()) option.argument(argument);
        set.addOption(option);
    };
    add("replica", "FILE", "the replica (FIELDTECH_REPLICA; default ~/.fieldtech/replica.db)");
    add("server", "URL", "https://host:port (FIELDTECH_SERVER; remembered after login)");
    add("ca", "FILE", "trust exactly this PEM certificate or CA (FIELDTECH_CA)");
    add("json", "", "machine-readable output");
    add("offline", "", "do not try to send writes right away");
    set.addOption(help_option());
    return set;
}

OptionSet command_options(const Command& command) {
    OptionSet set;
    for (const auto& spec : command.options) set.addOption(poco_option(spec));
    set.addOption(help_option());
    return set;
}

void print_help(std::ostream& out, const OptionSet& options, const std::string& usage, const std::string& header,
                const std::string& footer) {
    Poco::Util::HelpFormatter help(options);
    help.setUnixStyle(true);
    // Wide enough that no usage line wraps: each is one line, as users copy them.
    help.setWidth(200);
    help.setAutoIndent();
    help.setCommand("fieldtech");
    help.setUsage(usage);
    help.setHeader("\n" + header);
    help.setFooter(footer);
    help.format(out);
}

void print_usage(std::ostream& out) {
    std::string commands_list = "commands:";
    for (const auto& c : kCommands) commands_list += "\n  " + c.usage;
    print_help(out, global_options(),
               "[--replica FILE] [--server URL] [--ca FILE] [--json] [--offline] <command> [--help]",
               "A technician's client: works on a local replica, with or without the server.", commands_list);
}

void print_command_help(const Command& command) {
    print_help(std::cout, command_options(command), command.usage, command.help, "");
}

// The global options before the command; returns the index of the command word. Throws UsageError.
std::size_t parse_global(const std::vector<std::string>& words, Settings& settings, bool& help) {
    Args global;
    std::size_t at = process_options(global_options(), words, global, true);
    help = global.has("help");
    if (global.has("replica")) settings.replica = global.get("replica");
    if (global.has("server")) settings.server = global.get("server");
    if (global.has("ca")) settings.ca = global.get("ca");
    settings.json = global.has("json");
    settings.offline = global.has("offline");
    if (!help && at >= words.size()) throw UsageError("no command given");
    return at;
}

// An error from the library: the JSON error body with --json, else one line; exit 3 when unreachable, else 1.
int report_error(const Command& command, const Settings& settings, const Error& e) {
    if (settings.json) {
        Object::Ptr error = new Object;
        error->set("code", std::string(fieldsync::to_string(e.code())));
        error->set("message", std::string(e.what()));
        error->set("field", e.field().empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(e.field()));
        Object::Ptr out = new Object;
        out->set("error", error);
        out->stringify(std::cerr);
        std::cerr << "\n";
    } else {
        std::cerr << "fieldtech " << command.name << ": " << e.what() << " [" << fieldsync::to_string(e.code())
                  << (e.field().empty() ? "" : ", field " + e.field()) << "]\n";
    }
    return e.code() == ErrorCode::unavailable ? 3 : 1;
}

int run_command(const Command& command, const Settings& settings, const std::vector<std::string>& rest) {
    for (const auto& w : rest)
        if (w == "--help" || w == "-h") {
            print_command_help(command);
            return 0;
        }
    try {
        Args args;
        process_options(command_options(command), rest, args, false);
        Session session(settings);
        return command.run(session, args);
    } catch (const UsageError& e) {
        std::cerr << "fieldtech " << command.name << ": " << e.what() << "\nusage: fieldtech " << command.usage << "\n";
        return 2;
    } catch (const Error& e) {
        return report_error(command, settings, e);
    } catch (const std::exception& e) {
        std::cerr << "fieldtech " << command.name << ": " << e.what() << "\n";
        return 1;
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> words(argv + 1, argv + argc);
    Settings settings;
    settings.replica = env("FIELDTECH_REPLICA");
    settings.server = env("FIELDTECH_SERVER");
    settings.ca = env("FIELDTECH_CA");
    std::size_t at = 0;
    try {
        bool help = false;
        at = parse_global(words, settings, help);
        if (help) {
            print_usage(std::cout);
            return 0;
        }
    } catch (const UsageError& e) {
        std::cerr << "fieldtech: " << e.what() << "\n\n";
        print_usage(std::cerr);
        return 2;
    }
    if (settings.replica.empty()) settings.replica = env("HOME") + "/.fieldtech/replica.db";
    for (const auto& c : kCommands)
        if (c.name == words[at])
            return run_command(
                c, settings,
                std::vector<std::string>(words.begin() + static_cast<std::ptrdiff_t>(at) + 1, words.end()));
    std::cerr << "fieldtech: unknown command " << words[at] << "\n\n";
    print_usage(std::cerr);
    return 2;
}
