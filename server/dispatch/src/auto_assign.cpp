// Day planning for many jobs: candidate pruning, regret-2 insertion, then relocate/swap/2-opt local search.
// Every route is re-simulated on the technician's real timeline, so no move can break a hard constraint.
#include "fieldserver/dispatch/auto_assign.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <random>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "day_schedule.hpp"

namespace fieldserver::dispatch {
namespace {

using detail::kNoDeadline;
using detail::Placement;
using detail::RouteResult;
using detail::Stop;
using detail::TechnicianDay;

constexpr double kInfinity = std::numeric_limits<double>::infinity();
// Improvements smaller than this are rounding noise; accepting them could cycle forever.
constexpr double kEpsilon = 1e-7;

struct SearchStats {
    int passes = 0;
    int moves = 0;
};

struct Insertion {
    double cost = kInfinity;  // the route's cost with the job inserted
    int position = -1;
};

// The fixed part of a planning problem: jobs and technicians reduced to what the routes need.
class Problem {
  public:
    Problem(const std::vector<Job>& jobs, const std::vector<Technician>& technicians, std::int64_t start_ms,
            const AssignParams& params)
        : jobs_(jobs), technicians_(technicians), params_(params) {
        std::set<std::string> ids;
        for (const auto& job : jobs) {
            if (!ids.insert(job.id).second) throw std::invalid_argument("duplicate job id: " + job.id);
        }
        ids.clear();
        for (const auto& technician : technicians) {
            if (!ids.insert(technician.id).second) {
                throw std::invalid_argument("duplicate technician id: " + technician.id);
            }
        }
        std::unordered_map<std::string, int> categories;
        for (const auto& job : jobs) {
            const double weight = params.priority_weights[static_cast<int>(job.priority)];
            Stop stop{detail::to_position(job.location), job.duration_minutes * kMinuteMs,
                      job.sla_deadline_ms.value_or(kNoDeadline), params.late_cost_per_minute * weight};
            if (job.preferred) {
                stop.window_start_ms = job.preferred->start_ms;
                stop.window_end_ms = job.preferred->end_ms;
                stop.window_miss_cost = params.window_miss_cost * weight;
            }
            stops_.push_back(stop);
            unassigned_cost_.push_back(params.unassigned_cost * weight);
            category_.push_back(categories.emplace(job.category, static_cast<int>(categories.size())).first->second);
        }
        // Skill levels by category index: a million (job, technician) checks must not each search a string map.
        for (const auto& technician : technicians) {
            days_.push_back(detail::prepare_day(technician, start_ms));
            std::vector<int> levels(categories.size(), 0);
            for (const auto& [name, index] : categories) levels[index] = technician.skill_level(name);
            levels_.push_back(std::move(levels));
        }
    }

    int job_count() const { return static_cast<int>(jobs_.size()); }
    int technician_count() const { return static_cast<int>(technicians_.size()); }
    const AssignParams& params() const { return params_; }
    double unassigned_cost(int j) const { return unassigned_cost_[j]; }
    std::int64_t deadline(int j) const { return stops_[j].deadline_ms; }
    double priority_weight(int j) const { return params_.priority_weights[static_cast<int>(jobs_[j].priority)]; }

    // Skill, certification and territory: what no schedule can make up for.
    bool qualified(int j, int t) const {
        const Job& job = jobs_[j];
        const Technician& technician = technicians_[t];
        if (levels_[t][category_[j]] < std::max(1, params_.min_skill_level)) return false;
        if (params_.require_certification && !job.product_model.empty() &&
            !technician.certified_models.count(job.product_model)) {
            return false;
        }
        return !params_.same_region_only || job.region.empty() || job.region == technician.region;
    }
    bool available(int t) const { return days_[t].working() && days_[t].capacity_left > 0; }

