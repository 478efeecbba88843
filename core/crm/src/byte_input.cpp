#include "promptsales/crm/byte_input.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <istream>

#include "promptsales/crm/lead_source.hpp"

namespace promptsales::crm {

namespace {

[[noreturn]] void throw_file_error(std::string code, std::string message) {
  RowError e;
  e.code = std::move(code);
  e.message = std::move(message);
  throw ImportFileError(std::move(e));
}

class IstreamInput final : public ByteInput {
 public:
  explicit IstreamInput(std::istream& in) : in_(in) {}
  std::size_t read(char* dst, std::size_t n) override {
    in_.read(dst, static_cast<std::streamsize>(n));
    const auto got = static_cast<std::size_t>(in_.gcount());
    if (got == 0 && in_.bad()) throw_file_error("read_failed", "reading the input failed");
    return got;
  }

 private:
  std::istream& in_;
};

class FdInput final : public ByteInput {
 public:
  FdInput(int fd, bool owns) : fd_(fd), owns_(owns) {}
  ~FdInput() override {
    if (owns_) ::close(fd_);
  }
  FdInput(const FdInput&) = delete;
  FdInput& operator=(const FdInput&) = delete;
  std::size_t read(char* dst, std::size_t n) override {
    for (;;) {
      const ssize_t got = ::read(fd_, dst, n);
      if (got >= 0) return static_cast<std::size_t>(got);
      if (errno == EINTR) continue;
      throw_file_error("read_failed", std::string("reading the input failed: ") + std::strerror(errno));
    }
  }

 private:
  int fd_;
  bool owns_;
};

class MemoryInput final : public ByteInput {
 public:
  explicit MemoryInput(std::string bytes) : bytes_(std::move(bytes)) {}
  std::size_t read(char* dst, std::size_t n) override {
    const std::size_t k = std::min(n, bytes_.size() - pos_);
    if (k > 0) std::memcpy(dst, bytes_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string bytes_;
  std::size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<ByteInput> istream_input(std::istream& in) { return std::make_unique<IstreamInput>(in); }

std::unique_ptr<ByteInput> fd_input(int fd, bool owns) { return std::make_unique<FdInput>(fd, owns); }

std::unique_ptr<ByteInput> file_input(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    throw_file_error("unreadable", "cannot open " + path + ": " + std::strerror(errno));
  }
  return std::make_unique<FdInput>(fd, true);
}

std::unique_ptr<ByteInput> memory_input(std::string bytes) {
  return std::make_unique<MemoryInput>(std::move(bytes));
}

}  // namespace promptsales::crm
