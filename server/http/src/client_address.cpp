// Client addresses behind trusted proxies, from the Forwarded (RFC 7239) or X-Forwarded-For header.
#include "fieldserver/http/client_address.hpp"

#include <Poco/Net/IPAddress.h>
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>

#include <stdexcept>

namespace fieldserver {

namespace {

// The address in network order, IPv4-mapped IPv6 addresses as IPv4; empty when text is not an address.
std::string address_bytes(const std::string& text) {
    Poco::Net::IPAddress ip;
    if (!Poco::Net::IPAddress::tryParse(text, ip)) return {};
    std::string bytes(static_cast<const char*>(ip.addr()), ip.length());
    if (bytes.size() == 16 && bytes.compare(0, 12, std::string("\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) == 0)
        bytes.erase(0, 12);
    return bytes;
}

// One forwarded element's address: for=1.2.3.4, for="[2001:db8::1]:4711", or a bare X-Forwarded-For entry.
std::string forwarded_address(std::string value) {
    value = Poco::trim(value);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (!value.empty() && value.front() == '[') return value.substr(1, value.find(']') - 1);
    // An IPv4 address with a port; an IPv6 address has more than one colon and no port without brackets.
    if (auto colon = value.find(':'); colon != std::string::npos && value.find(':', colon + 1) == std::string::npos)
        return value.substr(0, colon);
    return value;
}

// Every value of one header, in order, joined as one list: a header sent on several lines is one list (RFC 9110).
std::string joined(const Headers& headers, const char* name) {
    std::string out;
    for (const auto& [key, value] : headers)
        if (key == name) out += (out.empty() ? "" : ",") + value;
    return out;
}

// The addresses a header lists, nearest proxy last.
std::vector<std::string> forwarded_chain(const Headers& headers) {
    std::vector<std::string> chain;
    if (std::string forwarded = joined(headers, "forwarded"); !forwarded.empty()) {
        for (const auto& element : Poco::StringTokenizer(forwarded, ",", Poco::StringTokenizer::TOK_TRIM))
            for (const auto& pair : Poco::StringTokenizer(element, ";", Poco::StringTokenizer::TOK_TRIM))
                if (Poco::icompare(pair.substr(0, 4), "for=") == 0) chain.push_back(forwarded_address(pair.substr(4)));
    } else if (std::string list = joined(headers, "x-forwarded-for"); !list.empty()) {
        for (const auto& entry : Poco::StringTokenizer(
                 list, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY))
            chain.push_back(forwarded_address(entry));
    }
    return chain;
}

}  // namespace

TrustedProxies::TrustedProxies(const std::string& list) {
    for (const auto& entry :
         Poco::StringTokenizer(list, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY)) {
        auto slash = entry.find('/');
        Network network{address_bytes(entry.substr(0, slash)), 0};
        unsigned prefix = static_cast<unsigned>(network.bytes.size() * 8);
        if (slash != std::string::npos && !Poco::NumberParser::tryParseUnsigned(entry.substr(slash + 1), prefix))
            network.bytes.clear();
        if (network.bytes.empty() || prefix > network.bytes.size() * 8)
            throw std::invalid_argument("http.trusted_proxies: '" + entry +
                                        "' is not an IP address or CIDR range (like 10.0.0.0/8)");
        network.prefix = prefix;
        networks_.push_back(network);
    }
}

bool TrustedProxies::contains(const std::string& address) const {
    std::string bytes = address_bytes(address);
    for (const auto& n : networks_) {
        if (bytes.size() != n.bytes.size()) continue;
        unsigned whole = n.prefix / 8, rest = n.prefix % 8;
        if (bytes.compare(0, whole, n.bytes, 0, whole) != 0) continue;
        auto mask = static_cast<unsigned char>(0xff << (8 - rest));
        if (rest == 0 ||
            ((static_cast<unsigned char>(bytes[whole]) ^ static_cast<unsigned char>(n.bytes[whole])) & mask) == 0)
            return true;
    }
    return false;
}

void set_client_address(HttpRequest& req, const std::string& peer, const Headers& headers,
                        const TrustedProxies& proxies) {
    req.source = peer;
    if (proxies.empty() || !proxies.contains(req.source)) return;
    auto chain = forwarded_chain(headers);
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        // A hop that is no address (unknown, an obfuscated name) ends what can be believed.
        if (address_bytes(*it).empty()) return;
        req.source = *it;
        if (!proxies.contains(*it)) return;
    }
}

}  // namespace fieldserver
