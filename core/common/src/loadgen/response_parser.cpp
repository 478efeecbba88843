#include "promptsales/common/loadgen/response_parser.hpp"

#include <algorithm>
#include <cstring>

namespace promptsales::loadgen {
namespace {

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(const char* a, std::size_t a_len, const char* lower_b) noexcept {
  const std::size_t b_len = std::strlen(lower_b);
  if (a_len != b_len) {
    return false;
  }
  for (std::size_t i = 0; i < a_len; ++i) {
    if (lower(a[i]) != lower_b[i]) {
      return false;
    }
  }
  return true;
}

bool is_space(char c) noexcept { return c == ' ' || c == '\t'; }

/// Calls `fn(token, len)` for each comma-separated, trimmed token of a header value.
template <typename Fn>
void for_each_token(const char* value, std::size_t len, Fn fn) {
  std::size_t start = 0;
  while (start <= len) {
    std::size_t end = start;
    while (end < len && value[end] != ',') {
      ++end;
    }
    std::size_t a = start;
    std::size_t b = end;
    while (a < b && is_space(value[a])) {
      ++a;
    }
    while (b > a && is_space(value[b - 1])) {
      --b;
    }
    if (b > a) {
      fn(value + a, b - a);
    }
    start = end + 1;
  }
}

/// Finds the end of a line: returns the index of '\n', or `size` if absent.
std::size_t find_newline(const char* data, std::size_t size) noexcept {
  const void* nl = std::memchr(data, '\n', size);
  return nl == nullptr ? size : static_cast<std::size_t>(static_cast<const char*>(nl) - data);
}

/// Length of a line without its terminator ("\r\n" or a lenient bare "\n").
std::size_t content_length_of_line(const char* line, std::size_t newline_at) noexcept {
  return (newline_at > 0 && line[newline_at - 1] == '\r') ? newline_at - 1 : newline_at;
}

constexpr std::uint64_t kMaxBody = std::uint64_t{1} << 60;

}  // namespace

void ResponseParser::reset() noexcept { *this = ResponseParser{}; }

ResponseParser::Step ResponseParser::fail(const char* why, std::size_t consumed) noexcept {
  phase_ = Phase::failed;
  error_ = why;
  return {State::error, consumed};
}

bool ResponseParser::finish_at_eof() noexcept {
  if (phase_ == Phase::until_close) {
    phase_ = Phase::done;
    return true;
  }
  return false;
}

ResponseParser::Step ResponseParser::feed(const char* data, std::size_t size) noexcept {
  std::size_t pos = 0;
  while (true) {
    const char* at = data + pos;
    const std::size_t left = size - pos;
    switch (phase_) {
      case Phase::head: {
        // Wait for the whole head so that headers are parsed once, in place.
        std::size_t scan = std::min(head_scanned_, left);
        std::size_t head_end = 0;
        while (scan < left) {
          const std::size_t nl = scan + find_newline(at + scan, left - scan);
          if (nl >= left) {
            scan = left;
            break;
          }
          if (nl + 1 < left && at[nl + 1] == '\n') {
            head_end = nl + 2;
            break;
          }
          if (nl + 2 < left && at[nl + 1] == '\r' && at[nl + 2] == '\n') {
            head_end = nl + 3;
            break;
          }
          if (nl + 2 >= left) {
            // The blank line may still be on its way: rescan from this newline.
            scan = nl;
            break;
          }
          scan = nl + 1;
        }
        if (head_end == 0) {
          head_scanned_ = scan;
          if (left >= kMaxHeadBytes) {
            return fail("response head too large", pos);
          }
          return {State::need_more, pos};
        }
        if (!parse_head(at, head_end)) {
          return fail(error_, pos);
        }
        pos += head_end;
        head_scanned_ = 0;
        if (status_ >= 100 && status_ < 200) {
          if (status_ == 101) {
            return fail("unexpected protocol switch", pos);
          }
          // An interim response: the real one follows on the same connection.
          const std::size_t consumed = pos;
          reset();
          pos = consumed;
          continue;
        }
        keep_alive_ = http10_ ? conn_keep_alive_ : !conn_close_;
        if (status_ == 204 || status_ == 304) {
          phase_ = Phase::done;
        } else if (chunked_) {
          phase_ = Phase::chunk_size;
        } else if (other_coding_ || !has_length_) {
          // Neither chunked nor a length: the body ends when the server closes.
          keep_alive_ = false;
          phase_ = Phase::until_close;
        } else if (content_length_ == 0) {
          phase_ = Phase::done;
        } else {
          remaining_ = content_length_;
          phase_ = Phase::body_length;
        }
        continue;
      }
      case Phase::body_length:
      case Phase::chunk_data: {
        const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, left));
        pos += take;
        remaining_ -= take;
        if (remaining_ > 0) {
          return {State::need_more, pos};
        }
        phase_ = phase_ == Phase::body_length ? Phase::done : Phase::chunk_end;
        continue;
      }
      case Phase::chunk_size:
      case Phase::chunk_end:
      case Phase::trailers: {
        const std::size_t nl = find_newline(at, left);
        if (nl == left) {
          if (left > kMaxLineBytes) {
            return fail("chunk line too long", pos);
          }
          return {State::need_more, pos};
        }
        const std::size_t len = content_length_of_line(at, nl);
        pos += nl + 1;
        if (phase_ == Phase::chunk_end) {
          if (len != 0) {
            return fail("missing CRLF after chunk data", pos);
          }
          phase_ = Phase::chunk_size;
          continue;
        }
        if (phase_ == Phase::trailers) {
          if (len == 0) {
            phase_ = Phase::done;
          }
          continue;
        }
        std::uint64_t chunk = 0;
        std::size_t i = 0;
        for (; i < len; ++i) {
          const char c = lower(at[i]);
          int digit = -1;
          if (c >= '0' && c <= '9') {
            digit = c - '0';
          } else if (c >= 'a' && c <= 'f') {
            digit = c - 'a' + 10;
          } else {
            break;
          }
          chunk = chunk * 16 + static_cast<std::uint64_t>(digit);
          if (chunk > kMaxBody) {
            return fail("chunk too large", pos);
          }
        }
        // After the hex digits only whitespace or chunk extensions may follow.
        if (i == 0 || (i < len && at[i] != ';' && !is_space(at[i]))) {
          return fail("bad chunk size", pos);
        }
        if (chunk == 0) {
          phase_ = Phase::trailers;
        } else {
          remaining_ = chunk;
          phase_ = Phase::chunk_data;
        }
        continue;
      }
      case Phase::until_close:
        return {State::need_more, size};
      case Phase::done:
        return {State::complete, pos};
      case Phase::failed:
        return {State::error, pos};
    }
  }
}

