#pragma once
/// Names the calling thread (`top -H`, `perf`, gdb show it), so CPU time can
/// be attributed to I/O threads, workers and helpers instead of all showing
/// as "promptsales".

#include <pthread.h>

#include <string>
#include <string_view>

namespace promptsales {

/// Sets the calling thread's name; Linux keeps the first 15 bytes. Best
/// effort: a failure only leaves the old name.
inline void set_current_thread_name(std::string_view name) noexcept {
  try {
    const std::string truncated(name.substr(0, 15));
    (void)pthread_setname_np(pthread_self(), truncated.c_str());
  } catch (...) {
  }
}

}  // namespace promptsales
