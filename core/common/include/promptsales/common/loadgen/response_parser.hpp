#pragma once
/// Incremental HTTP/1.x response parser for the load generator.

#include <cstddef>
#include <cstdint>

namespace promptsales::loadgen {

/// Validates the framing of one HTTP/1.x response at a time (Content-Length,
/// chunked, or delimited by close) and skips the body without copying it.
/// Only the status line and the framing headers are interpreted: that is all a
/// load generator needs, and it keeps the parser cheaper than a general one.
class ResponseParser {
 public:
  /// Outcome of one feed().
  enum class State { need_more, complete, error };
  /// What feed() did: the state reached and how many bytes it consumed.
  struct Step {
    State state;
    std::size_t consumed;
  };

  /// Parses from `data`. Unconsumed bytes (an incomplete head or line) must be
  /// passed again, followed by more input, on the next call.
  Step feed(const char* data, std::size_t size) noexcept;
  /// The peer closed the connection: true when that ends a close-delimited body.
  bool finish_at_eof() noexcept;
  /// Prepares for the next response on the same connection.
  void reset() noexcept;

  /// Status code of the last complete response head.
  int status() const noexcept { return status_; }
  /// Whether the connection may carry another request after this response.
  bool keep_alive() const noexcept { return keep_alive_; }
  /// Why the last feed() returned State::error.
  const char* error() const noexcept { return error_; }

  /// Longest response head accepted; longer ones are protocol errors.
  static constexpr std::size_t kMaxHeadBytes = 64 * 1024;
  /// Longest chunk-size or trailer line accepted.
  static constexpr std::size_t kMaxLineBytes = 4 * 1024;

 private:
  enum class Phase { head, body_length, chunk_size, chunk_data, chunk_end, trailers, until_close, done, failed };

  Step fail(const char* why, std::size_t consumed) noexcept;
  bool parse_head(const char* data, std::size_t size) noexcept;
  bool parse_header(const char* name, std::size_t name_len, const char* value, std::size_t value_len) noexcept;

  Phase phase_ = Phase::head;
  std::size_t head_scanned_ = 0;
  std::uint64_t remaining_ = 0;
  int status_ = 0;
  bool keep_alive_ = true;
  bool http10_ = false;
  bool chunked_ = false;
  bool has_length_ = false;
  bool other_coding_ = false;
  bool conn_close_ = false;
  bool conn_keep_alive_ = false;
  std::uint64_t content_length_ = 0;
  const char* error_ = "";
};

}  // namespace promptsales::loadgen
