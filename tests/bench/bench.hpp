// fieldrepair-bench: shared pieces of the benchmark program (timing, figures, options).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace bench {

using Options = std::map<std::string, std::string>;

// A benchmark: its name, a line of help, and the function that runs it and prints its figures.
struct Benchmark {
    std::string name;
    std::string help;
    std::function<int(const Options&)> run;
};

// Registers a benchmark at static-initialisation time, so each benchmark file stands alone.
struct Register {
    explicit Register(Benchmark b);
};
const std::vector<Benchmark>& all();

double option(const Options& options, const std::string& name, double fallback);
std::string option(const Options& options, const std::string& name, const std::string& fallback);

// Seconds since start.
inline double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}
// Peak resident memory of this process, MiB.
double peak_rss_mib();
// The CPU seconds (user + system) process pid has used, from /proc/<pid>/stat.
double cpu_seconds(int pid);
// Median of values (copied).
double median(std::vector<double> values);
// The p-th percentile (0–100) of values (copied), nearest rank.
double percentile(std::vector<double> values, double p);

// Runs another build's fieldrepair-bench (binary) for the benchmark name with options (those naming baselines left
// out), echoing its output indented under a heading, and returns that output: "before" figures from the same run.
std::string run_baseline(const std::string& binary, const std::string& name, const Options& options);
// Runs command (through the shell) and returns what it wrote to stdout; with echo each line is also printed as it
// arrives, so a long run shows its progress. Its stderr goes to this program's.
std::string output_of(const std::string& command, bool echo = false);
// The number captured by the first group of pattern (std::regex, ECMAScript) in text, or NaN when it is not there.
double figure(const std::string& text, const std::string& pattern);

}  // namespace bench