    // Travel plus weighted lateness of technician t visiting jobs in this order; infinite when over capacity
    // or out of working time.
    double cost(int t, const int* order, std::size_t count) const {
        if (count > static_cast<std::size_t>(days_[t].capacity_left)) return kInfinity;
        const RouteResult result =
            detail::simulate_route(days_[t], params_.travel, stops_.data(), order, count, nullptr);
        return result.feasible ? result.km + result.late_cost : kInfinity;
    }
    double cost(int t, const std::vector<int>& route) const { return cost(t, route.data(), route.size()); }
    // Travel alone, infinite when infeasible like cost().
    double travel_km(int t, const std::vector<int>& route) const {
        if (route.size() > static_cast<std::size_t>(days_[t].capacity_left)) return kInfinity;
        const RouteResult result =
            detail::simulate_route(days_[t], params_.travel, stops_.data(), route.data(), route.size(), nullptr);
        return result.feasible ? result.km : kInfinity;
    }

    double distance_km(int j, int t) const { return detail::distance_km(days_[t].start_position, stops_[j].position); }

    // The cheapest place for job j in route; scratch is reused to spare allocations in the hot loop.
    Insertion best_insertion(int t, const std::vector<int>& route, int j, std::vector<int>& scratch) const {
        Insertion best;
        if (route.size() >= static_cast<std::size_t>(days_[t].capacity_left)) return best;
        scratch.assign(route.begin(), route.end());
        scratch.insert(scratch.begin(), j);
        for (std::size_t p = 0;; ++p) {
            const double c = cost(t, scratch);
            if (c < best.cost) best = {c, static_cast<int>(p)};
            if (p == route.size()) break;
            std::swap(scratch[p], scratch[p + 1]);
        }
        return best;
    }

    Plan make_plan(const std::vector<std::vector<int>>& routes) const;

  private:
    const std::vector<Job>& jobs_;
    const std::vector<Technician>& technicians_;
    const AssignParams& params_;
    std::vector<TechnicianDay> days_;
    std::vector<Stop> stops_;
    std::vector<double> unassigned_cost_;
    std::vector<int> category_;
    std::vector<std::vector<int>> levels_;
};

Plan Problem::make_plan(const std::vector<std::vector<int>>& routes) const {
    Plan plan;
    std::vector<bool> assigned(jobs_.size(), false);
    std::vector<Placement> placements;
    for (int t = 0; t < technician_count(); ++t) {
        const auto& route = routes[t];
        placements.resize(route.size());
        const RouteResult result = detail::simulate_route(days_[t], params_.travel, stops_.data(), route.data(),
                                                          route.size(), placements.data());
        plan.total_travel_km += result.km;
        plan.total_late_minutes += static_cast<double>(result.late_ms) / kMinuteMs;
        plan.objective += result.km + result.late_cost;
        if (route.empty()) continue;
        Route out{technicians_[t].id, {}, result.km};
        for (std::size_t k = 0; k < route.size(); ++k) {
            const int j = route[k];
            assigned[j] = true;
            out.job_ids.push_back(jobs_[j].id);
            const std::int64_t late = std::max<std::int64_t>(0, placements[k].end_ms - stops_[j].deadline_ms);
            Assignment a{
                technicians_[t].id, static_cast<int>(k) + 1, placements[k].start_ms, placements[k].end_ms, late,
                std::nullopt};
            if (jobs_[j].preferred)
                a.in_window = a.start_ms >= jobs_[j].preferred->start_ms && a.end_ms <= jobs_[j].preferred->end_ms;
            plan.assignments[jobs_[j].id] = a;
        }
        plan.routes.push_back(std::move(out));
    }
    for (int j = 0; j < job_count(); ++j) {
        if (assigned[j]) continue;
        plan.objective += unassigned_cost_[j];
        bool skilled = false, working = false, room = false;
        for (int t = 0; t < technician_count(); ++t) {
            if (!qualified(j, t)) continue;
            skilled = true;
            if (!days_[t].working()) continue;
            working = true;
            room = room || days_[t].capacity_left > 0;
        }
        const std::string& category = jobs_[j].category;
        if (!skilled) {
            plan.unassigned.push_back(
                {jobs_[j].id, "no_skilled_technician", {"assign.no_skilled_technician", {{"category", category}}}});
        } else if (!working) {
            plan.unassigned.push_back({jobs_[j].id, "no_technician_available", {"assign.no_technician_available", {}}});
        } else if (!room) {
            plan.unassigned.push_back({jobs_[j].id, "no_capacity", {"assign.no_capacity", {}}});
        } else {
            plan.unassigned.push_back({jobs_[j].id, "no_feasible_slot", {"assign.no_feasible_slot", {}}});
        }
    }
    return plan;
}

// The mutable solution the optimiser works on.
class Optimiser {
  public:
    explicit Optimiser(const Problem& problem)
        : problem_(problem),
          base_candidates_(std::max<std::size_t>(1, problem.params().candidates_per_job)),
          routes_(problem.technician_count()),
          route_cost_(problem.technician_count()),
          route_changed_at_(problem.technician_count(), 0),
          technician_of_(problem.job_count(), -1),
          candidates_(problem.job_count()),
          sorted_candidates_(problem.job_count()),
          checked_at_(problem.job_count(), 0),
          rng_(problem.params().seed) {
        for (int t = 0; t < problem.technician_count(); ++t) route_cost_[t] = problem.cost(t, nullptr, 0);
        for (int j = 0; j < problem.job_count(); ++j) choose_candidates(j, base_candidates_);
    }

