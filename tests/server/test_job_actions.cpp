// The job action table against the workflow table: the start-up check that refuses a server whose handlers and
// workflow actions disagree, in both directions, and the real table passing it.
#include <Poco/TemporaryFile.h>

#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "fieldserver/domain/jobs/job_actions.hpp"
#include "fieldserver/domain/jobs/job_service.hpp"
#include "fieldsync/workflow.hpp"

using namespace fieldserver;

namespace {

std::string failure_of(const std::vector<std::string>& workflow, const std::vector<std::string>& handled) {
    try {
        check_action_table(workflow, handled);
    } catch (const std::logic_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("the action table check refuses a workflow action without a handler and a handler without an action",
          "[server][jobs]") {
    CHECK(failure_of({"assign", "hold"}, {"hold", "assign"}).empty());

    auto missing = failure_of({"assign", "hold", "escalate_to_vendor"}, {"assign", "hold"});
    CHECK(missing.find("no handler for escalate_to_vendor") != std::string::npos);
    CHECK(missing.find("workflow does not have") == std::string::npos);

    auto extra = failure_of({"assign"}, {"assign", "teleport"});
    CHECK(extra.find("the workflow does not have: teleport") != std::string::npos);
    CHECK(extra.find("no handler") == std::string::npos);
}

TEST_CASE("every action of schemas/workflow.json has exactly one handler", "[server][jobs]") {
    const auto& workflow = fieldsync::Workflow::builtin();
    auto actions = workflow_actions(workflow);
    std::vector<std::string> handled;
    for (const auto& [action, handler] : job_action_handlers()) {
        handled.push_back(action);
        CHECK(handler != nullptr);
    }
    CHECK_NOTHROW(check_action_table(actions, handled));
    CHECK(handled.size() == actions.size());
    for (const char* action : {"assign", "submit_assessment", "record_acceptance", "cancel", "resume"})
        CHECK(workflow.has_action(action));

    // A workflow with one more action than the handlers stops the service (and so the server) from starting.
    auto text = std::string(fieldsync::Workflow::builtin_text());
    auto pos = text.find("\"action\": \"close\"");
    REQUIRE(pos != std::string::npos);
    text.replace(pos, 17, "\"action\": \"close_for_good\"");
    auto changed = fieldsync::Workflow::parse(text);
    Poco::TemporaryFile dir;
    dir.createDirectories();
    Database db(dir.path() + "/jobs.db");
    CHECK_THROWS_AS(JobService(db, changed, JobPolicy{}), std::logic_error);
    CHECK_NOTHROW(JobService(db, workflow, JobPolicy{}));
}
