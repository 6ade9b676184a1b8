// Shared fixtures of the mobile tests: a temporary folder per test, a seeded fake server, a signed-in replica.
#pragma once

#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/TemporaryFile.h>

#include <memory>
#include <string>

#include "fake_server.hpp"
#include "fieldmobile/replica.hpp"
#include "fieldmobile/sync_client.hpp"

namespace mobiletest {

// A fresh folder, removed with everything in it at the end of the test.
class TempDir {
  public:
    TempDir() : path_(Poco::TemporaryFile::tempName()) { Poco::File(path_).createDirectories(); }
    ~TempDir() { Poco::File(path_).remove(true); }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

  private:
    std::string path_;
};

inline const std::string kJob = "0190a000-0000-7000-8000-000000000001";
inline const std::string kJob2 = "0190a000-0000-7000-8000-000000000002";
inline const std::string kCustomer = "0190a000-0000-7000-8000-0000000000c1";

// A job ready for an on-site repair, a second job being assessed, their customer and a catalog part.
inline void seed(FakeServer& server) {
    server.put("jobs", kJob, job_row("FR-20261121-0001", "scheduled"));
    server.put("jobs", kJob2, job_row("FR-20261121-0002", "assessing", ""));
    Object::Ptr customer = new Object;
    customer->set("name", "刘洋");
    customer->set("phone", "13800000000");
    server.put("customers", kCustomer, customer);
    Object::Ptr part = new Object;
    part->set("sku", "PUMP-1");
    part->set("name", "排水泵");
    server.put("parts", "0190a000-0000-7000-8000-0000000000f1", part, "catalog");
}

// A replica logged in to the fake server.
inline void sign_in(fieldmobile::Replica& replica, FakeServer& server) {
    fieldmobile::SyncClient client(replica, server);
    client.login("tech.li", "secret-password");
}

}  // namespace mobiletest
