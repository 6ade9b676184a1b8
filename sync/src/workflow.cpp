// Interprets the workflow table: which transition a role may take, where it leads, which fields it needs.
#include "fieldsync/workflow.hpp"

#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>

#include "fieldsync/error.hpp"
#include "fieldsync/time.hpp"

namespace fieldsync {

// Defined in the source generated from schemas/ by cmake/EmbedFiles.cmake.
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_workflow();

namespace {

FieldType type_named(const std::string& name) {
    static const std::map<std::string, FieldType> types = {
        {"string", FieldType::string},      {"integer", FieldType::integer}, {"number", FieldType::number},
        {"boolean", FieldType::boolean},    {"object", FieldType::object},   {"array", FieldType::array},
        {"date-time", FieldType::date_time}};
    auto it = types.find(name);
    if (it == types.end()) throw std::invalid_argument("workflow: unknown field type '" + name + "'");
    return it->second;
}

std::vector<FieldSpec> parse_fields(const Poco::JSON::Object::Ptr& specs) {
    std::vector<FieldSpec> out;
    if (!specs) return out;
    for (const auto& [name, value] : *specs) {
        FieldSpec spec;
        spec.name = name;
        if (value.isString()) {
            spec.type = type_named(value.extract<std::string>());
        } else {
            auto o = value.extract<Poco::JSON::Object::Ptr>();
            spec.type = type_named(o->getValue<std::string>("type"));
            if (o->has("min")) spec.min = o->getValue<double>("min");
            if (o->has("max")) spec.max = o->getValue<double>("max");
            if (o->has("max_length")) spec.max_length = o->getValue<std::size_t>("max_length");
            if (auto e = o->getArray("enum"))
                for (const auto& v : *e) spec.allowed.push_back(v.toString());
        }
        out.push_back(std::move(spec));
    }
    return out;
}

std::set<std::string> string_set(const Poco::JSON::Array::Ptr& array) {
    std::set<std::string> out;
    if (array)
        for (const auto& v : *array) out.insert(v.toString());
    return out;
}

// UTF-8 code points, so a length limit means characters for Chinese text too.
std::size_t utf8_length(const std::string& s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

const char* type_word(FieldType t) {
    switch (t) {
        case FieldType::string:
            return "string";
        case FieldType::integer:
            return "integer";
        case FieldType::number:
            return "number";
        case FieldType::boolean:
            return "boolean";
        case FieldType::object:
            return "object";
        case FieldType::array:
            return "array";
        case FieldType::date_time:
            return "date_time";
        case FieldType::date:
            return "date";
    }
    return "string";
}

// The JSON parser keeps integers above 2^63-1 as unsigned; readers convert integers to int64 and would throw.
bool fits_int64(const Poco::Dynamic::Var& v) {
    return v.type() != typeid(Poco::UInt64) ||
           v.extract<Poco::UInt64>() <= static_cast<Poco::UInt64>(std::numeric_limits<std::int64_t>::max());
}

void check_value(const FieldSpec& spec, const Poco::Dynamic::Var& v) {
    auto fail = [&](const std::string& id, std::vector<std::pair<std::string, std::string>> args = {}) {
        args.insert(args.begin(), {"field", spec.name});
        throw Error(ErrorCode::invalid_field, Message{id, std::move(args)}, spec.name);
    };
    bool ok = false;
    switch (spec.type) {
        case FieldType::string:
            ok = v.isString();
            break;
        case FieldType::date_time:
            ok = v.isString() && parse_date_time(v.extract<std::string>()).has_value();
            break;
        case FieldType::date:
            ok = v.isString() && is_date(v.extract<std::string>());
            break;
        case FieldType::integer:
            ok = v.isInteger() && !v.isBoolean() && fits_int64(v);
            break;
        case FieldType::number:
            ok = v.isNumeric() && !v.isBoolean();
            break;
        case FieldType::boolean:
            ok = v.isBoolean();
            break;
        case FieldType::object:
            ok = v.type() == typeid(Poco::JSON::Object::Ptr);
            break;
        case FieldType::array:
            ok = v.type() == typeid(Poco::JSON::Array::Ptr);
            break;
    }
    if (!ok && spec.type == FieldType::integer && v.isInteger() && !v.isBoolean())
        fail("field.max", {{"max", std::to_string(std::numeric_limits<std::int64_t>::max())}});
    if (!ok) fail(std::string("field.type.") + type_word(spec.type));
    if (spec.type == FieldType::string) {
        const auto& s = v.extract<std::string>();
        if (s.find_first_not_of(" \t\r\n") == std::string::npos) fail("field.empty");
        if (spec.max_length && utf8_length(s) > *spec.max_length)
            fail("field.max_length", {{"max", std::to_string(*spec.max_length)}});
        if (!spec.allowed.empty() && std::find(spec.allowed.begin(), spec.allowed.end(), s) == spec.allowed.end())
            fail("field.not_allowed");
    }
    if (spec.type == FieldType::integer || spec.type == FieldType::number) {
        double d = v.convert<double>();
        if (spec.min && d < *spec.min) fail("field.min", {{"min", Poco::Dynamic::Var(*spec.min).toString()}});
        if (spec.max && d > *spec.max) fail("field.max", {{"max", Poco::Dynamic::Var(*spec.max).toString()}});
    }
}

}  // namespace

Workflow Workflow::parse(const std::string& json) {
    Poco::JSON::Parser parser;
    auto root = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
    Workflow w;
    w.version_ = root->getValue<int>("version");
    for (const auto& s : *root->getArray("states")) w.states_.push_back(s.toString());
    w.roles_ = string_set(root->getArray("roles"));
    w.terminal_ = string_set(root->getArray("terminal"));
    w.sla_paused_ = string_set(root->getArray("sla_paused"));
    if (auto reqs = root->getObject("requirements"))
        for (const auto& [name, words] : *reqs) w.requirements_[name] = words.toString();
    auto known_state = [&](const std::string& s) {
        if (!w.is_state(s)) throw std::invalid_argument("workflow: unknown state '" + s + "'");
    };
    for (const auto& entry : *root->getArray("transitions")) {
        auto o = entry.extract<Poco::JSON::Object::Ptr>();
        Transition t;
        t.action = o->getValue<std::string>("action");
        t.from = string_set(o->getArray("from"));
        t.previous_in = string_set(o->getArray("previous_in"));
        t.to = o->getValue<std::string>("to");
        t.roles = string_set(o->getArray("roles"));
        t.fields = parse_fields(o->getObject("fields"));
        t.optional = parse_fields(o->getObject("optional"));
        if (auto modes = o->getObject("by_mode"))
            for (const auto& [mode, specs] : *modes)
                t.by_mode[mode] = parse_fields(specs.extract<Poco::JSON::Object::Ptr>());
        if (auto reqs = o->getArray("requires"))
            for (const auto& r : *reqs) {
                if (!w.requirements_.count(r.toString()))
                    throw std::invalid_argument("workflow: unknown requirement '" + r.toString() + "' in " + t.action);
                t.requirements.push_back(r.toString());
            }
        for (const auto& s : t.from) known_state(s);
        for (const auto& s : t.previous_in) known_state(s);
        if (t.to != "=" && t.to != "@previous") known_state(t.to);
        for (const auto& r : t.roles)
            if (!w.roles_.count(r)) throw std::invalid_argument("workflow: unknown role '" + r + "' in " + t.action);
        w.transitions_.push_back(std::move(t));
    }
    return w;
}

namespace {

std::string_view embedded_table(std::string_view file) {
    for (const auto& [name, text] : embedded_workflow())
        if (name == file) return text;
    throw std::logic_error(std::string(file) + " is not embedded");
}

}  // namespace

std::string_view Workflow::builtin_text() { return embedded_table("workflow.json"); }

std::string_view Workflow::after_sales_text() { return embedded_table("after_sales.json"); }

const Workflow& Workflow::after_sales() {
    static const Workflow table = parse(std::string(after_sales_text()));
    return table;
}

const Workflow& Workflow::builtin() {
    static const Workflow table = parse(std::string(builtin_text()));
    return table;
}

bool Workflow::is_state(std::string_view state) const {
    return std::find(states_.begin(), states_.end(), state) != states_.end();
}

bool Workflow::has_action(std::string_view action) const {
    return std::any_of(transitions_.begin(), transitions_.end(), [&](const auto& t) { return t.action == action; });
}

const Transition& Workflow::resolve(std::string_view action, const JobPosition& position, std::string_view role) const {
    bool exists = false, role_allowed = false;
    std::string unmet;  // the first requirement that kept a transition from this state
    for (const auto& t : transitions_) {
        if (t.action != action) continue;
        exists = true;
        if (!t.roles.count(std::string(role))) continue;
        role_allowed = true;
        if (!t.from.count(position.state)) continue;
        if (!t.previous_in.empty() && !t.previous_in.count(position.previous_state)) continue;
        auto missing = std::find_if(t.requirements.begin(), t.requirements.end(),
                                    [&](const std::string& r) { return !position.holding.count(r); });
        if (missing == t.requirements.end()) return t;
        if (unmet.empty()) unmet = *missing;
    }
    std::string name(action);
    if (!exists) throw Error(ErrorCode::unknown_action, Message{"action.unknown", {{"action", name}}});
    if (!role_allowed)
        throw Error(ErrorCode::forbidden, Message{"action.forbidden", {{"role", std::string(role)}, {"action", name}}});
    if (position.state == "on_hold")
        throw Error(ErrorCode::invalid_transition, Message{"action.invalid_transition.held",
                                                           {{"action", name}, {"previous", position.previous_state}}});
    if (!unmet.empty())
        throw Error(ErrorCode::requirement_unmet, Message{"requirement." + unmet, {{"action", name}}}, unmet);
    throw Error(ErrorCode::invalid_transition,
                Message{"action.invalid_transition", {{"action", name}, {"state", position.state}}});
}

std::set<std::string> Workflow::requirements_of(std::string_view action) const {
    std::set<std::string> out;
    for (const auto& t : transitions_)
        if (t.action == action) out.insert(t.requirements.begin(), t.requirements.end());
    return out;
}

std::string Workflow::target(const Transition& t, const JobPosition& position) const {
    if (t.to == "=") return position.state;
    if (t.to == "@previous") return position.previous_state;
    return t.to;
}

void validate_fields(const std::vector<FieldSpec>& required, const std::vector<FieldSpec>& optional,
                     const Poco::JSON::Object& obj, std::string_view what) {
    for (const auto& spec : required) {
        if (!obj.has(spec.name) || obj.isNull(spec.name))
            throw Error(ErrorCode::missing_field,
                        Message{"field.required", {{"field", spec.name}, {"action", std::string(what)}}}, spec.name);
        check_value(spec, obj.get(spec.name));
    }
    for (const auto& spec : optional)
        if (obj.has(spec.name) && !obj.isNull(spec.name)) check_value(spec, obj.get(spec.name));
    auto listed = [](const std::vector<FieldSpec>& specs, const std::string& name) {
        return std::any_of(specs.begin(), specs.end(), [&](const FieldSpec& s) { return s.name == name; });
    };
    for (const auto& [name, value] : obj)
        if (!listed(required, name) && !listed(optional, name))
            throw Error(ErrorCode::invalid_field,
                        Message{"field.not_a_field", {{"field", name}, {"action", std::string(what)}}}, name);
}

void Workflow::validate(const Transition& t, const Poco::JSON::Object& fields, std::string_view mode) const {
    auto required = t.fields;
    if (auto it = t.by_mode.find(std::string(mode)); it != t.by_mode.end())
        required.insert(required.end(), it->second.begin(), it->second.end());
    validate_fields(required, t.optional, fields, t.action);
}

std::vector<std::string> Workflow::available(const JobPosition& position, std::string_view role) const {
    std::vector<std::string> out;
    for (const auto& t : transitions_) {
        if (!t.roles.count(std::string(role)) || !t.from.count(position.state)) continue;
        if (!t.previous_in.empty() && !t.previous_in.count(position.previous_state)) continue;
        if (std::find(out.begin(), out.end(), t.action) == out.end()) out.push_back(t.action);
    }
    return out;
}

}  // namespace fieldsync
