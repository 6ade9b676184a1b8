// Request counts and latencies by route, rendered in the Prometheus text format.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

namespace fieldserver {

class Metrics {
  public:
    void record(const std::string& method, const std::string& route, int status, double seconds);
    // The exposition text, with gauges for jobs by state appended.
    std::string render(const std::vector<std::pair<std::string, std::int64_t>>& jobs_by_state) const;

  private:
    static constexpr std::array<double, 11> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                        0.1,   0.25,   0.5,   1.0,  2.5};
    struct Latency {
        std::array<std::uint64_t, kBuckets.size()> buckets{};
        std::uint64_t count = 0;
        double sum = 0;
    };
    mutable std::mutex mutex_;
    std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;
    std::map<std::pair<std::string, std::string>, Latency> latency_;
};

}  // namespace fieldserver
