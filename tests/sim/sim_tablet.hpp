// The tablets of the randomized sync simulation behind one interface: the device core in this process (native), or
// compiled to WebAssembly and run in a Node process of its own (mobile-core/wasm/tests/sim_device.cpp), so one run
// drives both builds of the core against the same server. Both throw fieldsync::Error as the core does.
#pragma once

#include <Poco/JSON/Object.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fieldmobile/sync_client.hpp"
#include "fieldmobile/transport.hpp"

namespace simtest {

using Obj = Poco::JSON::Object::Ptr;

struct SyncFigures {
    std::size_t pushed = 0, pulled = 0;
    bool checkpoint_applied = false;
};

class Tablet {
  public:
    virtual ~Tablet() = default;
    virtual void login(const std::string& username, const std::string& password) = 0;
    virtual std::vector<Obj> my_jobs() = 0;  // the signed-in technician's jobs
    virtual std::vector<Obj> rows(const std::string& table) = 0;
    virtual std::vector<std::string> outbox_op_ids() = 0;
    virtual std::vector<std::string> conflict_op_ids() = 0;
    virtual std::optional<std::string> state(const std::string& key) = 0;
    virtual std::string summary_sha256(const std::string& job_id) = 0;
    virtual std::string insert(const std::string& table, const Obj& fields) = 0;  // the row id
    virtual std::string update(const std::string& table, const std::string& row_id, const Obj& fields) = 0;  // op id
    virtual std::string act(const std::string& job_id, const std::string& action, const Obj& fields) = 0;    // op id
    virtual SyncFigures sync() = 0;
    // The tablet dies and starts again on its replica file: closed (native) or killed (WebAssembly).
    virtual void restart() = 0;
};

// The core in this process, sending through transport.
std::unique_ptr<Tablet> native_tablet(const std::string& path, fieldmobile::Transport& transport,
                                      fieldmobile::SyncOptions options);

// The WebAssembly core: `node script` (sim_device.js); its requests are sent through transport here.
std::unique_ptr<Tablet> wasm_tablet(const std::string& path, fieldmobile::Transport& transport, const std::string& node,
                                    const std::string& script);

}  // namespace simtest
