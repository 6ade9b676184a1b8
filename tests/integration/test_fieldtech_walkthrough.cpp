// The README's fieldtech walk-through, run as written: the real fieldtech binary as a subprocess against the real
// server, which is stopped half-way and started again on the same data folder, port and certificate.
#include <Poco/Base64Decoder.h>
#include <Poco/File.h>
#include <Poco/FileStream.h>
#include <Poco/Pipe.h>
#include <Poco/PipeStream.h>
#include <Poco/Process.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>

#include <sstream>

#include "fieldsync/digest.hpp"
#include "fixtures.hpp"

using namespace fieldtest;

namespace {

struct Run {
    int status = -1;
    std::string out, err;
};

std::string file_bytes(const std::string& path) {
    Poco::FileInputStream in(path);
    std::string out;
    Poco::StreamCopier::copyToString(in, out);
    return out;
}

// One technician's terminal: FIELDTECH_REPLICA, FIELDTECH_SERVER and FIELDTECH_CA exported as in the README.
class Terminal {
  public:
    explicit Terminal(const TestServer& srv) : dir_(Poco::TemporaryFile::tempName()) {
        Poco::File(dir_).createDirectories();
        env_ = {{"FIELDTECH_REPLICA", dir_ + "/tablet-li.db"},
                {"FIELDTECH_SERVER", srv.base_url()},
                {"FIELDTECH_CA", srv.cert_file()}};
    }
    ~Terminal() {
        try {
            Poco::File(dir_).remove(true);
        } catch (...) {
            // A leftover temp folder is harmless.
        }
    }
    Terminal(const Terminal&) = delete;
    Terminal& operator=(const Terminal&) = delete;

    const std::string& dir() const { return dir_; }

    // $FT args…: runs fieldtech to its end (killed after two minutes, so a hang fails the test instead of
    // blocking it) and returns its exit status and output.
    Run ft(const std::vector<std::string>& args) const {
        std::vector<std::string> argv = {"120", FIELDTECH_BINARY};
        argv.insert(argv.end(), args.begin(), args.end());
        Poco::Pipe out, err;
        Poco::ProcessHandle child = Poco::Process::launch("/usr/bin/timeout", argv, dir_, nullptr, &out, &err, env_);
        Run run;
        Poco::PipeInputStream out_stream(out), err_stream(err);
        // fieldtech writes a few lines at most, well within a pipe's buffer, so reading one after the other is safe.
        Poco::StreamCopier::copyToString(out_stream, run.out);
        Poco::StreamCopier::copyToString(err_stream, run.err);
        run.status = child.wait();
        return run;
    }

    // Runs a command that must exit with status; shows its output when it does not.
    Run must(const std::vector<std::string>& args, int status = 0) const {
        Run run = ft(args);
        std::string line;
        for (const auto& a : args) line += a + " ";
        INFO("$FT " << line << "\nexit " << run.status << "\nstdout:\n" << run.out << "stderr:\n" << run.err);
        REQUIRE(run.status == status);
        return run;
    }

  private:
    std::string dir_;
    Poco::Process::Env env_;
};

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::size_t lines_with(const std::string& text, const std::string& part) {
    std::istringstream in(text);
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) n += has(line, part);
    return n;
}

}  // namespace

