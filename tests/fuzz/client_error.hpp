#pragma once
/// What the server would answer for an error a parser throws: it must be a
/// promptsales::Error with a 4xx status (anything else becomes a 500) whose
/// JSON error body is valid JSON (valid UTF-8 included).

#include <nlohmann/json.hpp>

#include "fuzz_check.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/http/message.hpp"

namespace promptsales::fuzz {

inline void check_client_error(const promptsales::Error& e) {
  FUZZ_CHECK(e.http_status() >= 400 && e.http_status() < 500);
  const http::Response response = http::Response::error(e.http_status(), e.code(), e.what());
  FUZZ_CHECK(response.body && nlohmann::json::accept(*response.body));
}

}  // namespace promptsales::fuzz