    void construct();
    void improve(SearchStats& stats);
    const std::vector<std::vector<int>>& routes() const { return routes_; }

  private:
    void choose_candidates(int j, std::size_t limit);
    bool is_candidate(int j, int t) const {
        return std::binary_search(sorted_candidates_[j].begin(), sorted_candidates_[j].end(), t);
    }
    void regret_insertion();
    void insert(int j, int t, int position);
    void remove(int j);
    void changed(int t) { route_changed_at_[t] = ++clock_; }
    bool unchanged_since_checked(int j) const;
    bool try_insert(int j);
    bool try_relocate(int j);
    bool try_swap(int j);
    void improve_route(int t);

    const Problem& problem_;
    const std::size_t base_candidates_;
    std::vector<std::vector<int>> routes_;
    std::vector<double> route_cost_;
    // Don't-look bits: a job whose own route and candidate routes have not changed since it last found no
    // improving move is skipped, so late passes cost little more than the moves they find.
    std::uint64_t clock_ = 0;
    std::vector<std::uint64_t> route_changed_at_;
    std::vector<int> technician_of_;
    std::vector<std::vector<int>> candidates_;         // per job, nearest first
    std::vector<std::vector<int>> sorted_candidates_;  // per job, for membership tests
    std::vector<std::uint64_t> checked_at_;
    std::mt19937_64 rng_;
    std::vector<int> scratch_;
    std::vector<int> scratch2_;
};

// The nearest `limit` technicians who are qualified, working, and could fit the job into their day alone.
void Optimiser::choose_candidates(int j, std::size_t limit) {
    std::vector<std::pair<double, int>> nearby;
    for (int t = 0; t < problem_.technician_count(); ++t) {
        if (problem_.available(t) && problem_.qualified(j, t)) nearby.emplace_back(problem_.distance_km(j, t), t);
    }
    std::sort(nearby.begin(), nearby.end());
    auto& chosen = candidates_[j];
    chosen.clear();
    for (const auto& [km, t] : nearby) {
        if (chosen.size() == limit) break;
        if (problem_.cost(t, &j, 1) < kInfinity) chosen.push_back(t);
    }
    sorted_candidates_[j] = chosen;
    std::sort(sorted_candidates_[j].begin(), sorted_candidates_[j].end());
}

void Optimiser::insert(int j, int t, int position) {
    routes_[t].insert(routes_[t].begin() + position, j);
    route_cost_[t] = problem_.cost(t, routes_[t]);
    technician_of_[j] = t;
    changed(t);
}

void Optimiser::remove(int j) {
    const int t = technician_of_[j];
    auto& route = routes_[t];
    route.erase(std::find(route.begin(), route.end(), j));
    route_cost_[t] = problem_.cost(t, route);
    technician_of_[j] = -1;
    changed(t);
}

bool Optimiser::unchanged_since_checked(int j) const {
    if (technician_of_[j] >= 0 && route_changed_at_[technician_of_[j]] >= checked_at_[j]) return false;
    return std::all_of(candidates_[j].begin(), candidates_[j].end(),
                       [&](int t) { return route_changed_at_[t] < checked_at_[j]; });
}

// Regret insertion, then jobs that found no room among their nearest technicians look twice as far, and
// again, until they are placed or no technician is left to ask.
void Optimiser::construct() {
    regret_insertion();
    for (std::size_t limit = 2 * base_candidates_;; limit *= 2) {
        bool widened = false;
        for (int j = 0; j < problem_.job_count(); ++j) {
            if (technician_of_[j] >= 0) continue;
            const std::size_t before = candidates_[j].size();
            if (before < limit / 2) continue;  // already every candidate there is
            choose_candidates(j, limit);
            widened = widened || candidates_[j].size() > before;
        }
        if (!widened) break;
        regret_insertion();
    }
    for (int t = 0; t < problem_.technician_count(); ++t) improve_route(t);
}

// Regret-2 insertion of the unassigned jobs: place first the job that loses most if its best technician is
// taken, so a job with one good option is not crowded out by one that had several. Costs are cached per
// (job, candidate) and only the entries of the route that just changed are recomputed.
void Optimiser::regret_insertion() {
    const int jobs = problem_.job_count();
    std::vector<bool> pending(jobs);
    std::vector<std::size_t> offset(jobs + 1, 0);
    for (int j = 0; j < jobs; ++j) {
        pending[j] = technician_of_[j] < 0;
        offset[j + 1] = offset[j] + (pending[j] ? candidates_[j].size() : 0);
    }
    std::vector<Insertion> cache(offset[jobs]);
    std::vector<std::vector<std::pair<int, std::size_t>>> watchers(problem_.technician_count());
    for (int j = 0; j < jobs; ++j) {
        for (std::size_t e = offset[j]; e < offset[j + 1]; ++e) {
            const int t = candidates_[j][e - offset[j]];
            cache[e] = problem_.best_insertion(t, routes_[t], j, scratch_);
            watchers[t].emplace_back(j, e);
        }
    }
    std::vector<double> regret(jobs, -kInfinity);  // -infinity: no feasible insertion left
    std::vector<std::size_t> best_entry(jobs, 0);
    auto refresh = [&](int j) {
        double first = kInfinity, second = kInfinity;
        for (std::size_t e = offset[j]; e < offset[j + 1]; ++e) {
            const double delta = cache[e].cost - route_cost_[candidates_[j][e - offset[j]]];
            if (delta < first) {
                second = first;
                first = delta;
                best_entry[j] = e;
            } else if (delta < second) {
                second = delta;
            }
        }
        regret[j] = first == kInfinity ? -kInfinity : std::min(second, problem_.unassigned_cost(j)) - first;
    };
    for (int j = 0; j < jobs; ++j) {
        if (pending[j]) refresh(j);
    }
    // Priority classes go in turn, most important first: when capacity is short, leaving an urgent job out
    // costs more than any detour, and regret alone would let a cheap low-priority job take the last slot.
    std::vector<double> classes;
    for (int j = 0; j < jobs; ++j) classes.push_back(problem_.priority_weight(j));
    std::sort(classes.begin(), classes.end(), std::greater<>());
    classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
    for (std::size_t current = 0; current < classes.size();) {
        int pick = -1;
        for (int j = 0; j < jobs; ++j) {
            if (!pending[j] || regret[j] == -kInfinity || problem_.priority_weight(j) != classes[current]) continue;
            if (pick < 0 || regret[j] > regret[pick] + kEpsilon ||
                (regret[j] > regret[pick] - kEpsilon && problem_.deadline(j) < problem_.deadline(pick))) {
                pick = j;
            }
        }
        if (pick < 0) {
            ++current;
            continue;
        }
        const std::size_t e = best_entry[pick];
        const int t = candidates_[pick][e - offset[pick]];
        insert(pick, t, cache[e].position);
        pending[pick] = false;
        for (const auto& [j, entry] : watchers[t]) {
            if (!pending[j]) continue;
            cache[entry] = problem_.best_insertion(t, routes_[t], j, scratch_);
            refresh(j);
        }
    }
}

// Brings an unassigned job in: straight into a route, or by moving one of that route's jobs to another
// technician to make room, or by taking the place of a job that costs less to leave out.
bool Optimiser::try_insert(int j) {
    const double penalty = problem_.unassigned_cost(j);
    Insertion best;
    int best_t = -1;
    for (int t : candidates_[j]) {
        const Insertion option = problem_.best_insertion(t, routes_[t], j, scratch_);
        if (option.cost - route_cost_[t] < best.cost) {
            best = {option.cost - route_cost_[t], option.position};
            best_t = t;
        }
    }
    if (best_t >= 0 && best.cost < penalty) {
        insert(j, best_t, best.position);
        improve_route(best_t);
        return true;
    }

    // Making room is tried among the nearest technicians only: it costs a route search per displaced job.
    const std::size_t nearest = std::min(candidates_[j].size(), base_candidates_);
    std::vector<int> without_k;
    for (std::size_t c = 0; c < nearest; ++c) {
        const int t = candidates_[j][c];
        for (int k : routes_[t]) {
            without_k = routes_[t];
            without_k.erase(std::find(without_k.begin(), without_k.end(), k));
            const Insertion j_in_t = problem_.best_insertion(t, without_k, j, scratch_);
            if (j_in_t.cost == kInfinity) continue;
            const double change_t = j_in_t.cost - route_cost_[t];
            for (int b : candidates_[k]) {
                if (b == t) continue;
                const Insertion k_in_b = problem_.best_insertion(b, routes_[b], k, scratch_);
                if (change_t + k_in_b.cost - route_cost_[b] < penalty - kEpsilon) {
                    remove(k);
                    insert(k, b, k_in_b.position);
                    insert(j, t, j_in_t.position);
                    improve_route(t);
                    improve_route(b);
                    return true;
                }
            }
            if (change_t + problem_.unassigned_cost(k) < penalty - kEpsilon) {
                remove(k);
                insert(j, t, j_in_t.position);
                improve_route(t);
                return true;
            }
        }
    }
    return false;
}

bool Optimiser::try_relocate(int j) {
    const int from = technician_of_[j];
    scratch2_ = routes_[from];
    scratch2_.erase(std::find(scratch2_.begin(), scratch2_.end(), j));
    const double saving = route_cost_[from] - problem_.cost(from, scratch2_);
    double best_delta = -kEpsilon;
    int best_t = -1, best_position = -1;
    for (int t : candidates_[j]) {
        if (t == from) continue;
        const Insertion option = problem_.best_insertion(t, routes_[t], j, scratch_);
        const double delta = option.cost - route_cost_[t] - saving;
        if (delta < best_delta) {
            best_delta = delta;
            best_t = t;
            best_position = option.position;
        }
    }
    if (best_t < 0) return false;
    remove(j);
    insert(j, best_t, best_position);
    improve_route(from);
    improve_route(best_t);
    return true;
}

bool Optimiser::try_swap(int j) {
    const int a = technician_of_[j];
    std::vector<int> without_j = routes_[a];
    without_j.erase(std::find(without_j.begin(), without_j.end(), j));
    std::vector<int> without_k;
    for (int b : candidates_[j]) {
        if (b == a) continue;
        for (int k : routes_[b]) {
            if (!is_candidate(k, a)) continue;
            without_k = routes_[b];
            without_k.erase(std::find(without_k.begin(), without_k.end(), k));
            const Insertion j_in_b = problem_.best_insertion(b, without_k, j, scratch_);
            if (j_in_b.cost == kInfinity) continue;
            const Insertion k_in_a = problem_.best_insertion(a, without_j, k, scratch_);
            if (j_in_b.cost + k_in_a.cost < route_cost_[a] + route_cost_[b] - kEpsilon) {
                routes_[a] = without_j;
                routes_[b] = without_k;
                insert(k, a, k_in_a.position);
                insert(j, b, j_in_b.position);
                improve_route(a);
                improve_route(b);
                return true;
            }
        }
    }
    return false;
}

// 2-opt (reverse a stretch) and or-opt (move one job) within a route, first improvement, until none is left.
void Optimiser::improve_route(int t) {
    auto& route = routes_[t];
    const std::size_t n = route.size();
    if (n < 2) return;
    for (bool improved = true; improved;) {
        improved = false;
        for (std::size_t i = 0; i + 1 < n && !improved; ++i) {
            for (std::size_t k = i + 1; k < n && !improved; ++k) {
                scratch_ = route;
                std::reverse(scratch_.begin() + i, scratch_.begin() + k + 1);
                const double c = problem_.cost(t, scratch_);
                if (c < route_cost_[t] - kEpsilon) {
                    route.swap(scratch_);
                    route_cost_[t] = c;
                    improved = true;
                }
            }
        }
        for (std::size_t i = 0; i < n && !improved; ++i) {
            for (std::size_t p = 0; p < n && !improved; ++p) {
                if (p == i || p + 1 == i) continue;  // the same order, or a neighbour swap 2-opt already tried
                scratch_ = route;
                const int moved = scratch_[i];
                scratch_.erase(scratch_.begin() + i);
                scratch_.insert(scratch_.begin() + p, moved);
                const double c = problem_.cost(t, scratch_);
                if (c < route_cost_[t] - kEpsilon) {
                    route.swap(scratch_);
                    route_cost_[t] = c;
                    improved = true;
                }
            }
        }
        if (improved) changed(t);
    }
}

void Optimiser::improve(SearchStats& stats) {
    const auto started = std::chrono::steady_clock::now();
    const std::int64_t limit_ms = problem_.params().time_limit_ms;
    std::vector<int> order(problem_.job_count());
    for (int j = 0; j < problem_.job_count(); ++j) order[j] = j;
    for (int pass = 0; pass < problem_.params().max_passes; ++pass) {
        // Our own Fisher-Yates: std::shuffle's sequence differs between standard libraries.
        for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng_() % i]);
        ++stats.passes;
        bool improved = false;
        for (int j : order) {
            if (limit_ms > 0 && std::chrono::steady_clock::now() - started > std::chrono::milliseconds(limit_ms)) {
                return;
            }
            if (unchanged_since_checked(j)) continue;
            const bool moved = technician_of_[j] < 0 ? try_insert(j) : (try_relocate(j) || try_swap(j));
            if (moved) {
                ++stats.moves;
                improved = true;
            } else {
                checked_at_[j] = clock_ + 1;
            }
        }
        if (!improved) return;
    }
}

}  // namespace

