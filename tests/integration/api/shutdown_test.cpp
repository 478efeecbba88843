// End to end: SIGTERM drains `promptsales serve`: new connections are
// refused at once, a request in flight still gets its answer, and the
// process exits 0 within the shutdown timeout.

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <signal.h>

#include "api_fixture.hpp"
#include "http_client.hpp"
#include "serve_process.hpp"

using namespace promptsales::test;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

/// A GET on its own thread.
class BackgroundGet {
 public:
  BackgroundGet(const ServeProcess& server, std::string target, milliseconds timeout)
      : thread_([this, &server, target = std::move(target), timeout] {
          try {
            response_ = server.get(target, timeout);
          } catch (const HttpError& e) {
            error_ = e.what();
          }
          finished_at_ = Clock::now();
          finished_ = true;
        }) {}
  ~BackgroundGet() {
    if (thread_.joinable()) thread_.join();
  }
  void join() { thread_.join(); }
  /// Safe to call while the thread runs.
  bool finished() const { return finished_.load(); }
  const std::optional<HttpResponse>& response() const { return response_; }
  const std::string& error() const { return error_; }
  Clock::time_point finished_at() const { return finished_at_; }

 private:
  std::optional<HttpResponse> response_;
  std::string error_;
  Clock::time_point finished_at_{};
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

}  // namespace

TEST_CASE("SIGTERM refuses new connections and drains the request in flight", "[api][shutdown]") {
  SeededInstallation inst;
  ServeProcess server(inst.env({}, {{"PROMPTSALES_SHUTDOWN_TIMEOUT_MS", "10000"}}), {"--no-cache"});

  pqxx::connection locker(inst.ads_url());
  pqxx::work lock(locker);
  lock.exec("LOCK TABLE campaigns IN ACCESS EXCLUSIVE MODE");

  BackgroundGet in_flight(server, "/api/v1/campaigns?organizationId=1", std::chrono::seconds(15));
  std::this_thread::sleep_for(milliseconds(300));
  REQUIRE(server.running());
  server.send_signal(SIGTERM);
  const auto signalled = Clock::now();

  // New connections are refused within a second.
  int last_connect = 0;
  const bool refused = poll_until(
      [&] {
        last_connect = try_connect(server.port(), milliseconds(200));
        return last_connect == ECONNREFUSED;
      },
      std::chrono::seconds(1), milliseconds(10));
  INFO("last connect: " << std::strerror(last_connect));
  CHECK(refused);

  // The request is still waiting on the lock and the server waits for it.
  std::this_thread::sleep_for(milliseconds(1000) - (Clock::now() - signalled));
  CHECK(server.running());
  CHECK_FALSE(in_flight.finished());
  // Taken before the commit: the waiting query may run, and the answer
  // arrive, before commit() returns to this thread.
  const auto released = Clock::now();
  lock.commit();

  in_flight.join();
  INFO("in-flight request: " << in_flight.error() << "\n"
                             << (in_flight.response() ? in_flight.response()->describe() : std::string()));
  REQUIRE(in_flight.response());
  CHECK(in_flight.response()->status == 200);
  CHECK(in_flight.response()->json().size() == 20);
  CHECK(in_flight.finished_at() >= released);

  const auto code = server.wait_exit(milliseconds(8000));
  INFO("log:\n" << server.log());
  REQUIRE(code);
  CHECK(*code == 0);
}

TEST_CASE("SIGTERM with a request stuck past the shutdown timeout still exits", "[api][shutdown]") {
  SeededInstallation inst;
  ServeProcess server(inst.env({}, {{"PROMPTSALES_SHUTDOWN_TIMEOUT_MS", "1000"}}), {"--no-cache"});

  pqxx::connection locker(inst.ads_url());
  pqxx::work lock(locker);
  lock.exec("LOCK TABLE campaigns IN ACCESS EXCLUSIVE MODE");

  BackgroundGet stuck(server, "/api/v1/campaigns?organizationId=1", std::chrono::seconds(15));
  std::this_thread::sleep_for(milliseconds(300));
  REQUIRE(server.running());
  server.send_signal(SIGTERM);
  const auto signalled = Clock::now();

  const auto code = server.wait_exit(milliseconds(3000));
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - signalled).count();
  std::optional<int> late_code;
  if (!code) late_code = server.wait_exit(milliseconds(10000));  // how long it really takes, for the report
  const auto really_took = std::chrono::duration_cast<milliseconds>(Clock::now() - signalled).count();
  server.kill();
  lock.abort();
  stuck.join();

  INFO("exit " << (code ? std::to_string(*code) : "none within 3 s") << " after " << took << " ms; "
               << (late_code
                       ? "exited with " + std::to_string(*late_code) + " after " + std::to_string(really_took) + " ms"
                       : std::string(code ? "" : "still running after 13 s"))
               << "\nstuck request: " << stuck.error() << "\nlog:\n"
               << server.log());
  REQUIRE(code);
  CHECK(*code == 0);
  // The stuck request got no answer: its connection was closed.
  CHECK_FALSE((stuck.response() && stuck.response()->status == 200));
}
