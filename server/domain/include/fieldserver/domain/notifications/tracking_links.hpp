// Tracking links in queued notices: the stored body holds a placeholder and the link is kept sealed beside it
// (notification_links) with the link key, which lives outside the database; the sender puts the link in at send time.
#pragma once

#include <optional>
#include <string>

namespace fieldserver {

// The key (32 bytes) that seals the tracking links of queued notices; every instance on one database needs the same.
// Without one, a key made up for this process is used.
void use_link_key(const std::string& key);
// body with its tracking-link placeholder replaced by the link sealed_link opens to (escaped for a JSON string when
// json_body); body as it is when sealed_link is empty; nothing when the link key cannot open it.
std::optional<std::string> with_tracking_link(const std::string& body, const std::string& sealed_link, bool json_body);

}  // namespace fieldserver