TEST_CASE("The README's fieldtech walk-through works as written with the server stopped half-way",
          "[Mobile][Integration]") {
    TestServer srv;
    Shop shop(srv);
    // The walk-through starts once the visit is booked.
    std::string job = shop.report(shop.customer_a, shop.asset_a);
    shop.drive(job, "scheduled");
    std::string ticket = text_of(shop.job(job), "ticket_no");
    Terminal t(srv);

    auto login = t.must({"login", "tech.a", "--password", "orchard-lantern-tech.a"});
    CHECK(has(login.out, "Logged in as"));
    auto jobs = t.must({"jobs"});
    CHECK(has(jobs.out, ticket + "  scheduled"));
    auto shown = t.must({"show", job});
    CHECK(has(shown.out, "Actions you can take:"));
    CHECK(has(shown.out, "start_repair"));
    CHECK(has(t.must({"show", ticket}).out, ticket));

    // The technician drives out of coverage.
    std::string url = srv.base_url();
    srv.stop();
    auto started = t.must({"start", job});
    CHECK(has(started.out, "Saved on this device and queued (the server is unreachable); 1 op(s) wait"));
    t.must({"note", job, "排水泵被硬币卡住"});
    // A JPEG as far as the server can tell (it accepts attachments by their first bytes): the JPEG start marker
    // and some bytes of the repository.
    std::string photo = t.dir() + "/pump.jpg";
    {
        Poco::FileOutputStream jpeg(photo);
        jpeg << "\xFF\xD8\xFF\xE0"
             << file_bytes(std::string(FIELDREPAIR_SOURCE_DIR) + "/deploy/fieldrepair.properties");
    }
    auto photographed = t.must({"photo", job, photo});
    CHECK(has(photographed.out, "3 op(s) wait"));
    t.must({"complete", job, "--summary", "取出硬币，清洗排水泵，试机正常", "--minutes", "40", "--part",
            "排水泵密封圈|1"});
    std::string signature = t.dir() + "/sig.png";
    {
        std::istringstream b64(kSignaturePng);
        Poco::Base64Decoder decoder(b64);
        Poco::FileOutputStream png(signature);
        Poco::StreamCopier::copyStream(decoder, png);
    }
    auto accepted = t.must(
        {"accept", job, "--signer", "刘洋", "--signature", signature, "--rating", "5", "--comment", "师傅很专业"});
    CHECK(has(accepted.out, "Summary SHA-256 computed on this device"));
    CHECK(has(accepted.out, "6 op(s) wait"));
    auto pending = t.must({"pending"});
    CHECK(lines_with(pending.out, "(waiting to be sent)") == 6);
    CHECK(has(t.must({"jobs"}).out, ticket + "  accepted"));
    auto unreachable = t.must({"sync"}, 3);
    CHECK(has(unreachable.out, "6 op(s) stay queued on this device; nothing is lost"));

    // Back in coverage: the same server, at the same address, with everything it had.
    srv.start();
    REQUIRE(srv.base_url() == url);
    auto synced = t.must({"sync"});
    CHECK(has(synced.out, "Pushed 6 op(s): 6 applied, 0 rejected."));
    auto after = t.must({"jobs"});
    CHECK(has(after.out, ticket + "  accepted"));
    CHECK_FALSE(has(after.out, "not yet confirmed"));
    CHECK(has(t.must({"pending"}).out, "Nothing waiting"));
    CHECK(has(t.must({"conflicts"}).out, "No conflicts"));
    CHECK(json("{\"ops\":" + t.must({"--json", "pending"}).out + "}")->getArray("ops")->size() == 0);

    // The server has all of it, once.
    auto server_job = shop.job(job);
    CHECK(text_of(server_job, "state") == "accepted");
    CHECK(text_of(server_job->getObject("acceptance"), "signer_name") == "刘洋");
    CHECK(text_of(server_job->getObject("acceptance"), "summary_sha256") == shop.summary_sha(job));
    auto actions = shop.event_actions(job);
    for (const char* action : {"start_repair", "complete_repair", "record_acceptance"}) {
        INFO(action);
        CHECK(std::count(actions.begin(), actions.end(), action) == 1);
    }
    auto notes = list(srv, "/api/v1/jobs/" + job + "/notes", shop.dispatcher)->getArray("items");
    REQUIRE(notes->size() == 1);
    CHECK(text_of(notes->getObject(0), "body") == "排水泵被硬币卡住");
    // The photo and the signature image, byte for byte.
    for (const auto& file : {photo, signature}) {
        INFO(file);
        std::string bytes = file_bytes(file);
        auto stored = srv.get("/api/v1/attachments/" + fieldsync::sha256_hex(bytes) + "/content", shop.dispatcher);
        CHECK(stored.status == 200);
        CHECK(stored.body == bytes);
    }
}
