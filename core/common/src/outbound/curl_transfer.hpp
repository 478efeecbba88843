#pragma once
/// One attempt of an outbound request with libcurl (private to the client).

#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "promptsales/common/outbound/request.hpp"
#include "promptsales/common/outbound/settings.hpp"

namespace promptsales::outbound::detail {

/// Idle libcurl easy handles. Reusing a handle reuses its open connections
/// (keep-alive), which matters for many small S3 requests.
class HandlePool {
 public:
  HandlePool();
  ~HandlePool();
  HandlePool(const HandlePool&) = delete;
  HandlePool& operator=(const HandlePool&) = delete;

  void* take();
  void give_back(void* handle);

 private:
  std::mutex mutex_;
  std::vector<void*> idle_;
};

struct AttemptResult {
  enum class Kind {
    response,    ///< an HTTP response arrived (any status)
    timeout,     ///< connect or transfer time limit, or the low-speed limit
    connection,  ///< could not connect, or the connection broke
    fatal,       ///< retrying cannot help (bad URL, TLS verification)
    caller,      ///< the body source or sink threw: `caller_error`
  };
  Kind kind = Kind::response;
  Response response;
  std::string error;             ///< libcurl's description when kind != response
  bool sink_received = false;    ///< a byte went to the request's sink
  bool body_read = false;        ///< a byte came from the request's body source
  std::exception_ptr caller_error;
};

AttemptResult perform_attempt(HandlePool& pool, const ClientSettings& settings, const Request& request);

}  // namespace promptsales::outbound::detail
