#include "promptsales/common/outbound/client.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "curl_transfer.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/logging.hpp"
#include "promptsales/common/metrics/registry.hpp"

namespace promptsales::outbound {
namespace {

bool is_idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" || method == "OPTIONS";
}

bool has_idempotency_key(const Request& request) {
  return std::any_of(request.headers.begin(), request.headers.end(), [](const Header& h) {
    std::string name = h.first;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return name == "idempotency-key";
  });
}

// The method and the URL without its query (queries may carry tokens).
std::string label_of(const Request& request) {
  if (!request.label.empty()) return request.label;
  return request.method + " " + request.url.substr(0, request.url.find('?'));
}

Outcome outcome_of(const detail::AttemptResult& attempt) {
  using Kind = detail::AttemptResult::Kind;
  switch (attempt.kind) {
    case Kind::timeout: return Outcome::timeout;
    case Kind::connection: return Outcome::connection_error;
    case Kind::fatal:
    case Kind::caller: return Outcome::client_error;
    case Kind::response: break;
  }
  const long status = attempt.response.status;
  if (status == 429) return Outcome::throttled;
  if (status >= 500) return Outcome::server_error;
  if (status >= 400) return Outcome::client_error;
  return Outcome::success;
}

// Failures of the target itself: they count towards its breaker and may be retried.
bool is_failure(Outcome outcome) {
  return outcome == Outcome::throttled || outcome == Outcome::server_error || outcome == Outcome::timeout ||
         outcome == Outcome::connection_error;
}

}  // namespace

const char* to_string(Outcome outcome) noexcept {
  switch (outcome) {
    case Outcome::success: return "success";
    case Outcome::client_error: return "client_error";
    case Outcome::throttled: return "throttled";
    case Outcome::server_error: return "server_error";
    case Outcome::timeout: return "timeout";
    case Outcome::connection_error: return "connection_error";
    case Outcome::circuit_open: return "circuit_open";
  }
  return "?";
}

struct Client::Impl {
  detail::HandlePool handles;
  mutable std::mutex mutex;
  std::map<std::string, std::unique_ptr<CircuitBreaker>, std::less<>> breakers;
  metrics::CounterFamily* requests = nullptr;
  metrics::GaugeFamily* circuit_open = nullptr;

  CircuitBreaker& breaker(std::string_view target, const CircuitBreaker::Options& options) {
    std::lock_guard lock(mutex);
    auto it = breakers.find(target);
    if (it == breakers.end()) {
      it = breakers.emplace(std::string(target), std::make_unique<CircuitBreaker>(options)).first;
    }
    return *it->second;
  }

  void count(std::string_view target, Outcome outcome) {
    if (requests != nullptr) requests->labels({target, to_string(outcome)}).inc();
  }

  void publish(std::string_view target, const CircuitBreaker& breaker) {
    if (circuit_open == nullptr) return;
    circuit_open->labels({target}).set(breaker.state() == CircuitBreaker::State::closed ? 0.0 : 1.0);
  }
};

Client::Client(ClientSettings settings, metrics::Registry* registry)
    : settings_(std::move(settings)), impl_(std::make_unique<Impl>()) {
  settings_.attempts = std::max(1, settings_.attempts);
  if (registry != nullptr) {
    impl_->requests = &registry->counter("promptsales_outbound_requests_total",
                                         "Attempts of outbound HTTP requests by target and outcome.",
                                         {"target", "outcome"});
    impl_->circuit_open = &registry->gauge("promptsales_outbound_circuit_open",
                                           "1 while the circuit breaker of an outbound target is open or half-open.",
                                           {"target"});
  }
}

Client::~Client() = default;

CircuitBreaker::State Client::breaker_state(std::string_view target) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->breakers.find(target);
  return it == impl_->breakers.end() ? CircuitBreaker::State::closed : it->second->state();
}

Response Client::send(std::string_view target, const Request& request) {
  if (request.url.rfind("http://", 0) != 0 && request.url.rfind("https://", 0) != 0) {
    throw ValidationError("url", "outbound " + std::string(target) + ": expected an http:// or https:// URL");
  }
  const auto log = logging::get("outbound");
  const std::string label = label_of(request);
  const bool repeatable = is_idempotent(request.method) || request.replayable || has_idempotency_key(request);
  CircuitBreaker& breaker = impl_->breaker(target, settings_.breaker);

  detail::AttemptResult last;
  int attempt = 0;
  for (;;) {
    ++attempt;
    const auto permit = breaker.acquire();
    if (!permit.allowed) {
      impl_->count(target, Outcome::circuit_open);
      throw Unavailable("outbound " + std::string(target) + ": " + label + ": circuit breaker open after " +
                        std::to_string(breaker.consecutive_failures()) + " consecutive failures; next trial in " +
                        std::to_string(permit.retry_in.count()) + " ms");
    }
    if (attempt > 1 && request.body_source && request.body_source->rewind) request.body_source->rewind();
    last = detail::perform_attempt(impl_->handles, settings_, request);
    last.response.attempts = attempt;
    const Outcome outcome = outcome_of(last);
    impl_->count(target, outcome);

    if (last.kind == detail::AttemptResult::Kind::caller) {
      breaker.on_abandon();
      std::rethrow_exception(last.caller_error);
    }
    if (!is_failure(outcome)) {
      if (last.kind == detail::AttemptResult::Kind::fatal) {
        breaker.on_abandon();
        throw Unavailable("outbound " + std::string(target) + ": " + label + ": " + last.error);
      }
      breaker.on_success();
      impl_->publish(target, breaker);
      return std::move(last.response);
    }
    breaker.on_failure();
    impl_->publish(target, breaker);

    const std::string what = last.kind == detail::AttemptResult::Kind::response
                                 ? "HTTP " + std::to_string(last.response.status)
                                 : last.error;
    const bool body_replayable = !request.body_source || request.body_source->rewind || !last.body_read;
    const bool retry = attempt < settings_.attempts && repeatable && body_replayable && !last.sink_received;
    if (!retry) {
      log->warn("outbound {}: {} failed on attempt {}: {}", target, label, attempt, what);
      break;
    }
    const auto wait = random_backoff(settings_.backoff, attempt);
    log->info("outbound {}: {} attempt {}/{} failed: {}; retrying in {} ms", target, label, attempt,
              settings_.attempts, what, wait.count());
    std::this_thread::sleep_for(wait);
  }
  if (last.kind == detail::AttemptResult::Kind::response) return std::move(last.response);
  const char* kind = last.kind == detail::AttemptResult::Kind::timeout ? "timed out" : "connection failed";
  throw Unavailable("outbound " + std::string(target) + ": " + label + ": " + kind + " (" + last.error + ") after " +
                    std::to_string(attempt) + (attempt == 1 ? " attempt" : " attempts"));
}

}  // namespace promptsales::outbound
