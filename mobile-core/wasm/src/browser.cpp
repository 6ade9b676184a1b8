// The browser's network stack behind the C API's transport: each request the sync client makes goes to the worker's
// Module.httpSend (a synchronous XMLHttpRequest in the dedicated worker), so the core stays synchronous.
#include <emscripten.h>

#include <cstdlib>

#include "fieldmobile/fieldmobile.h"

// Calls Module.httpSend({method, target, body, contentType, bearer}) and copies its answer {status, body: Uint8Array,
// retryAfter} into malloc'd memory the library takes over; 0 when it answered null (no connection).
EM_JS(int, fr_js_http_send,
      (const char* method, const char* target, const char* body, size_t body_size, const char* content_type,
       const char* bearer, fr_http_response* response),
      {
          const answer = Module.httpSend({
              method : UTF8ToString(method),
              target : UTF8ToString(target),
              body : HEAPU8.slice(body, body + body_size),
              contentType : UTF8ToString(content_type),
              bearer : UTF8ToString(bearer)
          });
          if (!answer) return 0;
          const bytes = answer.body || new Uint8Array(0);
          const copy = _malloc(bytes.length + 1);
          HEAPU8.set(bytes, copy);
          setValue(response, answer.status, 'i32');
          setValue(response + 4, copy, 'i32');
          setValue(response + 8, bytes.length, 'i32');
          setValue(response + 12, answer.retryAfter || 0, 'i32');
          return 1;
      });

namespace {

static_assert(sizeof(void*) == 4 && sizeof(size_t) == 4 && sizeof(fr_http_response) == 16,
              "fr_js_http_send writes fr_http_response at wasm32 offsets");

bool send_through_worker(void*, const fr_http_request* request, fr_http_response* response) {
    return fr_js_http_send(request->method, request->target, request->body, request->body_size, request->content_type,
                           request->bearer, response) != 0;
}

}  // namespace

extern "C" {

// A sync client that sends through the worker's Module.httpSend.
EMSCRIPTEN_KEEPALIVE fr_sync_client* fr_wasm_sync_client_open(fr_replica* replica, fr_error* out_error) noexcept {
    return fr_sync_client_open_with_transport(replica, send_through_worker, nullptr, out_error);
}

}  // extern "C"
