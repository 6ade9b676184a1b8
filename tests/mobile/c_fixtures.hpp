// The C API driven from C++ against the fake server: the app's network callback forwards each request to a
// FakeServer, and C strings returned by the API are taken into std::string and freed.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <string>

#include "fieldmobile/fieldmobile.h"
#include "fixtures.hpp"

namespace mobiletest {

// The app's network stack, played by the fake server; a server that is down answers nothing.
inline bool send_to_fake(void* context, const fr_http_request* request, fr_http_response* response) {
    auto& server = *static_cast<FakeServer*>(context);
    fieldmobile::HttpRequest forwarded{request->method, request->target,
                                       std::string(request->body ? request->body : "", request->body_size),
                                       request->content_type, request->bearer};
    try {
        auto answer = server.send(forwarded);
        response->status = answer.status;
        response->body = static_cast<char*>(std::malloc(answer.body.size() + 1));
        std::memcpy(response->body, answer.body.c_str(), answer.body.size() + 1);
        response->body_size = answer.body.size();
        return true;
    } catch (const fieldsync::Error&) {
        return false;
    }
}

// A string the API returned, owned and freed here; fails the test when the call failed (NULL).
inline std::string take(char* text, const fr_error& error) {
    INFO("error " << fr_error_code_name(error.code) << ": " << error.message << " (field " << error.field << ")");
    REQUIRE(text != nullptr);
    std::string out(text);
    fr_free_string(text);
    return out;
}

inline Poco::JSON::Array::Ptr json_array(const std::string& text) {
    return Poco::JSON::Parser().parse(text).extract<Poco::JSON::Array::Ptr>();
}

// A replica opened through the C API, signed in to server through the app-callback transport, and synced once.
class CDevice {
  public:
    CDevice(const std::string& path, FakeServer& server) {
        replica = fr_replica_open(path.c_str(), &error);
        REQUIRE(replica);
        client = fr_sync_client_open_with_transport(replica, send_to_fake, &server, &error);
        REQUIRE(client);
        REQUIRE(fr_sync_client_login(client, "tech.li", "secret-password", &error));
        sync();
    }
    ~CDevice() {
        fr_sync_client_close(client, nullptr);
        fr_replica_close(replica, nullptr);
    }
    CDevice(const CDevice&) = delete;
    CDevice& operator=(const CDevice&) = delete;

    Poco::JSON::Object::Ptr sync() {
        return fieldsync::parse_json_object(take(fr_sync_client_sync(client, &error), error));
    }
    Poco::JSON::Array::Ptr outbox() { return json_array(take(fr_replica_list_outbox(replica, &error), error)); }
    std::string outbox_text() { return take(fr_replica_list_outbox(replica, &error), error); }
    fr_upload_progress progress(const char* attachment_id) {
        fr_upload_progress p{-1, -1, -1};
        INFO("error " << error.message);
        REQUIRE(fr_replica_get_upload_progress(replica, attachment_id, &p, &error));
        return p;
    }

    fr_error error{};
    fr_replica* replica = nullptr;
    fr_sync_client* client = nullptr;
};

}  // namespace mobiletest
