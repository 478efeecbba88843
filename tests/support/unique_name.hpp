#pragma once
/// Unique names for throwaway objects (databases that a test expects to be
/// created, or not, by the code under test). Header-only.

#include <unistd.h>

#include <atomic>
#include <random>
#include <string>

namespace promptsales::test {

/// `prefix` + "_<pid>_<n>_<random>": a plain PostgreSQL identifier when
/// `prefix` is one, unique across parallel test processes.
inline std::string unique_name(const std::string& prefix) {
  static std::atomic<int> counter{0};
  std::random_device rd;
  return prefix + "_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
         std::to_string(rd() % 1000000);
}

}  // namespace promptsales::test
