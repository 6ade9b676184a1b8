// A technician's tablet for the randomized sync simulation (tests/sim, ctest sim_tests_wasm): the device core compiled
// to WebAssembly and run under Node, driven through the C API the app's worker uses. Commands come as JSON lines on
// stdin and answers go back on stdout; each HTTP request the core sends goes out as a line too and its answer comes
// back on stdin, so the simulation's network model (offline, lost answers, dropped pulls) stands between this core
// and the real server. Killing the process is the tablet dying.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "fieldmobile/fieldmobile.h"

namespace {

using Obj = Poco::JSON::Object::Ptr;

struct CloseReplica {
    void operator()(fr_replica* r) const { fr_replica_close(r, nullptr); }
};
struct CloseClient {
    void operator()(fr_sync_client* c) const { fr_sync_client_close(c, nullptr); }
};
struct FreeText {
    void operator()(char* text) const { fr_free_string(text); }
};
using Text = std::unique_ptr<char, FreeText>;

// A request the host cannot make sense of is a bug in the simulation: say so and stop.
[[noreturn]] void fail(const std::string& why) {
    std::fprintf(stderr, "sim_device: %s\n", why.c_str());
    std::exit(2);
}

Obj read_message() {
    std::string line;
    if (!std::getline(std::cin, line)) std::exit(0);  // the simulation closed the pipe: the tablet is switched off
    try {
        return Poco::JSON::Parser().parse(line).extract<Obj>();
    } catch (const Poco::Exception& e) {
        fail("not a JSON object: " + line + " (" + e.displayText() + ")");
    }
}

void write_line(const std::string& line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

std::string json_text(const Poco::Dynamic::Var& value) {
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(value, out);
    return out.str();
}

// The core's transport: the request goes to the simulation, which answers {status, body, retry_after}, or {} when
// no answer arrived. Bodies are JSON text (the sync protocol's), carried as JSON strings.
bool send_to_simulation(void*, const fr_http_request* request, fr_http_response* response) {
    Poco::JSON::Object http;
    http.set("method", request->method);
    http.set("target", request->target);
    http.set("content_type", request->content_type);
    http.set("bearer", request->bearer);
    http.set("body", std::string(request->body ? request->body : "", request->body_size));
    Poco::JSON::Object message;
    message.set("http", http);
    write_line(json_text(message));
    Obj answer = read_message();
    if (!answer->has("status")) return false;
    auto body = answer->getValue<std::string>("body");
    auto* copy = static_cast<char*>(std::malloc(body.size() + 1));
    if (!copy) return false;
    std::memcpy(copy, body.data(), body.size());
    response->status = answer->getValue<int>("status");
    response->body = copy;
    response->body_size = body.size();
    response->retry_after_s = answer->optValue<int>("retry_after", 0);
    return true;
}

class Tablet {
  public:
    // Runs one command; returns the JSON text of its result, or throws the core's error.
    std::string run(const Obj& command) {
        held_.clear();
        std::string cmd = command->getValue<std::string>("cmd");
        if (cmd == "open") return open(command->getValue<std::string>("path"));
        if (!replica_) fail("command " + cmd + " before open");
        fr_error error{};
        if (cmd == "login") {
            if (!fr_sync_client_login(client_.get(), text(command, "username"), text(command, "password"), &error))
                throw error;
            return "true";
        }
        Text out(call(cmd, command, &error));
        if (!out) throw error;
        bool id = cmd == "insert" || cmd == "update" || cmd == "act" || cmd == "state";
        return id ? json_text(std::string(out.get())) : std::string(out.get());
    }

  private:
    std::string open(const std::string& path) {
        fr_error error{};
        replica_.reset(fr_replica_open(path.c_str(), &error));
        if (!replica_) throw error;
        client_.reset(fr_sync_client_open_with_transport(replica_.get(), send_to_simulation, nullptr, &error));
        if (!client_) throw error;
        return "true";
    }

    const char* text(const Obj& command, const char* name) {
        held_.push_back(command->getValue<std::string>(name));
        return held_.back().c_str();
    }
    const char* fields(const Obj& command) {
        held_.push_back(json_text(command->get("fields")));
        return held_.back().c_str();
    }

    char* call(const std::string& cmd, const Obj& c, fr_error* error) {
        fr_replica* r = replica_.get();
        if (cmd == "jobs") return fr_replica_list_jobs(r, true, error);
        if (cmd == "rows") return fr_replica_list_rows(r, text(c, "table"), nullptr, error);
        if (cmd == "outbox") return fr_replica_list_outbox(r, error);
        if (cmd == "conflicts") return fr_replica_list_conflicts(r, error);
        if (cmd == "state") return fr_replica_get_state(r, text(c, "key"), error);
        if (cmd == "summary") return fr_replica_get_job_summary(r, text(c, "job"), error);
        if (cmd == "insert") return fr_replica_insert_row(r, text(c, "table"), fields(c), error);
        if (cmd == "update") return fr_replica_update_row(r, text(c, "table"), text(c, "id"), fields(c), error);
        if (cmd == "act") return fr_replica_take_action(r, text(c, "job"), text(c, "action"), fields(c), error);
        if (cmd == "sync") return fr_sync_client_sync(client_.get(), error);
        fail("unknown command " + cmd);
    }

    std::unique_ptr<fr_replica, CloseReplica> replica_;
    std::unique_ptr<fr_sync_client, CloseClient> client_;  // declared after the replica: closed first
    std::deque<std::string> held_;  // the strings the current call borrows (a deque keeps them in place)
};

}  // namespace

int main() {
    Tablet tablet;
    for (;;) {
        Obj command = read_message();
        try {
            write_line("{\"ok\":" + tablet.run(command) + "}");
        } catch (const fr_error& error) {
            Poco::JSON::Object detail;
            detail.set("code", fr_error_code_name(error.code));
            detail.set("message", error.message);
            detail.set("field", error.field);
            Poco::JSON::Object message;
            message.set("error", detail);
            write_line(json_text(message));
        }
    }
}
