#pragma once
/// A small HTTP/1.1 server on a free loopback port that answers from a
/// script, for testing outbound clients against real sockets: each request
/// takes the next scripted reply (status, delay, body, or dropping the
/// connection); when the script is empty it answers the fallback reply.
/// Every request is recorded with its arrival time. One thread per
/// connection, "Connection: close" on every answer. POSIX sockets only.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace promptsales::test {

class ScriptedHttpServer {
 public:
  using Clock = std::chrono::steady_clock;

  struct Reply {
    Reply() = default;
    Reply(int status_, std::string body_ = "ok", std::chrono::milliseconds delay_ = std::chrono::milliseconds(0))
        : status(status_), body(std::move(body_)), delay(delay_) {}
    /// Answers 200 with the request's body.
    static Reply echoing() {
      Reply r;
      r.echo = true;
      return r;
    }

    int status = 200;
    std::string body = "ok";
    std::chrono::milliseconds delay{0};  ///< before answering
    bool drop = false;                   ///< close the connection without answering
    bool echo = false;                   ///< answer the request's body
    std::map<std::string, std::string> headers;
  };

  struct Received {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  ///< names in lower case
    std::string body;
    Clock::time_point at;
  };

  ScriptedHttpServer();
  ~ScriptedHttpServer();
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  int port() const { return port_; }
  /// "http://127.0.0.1:<port>".
  std::string url() const;

  /// Appends replies to the script.
  void script(std::vector<Reply> replies);
  /// The reply once the script is used up (default: 200 "ok").
  void set_fallback(Reply reply);
  /// Requests received so far, in arrival order.
  std::vector<Received> received() const;
  std::size_t request_count() const;

 private:
  void accept_loop();
  void serve(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::condition_variable stop_cv_;
  std::deque<Reply> script_;
  Reply fallback_;
  std::vector<Received> received_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

}  // namespace promptsales::test
