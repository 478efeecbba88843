#include "promptsales/common/cache/local_tier.hpp"

#include <algorithm>
#include <mutex>

namespace promptsales::cache {
namespace {

// Lookups use a view of the two parts, so a hit allocates nothing.
struct KeyView {
  std::string_view scope;
  std::string_view key;
};

struct StoredKey {
  std::string scope;
  std::string key;
};

std::size_t hash_of(std::string_view scope, std::string_view key) noexcept {
  std::size_t h = std::hash<std::string_view>{}(scope);
  h ^= std::hash<std::string_view>{}(key) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return h;
}

struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(const KeyView& k) const noexcept { return hash_of(k.scope, k.key); }
  std::size_t operator()(const StoredKey& k) const noexcept { return hash_of(k.scope, k.key); }
};

struct KeyEq {
  using is_transparent = void;
  static KeyView view(const KeyView& k) noexcept { return k; }
  static KeyView view(const StoredKey& k) noexcept { return KeyView{k.scope, k.key}; }
  template <class A, class B>
  bool operator()(const A& a, const B& b) const noexcept {
    const KeyView x = view(a);
    const KeyView y = view(b);
    return x.scope == y.scope && x.key == y.key;
  }
};

}  // namespace

struct LocalTier::Shard {
  struct Entry {
    CachedBytes value;
    LocalStamp stamp;
    std::size_t bytes = 0;
    std::size_t position = 0;                  ///< index in `ring`
    mutable std::atomic<bool> referenced{false};  ///< CLOCK's second-chance bit, set by hits
  };
  using Map = std::unordered_map<StoredKey, Entry, KeyHash, KeyEq>;
  using Node = Map::value_type;

  Shard(std::size_t entries_limit, std::size_t bytes_limit) : max_entries(entries_limit), max_bytes(bytes_limit) {}

  mutable std::shared_mutex mutex;
  Map entries;
  // Map nodes never move, so the clock ring can point at them.
  std::vector<Node*> ring;
  std::vector<std::size_t> free_positions;
  std::size_t hand = 0;
  std::size_t bytes = 0;
  const std::size_t max_entries;
  const std::size_t max_bytes;
};

LocalTier::LocalTier(LocalTierOptions options) : options_(options) {
  const std::size_t count = std::max<std::size_t>(1, options_.shards);
  shards_.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    shards_.push_back(std::make_unique<Shard>(std::max<std::size_t>(1, options_.max_entries / count),
                                              options_.max_bytes / count));
  }
}

LocalTier::~LocalTier() = default;

LocalTier::Shard& LocalTier::shard_for(std::size_t hash) const noexcept {
  // High bits: the map's buckets already use the low ones.
  return *shards_[(hash >> 24) % shards_.size()];
}

CachedBytes LocalTier::find(std::string_view scope, std::string_view key, std::uint64_t generation,
                            std::uint64_t epoch, CacheClock::time_point now) const {
  const Shard& shard = shard_for(hash_of(scope, key));
  std::shared_lock lock(shard.mutex);
  const auto it = shard.entries.find(KeyView{scope, key});
  if (it == shard.entries.end()) {
    return {};
  }
  const Shard::Entry& entry = it->second;
  if (entry.stamp.generation != generation || entry.stamp.epoch != epoch || now >= entry.stamp.expires_at) {
    return {};
  }
  // Test before setting, so hot entries do not keep writing a shared cache line.
  if (!entry.referenced.load(std::memory_order_relaxed)) {
    entry.referenced.store(true, std::memory_order_relaxed);
  }
  return entry.value;
}

void LocalTier::put(std::string_view scope, std::string_view key, CachedBytes value, const LocalStamp& stamp) {
  if (!value) {
    return;
  }
  const std::size_t size = value->size() + scope.size() + key.size();
  Shard& shard = shard_for(hash_of(scope, key));
  if (size > shard.max_bytes) {
    return;
  }
  std::unique_lock lock(shard.mutex);

  const auto remove = [&](Shard::Node& node) {
    Shard::Entry& entry = node.second;
    shard.ring[entry.position] = nullptr;
    shard.free_positions.push_back(entry.position);
    shard.bytes -= entry.bytes;
    entries_.fetch_sub(1, std::memory_order_relaxed);
    bytes_.fetch_sub(entry.bytes, std::memory_order_relaxed);
    // Erase by iterator: the key being looked up lives in the node itself.
    shard.entries.erase(shard.entries.find(KeyView{node.first.scope, node.first.key}));
  };

  if (const auto it = shard.entries.find(KeyView{scope, key}); it != shard.entries.end()) {
    const LocalStamp& old = it->second.stamp;
    if (old.epoch == stamp.epoch && old.generation > stamp.generation) {
      return;
    }
    remove(*it);
  }

  // CLOCK: sweep the ring; an entry hit since the last sweep loses its bit
  // and survives, one that was not is evicted. Two sweeps clear every bit, so
  // the bound below always leaves room.
  std::size_t steps = 3 * shard.ring.size() + 3;
  while (!shard.entries.empty() &&
         (shard.entries.size() + 1 > shard.max_entries || shard.bytes + size > shard.max_bytes) && steps-- > 0) {
    if (shard.hand >= shard.ring.size()) {
      shard.hand = 0;
    }
    Shard::Node* node = shard.ring[shard.hand++];
    if (node == nullptr || node->second.referenced.exchange(false, std::memory_order_relaxed)) {
      continue;
    }
    remove(*node);
    evictions_.fetch_add(1, std::memory_order_relaxed);
  }

  const auto it = shard.entries.try_emplace(StoredKey{std::string(scope), std::string(key)}).first;
  Shard::Entry& entry = it->second;
  entry.value = std::move(value);
  entry.stamp = stamp;
  entry.bytes = size;
  if (shard.free_positions.empty()) {
    entry.position = shard.ring.size();
    shard.ring.push_back(&*it);
  } else {
    entry.position = shard.free_positions.back();
    shard.free_positions.pop_back();
    shard.ring[entry.position] = &*it;
  }
  shard.bytes += size;
  entries_.fetch_add(1, std::memory_order_relaxed);
  bytes_.fetch_add(size, std::memory_order_relaxed);
}

void LocalTier::clear() {
  for (auto& shard : shards_) {
    Shard::Map dropped;
    {
      std::unique_lock lock(shard->mutex);
      entries_.fetch_sub(shard->entries.size(), std::memory_order_relaxed);
      bytes_.fetch_sub(shard->bytes, std::memory_order_relaxed);
      dropped.swap(shard->entries);
      shard->ring.clear();
      shard->free_positions.clear();
      shard->hand = 0;
      shard->bytes = 0;
    }
    // `dropped` frees the values here, outside the lock.
  }
}

}  // namespace promptsales::cache
