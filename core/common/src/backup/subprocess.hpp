#pragma once
// A child process (pg_dump, pg_restore) with pipes, pumped without threads:
// every blocking step polls all of the child's pipes at once, so a child
// that writes a lot to stderr (or stdout) while we feed its stdin never
// deadlocks. Secrets go in `extra_env` (PGPASSWORD), never in argv.
#include <sys/types.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace promptsales::backup::detail {

struct SubprocessOptions {
  std::vector<std::string> argv;               ///< argv[0] is the full path
  std::map<std::string, std::string> extra_env;  ///< added to (and overriding) the environment
  bool pipe_stdin = false;
  bool pipe_stdout = false;   ///< else stdout goes to /dev/null
  std::size_t pipe_size = 1 << 20;  ///< F_SETPIPE_SZ on our pipes (best effort)
};

class Subprocess {
 public:
  explicit Subprocess(const SubprocessOptions& options);
  /// Kills the child if it is still running.
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  /// Writes all of `data` to the child's stdin. Returns false when the
  /// child stopped reading (closed its stdin); later writes are dropped.
  bool write_stdin(std::string_view data);
  void close_stdin();
  /// Reads up to `size` bytes of the child's stdout; 0 at its end.
  std::size_t read_stdout(char* buffer, std::size_t size);
  /// Closes stdin, drains the pipes and waits. Returns the exit status
  /// (128 + signal if it was killed).
  int wait();
  /// SIGKILL and wait.
  void kill() noexcept;

  /// What the child wrote to stderr (at most the last 64 KiB).
  const std::string& stderr_text() const noexcept { return err_; }
  /// What it wrote to stdout when nobody read it through read_stdout (capped at 16 MiB).
  const std::string& stdout_text() const noexcept { return out_; }

 private:
  // Waits until `want_fd` is ready (POLLIN or POLLOUT), collecting the other pipes meanwhile.
  void pump(int want_fd, short want_events);
  void drain(int& fd, std::string& into, std::size_t cap);
  pid_t pid_ = -1;
  int in_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  bool stdin_broken_ = false;
  int status_ = -1;
  std::string err_;
  std::string out_;
};

/// "pg_dump: error: ..." lines only, trimmed, for error messages.
std::string last_lines(const std::string& text, std::size_t max_chars = 2000);

}  // namespace promptsales::backup::detail
