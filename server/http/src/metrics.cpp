// Prometheus counters and histograms kept in memory for this process.
#include "fieldserver/http/metrics.hpp"

#include <sstream>

namespace fieldserver {

void Metrics::record(const std::string& method, const std::string& route, int status, double seconds) {
    std::lock_guard lock(mutex_);
    ++requests_[{method, route, status}];
    auto& l = latency_[{method, route}];
    for (std::size_t i = 0; i < kBuckets.size(); ++i)
        if (seconds <= kBuckets[i]) ++l.buckets[i];
    ++l.count;
    l.sum += seconds;
}

std::string Metrics::render(const std::vector<std::pair<std::string, std::int64_t>>& jobs_by_state) const {
    std::ostringstream out;
    std::lock_guard lock(mutex_);
    out << "# HELP fieldrepair_http_requests_total HTTP requests by method, route and status.\n"
        << "# TYPE fieldrepair_http_requests_total counter\n";
    for (const auto& [key, count] : requests_) {
        const auto& [method, route, status] = key;
        out << "fieldrepair_http_requests_total{method=\"" << method << "\",route=\"" << route << "\",status=\""
            << status << "\"} " << count << "\n";
    }
    out << "# HELP fieldrepair_http_request_duration_seconds Time to answer a request, by method and route.\n"
        << "# TYPE fieldrepair_http_request_duration_seconds histogram\n";
    for (const auto& [key, l] : latency_) {
        std::string labels = "method=\"" + key.first + "\",route=\"" + key.second + "\"";
        for (std::size_t i = 0; i < kBuckets.size(); ++i)
            out << "fieldrepair_http_request_duration_seconds_bucket{" << labels << ",le=\"" << kBuckets[i] << "\"} "
                << l.buckets[i] << "\n";
        out << "fieldrepair_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} " << l.count << "\n"
            << "fieldrepair_http_request_duration_seconds_sum{" << labels << "} " << l.sum << "\n"
            << "fieldrepair_http_request_duration_seconds_count{" << labels << "} " << l.count << "\n";
    }
    out << "# HELP fieldrepair_jobs Jobs by workflow state.\n# TYPE fieldrepair_jobs gauge\n";
    for (const auto& [state, count] : jobs_by_state)
        out << "fieldrepair_jobs{state=\"" << state << "\"} " << count << "\n";
    return out.str();
}

}  // namespace fieldserver
