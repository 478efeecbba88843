#pragma once
/// What the job runner's integration tests share: a migrated installation,
/// a pool and the default configuration, and small jobs whose behaviour a
/// test controls (fail N times, block until released, throw a kind).

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "promptsales/common/config.hpp"
#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/jobs/job_catalog.hpp"
#include "test_env.hpp"

namespace promptsales::test {

/// A job whose run is a function the test supplies.
class LambdaJob final : public jobs::Job {
 public:
  using Body = std::function<jobs::JobResult(jobs::JobContext&)>;
  LambdaJob(std::string name, Body body, jobs::Concurrency concurrency = jobs::Concurrency::exclusive)
      : name_(std::move(name)), body_(std::move(body)), concurrency_(concurrency) {}
  std::string name() const override { return name_; }
  std::string description() const override { return "test job"; }
  jobs::Concurrency concurrency() const override { return concurrency_; }
  jobs::JobResult run(jobs::JobContext& ctx) const override { return body_(ctx); }

 private:
  std::string name_;
  Body body_;
  jobs::Concurrency concurrency_;
};

inline std::optional<std::string> no_env(const char*) { return std::nullopt; }

struct JobsInstallation {
  TestInstallation installation;
  Config config = Config::load("", &no_env);
  std::unique_ptr<db::Pool> pool;

  JobsInstallation() {
    db::PoolOptions o;
    o.url = installation.control_url();
    o.size = 8;
    pool = std::make_unique<db::Pool>(std::move(o));
  }
  const std::string& url() const { return installation.control_url(); }

  /// One value from the control database.
  template <typename T>
  T scalar(const std::string& sql) {
    pqxx::connection c(url());
    pqxx::nontransaction tx(c);
    return tx.exec1(sql)[0].as<T>();
  }
  void exec(const std::string& sql) {
    pqxx::connection c(url());
    pqxx::nontransaction tx(c);
    tx.exec(sql);
  }
};

template <typename Condition>
bool wait_for(Condition condition, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace promptsales::test
