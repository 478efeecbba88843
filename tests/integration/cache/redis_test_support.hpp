#pragma once
// Helpers for the cache integration tests: the shared test Redis (failing
// with instructions when it is missing), unique key prefixes, a private
// redis-server that a test may kill and restart, and one "process" worth of
// cache objects.

#include <catch2/catch.hpp>

#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "promptsales/common/cache/generation_tracker.hpp"
#include "promptsales/common/cache/redis_client.hpp"
#include "promptsales/common/cache/redis_shared_store.hpp"
#include "promptsales/common/cache/redis_url.hpp"
#include "promptsales/common/cache/two_tier_cache.hpp"

extern char** environ;

namespace promptsales::cache::testing {

inline constexpr const char* how_to_start =
    "Start the test services with `scripts/services.sh start`, then run `eval \"$(scripts/services.sh env)\"` "
    "to set PROMPTSALES_TEST_REDIS_URL.";

/// The shared test Redis from PROMPTSALES_TEST_REDIS_URL. Fails the test,
/// saying how to start it, when the variable is unset or Redis does not answer.
inline RedisUrl shared_redis() {
  const char* raw = std::getenv("PROMPTSALES_TEST_REDIS_URL");
  if (raw == nullptr || *raw == '\0') {
    FAIL("PROMPTSALES_TEST_REDIS_URL is not set. " << how_to_start);
  }
  RedisUrl url;
  try {
    url = parse_redis_url(raw);
  } catch (const std::invalid_argument& e) {
    FAIL("PROMPTSALES_TEST_REDIS_URL is invalid: " << e.what());
  }
  RedisClient probe(RedisClientOptions{url});
  if (auto pong = probe.ping(); !pong) {
    FAIL("the test Redis at " << url.redacted() << " is unreachable (" << pong.error().message << "). "
                              << how_to_start);
  }
  return url;
}

/// A key prefix no other test run uses, so tests can run in parallel.
inline std::string unique_prefix(const std::string& test) {
  std::random_device device;
  return "pstest:" + test + ":" + std::to_string(::getpid()) + ":" + std::to_string(device()) + ":";
}

/// Deletes every key under a prefix when the test ends.
class PrefixCleanup {
 public:
  PrefixCleanup(RedisUrl url, std::string prefix) : url_(std::move(url)), prefix_(std::move(prefix)) {}
  ~PrefixCleanup() {
    RedisClient redis(RedisClientOptions{url_});
    const std::string pattern = prefix_ + "*";
    if (auto keys = redis.command({"KEYS", pattern}); keys && !keys->elements.empty()) {
      std::vector<std::string> names;
      for (const auto& k : keys->elements) {
        names.push_back(k.str);
      }
      redis.del(names);
    }
  }
  PrefixCleanup(const PrefixCleanup&) = delete;
  PrefixCleanup& operator=(const PrefixCleanup&) = delete;

 private:
  RedisUrl url_;
  std::string prefix_;
};

/// A loopback port that was free a moment ago.
inline std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

/// A private redis-server on a free loopback port, for tests that stop and
/// start Redis. Killed (and its data removed) on destruction.
class PrivateRedis {
 public:
  struct Options {
    bool persistent = false;  ///< AOF with fsync always: data survives a kill
    std::string password;     ///< requirepass, when not empty
  };

  explicit PrivateRedis(Options options) : options_(std::move(options)), port_(free_loopback_port()) {
    std::string dir_template = (std::filesystem::temp_directory_path() / "ps-cache-redis-XXXXXX").string();
    REQUIRE(::mkdtemp(dir_template.data()) != nullptr);
    dir_ = dir_template;
    start();
  }
  ~PrivateRedis() {
    kill();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  PrivateRedis(const PrivateRedis&) = delete;
  PrivateRedis& operator=(const PrivateRedis&) = delete;

  /// Starts redis-server (again, on the same port and data folder) and waits until it answers.
  void start() {
    std::vector<std::string> args{"redis-server", "--port", std::to_string(port_), "--bind", "127.0.0.1",
                                  "--dir", dir_.string(), "--logfile", (dir_ / "redis.log").string(),
                                  "--save", "", "--daemonize", "no",
                                  "--appendonly", options_.persistent ? "yes" : "no", "--appendfsync", "always"};
    if (!options_.password.empty()) {
      args.insert(args.end(), {"--requirepass", options_.password});
    }
    std::vector<char*> argv;
    for (auto& a : args) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    const int rc = ::posix_spawnp(&pid_, "redis-server", nullptr, nullptr, argv.data(), environ);
    if (rc != 0) {
      FAIL("cannot start redis-server (" << std::strerror(rc) << "): install redis-server 7 (scripts/deps.sh)");
    }
    // Probe with bare hiredis: a RedisClient would log every refused attempt.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < until) {
      if (answers_ping()) {
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL("private redis-server on port " << port_ << " did not answer; see " << (dir_ / "redis.log").string());
  }

  /// SIGSTOP: the server stays connected but answers nothing, like a frozen
  /// host or a network partition (no FIN, no RST).
  void pause() { ::kill(pid_, SIGSTOP); }
  /// SIGCONT after pause().
  void resume() { ::kill(pid_, SIGCONT); }

  /// SIGKILL, like a crash: no clean shutdown, sockets reset.
  void kill() {
    if (pid_ > 0) {
      ::kill(pid_, SIGCONT);
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

  /// The URL of this server (with the password, if any).
  RedisUrl url() const {
    RedisUrl url;
    url.host = "127.0.0.1";
    url.port = port_;
    url.password = options_.password;
    return url;
  }

 private:
  bool answers_ping() const {
    redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, timeval{0, 200'000});
    bool ok = false;
    if (c != nullptr && c->err == 0) {
      if (!options_.password.empty()) {
        freeReplyObject(redisCommand(c, "AUTH %s", options_.password.c_str()));
      }
      auto* reply = static_cast<redisReply*>(redisCommand(c, "PING"));
      ok = reply != nullptr && reply->type == REDIS_REPLY_STATUS;
      freeReplyObject(reply);
    }
    redisFree(c);
    return ok;
  }

  Options options_;
  std::uint16_t port_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

/// What one server process holds: its own connections, subscriber and cache.
struct CacheProcess {
  CacheProcess(const RedisUrl& url, const std::string& prefix, BackoffPolicy backoff = {},
               BackoffPolicy reconnect = {std::chrono::milliseconds(100), std::chrono::milliseconds(2000)},
               std::chrono::milliseconds ping_interval = std::chrono::milliseconds(1000))
      : redis(RedisClientOptions{url, 4, std::chrono::milliseconds(200), std::chrono::milliseconds(200), backoff}),
        generations(redis,
                    GenerationTrackerOptions{prefix, reconnect, ping_interval, std::chrono::milliseconds(50)}),
        store(redis),
        cache(CacheOptions{true, std::chrono::seconds(300), LocalTierOptions{}, prefix, {}}, generations, &store) {}

  RedisClient redis;
  GenerationTracker generations;
  RedisSharedStore store;
  TwoTierCache cache;
};

/// Polls `condition` every 5 ms until it holds or `timeout` ends.
template <class Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= until) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace promptsales::cache::testing
