// fieldrepair-bench: runs the project's benchmarks and prints their figures.
// Usage: fieldrepair-bench [--list] [NAME ...] [--option=value ...]
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "bench.hpp"

namespace bench {

namespace {
std::vector<Benchmark>& registry() {
    static std::vector<Benchmark> benchmarks;
    return benchmarks;
}
}  // namespace

Register::Register(Benchmark b) { registry().push_back(std::move(b)); }
const std::vector<Benchmark>& all() { return registry(); }

double option(const Options& options, const std::string& name, double fallback) {
    auto it = options.find(name);
    return it == options.end() ? fallback : std::stod(it->second);
}

std::string option(const Options& options, const std::string& name, const std::string& fallback) {
    auto it = options.find(name);
    return it == options.end() ? fallback : it->second;
}

double peak_rss_mib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

double cpu_seconds(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto close = text.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream fields(text.substr(close + 2));
    std::string f;
    double ticks = 0;
    for (int i = 3; i <= 17 && fields >> f; ++i)
        if (i >= 14) ticks += std::stod(f);  // utime, stime, cutime, cstime
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double median(std::vector<double> values) { return percentile(std::move(values), 50); }

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
    return values[std::min(values.size() - 1, rank == 0 ? 0 : rank - 1)];
}

std::string run_baseline(const std::string& binary, const std::string& name, const Options& options) {
    std::string command = "'" + binary + "' " + name;
    for (const auto& [key, value] : options)
        if (key.find("baseline") == std::string::npos) command += " '--" + key + "=" + value + "'";
    std::printf("-- baseline: %s\n", command.c_str());
    std::fflush(stdout);
    std::unique_ptr<FILE, decltype(&pclose)> pipe(popen((command + " 2>&1").c_str(), "r"), pclose);
    if (!pipe) throw std::runtime_error("cannot run " + binary);
    std::string out;
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe.get())) out += buffer.data();
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) std::printf("   | %s\n", line.c_str());
    std::printf("-- end of baseline\n");
    return out;
}

std::string output_of(const std::string& command, bool echo) {
    std::fflush(stdout);
    std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(command.c_str(), "r"), &pclose);
    if (!pipe) throw std::runtime_error("cannot run " + command);
    std::string out;
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe.get())) {
        out += buffer.data();
        if (echo) {
            std::fputs(buffer.data(), stdout);
            std::fflush(stdout);
        }
    }
    return out;
}

double figure(const std::string& text, const std::string& pattern) {
    std::smatch match;
    if (!std::regex_search(text, match, std::regex(pattern)) || match.size() < 2) return std::nan("");
    std::string number = match[1].str();
    number.erase(std::remove(number.begin(), number.end(), ','), number.end());
    return std::stod(number);
}

}  // namespace bench

int main(int argc, char** argv) {
    bench::Options options;
    std::vector<std::string> names;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h" || arg == "--list") {
            std::cout << "fieldrepair-bench: measures fieldrepair and prints figures (no pass/fail).\n"
                      << "usage: fieldrepair-bench [NAME ...] [--option=value ...]   (no NAME: all)\n\nbenchmarks:\n";
            for (const auto& b : bench::all()) std::cout << "  " << b.name << "\n      " << b.help << "\n";
            return 0;
        }
        if (arg.rfind("--", 0) == 0) {
            auto eq = arg.find('=');
            if (eq == std::string::npos) {
                std::cerr << "options take a value: " << arg << "=VALUE\n";
                return 2;
            }
            options[arg.substr(2, eq - 2)] = arg.substr(eq + 1);
        } else {
            names.push_back(arg);
        }
    }
    int status = 0;
    for (const auto& b : bench::all()) {
        if (!names.empty() && std::find(names.begin(), names.end(), b.name) == names.end()) continue;
        std::cout << "== " << b.name << std::endl;
        status |= b.run(options);
    }
    for (const auto& n : names)
        if (std::none_of(bench::all().begin(), bench::all().end(), [&](const auto& b) { return b.name == n; })) {
            std::cerr << "no benchmark named " << n << " (see --list)\n";
            status = 2;
        }
    return status;
}
