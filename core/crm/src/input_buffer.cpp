#include "input_buffer.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "promptsales/crm/lead_source.hpp"

namespace promptsales::crm::detail {

namespace {

constexpr std::uint64_t kHigh = 0x8080808080808080ull;
constexpr std::uint64_t kOnes = 0x0101010101010101ull;

/// Checks s[0, n): returns the length of the valid prefix. `bad` is set when
/// s[result] starts an invalid sequence (or is NUL); otherwise the prefix may
/// stop short of n only because the last sequence is incomplete.
std::size_t check_utf8(const unsigned char* s, std::size_t n, bool& bad) noexcept {
  bad = false;
  std::size_t i = 0;
  while (i < n) {
    // Fast path: 8 ASCII bytes with no NUL.
    while (i + 8 <= n) {
      std::uint64_t v;
      std::memcpy(&v, s + i, 8);
      if ((v & kHigh) != 0 || ((v - kOnes) & ~v & kHigh) != 0) break;
      i += 8;
    }
    if (i >= n) break;
    const unsigned char c = s[i];
    if (c < 0x80) {
      if (c == 0) {
        bad = true;
        return i;
      }
      ++i;
      continue;
    }
    std::size_t len;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
    } else {
      bad = true;
      return i;
    }
    const std::size_t have = std::min(len, n - i);
    for (std::size_t k = 1; k < have; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) {
        bad = true;
        return i;
      }
    }
    if (have >= 2) {
      const unsigned char c1 = s[i + 1];
      if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) || (c == 0xF0 && c1 < 0x90) ||
          (c == 0xF4 && c1 >= 0x90)) {
        bad = true;
        return i;
      }
    }
    if (have < len) return i;  // incomplete at the end: wait for more bytes
    i += len;
  }
  return i;
}

}  // namespace

std::size_t utf8_prefix_length(const char* s, std::size_t n, std::size_t max) noexcept {
  if (n <= max) return n;
  std::size_t k = max;
  // Step back over continuation bytes so the cut falls between characters.
  while (k > 0 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
  return k;
}

InputBuffer::InputBuffer(std::unique_ptr<ByteInput> in, std::uint64_t max_bytes, std::size_t max_record,
                         std::size_t chunk)
    : in_(std::move(in)),
      max_bytes_(max_bytes),
      chunk_(chunk == 0 ? 1 : chunk),
      buf_(new char[max_record + 2 * chunk_ + 8]),
      capacity_(max_record + 2 * chunk_ + 8) {}

std::size_t InputBuffer::refill(std::size_t keep_from, bool& grew) {
  const std::size_t before = validated_end_ - keep_from;
  std::size_t shift = 0;
  if (keep_from > 0) {
    std::memmove(buf_.get(), buf_.get() + keep_from, filled_ - keep_from);
    filled_ -= keep_from;
    validated_end_ -= keep_from;
    discarded_ += keep_from;
    start_ = start_ > keep_from ? start_ - keep_from : 0;
    shift = keep_from;
  }
  while (validated_end_ == before && !eof_) {
    read_more();
    validate();
  }
  grew = validated_end_ > before;
  return shift;
}

void InputBuffer::read_more() {
  // Readers keep at most a record's worth, so a chunk always fits; the
  // window never grows.
  const std::size_t want = std::min(chunk_, capacity_ - filled_);
  if (want == 0) throw std::logic_error("InputBuffer: the reader kept more than the window holds");
  std::size_t got = 0;
  // Fill up to one chunk (pipes return short reads).
  while (got < want) {
    const std::size_t k = in_->read(buf_.get() + filled_ + got, want - got);
    if (k == 0) {
      eof_ = true;
      break;
    }
    got += k;
  }
  filled_ += got;
  total_read_ += got;
  if (total_read_ > max_bytes_) {
    RowError e;
    e.code = "too_large";
    e.message = "the file is larger than the import limit of " + std::to_string(max_bytes_) +
                " bytes; split it into smaller files";
    throw ImportFileError(std::move(e));
  }
  if (first_) {
    first_ = false;
    const auto* u = reinterpret_cast<const unsigned char*>(buf_.get());
    if (filled_ >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
      RowError e;
      e.code = "not_utf8";
      e.message =
          "the file is UTF-16 encoded (it starts with a UTF-16 byte order mark); convert it with "
          "`iconv -f utf-16 -t utf-8 FILE > FILE.utf8.csv` and import that";
      throw ImportFileError(std::move(e));
    }
    if (filled_ >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
      start_ = 3;
      validated_end_ = 3;
    }
  }
}

void InputBuffer::validate() {
  bool bad = false;
  const std::size_t from = validated_end_;
  const std::size_t ok = check_utf8(reinterpret_cast<const unsigned char*>(buf_.get()) + from, filled_ - from, bad);
  if (bad || (eof_ && from + ok < filled_)) encoding_error(from + ok, bad ? "invalid" : "truncated");
  newlines_validated_ += static_cast<std::size_t>(std::count(buf_.get() + from, buf_.get() + from + ok, '\n'));
  validated_end_ = from + ok;
}

void InputBuffer::encoding_error(std::size_t pos, const char* what) const {
  const std::size_t line =
      1 + newlines_validated_ +
      static_cast<std::size_t>(std::count(buf_.get() + validated_end_, buf_.get() + pos, '\n'));
  const auto byte = static_cast<unsigned char>(buf_[pos]);
  RowError e;
  e.line = line;
  const std::uint64_t offset = offset_of(pos);
  if (byte == 0) {
    e.code = "not_utf8";
    e.message = "the file is not UTF-8 text: NUL byte at line " + std::to_string(line) + ", byte offset " +
                std::to_string(offset) +
                " (UTF-16 without a byte order mark?); convert it with `iconv -f utf-16 -t utf-8` and import that";
  } else {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string hex = "0x";
    hex += kHex[byte >> 4];
    hex += kHex[byte & 15];
    e.code = "not_utf8";
    e.message = std::string("the file is not UTF-8: ") + what + " byte " + hex + " at line " + std::to_string(line) +
                ", byte offset " + std::to_string(offset) +
                "; if it is Latin-1 (Windows-1252), convert it with `iconv -f latin1 -t utf-8 FILE > FILE.utf8.csv` "
                "and import that";
  }
  throw ImportFileError(std::move(e));
}

}  // namespace promptsales::crm::detail
