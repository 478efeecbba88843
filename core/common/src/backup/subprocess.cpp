#include "subprocess.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "promptsales/common/errors.hpp"

extern char** environ;

namespace promptsales::backup::detail {
namespace {

constexpr std::size_t kErrCap = 64 * 1024;
constexpr std::size_t kOutCap = 16u << 20;

void make_pipe(int fds[2], std::size_t size) {
  if (::pipe2(fds, O_CLOEXEC) != 0) throw Unavailable(std::string("cannot create a pipe: ") + std::strerror(errno));
  // Large pipes mean fewer wake-ups per MiB of dump (best effort: capped by /proc/sys/fs/pipe-max-size).
  ::fcntl(fds[0], F_SETPIPE_SZ, static_cast<int>(size));
}

void close_fd(int& fd) noexcept {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

std::string last_lines(const std::string& text, std::size_t max_chars) {
  std::string s = text;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  if (s.size() > max_chars) s = "..." + s.substr(s.size() - max_chars);
  return s;
}

Subprocess::Subprocess(const SubprocessOptions& options) {
  // A child that exits early must not kill us with SIGPIPE on the next write.
  ::signal(SIGPIPE, SIG_IGN);
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  if (options.pipe_stdin) make_pipe(in, options.pipe_size);
  if (options.pipe_stdout) make_pipe(out, options.pipe_size);
  make_pipe(err, 64 * 1024);

  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) {
    const std::string_view entry(*e);
    const auto name = entry.substr(0, entry.find('='));
    if (options.extra_env.count(std::string(name))) continue;
    env_strings.emplace_back(entry);
  }
  for (const auto& [k, v] : options.extra_env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = options.argv;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (options.pipe_stdin) {
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  } else {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  if (options.pipe_stdout) {
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  } else {
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  }
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  const int rc = ::posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  for (auto& s : env_strings) std::fill(s.begin(), s.end(), '\0');  // PGPASSWORD
  close_fd(in[0]);
  close_fd(out[1]);
  close_fd(err[1]);
  in_ = in[1];
  out_fd_ = out[0];
  err_fd_ = err[0];
  if (rc != 0) {
    close_fd(in_);
    close_fd(out_fd_);
    close_fd(err_fd_);
    pid_ = -1;
    throw ConfigError("cannot run " + options.argv[0] + ": " + std::strerror(rc) +
                      " (is PostgreSQL 15 installed? set PROMPTSALES_PG_BIN to its bin directory)");
  }
}

Subprocess::~Subprocess() {
  kill();
  close_fd(in_);
  close_fd(out_fd_);
  close_fd(err_fd_);
}

void Subprocess::drain(int& fd, std::string& into, std::size_t cap) {
  char buf[65536];
  const auto n = ::read(fd, buf, sizeof buf);
  if (n > 0) {
    into.append(buf, static_cast<std::size_t>(n));
    if (into.size() > cap) into.erase(0, into.size() - cap);
  } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
    close_fd(fd);
  }
}

void Subprocess::pump(int want_fd, short want_events) {
  for (;;) {
    pollfd fds[3];
    nfds_t n = 0;
    fds[n++] = {want_fd, want_events, 0};
    const bool watch_err = err_fd_ >= 0 && err_fd_ != want_fd;
    const bool watch_out = out_fd_ >= 0 && out_fd_ != want_fd && want_fd == in_;
    if (watch_err) fds[n++] = {err_fd_, POLLIN, 0};
    if (watch_out) fds[n++] = {out_fd_, POLLIN, 0};
    const int rc = ::poll(fds, n, -1);
    if (rc < 0) {
      if (errno == EINTR) continue;
      throw Unavailable(std::string("poll failed: ") + std::strerror(errno));
    }
    nfds_t i = 1;
    if (watch_err && fds[i++].revents) drain(err_fd_, err_, kErrCap);
    if (watch_out && fds[i++].revents) drain(out_fd_, out_, kOutCap);
    if (fds[0].revents) return;
  }
}

bool Subprocess::write_stdin(std::string_view data) {
  if (stdin_broken_ || in_ < 0) return false;
  while (!data.empty()) {
    pump(in_, POLLOUT);
    const auto n = ::write(in_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      stdin_broken_ = true;  // EPIPE: the child exited or closed its input
      close_fd(in_);
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void Subprocess::close_stdin() { close_fd(in_); }

std::size_t Subprocess::read_stdout(char* buffer, std::size_t size) {
  for (;;) {
    if (out_fd_ < 0) return 0;
    pump(out_fd_, POLLIN);
    const auto n = ::read(out_fd_, buffer, size);
    if (n > 0) return static_cast<std::size_t>(n);
    if (n == 0) {
      close_fd(out_fd_);
      return 0;
    }
    if (errno != EINTR && errno != EAGAIN) throw Unavailable(std::string("read failed: ") + std::strerror(errno));
  }
}

int Subprocess::wait() {
  close_fd(in_);
  while (out_fd_ >= 0 || err_fd_ >= 0) {
    if (out_fd_ >= 0) {
      pump(out_fd_, POLLIN);
      drain(out_fd_, out_, kOutCap);
    } else {
      pump(err_fd_, POLLIN);
      drain(err_fd_, err_, kErrCap);
    }
  }
  if (pid_ > 0) {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  }
  return status_;
}

void Subprocess::kill() noexcept {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  status_ = 128 + SIGKILL;
}

}  // namespace promptsales::backup::detail
