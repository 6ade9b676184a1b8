// The client's address: the TCP peer, or what a trusted proxy (a load balancer) forwarded as the client.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "fieldserver/http/router.hpp"

namespace fieldserver {

// The networks whose forwarded headers are believed (setting http.trusted_proxies): addresses or CIDR ranges.
class TrustedProxies {
  public:
    TrustedProxies() = default;
    // list: "10.0.0.5, 192.168.1.0/24, ::1"; throws std::invalid_argument naming a bad entry.
    explicit TrustedProxies(const std::string& list);
    bool contains(const std::string& address) const;
    bool empty() const { return networks_.empty(); }

  private:
    struct Network {
        std::string bytes;  // the address in network order, 4 or 16 bytes
        unsigned prefix = 0;
    };
    std::vector<Network> networks_;
};

// Sets req.source to the client's address: the TCP peer, unless the peer is a trusted proxy; then the nearest
// address of Forwarded (for=) or else X-Forwarded-For that is not itself a trusted proxy, read from the right, as
// each proxy appends the address it received from. A client cannot choose its address by sending these headers
// itself: they are read only when the connection comes from a trusted proxy.
// headers: the request's, names in lower case, in order.
using Headers = std::vector<std::pair<std::string, std::string>>;
void set_client_address(HttpRequest& req, const std::string& peer, const Headers& headers,
                        const TrustedProxies& proxies);

}  // namespace fieldserver
