// The WebAssembly half of fieldrepair-bench wasm_bootstrap, run under Node: bootstraps a fresh replica with each
// number of rows given and prints one line per size for the native side to read.
#include <Poco/File.h>
#include <Poco/TemporaryFile.h>

#include <cstdio>
#include <string>

#include "replica_bootstrap.hpp"

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        std::size_t rows = std::stoul(argv[i]);
        std::string dir = Poco::TemporaryFile::tempName();
        Poco::File(dir).createDirectories();
        auto figure = bench::bootstrap_replica(dir + "/replica.db", rows);
        Poco::File(dir).remove(true);
        // The linear memory only grows: after the run it is the peak, the fake server's copy of the rows included.
        double memory_mib = static_cast<double>(__builtin_wasm_memory_size(0)) * 65536 / (1 << 20);
        std::printf("wasm bootstrap %zu rows: %zu pulled in %.2f s = %.0f rows/s, checkpoint %s, memory %.0f MiB\n",
                    rows, figure.pulled, figure.seconds, static_cast<double>(figure.pulled) / figure.seconds,
                    figure.checkpoint_applied ? "applied" : "NOT applied", memory_mib);
        std::fflush(stdout);
    }
    return 0;
}
