// The device side of a bootstrap alone: the in-process fake server of the mobile tests (tests/mobile/fake_server.hpp)
// hands a replica `rows` rows (jobs, their customers and assets) page by page through the real wire format, so the
// figure is the core's decoding and applying, the same code natively and in WebAssembly (fieldrepair-bench
// wasm_bootstrap runs both).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <string>

#include "fake_server.hpp"
#include "fieldmobile/replica.hpp"
#include "fieldmobile/sync_client.hpp"

namespace bench {

struct BootstrapFigure {
    std::size_t pulled = 0;
    double seconds = 0;
    bool checkpoint_applied = false;
};

// Bootstraps a new replica at path (which must not exist) with rows rows from a fake server.
inline BootstrapFigure bootstrap_replica(const std::string& path, std::size_t rows) {
    mobiletest::FakeServer server;
    for (std::size_t i = 0; i < rows; ++i) {
        char id[64];
        std::snprintf(id, sizeof id, "0190a000-0000-7000-8000-%012zx", i);
        if (i % 3 == 0) {
            char ticket[64];
            std::snprintf(ticket, sizeof ticket, "FR-20261121-%06zu", i);
            server.put("jobs", id, mobiletest::job_row(ticket, "scheduled"));
        } else {
            Poco::JSON::Object::Ptr row = new Poco::JSON::Object;
            row->set("name", i % 3 == 1 ? "刘洋 customer" : "EG100 washing machine");
            row->set("phone", "13800000000");
            row->set("address", "上海市浦东新区世纪大道 100 号");
            server.put(i % 3 == 1 ? "customers" : "assets", id, row);
        }
    }
    fieldmobile::Replica replica(path);
    fieldmobile::SyncClient client(replica, server);
    client.login("tech.li", "secret-password");
    auto start = std::chrono::steady_clock::now();
    auto report = client.pull();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return {report.pulled, seconds, report.checkpoint_applied};
}

// The same bootstrap by the core's WebAssembly build under Node (mobile-core/wasm/tests/bootstrap_bench.cpp, in
// bench_wasm.cpp): what it printed, and its rows/s in *rate (NaN when it failed or the WebAssembly core is not built).
std::string wasm_bootstrap_under_node(std::size_t rows, double* rate);

}  // namespace bench
