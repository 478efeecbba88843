#pragma once
/// A sliding window over a ByteInput shared by the CSV and JSONL readers:
/// reads fixed-size chunks, keeps only the bytes the reader still needs
/// (from `keep_from`), strips a UTF-8 byte order mark, enforces the size
/// limit and validates UTF-8 as bytes arrive. Invalid UTF-8 anywhere is a
/// whole-file error (ImportFileError code not_utf8) naming the line and the
/// byte offset: a Latin-1 or UTF-16 file must be converted, not half read.
/// Memory: one buffer of max_record + 2 chunks, whatever the input size.

#include <cstddef>
#include <cstdint>
#include <memory>

#include "promptsales/crm/byte_input.hpp"
#include "text_util.hpp"

namespace promptsales::crm::detail {

class InputBuffer {
 public:
  InputBuffer(std::unique_ptr<ByteInput> in, std::uint64_t max_bytes, std::size_t max_record,
              std::size_t chunk = 256u << 10);

  const char* data() const noexcept { return buf_.get(); }
  char* data() noexcept { return buf_.get(); }
  /// Validated bytes available in data()[0, end()).
  std::size_t end() const noexcept { return validated_end_; }
  /// True once the input is exhausted and every byte read is in [0, end()).
  bool exhausted() const noexcept { return eof_ && validated_end_ == filled_; }
  /// Offset in the buffer where the first record starts (after a BOM).
  std::size_t start() const noexcept { return start_; }

  /// Drops the bytes before `keep_from`, then reads until more validated
  /// bytes are available or the input ends. Returns how far the kept bytes
  /// moved (subtract it from offsets held into the buffer); `grew` says
  /// whether end() advanced.
  std::size_t refill(std::size_t keep_from, bool& grew);

  /// Bytes consumed from the input (BOM included).
  std::uint64_t bytes_read() const noexcept { return total_read_; }
  /// Absolute input offset of a buffer position.
  std::uint64_t offset_of(std::size_t pos) const noexcept { return discarded_ + pos; }

 private:
  void read_more();
  void validate();
  [[noreturn]] void encoding_error(std::size_t pos, const char* what) const;

  std::unique_ptr<ByteInput> in_;
  std::uint64_t max_bytes_;
  std::size_t chunk_;
  std::unique_ptr<char[]> buf_;   ///< not zeroed: only [0, filled_) is ever read
  std::size_t capacity_;
  std::size_t filled_ = 0;          ///< bytes in buf_
  std::size_t validated_end_ = 0;   ///< [0, validated_end_) is valid UTF-8
  std::size_t start_ = 0;
  std::uint64_t discarded_ = 0;     ///< input bytes dropped before buf_[0]
  std::uint64_t total_read_ = 0;
  std::size_t newlines_validated_ = 0;  ///< '\n' in every validated byte so far
  bool eof_ = false;
  bool first_ = true;
};

}  // namespace promptsales::crm::detail
