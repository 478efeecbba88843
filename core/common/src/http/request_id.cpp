#include "request_id.hpp"

#include <cstdint>
#include <random>

namespace promptsales::http::detail {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_hex(std::string& out, std::uint64_t value, int digits) {
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    out += kHex[(value >> shift) & 0xF];
  }
}

struct IdState {
  std::uint64_t prefix;
  std::uint64_t counter = 0;

  // Seeded once per thread; the prefix makes ids from different threads and
  // processes (pods) distinct without coordination.
  IdState() {
    std::random_device device;
    prefix = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  }
};

}  // namespace

bool acceptable_request_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (const char c : id) {
    if (c <= 0x20 || c >= 0x7F) return false;
  }
  return true;
}

void generate_request_id(std::string& out) {
  thread_local IdState state;
  const std::uint64_t n = ++state.counter;
  out.clear();
  append_hex(out, state.prefix, 16);
  // At least 8 counter digits so ids keep one length for the first 4 billion.
  int digits = 8;
  while (digits < 16 && (n >> (digits * 4)) != 0) ++digits;
  append_hex(out, n, digits);
}

}  // namespace promptsales::http::detail
