// fieldtech: a technician's command-line client on libfieldmobile. Every command works on the local replica
// first, so it works with the server unreachable; writes are queued as ops and go up with the next sync.
#include <Poco/Base64Encoder.h>
#include <Poco/File.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Path.h>
#include <Poco/String.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fieldmobile/job_summary.hpp"
#include "fieldmobile/replica.hpp"
#include "fieldmobile/sync_client.hpp"
#include "fieldmobile/transport.hpp"
#include "fieldmobile/views.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/op.hpp"
#include "fieldsync/wire.hpp"
#include "fieldsync/workflow.hpp"

namespace {

using fieldsync::Error;
using fieldsync::ErrorCode;
using Poco::JSON::Array;
using Poco::JSON::Object;

// A wrong command line: exit status 2 with the command's usage.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct OptionSpec {
    std::string name;  // without "--"
    bool takes_value = true;
    bool repeatable = false;
};

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
    std::string need(const std::string& name) const {
        if (!has(name)) throw UsageError("--" + name + " is required");
        return get(name);
    }
};

Args parse_args(const std::vector<std::string>& words, const std::vector<OptionSpec>& specs) {
    Args args;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string& w = words[i];
        if (w.rfind("--", 0) != 0 || w == "--") {
            args.positional.push_back(w);
            continue;
        }
        std::string name = w.substr(2), value;
        bool inline_value = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            inline_value = true;
        }
        const OptionSpec* spec = nullptr;
        for (const auto& s : specs)
            if (s.name == name) spec = &s;
        if (!spec) throw UsageError("unknown option --" + name);
        if (spec->takes_value && !inline_value) {
            if (i + 1 >= words.size()) throw UsageError("--" + name + " needs a value");
            value = words[++i];
        }
        if (!spec->repeatable && args.has(name)) throw UsageError("--" + name + " given twice");
        args.options[name].push_back(spec->takes_value ? value : "yes");
    }
    return args;
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

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::not_found, "cannot read " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
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

