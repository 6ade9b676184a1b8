// Segment-by-segment matching of paths against the route patterns, in table order.
#include "fieldserver/http/router.hpp"

#include <Poco/URI.h>

namespace fieldserver {
namespace {

std::vector<std::string> segments(const std::string& path) {
    std::vector<std::string> out;
    std::size_t start = 1;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        out.push_back(path.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

bool match_pattern(const std::string& pattern, const std::string& path, std::map<std::string, std::string>& params) {
    auto want = segments(pattern), have = segments(path);
    if (want.size() != have.size()) return false;
    std::map<std::string, std::string> found;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const auto& w = want[i];
        if (w.size() > 2 && w.front() == '{' && w.back() == '}') {
            if (have[i].empty()) return false;
            std::string decoded;
            Poco::URI::decode(have[i], decoded);
            found[w.substr(1, w.size() - 2)] = decoded;
        } else if (w != have[i]) {
            return false;
        }
    }
    params = std::move(found);
    return true;
}

}  // namespace

void Router::add(Route route) { routes_.push_back(std::move(route)); }

const Route* Router::match(const std::string& method, const std::string& path,
                           std::map<std::string, std::string>& params, bool& path_known) const {
    path_known = false;
    for (const auto& route : routes_) {
        std::map<std::string, std::string> found;
        if (!match_pattern(route.pattern, path, found)) continue;
        if (route.method != method) {
            path_known = true;
            continue;
        }
        params = std::move(found);
        return &route;
    }
    return nullptr;
}

}  // namespace fieldserver
