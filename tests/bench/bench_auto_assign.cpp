// Auto-assign of one day's unassigned jobs: the optimiser against one greedy pass, side by side.
#include <cstdio>

#include "bench.hpp"
#include "fieldserver/dispatch/auto_assign.hpp"
#include "fieldserver/dispatch/scenario.hpp"

namespace {

int run(const bench::Options& options) {
    using namespace fieldserver::dispatch;
    ScenarioParams params;
    params.jobs = static_cast<std::size_t>(bench::option(options, "jobs", 2000));
    params.technicians = static_cast<std::size_t>(bench::option(options, "technicians", 500));
    params.seed = static_cast<std::uint64_t>(bench::option(options, "seed", 42));
    int repeat = static_cast<int>(bench::option(options, "repeat", 3));
    auto scenario = make_scenario(params);
    std::printf("%zu jobs, %zu technicians, seed %llu, %d runs each (median)\n", params.jobs, params.technicians,
                static_cast<unsigned long long>(params.seed), repeat);
    std::vector<double> greedy_s, optimiser_s;
    Plan greedy, optimised;
    for (int i = 0; i < repeat; ++i) {
        auto start = std::chrono::steady_clock::now();
        greedy = greedy_assign(scenario.jobs, scenario.technicians, scenario.start_ms);
        greedy_s.push_back(bench::seconds_since(start));
        start = std::chrono::steady_clock::now();
        optimised = auto_assign(scenario.jobs, scenario.technicians, scenario.start_ms);
        optimiser_s.push_back(bench::seconds_since(start));
    }
    auto row = [](const char* name, double s, const Plan& p) {
        std::printf("  %-10s %8.3f s  travel %9.1f km  late %8.0f min  unassigned %4zu\n", name, s, p.total_travel_km,
                    p.total_late_minutes, p.unassigned.size());
    };
    row("greedy", bench::median(greedy_s), greedy);
    row("optimiser", bench::median(optimiser_s), optimised);
    std::printf("  optimiser travel / greedy travel = %.3f; peak memory %.0f MiB\n",
                optimised.total_travel_km / greedy.total_travel_km, bench::peak_rss_mib());
    return 0;
}

bench::Register reg({"auto-assign", "optimiser vs one greedy pass (--jobs=2000 --technicians=500 --seed=42 --repeat=3)",
                     run});

}  // namespace
