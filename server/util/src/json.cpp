// Compact JSON text of a value.
#include "fieldserver/util/json.hpp"

#include <Poco/JSON/Stringifier.h>

#include <sstream>

namespace fieldserver {

std::string to_json(const Poco::Dynamic::Var& value) {
    std::ostringstream out;
    Poco::JSON::Stringifier::condense(value, out);
    return out.str();
}

}  // namespace fieldserver
