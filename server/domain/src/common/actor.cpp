// Role names and the role check every service uses.
#include "fieldserver/domain/common/actor.hpp"

#include <array>
#include <utility>

#include "fieldsync/error.hpp"

namespace fieldserver {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 7> kRoleNames = {{{Role::admin, "admin"},
                                                                          {Role::dispatcher, "dispatcher"},
                                                                          {Role::technician, "technician"},
                                                                          {Role::customer, "customer"},
                                                                          {Role::system, "system"},
                                                                          {Role::agent, "agent"},
                                                                          {Role::supervisor, "supervisor"}}};

}  // namespace

std::string to_string(Role role) {
    for (const auto& [r, name] : kRoleNames)
        if (r == role) return std::string(name);
    return "unknown";
}

std::optional<Role> parse_role(std::string_view text) {
    for (const auto& [r, name] : kRoleNames)
        if (name == text) return r;
    return std::nullopt;
}

void require_role(const Actor& actor, std::initializer_list<Role> roles) {
    if (!actor.is(roles))
        throw fieldsync::Error(fieldsync::ErrorCode::forbidden,
                               fieldsync::Message{"auth.role_forbidden", {{"role", actor.role_name()}}});
}

}  // namespace fieldserver
