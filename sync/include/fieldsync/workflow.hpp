// The repair-job workflow, interpreted from the declarative table in schemas/workflow.json.
// The server and devices both ask this interpreter which moves exist; neither re-checks states itself.
#pragma once

#include <Poco/JSON/Object.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace fieldsync {

// date: a calendar date YYYY-MM-DD; date_time: an ISO 8601 date-time with a time zone.
enum class FieldType { string, integer, number, boolean, object, array, date_time, date };

struct FieldSpec {
    std::string name;
    FieldType type = FieldType::string;
    std::optional<double> min;
    std::optional<double> max;
    std::optional<std::size_t> max_length;
    std::vector<std::string> allowed;  // empty: any value
};

struct Transition {
    std::string action;
    std::set<std::string> from;
    std::set<std::string> previous_in;  // empty: no condition on the state before on_hold
    std::string to;                     // a state, "=" (unchanged) or "@previous"
    std::set<std::string> roles;
    std::vector<FieldSpec> fields;
    std::vector<FieldSpec> optional;
    std::map<std::string, std::vector<FieldSpec>> by_mode;  // required fields by repair mode
    std::vector<std::string> requirements;  // named conditions (the table's "requirements") that must hold
};

// Checks obj: every required field present and valid, optional fields valid when present and not null, and
// no field outside both lists (so a typo is never silently ignored). Throws Error(missing_field or
// invalid_field, message, field); `what` names the operation in messages.
void validate_fields(const std::vector<FieldSpec>& required, const std::vector<FieldSpec>& optional,
                     const Poco::JSON::Object& obj, std::string_view what);

// The state a job is in, as far as the workflow cares.
struct JobPosition {
    std::string state;
    std::string previous_state;  // the state before on_hold; empty otherwise
    std::string mode;            // on_site, depot, or empty before a plan exists
    // The named requirements known to hold for this job; whoever applies a move fills in those that the action's
    // transitions name (requirements_of), since only it can see the records they are about.
    std::set<std::string> holding;
};

class Workflow {
  public:
    // Parses a table; throws std::invalid_argument naming what is wrong with it.
    static Workflow parse(const std::string& json);
    // The table built into this library from schemas/workflow.json.
    static const Workflow& builtin();
    // The JSON text of the built-in table, for clients that want to read it.
    static std::string_view builtin_text();
    // The after-sales case table (schemas/after_sales.json), in the same format; a case's kind is its mode.
    static const Workflow& after_sales();
    static std::string_view after_sales_text();

    // The transition that role may take from position, or throws Error: unknown_action (no such action),
    // forbidden (the role may never take it), invalid_transition (not from this state), requirement_unmet (from
    // this state, but a requirement it names is not in position.holding; the message is the table's, the field
    // the requirement's name).
    const Transition& resolve(std::string_view action, const JobPosition& position, std::string_view role) const;
    // The state after taking transition t from position.
    std::string target(const Transition& t, const JobPosition& position) const;
    // Checks fields against t's required, optional and per-mode specs with validate_fields.
    void validate(const Transition& t, const Poco::JSON::Object& fields, std::string_view mode) const;
    // The requirements any transition of action names, for the caller to evaluate into JobPosition::holding.
    std::set<std::string> requirements_of(std::string_view action) const;
    // The table's requirement names and what each asks, in words.
    const std::map<std::string, std::string>& requirements() const { return requirements_; }
    // The actions role may take from position by state and role, in table order, without duplicates (requirements
    // are checked when the move is taken).
    std::vector<std::string> available(const JobPosition& position, std::string_view role) const;

    const std::vector<std::string>& states() const { return states_; }
    const std::vector<Transition>& transitions() const { return transitions_; }
    bool is_state(std::string_view state) const;
    bool is_terminal(std::string_view state) const { return terminal_.count(std::string(state)) > 0; }
    bool is_sla_paused(std::string_view state) const { return sla_paused_.count(std::string(state)) > 0; }
    bool has_action(std::string_view action) const;
    int version() const { return version_; }

  private:
    int version_ = 0;
    std::vector<std::string> states_;
    std::set<std::string> roles_;
    std::set<std::string> terminal_;
    std::set<std::string> sla_paused_;
    std::map<std::string, std::string> requirements_;
    std::vector<Transition> transitions_;
};

}  // namespace fieldsync