std::string content_type_of(const std::string& file) {
    std::string ext = Poco::toLower(Poco::Path(file).getExtension());
    if (ext == "png") return "image/png";
    if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
    if (ext == "webp") return "image/webp";
    if (ext == "pdf") return "application/pdf";
    return "application/octet-stream";
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

int cmd_sync(Session& s, const Args&) {
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

// Queues a workflow action on JOB and reports it.
int act(Session& s, const Args& a, const std::string& action, const Object::Ptr& fields, const std::string& done) {
    if (a.positional.size() != 1) throw UsageError(action + " takes one JOB");
    auto job = s.job(a.positional[0]);
    std::string op_id = s.replica().act(str(job, "id"), action, fields);
    auto after = s.replica().row("jobs", str(job, "id"));
    Object::Ptr result = new Object;
    result->set("op_id", op_id);
    result->set("job_id", str(job, "id"));
    result->set("state", str(after, "state"));
    s.after_write(done + " " + a.positional[0] + " (now " + str(after, "state") + ").", result);
    return 0;
}

int cmd_assess(Session& s, const Args& a) {
    Object::Ptr plan = new Object;
    std::string mode = a.need("mode");
    plan->set("mode", mode);
    plan->set("cost_to_customer", number_arg(a.need("cost"), "--cost"));
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
    fields->set("findings", a.need("findings"));
    fields->set("warranty_covered", yes_no(a.need("warranty-covered"), "warranty-covered"));
    fields->set("customer_caused", yes_no(a.need("customer-caused"), "customer-caused"));
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
    fields->set("work_summary", a.need("summary"));
    fields->set("time_spent_minutes", integer_arg(a.need("minutes"), "--minutes"));
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
    fields->set("reason", a.need("reason"));
    return act(s, a, "hold", fields, "Put on hold:");
}

int cmd_resume(Session& s, const Args& a) {
    Object::Ptr fields = new Object;
    if (a.has("note")) fields->set("note", a.get("note"));
    return act(s, a, "resume", fields, "Resumed");
}

// The summary hash the server checks on acceptance: the server's when it answers, else computed on the device from
// the replica in the server's format (the server refuses it as stale_summary if the job changed meanwhile).
std::string summary_sha256(Session& s, const std::string& job_id, std::string& source) {
    if (!s.offline() && !s.server().empty() && s.replica().state("device_token")) {
        try {
            auto summary = s.client(false).get_json("/api/v1/jobs/" + job_id + "/summary");
            source = "fetched from the server";
            return str(summary, "sha256");
        } catch (const Error& e) {
            // An expired login token is no reason to stop the customer signing: compute it here instead.
            if (e.code() != ErrorCode::unavailable && e.code() != ErrorCode::unauthenticated) throw;
        }
    }
    source = "computed on this device (the server did not answer)";
    return fieldmobile::job_summary_sha256(s.replica(), job_id);
}

// The pen strokes of the signature: --strokes as JSON [[[x,y],...],...], else (a terminal has no pen) one stroke
// along the diagonal of the PNG, whose size is in its IHDR header.
Array::Ptr strokes_of(const std::string& json, const std::string& png) {
    if (!json.empty()) {
        Poco::JSON::Parser parser;
        try {
            auto value = parser.parse(json);
            if (value.type() == typeid(Array::Ptr)) return value.extract<Array::Ptr>();
        } catch (const Poco::Exception&) {
        }
        throw UsageError("--strokes takes a JSON array of strokes, e.g. [[[0,0],[20,8]]]");
    }
    if (png.size() < 24 || png.compare(1, 3, "PNG") != 0) throw UsageError("--signature must be a PNG image");
    auto be32 = [&](std::size_t at) {
        std::int64_t v = 0;
        for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(png[at + i]);
        return v;
    };
    Array::Ptr start = new Array, end = new Array, stroke = new Array, strokes = new Array;
    start->add(0);
    start->add(0);
    end->add(be32(16));
    end->add(be32(20));
    stroke->add(start);
    stroke->add(end);
    strokes->add(stroke);
    return strokes;
}

int cmd_accept(Session& s, const Args& a) {
    if (a.positional.size() != 1) throw UsageError("accept takes one JOB");
    auto job = s.job(a.positional[0]);
    std::string png = read_file(a.need("signature"));
    std::ostringstream b64;
    {
        Poco::Base64Encoder encoder(b64);
        encoder.rdbuf()->setLineLength(0);
        encoder << png;
        encoder.close();
    }
    std::string source;
    Object::Ptr fields = new Object;
    fields->set("signer_name", a.need("signer"));
    fields->set("signature_png", b64.str());
    fields->set("signature_strokes", strokes_of(a.get("strokes"), png));
    fields->set("rating", integer_arg(a.need("rating"), "--rating"));
    if (a.has("comment")) fields->set("comment", a.get("comment"));
    fields->set("summary_sha256", summary_sha256(s, str(job, "id"), source));
    // Checked before the signature image is stored, so a refused acceptance leaves no orphan attachment behind.
    const auto& workflow = fieldsync::Workflow::builtin();
    fieldsync::JobPosition position{str(job, "state"), str(job, "previous_state"), str(job, "mode")};
    workflow.validate(workflow.resolve("record_acceptance", position, s.replica().role()), *fields, position.mode);
    // The signature image is kept as an attachment too, so it syncs and shows with the job's photos.
    s.replica().add_attachment(str(job, "id"), "signature", png, "image/png",
                               Poco::Path(a.get("signature")).getFileName(), "signature of " + a.get("signer"));
    if (!s.json()) std::cout << "Summary SHA-256 " << source << ".\n";
    return act(s, a, "record_acceptance", fields, "Acceptance recorded for");
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
    std::string file = a.positional[1];
    std::string bytes = read_file(file);
    Object::Ptr result = new Object;
    result->set("attachment_id", s.replica().add_attachment(str(job, "id"), "photo", bytes, content_type_of(file),
                                                            Poco::Path(file).getFileName(), a.get("caption")));
    s.after_write("Photo " + Poco::Path(file).getFileName() + " (" + std::to_string(bytes.size()) +
                      " bytes) attached to " + a.positional[0] + ".",
                  result);
    return 0;
}

int cmd_report(Session& s, const Args& a) {
    Object::Ptr body = new Object;
    body->set("customer_id", a.need("customer"));
    body->set("asset_id", a.need("asset"));
    body->set("description", a.need("description"));
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

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        {"login",
         "login USERNAME [--password P]",
         "Logs in (password from --password, FIELDTECH_PASSWORD or a prompt), registers this device with the "
         "server and syncs. Remembers --server and --ca in the replica.",
         {{"username"}, {"password"}},
         cmd_login},
        {"sync",
         "sync",
         "Pushes queued work, uploads photos, pulls the server's changes. Exit status 3: unreachable.",
         {},
         cmd_sync},
        {"jobs",
         "jobs [--all]",
         "Lists your jobs on this device (--all: every job the device holds).",
         {{"all", false}},
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
         {{"findings"},
          {"warranty-covered"},
          {"customer-caused"},
          {"mode"},
          {"item", true, true},
          {"cost"},
          {"fault-category"}},
         cmd_assess},
        {"start",
         "start JOB [--receipt-inspection TEXT] [--note TEXT]",
         "Starts the repair (depot repairs need --receipt-inspection).",
         {{"receipt-inspection"}, {"note"}},
         cmd_start},
        {"complete",
         "complete JOB --summary TEXT --minutes N [--part \"description|quantity\"]... "
         "[--return-carrier C --return-tracking T]",
         "Completes the repair with the work done, time spent and parts used (depot: the return shipment).",
         {{"summary"}, {"minutes"}, {"part", true, true}, {"return-carrier"}, {"return-tracking"}},
         cmd_complete},
        {"hold",
         "hold JOB --reason TEXT",
         "Puts the job on hold (waiting for parts or the customer).",
         {{"reason"}},
         cmd_hold},
        {"resume", "resume JOB [--note TEXT]", "Resumes a job on hold.", {{"note"}}, cmd_resume},
        {"accept",
         "accept JOB --signer NAME --signature FILE.png --rating 1-5 [--comment TEXT] [--strokes JSON]",
         "Records the customer's acceptance with their signature. The signature carries the SHA-256 of the job "
         "summary the server checks: the server's when it answers, else computed on this device from the replica "
         "(if the job changed on the server meanwhile, it refuses the acceptance and it shows under `fieldtech "
         "conflicts`). --strokes: the pen strokes as JSON [[[x,y],...],...]; without it, one stroke across the image.",
         {{"signer"}, {"signature"}, {"rating"}, {"comment"}, {"strokes"}},
         cmd_accept},
        {"note", "note JOB TEXT [--kind K]", "Adds a note to the job.", {{"kind"}}, cmd_note},
        {"photo",
         "photo JOB FILE [--caption TEXT]",
         "Attaches a photo; the bytes upload in resumable chunks.",
         {{"caption"}},
         cmd_photo},
        {"report",
         "report --customer ID --asset ID --description TEXT [--priority P] [--category C]",
         "Reports a new fault found on site (needs the server: it issues the ticket number).",
         {{"customer"}, {"asset"}, {"description"}, {"priority"}, {"category"}},
         cmd_report},
        {"pending",
         "pending",
         "Lists work done on this device that the server has not confirmed yet.",
         {},
         cmd_pending},
        {"conflicts", "conflicts", "Lists work the server rejected, with its reasons.", {}, cmd_conflicts},
    };
    return table;
}

void print_usage(std::ostream& out) {
    out << "usage: fieldtech [--replica FILE] [--server URL] [--ca FILE] [--json] [--offline] <command> [--help]\n\n"
           "A technician's client: works on a local replica, with or without the server.\n\n"
           "  --replica FILE  the replica (FIELDTECH_REPLICA; default ~/.fieldtech/replica.db)\n"
           "  --server URL    https://host:port (FIELDTECH_SERVER; remembered after login)\n"
           "  --ca FILE       trust exactly this PEM certificate or CA (FIELDTECH_CA)\n"
           "  --json          machine-readable output\n"
           "  --offline       do not try to send writes right away\n\ncommands:\n";
    for (const auto& c : commands()) out << "  " << c.usage << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> words(argv + 1, argv + argc);
    Settings settings;
    settings.replica = env("FIELDTECH_REPLICA");
    settings.server = env("FIELDTECH_SERVER");
    settings.ca = env("FIELDTECH_CA");
    std::size_t i = 0;
    try {
        for (; i < words.size() && words[i].rfind("--", 0) == 0; ++i) {
            const std::string& w = words[i];
            auto value = [&]() -> std::string {
                if (i + 1 >= words.size()) throw UsageError(w + " needs a value");
                return words[++i];
            };
            if (w == "--help" || w == "-h") {
                print_usage(std::cout);
                return 0;
            } else if (w == "--replica") {
                settings.replica = value();
            } else if (w == "--server") {
                settings.server = value();
            } else if (w == "--ca") {
                settings.ca = value();
            } else if (w == "--json") {
                settings.json = true;
            } else if (w == "--offline") {
                settings.offline = true;
            } else {
                throw UsageError("unknown option " + w);
            }
        }
        if (i >= words.size()) throw UsageError("no command given");
    } catch (const UsageError& e) {
        std::cerr << "fieldtech: " << e.what() << "\n\n";
        print_usage(std::cerr);
        return 2;
    }
    if (settings.replica.empty()) settings.replica = env("HOME") + "/.fieldtech/replica.db";
    const Command* command = nullptr;
    for (const auto& c : commands())
        if (c.name == words[i]) command = &c;
    if (!command) {
        std::cerr << "fieldtech: unknown command " << words[i] << "\n\n";
        print_usage(std::cerr);
        return 2;
    }
    std::vector<std::string> rest(words.begin() + static_cast<std::ptrdiff_t>(i) + 1, words.end());
    for (const auto& w : rest)
        if (w == "--help" || w == "-h") {
            std::cout << "usage: fieldtech " << command->usage << "\n\n" << command->help << "\n";
            return 0;
        }
    try {
        Args args = parse_args(rest, command->options);
        Session session(settings);
        return command->run(session, args);
    } catch (const UsageError& e) {
        std::cerr << "fieldtech " << command->name << ": " << e.what() << "\nusage: fieldtech " << command->usage
                  << "\n";
        return 2;
    } catch (const Error& e) {
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
            std::cerr << "fieldtech " << command->name << ": " << e.what() << " [" << fieldsync::to_string(e.code())
                      << (e.field().empty() ? "" : ", field " + e.field()) << "]\n";
        }
        return e.code() == ErrorCode::unavailable ? 3 : 1;
    } catch (const std::exception& e) {
        std::cerr << "fieldtech " << command->name << ": " << e.what() << "\n";
        return 1;
    }
}
