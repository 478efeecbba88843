#pragma once
/// Where lead files come from: a file, a descriptor (stdin), a std::istream
/// or memory. Readers pull large chunks through this and never hold the
/// whole input.

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

namespace promptsales::crm {

class ByteInput {
 public:
  virtual ~ByteInput() = default;
  /// Reads up to `n` bytes into `dst`; 0 only at the end of the input.
  /// Throws ImportFileError (code read_failed) on an I/O error.
  virtual std::size_t read(char* dst, std::size_t n) = 0;
};

/// Reads a std::istream (which must outlive the input).
std::unique_ptr<ByteInput> istream_input(std::istream& in);
/// Reads a file descriptor; closes it on destruction when `owns` is true.
std::unique_ptr<ByteInput> fd_input(int fd, bool owns);
/// Opens `path` for reading; throws ImportFileError (code unreadable) naming it.
std::unique_ptr<ByteInput> file_input(const std::string& path);
/// Reads a copy of `bytes` (tests, fuzzing, request bodies).
std::unique_ptr<ByteInput> memory_input(std::string bytes);

}  // namespace promptsales::crm
