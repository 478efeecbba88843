#include "promptsales/common/cache/generation_tracker.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <thread>

#include "cache_log.hpp"
#include "generation_scripts.hpp"
#include "generation_subscriber.hpp"
#include "promptsales/common/cache/generation_message.hpp"
#include "promptsales/common/cache/redis_client.hpp"

namespace promptsales::cache {
namespace {

// Replays go to Redis in batches of this many scopes, to bound one script's run time.
constexpr std::size_t replay_batch = 256;

std::optional<std::uint64_t> parse_generation(const RedisReply& reply) {
  if (reply.type != RedisReply::Type::string) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(reply.str.data(), reply.str.data() + reply.str.size(), value);
  if (ec != std::errc{} || end != reply.str.data() + reply.str.size()) {
    return std::nullopt;
  }
  return value;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    out += out.empty() ? "" : ", ";
    out += item;
  }
  return out;
}

}  // namespace

GenerationTracker::GenerationTracker(GenerationTrackerOptions options)
    : options_(std::move(options)), view_(/*trusted=*/true) {}

GenerationTracker::GenerationTracker(RedisClient& redis, GenerationTrackerOptions options)
    : options_(std::move(options)), redis_(&redis), view_(/*trusted=*/false) {
  const RedisClientOptions& client = redis.options();
  // Pub/sub channels ignore the database number, so it is part of the name:
  // two environments sharing one server on different databases stay apart.
  channel_ = options_.key_prefix + "gen@" + std::to_string(client.url.db);
  GenerationSubscriber::Settings settings{
      client.url,
      ConnectSettings{client.connect_timeout, client.command_timeout, /*select_db=*/false},
      channel_,
      options_.reconnect,
      options_.ping_interval,
      options_.retry_interval,
  };
  GenerationSubscriber::Callbacks callbacks{
      [this] { on_subscribed(); },
      [this] { on_lost(); },
      [this](std::string_view message) { on_message(message); },
      [this] {
        if (view_.pending_count() != 0) {
          replay_pending();
        }
      },
  };
  subscriber_ = std::make_unique<GenerationSubscriber>(std::move(settings), std::move(callbacks));
}

GenerationTracker::~GenerationTracker() {
  // Stop the thread before the members its callbacks use go away.
  subscriber_.reset();
}

std::string GenerationTracker::generation_key(std::string_view scope) const {
  return options_.key_prefix + "gen:" + std::string(scope);
}

std::optional<std::uint64_t> GenerationTracker::current(std::string_view scope) const { return view_.current(scope); }

std::optional<std::uint64_t> GenerationTracker::load(std::string_view scope) {
  if (!is_valid_scope(scope)) {
    return std::nullopt;
  }
  const TrustEpoch seen = view_.epoch();
  if (redis_ == nullptr) {
    view_.install(scope, 0, seen);
    return view_.current(scope);
  }
  if (const auto known = view_.current(scope)) {
    return known;
  }
  // A bump of this scope that could not reach Redis leaves Redis behind this
  // process: nothing read from Redis for this scope can be trusted until the
  // bump is replayed.
  if (view_.owes(scope)) {
    return std::nullopt;
  }
  const std::string key = generation_key(scope);
  const auto reply = redis_->command({"EVAL", scripts::load, "1", key});
  if (!reply) {
    return std::nullopt;
  }
  const auto generation = parse_generation(*reply);
  if (!generation) {
    return std::nullopt;
  }
  view_.install(scope, *generation, seen);
  if (view_.owes(scope)) {
    return std::nullopt;  // a bump failed while we read: same as above
  }
  return generation;
}

bool GenerationTracker::bump(const std::vector<std::string>& scopes) {
  for (const auto& scope : scopes) {
    if (!is_valid_scope(scope)) {
      throw std::invalid_argument("invalid cache scope \"" + scope.substr(0, 40) +
                                  "\": must be 1 to 200 bytes without line breaks");
    }
  }
  std::vector<std::string> unique = scopes;
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  if (unique.empty()) {
    return true;
  }
  if (redis_ == nullptr) {
    for (const auto& scope : unique) {
      view_.advance(scope);
    }
    return true;
  }

  std::vector<std::string> keys;
  keys.reserve(unique.size());
  for (const auto& scope : unique) {
    keys.push_back(generation_key(scope));
  }
  const std::string key_count = std::to_string(keys.size());
  std::vector<std::string_view> argv{"EVAL", scripts::bump, key_count};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.push_back(channel_);
  argv.insert(argv.end(), unique.begin(), unique.end());

  const auto reply = redis_->command(argv);
  if (reply && reply->type == RedisReply::Type::array && reply->elements.size() == unique.size()) {
    std::vector<std::uint64_t> generations;
    for (const auto& element : reply->elements) {
      if (const auto generation = parse_generation(element)) {
        generations.push_back(*generation);
      }
    }
    if (generations.size() == unique.size()) {
      for (std::size_t i = 0; i < unique.size(); ++i) {
        view_.raise(unique[i], generations[i]);
      }
      return true;
    }
  }
  // Redis did not take the bump (or its answer was lost: then one more bump
  // on replay costs only a cache miss). This process stops trusting these
  // scopes now; other processes learn when the replay goes through.
  for (const auto& scope : unique) {
    view_.mark_pending(scope);
  }
  cache_log()->warn("cache invalidation of [{}] deferred: {}; it is replayed when Redis is back", join(unique),
                    reply ? std::string("unexpected reply") : reply.error().message);
  return false;
}

void GenerationTracker::replay_pending() {
  const auto owed = view_.pending();
  for (std::size_t start = 0; start < owed.size(); start += replay_batch) {
    const std::size_t end = std::min(owed.size(), start + replay_batch);
    std::vector<std::string> keys;
    for (std::size_t i = start; i < end; ++i) {
      keys.push_back(generation_key(owed[i].scope));
    }
    const std::string key_count = std::to_string(keys.size());
    std::vector<std::string_view> argv{"EVAL", scripts::bump, key_count};
    argv.insert(argv.end(), keys.begin(), keys.end());
    argv.push_back(channel_);
    for (std::size_t i = start; i < end; ++i) {
      argv.push_back(owed[i].scope);
    }
    const auto reply = redis_->command(argv);
    if (!reply || reply->type != RedisReply::Type::array || reply->elements.size() != end - start) {
      return;  // still unreachable: the next tick tries again
    }
    for (std::size_t i = start; i < end; ++i) {
      if (const auto generation = parse_generation(reply->elements[i - start])) {
        view_.raise(owed[i].scope, *generation);
        view_.settle(owed[i]);
      }
    }
    cache_log()->info("replayed {} deferred cache invalidation(s)", end - start);
  }
}

void GenerationTracker::on_subscribed() {
  // The subscriber just reached Redis, so the command pool may stop failing fast.
  redis_->reset_backoff();
  replay_pending();
  view_.trust();
}

void GenerationTracker::on_lost() { view_.distrust(); }

void GenerationTracker::on_message(std::string_view message) {
  for (const auto& update : parse_generation_message(message)) {
    view_.raise(update.scope, update.generation);
  }
}

TrustEpoch GenerationTracker::epoch() const noexcept { return view_.epoch(); }

std::uint64_t GenerationTracker::changes() const noexcept { return view_.changes(); }

std::size_t GenerationTracker::pending_bumps() const noexcept { return view_.pending_count(); }

bool GenerationTracker::wait_until_trusted(std::chrono::milliseconds timeout) const {
  const auto until = CacheClock::now() + timeout;
  while (!trusted()) {
    if (CacheClock::now() >= until) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace promptsales::cache