bool ResponseParser::parse_head(const char* data, std::size_t size) noexcept {
  std::size_t nl = find_newline(data, size);
  std::size_t len = content_length_of_line(data, nl);
  // "HTTP/1.x SSS" followed by an optional reason phrase.
  if (len < 12 || std::memcmp(data, "HTTP/1.", 7) != 0 || (data[7] != '0' && data[7] != '1') ||
      data[8] != ' ' || (len > 12 && data[12] != ' ')) {
    error_ = "bad status line";
    return false;
  }
  http10_ = data[7] == '0';
  int status = 0;
  for (int i = 9; i < 12; ++i) {
    if (data[i] < '0' || data[i] > '9') {
      error_ = "bad status code";
      return false;
    }
    status = status * 10 + (data[i] - '0');
  }
  if (status < 100 || status > 599) {
    error_ = "status code out of range";
    return false;
  }
  status_ = status;

  std::size_t pos = nl + 1;
  while (pos < size) {
    const char* line = data + pos;
    nl = find_newline(line, size - pos);
    len = content_length_of_line(line, nl);
    pos += nl + 1;
    if (len == 0) {
      break;
    }
    const void* colon_ptr = std::memchr(line, ':', len);
    if (colon_ptr == nullptr || colon_ptr == line) {
      error_ = "bad header line";
      return false;
    }
    const auto colon = static_cast<std::size_t>(static_cast<const char*>(colon_ptr) - line);
    std::size_t a = colon + 1;
    std::size_t b = len;
    while (a < b && is_space(line[a])) {
      ++a;
    }
    while (b > a && is_space(line[b - 1])) {
      --b;
    }
    if (!parse_header(line, colon, line + a, b - a)) {
      return false;
    }
  }
  return true;
}

bool ResponseParser::parse_header(const char* name, std::size_t name_len, const char* value,
                                  std::size_t value_len) noexcept {
  if (iequals(name, name_len, "content-length")) {
    std::uint64_t n = 0;
    if (value_len == 0) {
      error_ = "bad content-length";
      return false;
    }
    for (std::size_t i = 0; i < value_len; ++i) {
      if (value[i] < '0' || value[i] > '9') {
        error_ = "bad content-length";
        return false;
      }
      n = n * 10 + static_cast<std::uint64_t>(value[i] - '0');
      if (n > kMaxBody) {
        error_ = "content-length too large";
        return false;
      }
    }
    // Two different lengths make the framing ambiguous (response smuggling).
    if (has_length_ && n != content_length_) {
      error_ = "conflicting content-length";
      return false;
    }
    has_length_ = true;
    content_length_ = n;
  } else if (iequals(name, name_len, "transfer-encoding")) {
    // Chunked must be the last coding applied; anything else is close-delimited.
    bool last_chunked = false;
    for_each_token(value, value_len, [&](const char* token, std::size_t token_len) {
      last_chunked = iequals(token, token_len, "chunked");
    });
    chunked_ = last_chunked;
    other_coding_ = !last_chunked;
  } else if (iequals(name, name_len, "connection")) {
    for_each_token(value, value_len, [&](const char* token, std::size_t token_len) {
      if (iequals(token, token_len, "close")) {
        conn_close_ = true;
      } else if (iequals(token, token_len, "keep-alive")) {
        conn_keep_alive_ = true;
      }
    });
  }
  return true;
}

}  // namespace promptsales::loadgen
