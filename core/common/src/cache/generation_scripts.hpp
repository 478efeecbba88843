#pragma once
// The Lua scripts behind GenerationTracker. Generations are microsecond
// timestamps from Redis's clock, raised by one when a bump lands within the
// same microsecond: they grow even if a generation key is lost (eviction,
// FLUSHDB, a restart without persistence). With a plain INCR counter a lost
// key would restart at 1, and responses cached under the old low numbers
// could become current again, stale.

#include <string_view>

namespace promptsales::cache::scripts {

// KEYS: generation keys. ARGV[1]: channel. ARGV[i + 1]: the scope of KEYS[i].
// Bumps every key, publishes one "<generation> <scope>" line per scope in a
// single message, and returns the new generations as strings. Atomic, so no
// reader sees some scopes bumped and not others.
inline constexpr std::string_view bump = R"lua(
local t = redis.call('TIME')
local now = t[1] .. string.format('%06d', tonumber(t[2]))
local message = ''
local out = {}
for i, key in ipairs(KEYS) do
  local current = tonumber(redis.call('GET', key) or '')
  if current and current >= tonumber(now) then
    redis.call('INCR', key)
  else
    redis.call('SET', key, now)
  end
  out[i] = redis.call('GET', key)
  message = message .. out[i] .. ' ' .. ARGV[i + 1] .. '\n'
end
redis.call('PUBLISH', ARGV[1], message)
return out
)lua";

// KEYS[1]: a generation key. Returns it, first setting a missing key to the
// current time so that a lost key never reads as an older generation.
inline constexpr std::string_view load = R"lua(
local v = redis.call('GET', KEYS[1])
if v then return v end
local t = redis.call('TIME')
v = t[1] .. string.format('%06d', tonumber(t[2]))
redis.call('SET', KEYS[1], v)
return v
)lua";

}  // namespace promptsales::cache::scripts