Plan auto_assign(const std::vector<Job>& jobs, const std::vector<Technician>& technicians, std::int64_t start_ms,
                 const AssignParams& params) {
    const Problem problem(jobs, technicians, start_ms, params);
    Optimiser optimiser(problem);
    optimiser.construct();
    SearchStats stats;
    optimiser.improve(stats);
    Plan plan = problem.make_plan(optimiser.routes());
    plan.passes = stats.passes;
    plan.moves = stats.moves;
    return plan;
}

Plan greedy_assign(const std::vector<Job>& jobs, const std::vector<Technician>& technicians, std::int64_t start_ms,
                   const AssignParams& params) {
    const Problem problem(jobs, technicians, start_ms, params);
    std::vector<int> order(problem.job_count());
    for (int j = 0; j < problem.job_count(); ++j) order[j] = j;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        if (problem.priority_weight(a) != problem.priority_weight(b)) {
            return problem.priority_weight(a) > problem.priority_weight(b);
        }
        return problem.deadline(a) < problem.deadline(b);
    });
    std::vector<std::vector<int>> routes(problem.technician_count());
    std::vector<double> km(problem.technician_count());
    for (int t = 0; t < problem.technician_count(); ++t) km[t] = problem.travel_km(t, routes[t]);
    for (int j : order) {
        double best_added = kInfinity;
        int best_t = -1;
        for (int t = 0; t < problem.technician_count(); ++t) {
            if (!problem.available(t) || !problem.qualified(j, t)) continue;
            // Appended last: no lookahead, no revision, as a dispatcher working down the list by hand would.
            routes[t].push_back(j);
            const double added = problem.travel_km(t, routes[t]) - km[t];
            routes[t].pop_back();
            if (added < best_added) {
                best_added = added;
                best_t = t;
            }
        }
        if (best_t < 0) continue;
        routes[best_t].push_back(j);
        km[best_t] = problem.travel_km(best_t, routes[best_t]);
    }
    return problem.make_plan(routes);
}

}  // namespace fieldserver::dispatch
