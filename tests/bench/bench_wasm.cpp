// wasm_bootstrap: the device core's bootstrap natively and compiled to WebAssembly (under Node), side by side in one
// run, from the same in-process fake server (tests/bench/replica_bootstrap.hpp).
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/StringTokenizer.h>
#include <Poco/TemporaryFile.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "bench.hpp"
#include "replica_bootstrap.hpp"

namespace bench {

std::string wasm_bootstrap_under_node(std::size_t rows, double* rate) {
    std::string wasm = FIELDREPAIR_WASM_BOOTSTRAP_BENCH;
    *rate = std::nan("");
    if (wasm.empty()) return "the WebAssembly core is not built (FIELDREPAIR_WASM=OFF)\n";
    std::string text = output_of("node --no-experimental-fetch '" + wasm + "' " + std::to_string(rows) + " 2>&1");
    *rate = figure(text, R"(= (\d+) rows/s, checkpoint applied)");
    return text;
}

}  // namespace bench

namespace {

int run(const bench::Options& options) {
    std::string sizes = bench::option(options, "rows", std::string("5000,50000"));
    std::string wasm = FIELDREPAIR_WASM_BOOTSTRAP_BENCH;
    Poco::StringTokenizer list(sizes, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
    int failures = 0;
    for (const auto& size : list) {
        std::string dir = Poco::TemporaryFile::tempName();
        Poco::File(dir).createDirectories();
        auto native = bench::bootstrap_replica(dir + "/replica.db", std::stoul(size));
        Poco::File(dir).remove(true);
        double native_rate = static_cast<double>(native.pulled) / native.seconds;
        std::printf("native bootstrap %s rows: %zu pulled in %.2f s = %.0f rows/s\n", size.c_str(), native.pulled,
                    native.seconds, native_rate);
        double wasm_rate = 0;
        std::printf("%s", bench::wasm_bootstrap_under_node(std::stoul(size), &wasm_rate).c_str());
        if (wasm.empty()) continue;
        if (std::isnan(wasm_rate) || !native.checkpoint_applied) {
            ++failures;
            continue;
        }
        std::printf("side by side, %s rows: WebAssembly %.0f rows/s = %.0f%% of native %.0f rows/s\n", size.c_str(),
                    wasm_rate, 100 * wasm_rate / native_rate, native_rate);
    }
    return failures ? 1 : 0;
}

const bench::Register registered({"wasm_bootstrap",
                                  "bootstrap of --rows=5000,50000 rows into a replica, native and WebAssembly (Node)",
                                  run});

}  // namespace
