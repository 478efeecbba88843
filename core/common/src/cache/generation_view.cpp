#include "promptsales/common/cache/generation_view.hpp"

#include <algorithm>
#include <mutex>

namespace promptsales::cache {
namespace {

// trust_state_ counts trust changes; odd values are trusted epochs.
constexpr bool is_trusted(std::uint64_t state) noexcept { return (state & 1U) != 0; }

}  // namespace

GenerationView::GenerationView(bool trusted) : trust_state_(trusted ? 1 : 0) {}

GenerationView::Shard& GenerationView::shard_for(std::string_view scope) const noexcept {
  return shards_[std::hash<std::string_view>{}(scope) % shard_count];
}

GenerationView::ScopeState& GenerationView::state_locked(Shard& shard, std::string_view scope) {
  auto it = shard.scopes.find(scope);
  if (it == shard.scopes.end()) {
    it = shard.scopes.emplace(std::string(scope), ScopeState{}).first;
  }
  return it->second;
}

std::optional<std::uint64_t> GenerationView::current(std::string_view scope) const {
  Shard& shard = shard_for(scope);
  std::shared_lock lock(shard.mutex);
  // Read under the shard lock: trust() changes the state while holding every
  // shard lock, so a trusted state seen here goes with a map it has reset.
  if (!is_trusted(trust_state_.load(std::memory_order_acquire))) {
    return std::nullopt;
  }
  const auto it = shard.scopes.find(scope);
  if (it == shard.scopes.end() || !it->second.known || it->second.pending != 0) {
    return std::nullopt;
  }
  return it->second.generation;
}

TrustEpoch GenerationView::epoch() const noexcept {
  const std::uint64_t state = trust_state_.load(std::memory_order_acquire);
  return TrustEpoch{state, is_trusted(state)};
}

bool GenerationView::install(std::string_view scope, std::uint64_t generation, TrustEpoch seen) {
  if (!seen.trusted) {
    return false;
  }
  Shard& shard = shard_for(scope);
  std::unique_lock lock(shard.mutex);
  if (trust_state_.load(std::memory_order_acquire) != seen.id) {
    return false;
  }
  ScopeState& state = state_locked(shard, scope);
  state.generation = std::max(state.generation, generation);
  state.known = true;
  return true;
}

void GenerationView::raise(std::string_view scope, std::uint64_t generation) {
  Shard& shard = shard_for(scope);
  {
    std::unique_lock lock(shard.mutex);
    ScopeState& state = state_locked(shard, scope);
    // A bump's value is the newest generation at the time it was made, so it
    // makes the scope known even if it was not loaded before.
    state.generation = std::max(state.generation, generation);
    state.known = true;
  }
  changes_.fetch_add(1, std::memory_order_acq_rel);
}

std::uint64_t GenerationView::advance(std::string_view scope) {
  Shard& shard = shard_for(scope);
  std::uint64_t generation = 0;
  {
    std::unique_lock lock(shard.mutex);
    ScopeState& state = state_locked(shard, scope);
    generation = ++state.generation;
    state.known = true;
  }
  changes_.fetch_add(1, std::memory_order_acq_rel);
  return generation;
}

void GenerationView::mark_pending(std::string_view scope) {
  Shard& shard = shard_for(scope);
  {
    std::unique_lock lock(shard.mutex);
    ScopeState& state = state_locked(shard, scope);
    if (state.pending++ == 0) {
      pending_scopes_.fetch_add(1, std::memory_order_acq_rel);
    }
  }
  changes_.fetch_add(1, std::memory_order_acq_rel);
}

bool GenerationView::owes(std::string_view scope) const {
  if (pending_count() == 0) {
    return false;
  }
  Shard& shard = shard_for(scope);
  std::shared_lock lock(shard.mutex);
  const auto it = shard.scopes.find(scope);
  return it != shard.scopes.end() && it->second.pending != 0;
}

std::vector<PendingBump> GenerationView::pending() const {
  std::vector<PendingBump> out;
  if (pending_count() == 0) {
    return out;
  }
  for (Shard& shard : shards_) {
    std::shared_lock lock(shard.mutex);
    for (const auto& [scope, state] : shard.scopes) {
      if (state.pending != 0) {
        out.push_back(PendingBump{scope, state.pending});
      }
    }
  }
  return out;
}

void GenerationView::settle(const PendingBump& bump) {
  Shard& shard = shard_for(bump.scope);
  std::unique_lock lock(shard.mutex);
  const auto it = shard.scopes.find(bump.scope);
  if (it == shard.scopes.end() || it->second.pending == 0) {
    return;
  }
  // Bumps that failed after the replay was sent stay owed.
  it->second.pending -= std::min(it->second.pending, bump.count);
  if (it->second.pending == 0) {
    pending_scopes_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void GenerationView::distrust() noexcept {
  std::uint64_t state = trust_state_.load(std::memory_order_acquire);
  while (is_trusted(state) && !trust_state_.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel)) {
  }
  changes_.fetch_add(1, std::memory_order_acq_rel);
}

void GenerationView::trust() {
  // Hold every shard lock so that no install() of a generation read before
  // this point can land after the reset.
  std::vector<std::unique_lock<std::shared_mutex>> locks;
  locks.reserve(shard_count);
  for (Shard& shard : shards_) {
    locks.emplace_back(shard.mutex);
  }
  for (Shard& shard : shards_) {
    for (auto it = shard.scopes.begin(); it != shard.scopes.end();) {
      if (it->second.pending == 0) {
        it = shard.scopes.erase(it);
      } else {
        it->second.known = false;  // keep the debt, forget the value
        ++it;
      }
    }
  }
  const std::uint64_t state = trust_state_.load(std::memory_order_acquire);
  trust_state_.store(is_trusted(state) ? state + 2 : state + 1, std::memory_order_release);
  changes_.fetch_add(1, std::memory_order_acq_rel);
}

}  // namespace promptsales::cache
