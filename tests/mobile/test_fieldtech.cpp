// The fieldtech CLI as a user runs it: help, usage errors, offline writes queued and said so, JSON output.
#include <Poco/JSON/Parser.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>

#include <catch2/catch.hpp>

#include "fixtures.hpp"

using namespace mobiletest;

namespace {

struct Run {
    int status = 0;
    std::string out, err;
};

Run fieldtech(const std::vector<std::string>& args) {
    Poco::Pipe out, err;
    Poco::Process::Env env = {{"FIELDTECH_SERVER", ""}, {"FIELDTECH_CA", ""}, {"FIELDTECH_REPLICA", ""}};
    auto handle = Poco::Process::launch(FIELDTECH_BINARY, args, ".", nullptr, &out, &err, env);
    Poco::PipeInputStream out_stream(out), err_stream(err);
    Run run;
    Poco::StreamCopier::copyToString(out_stream, run.out);
    Poco::StreamCopier::copyToString(err_stream, run.err);
    run.status = handle.wait();
    return run;
}

}  // namespace

TEST_CASE("fieldtech explains itself and refuses wrong command lines", "[Mobile][Fieldtech]") {
    TempDir dir;
    auto help = fieldtech({"--help"});
    CHECK(help.status == 0);
    CHECK(help.out.find("accept JOB --signer NAME") != std::string::npos);
    auto command_help = fieldtech({"--replica", dir.file("r.db"), "complete", "--help"});
    CHECK(command_help.status == 0);
    CHECK(command_help.out.find("--minutes N") != std::string::npos);
    CHECK(fieldtech({"--replica", dir.file("r.db"), "fly"}).status == 2);
    auto missing = fieldtech({"--replica", dir.file("r.db"), "hold", "FR-1"});
    CHECK(missing.status == 2);
    CHECK(missing.err.find("--reason is required") != std::string::npos);
    CHECK(fieldtech({"--replica", dir.file("r.db"), "assess", "FR-1", "--warranty-covered", "maybe"}).status == 2);
    auto no_server = fieldtech({"--replica", dir.file("r.db"), "sync"});
    CHECK(no_server.status == 1);
    CHECK(no_server.err.find("no server configured") != std::string::npos);
}

TEST_CASE("fieldtech works offline: writes are queued and it says so", "[Mobile][Fieldtech]") {
    TempDir dir;
    std::string path = dir.file("r.db");
    {
        FakeServer server;
        seed(server);
        fieldmobile::Replica replica(path);
        sign_in(replica, server);
        fieldmobile::SyncClient(replica, server).sync();
    }
    // A server address nothing listens on: the tablet is out of coverage.
    std::vector<std::string> base = {"--replica", path, "--server", "https://127.0.0.1:1"};
    auto with = [&](std::vector<std::string> more) {
        auto args = base;
        args.insert(args.end(), more.begin(), more.end());
        return fieldtech(args);
    };
    auto jobs = with({"jobs"});
    CHECK(jobs.status == 0);
    CHECK(jobs.out.find("FR-20261121-0001  scheduled") != std::string::npos);

    auto start = with({"start", "FR-20261121-0001"});
    CHECK(start.status == 0);
    CHECK(start.out.find("now in_repair") != std::string::npos);
    CHECK(start.out.find("queued (the server is unreachable)") != std::string::npos);
    auto note = with({"--json", "note", "FR-20261121-0001", "客户要求下午再来"});
    CHECK(note.status == 0);
    auto result = fieldsync::parse_json_object(note.out);
    CHECK(result->getValue<std::string>("status") == "queued");
    CHECK(result->getValue<int>("ops_waiting") == 2);

    auto wrong = with({"complete", "FR-20261121-0002", "--summary", "x", "--minutes", "5"});
    CHECK(wrong.status == 1);
    CHECK(wrong.err.find("invalid_transition") != std::string::npos);

    auto sync = with({"sync"});
    CHECK(sync.status == 3);
    CHECK(sync.out.find("2 op(s) stay queued") != std::string::npos);
    auto pending = with({"--json", "pending"});
    CHECK(pending.status == 0);
    auto outbox = Poco::JSON::Parser().parse(pending.out).extract<Poco::JSON::Array::Ptr>();
    CHECK(outbox->size() == 2);
    fieldmobile::Replica replica(path);
    CHECK(replica.find_job("FR-20261121-0001")->getValue<std::string>("state") == "in_repair");
}
