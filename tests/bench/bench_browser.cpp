// browser-bootstrap: a technician's first sync into the app's replica in headless Chromium (server/web/tech/worker.js:
// the WebAssembly core in a Web Worker, the replica in OPFS, synchronous XHR; tests/bench/tech_bootstrap.mjs) beside
// the native core's (fieldmobile::Replica + SyncClient over HTTPS), from the same real server's same rows in one run,
// with the WebAssembly core under Node from the in-process fake server (wasm_bootstrap) for reference.
#include <Poco/File.h>

#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <string>

#include "bench.hpp"
#include "replica_bootstrap.hpp"
#include "sync_server.hpp"

namespace {

const std::string kScript = FIELDREPAIR_TECH_BOOTSTRAP_SCRIPT;

std::string quoted(const std::string& text) { return "'" + text + "'"; }

// The native core's first sync (push, uploads, pull: what the app's sync calls) into a fresh replica file.
bench::Bootstrap native_bootstrap(const fieldtest::TestServer& server, const std::string& path,
                                  const fieldmobile::SyncOptions& sync, const char* what) {
    bench::remove_file(path);
    bench::Device device(server, path, sync);
    auto figure = bench::bootstrap(device, server, false);
    std::printf(
        "native bootstrap (%s): %zu rows in %zu pages, checkpoint %s, login %.2f s, sync %.2f s = %.0f rows/s; in "
        "requests %.2f s (%zu); CPU: server %.2f s, device %.2f s\n",
        what, figure.report.pulled, figure.report.pages, figure.report.checkpoint_applied ? "applied" : "NOT applied",
        figure.login_s, figure.seconds, figure.rate(), figure.request_s, figure.requests, figure.server_cpu,
        figure.device_cpu);
    std::fflush(stdout);
    return figure;
}

// One size: a fresh server seeded with rows rows, warmed up, bootstrapped natively, in Chromium, natively again
// with the worker's options, and the WebAssembly core under Node. Returns false when a half failed.
bool measure(std::size_t rows, const std::string& dir, const std::string& binary, bool node) {
    std::printf("-- %zu rows\n", rows);
    auto seeded = bench::seeded_server(rows, "W", binary);
    const auto& server = *seeded.server;
    fieldmobile::SyncOptions device_options;  // fieldtech's and the C API's HTTPS client's
    // The server's first bootstrap after its start costs more (cold caches): each measured one finds it warm.
    native_bootstrap(server, dir + "/warm-up.db", device_options, "warm-up, not counted");
    auto native = native_bootstrap(server, dir + "/native.db", device_options, "fieldtech's options");

    std::printf("browser bootstrap: Chromium, the server's /tech/worker.js, a fresh profile …\n");
    std::string out = bench::output_of("node " + quoted(kScript) + " " + quoted(server.base_url()) + " " +
                                           quoted(server.cert_file()) + " tech0 " + quoted(bench::kTechPassword),
                                       true);
    double pulled = bench::figure(out, R"(browser bootstrap: (\d+) rows pulled)");
    double browser_rate = bench::figure(out, R"(sync [\d.]+ s = (\d+) rows/s)");
    double browser_cpu = bench::figure(out, R"(CPU during the sync: Chromium ([\d.]+) s)");

    fieldmobile::SyncOptions worker_options;
    worker_options.prefetch_pages = false;  // as fr_sync_client_open_with_transport, which the worker uses
    auto unprefetched = native_bootstrap(server, dir + "/native-serial.db", worker_options, "the worker's options");

    double node_rate = std::nan("");
    if (node) {
        std::printf("WebAssembly core under Node, in-process fake server (wasm_bootstrap): ");
        std::printf("%s", bench::wasm_bootstrap_under_node(rows, &node_rate).c_str());
    }
    std::printf(
        "side by side, %zu rows: native %.0f rows/s (the worker's options: %.0f), browser %.0f rows/s = %.0f%% of "
        "native (%.0f%%), WebAssembly under Node %.0f rows/s; load average %.1f\n",
        rows, native.rate(), unprefetched.rate(), browser_rate, 100 * browser_rate / native.rate(),
        100 * browser_rate / unprefetched.rate(), node_rate, bench::load_average());
    // Wall time follows the load of a shared machine; the CPU the device side spent much less so.
    double pulled_rows = static_cast<double>(native.report.pulled);
    std::printf("  per CPU-second of the device side: native %.0f rows, browser %.0f rows (all of Chromium)\n",
                pulled_rows / native.device_cpu, pulled / browser_cpu);
    std::fflush(stdout);
    bool same = pulled == static_cast<double>(native.report.pulled);
    if (!same) std::printf("the browser pulled %.0f rows, the native core %zu\n", pulled, native.report.pulled);
    return same && native.report.checkpoint_applied && !std::isnan(browser_rate);
}

int run(const bench::Options& options) {
    std::string dir = bench::option(options, "dir", std::string("/tmp/fieldrepair-bench-browser"));
    Poco::File(dir).createDirectories();
    bool node = bench::option(options, "node", 1.0) != 0;
    // Another build's server serves its own worker and WebAssembly core: before and after a change to either.
    std::string binary = bench::option(options, "server", std::string());
    int failures = 0;
    std::istringstream sizes(bench::option(options, "rows", std::string("5000,50000")));
    for (std::string size; std::getline(sizes, size, ',');) {
        try {
            if (!measure(static_cast<std::size_t>(std::stod(size)), dir, binary, node)) ++failures;
        } catch (const std::exception& e) {
            std::printf("%s rows: failed: %s\n", size.c_str(), e.what());
            ++failures;
        }
    }
    return failures ? 1 : 0;
}

const bench::Register registered(
    {"browser-bootstrap",
     "a technician's first sync from the real server over HTTPS into the app's replica in headless Chromium (the "
     "worker, WebAssembly core, OPFS) beside the native core's, and the WebAssembly core under Node "
     "(--rows=5000,50000 --node=1 --server=PATH --dir=/tmp/fieldrepair-bench-browser; needs npm ci --prefix "
     "tests/browser and "
     "/usr/bin/chromium)",
     run});

}  // namespace
