// Fuzzes the device's pull: SyncClient::pull() on a fresh replica that holds rows and pending ops, with
// the input as the server's reply bodies (pages separated by a form feed, which JSON never holds outside a
// string). Invariants: pull throws only fieldsync::Error, and whatever it stored, the replica can still read.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "fieldmobile/replica.hpp"
#include "fieldmobile/sync_client.hpp"
#include "fieldmobile/transport.hpp"
#include "fieldsync/bucket.hpp"
#include "fieldsync/error.hpp"
#include "fieldsync/wire.hpp"
#include "fuzz_support.hpp"

using fuzzsupport::require;

namespace {

constexpr std::string_view kJob = "0190a000-0000-7000-8000-000000000001";
constexpr std::string_view kCustomer = "0190a000-0000-7000-8000-0000000000c1";

// A page that gives the replica a job, its customer and a part before the fuzzed pages arrive.
constexpr std::string_view kSeedPage =
    R"({"protocol":1,"changes":[)"
    R"({"seq":1,"bucket":"tech:u1","table":"customers","row_id":"0190a000-0000-7000-8000-0000000000c1","version":1,)"
    R"("op":"put","row":{"id":"0190a000-0000-7000-8000-0000000000c1","name":"刘洋","phone":"13800000000"}},)"
    R"({"seq":2,"bucket":"tech:u1","table":"jobs","row_id":"0190a000-0000-7000-8000-000000000001","version":3,)"
    R"("op":"put","row":{"id":"0190a000-0000-7000-8000-000000000001","ticket_no":"FR-20261121-0001",)"
    R"("state":"scheduled","assignee_id":"u1","mode":"on_site","customer_id":"0190a000-0000-7000-8000-0000000000c1"}},)"
    R"({"seq":3,"bucket":"catalog","table":"parts","row_id":"p1","version":1,"op":"put",)"
    R"("row":{"id":"p1","sku":"PUMP-1","name":"排水泵"}}],)"
    R"("cursor":3,"has_more":true,"write_checkpoint":0,"reset_required":false})";

// Serves the pages in turn (the last one again when asked for more) and applies every pushed op, so a reset goes on
// to the re-download.
class PageTransport : public fieldmobile::Transport {
  public:
    explicit PageTransport(std::string_view input) {
        std::size_t start = 0;
        for (;;) {
            std::size_t end = input.find('\f', start);
            pages_.emplace_back(input.substr(start, end == std::string_view::npos ? end : end - start));
            if (end == std::string_view::npos) break;
            start = end + 1;
        }
    }

    fieldmobile::HttpResponse send(const fieldmobile::HttpRequest& request) override {
        if (++requests_ > 32) return {503, {}, {}};
        if (request.method == "POST") {
            fieldsync::PushResponse applied{{}, ++write_checkpoint_};
            for (const auto& op : fieldsync::decode_push_request(*fieldsync::parse_json_object(request.body)).ops)
                applied.results.push_back({op.op_id, fieldsync::OpStatus::applied, op.base_version + 1, std::nullopt});
            return {200, fieldsync::to_json_text(fieldsync::encode(applied)), {}};
        }
        std::size_t page = std::min(served_++, pages_.size() - 1);
        return {200, pages_[page], {{"content-type", "application/json"}}};
    }

  private:
    std::vector<std::string> pages_;
    std::size_t served_ = 0;
    int requests_ = 0;
    std::int64_t write_checkpoint_ = 0;
};

void seed(fieldmobile::Replica& replica) {
    replica.set_device("dev-1", "device-token");
    replica.apply_pull_page(fieldsync::decode_pull_response_text(kSeedPage));
    Poco::JSON::Object::Ptr phone = new Poco::JSON::Object;
    phone->set("phone", std::string("13900000000"));
    replica.update("customers", std::string(kCustomer), phone);
    Poco::JSON::Object::Ptr notes = new Poco::JSON::Object;
    notes->set("notes", std::string("门禁 1234"));
    replica.update("jobs", std::string(kJob), notes);
}

// The seeded replica is made once and copied for each input: a copy opens in far less time than a fresh replica
// is migrated and seeded. Kept in /dev/shm when there is one, and removed at exit.
class ReplicaFiles {
  public:
    ReplicaFiles() {
        auto base = std::filesystem::exists("/dev/shm") ? std::filesystem::path("/dev/shm")
                                                        : std::filesystem::temp_directory_path();
        dir_ = base / ("fieldrepair-fuzz-device-pull-" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        fieldmobile::Replica replica(seeded());
        seed(replica);
    }
    ~ReplicaFiles() { std::filesystem::remove_all(dir_); }

    // A fresh copy of the seeded replica.
    std::string fresh() const {
        std::string work = (dir_ / "work.db").string();
        for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(work + suffix);
        // libFuzzer's timer signal can interrupt the copy (EINTR); it is then simply made again.
        for (int attempt = 1;; ++attempt) {
            std::error_code error;
            std::filesystem::copy_file(seeded(), work, std::filesystem::copy_options::overwrite_existing, error);
            if (!error) return work;
            if (error != std::errc::interrupted || attempt == 10)
                throw std::filesystem::filesystem_error("cannot copy the seeded replica", error);
        }
    }

  private:
    std::string seeded() const { return (dir_ / "seeded.db").string(); }

    std::filesystem::path dir_;
};

// Everything the app reads after a sync, so a stored row it could not read shows up here.
void read_back(const fieldmobile::Replica& replica) {
    for (auto kind : {fieldsync::BucketKind::technician, fieldsync::BucketKind::catalog})
        for (const auto& table : fieldsync::bucket_tables(kind))
            for (const auto& row : replica.rows(table)) require(row != nullptr, "a null row in " + table);
    replica.jobs();
    replica.outbox();
    replica.cursor();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const ReplicaFiles files;
    fieldmobile::Replica replica(files.fresh());
    PageTransport transport(std::string_view(reinterpret_cast<const char*>(data), size));
    fieldmobile::SyncOptions options;
    options.limits = {8, 16};
    fieldmobile::SyncClient client(replica, transport, options);
    try {
        client.pull();
    } catch (const fieldsync::Error& e) {
        require(fuzzsupport::is_valid_utf8(e.what()), "a pull error message that is not UTF-8");
    }
    try {
        read_back(replica);
    } catch (const fieldsync::Error& e) {
        fuzzsupport::violated(std::string("the replica cannot read what the pull stored: ") + e.what());
    }
    return 0;
}
