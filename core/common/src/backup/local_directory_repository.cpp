#include "promptsales/common/backup/local_directory_repository.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <vector>

#include "promptsales/common/errors.hpp"

namespace promptsales::backup {
namespace fs = std::filesystem;
namespace {

std::string errno_text() { return std::strerror(errno); }

// mkdir -p with 0700 for every directory it creates.
void make_dirs(const fs::path& dir) {
  if (dir.empty() || fs::exists(dir)) return;
  make_dirs(dir.parent_path());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw Unavailable("backup repository: cannot create directory '" + dir.string() + "': " + errno_text());
  }
}

void fsync_dir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

std::string random_suffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  auto v = rng();
  for (int i = 0; i < 12; ++i, v >>= 4) s.push_back(kHex[v & 0xF]);
  return s;
}

class LocalObjectWriter final : public ObjectWriter {
 public:
  LocalObjectWriter(fs::path final_path) : final_(std::move(final_path)) {
    make_dirs(final_.parent_path());
    temp_ = final_.parent_path() / ("." + final_.filename().string() + ".tmp-" + random_suffix());
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd_ < 0) throw Unavailable("backup repository: cannot create '" + temp_.string() + "': " + errno_text());
  }
  ~LocalObjectWriter() override { abort(); }

  void write(std::string_view bytes) override {
    if (fd_ < 0) throw Error("backup repository: write to a closed object");
    while (!bytes.empty()) {
      const auto n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        throw Unavailable("backup repository: cannot write '" + temp_.string() + "': " + errno_text());
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
  }

  void commit() override {
    if (fd_ < 0) throw Error("backup repository: commit of a closed object");
    if (::fsync(fd_) != 0) throw Unavailable("backup repository: fsync '" + temp_.string() + "': " + errno_text());
    if (::close(fd_) != 0) {
      fd_ = -1;
      throw Unavailable("backup repository: close '" + temp_.string() + "': " + errno_text());
    }
    fd_ = -1;
    if (::rename(temp_.c_str(), final_.c_str()) != 0) {
      throw Unavailable("backup repository: rename to '" + final_.string() + "': " + errno_text());
    }
    committed_ = true;
    fsync_dir(final_.parent_path());
  }

  void abort() noexcept override {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
    if (!committed_ && !temp_.empty()) {
      ::unlink(temp_.c_str());
      temp_.clear();
    }
  }

 private:
  fs::path final_;
  fs::path temp_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace

void validate_object_name(std::string_view name) {
  if (name.empty() || name.size() > 512) throw ValidationError("object name", "must be 1-512 characters");
  std::size_t start = 0;
  for (;;) {
    const auto slash = name.find('/', start);
    const auto segment = name.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment.empty() || segment.front() == '.') {
      throw ValidationError("object name", "'" + std::string(name) + "' has an empty segment or one starting with '.'");
    }
    for (char c : segment) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                      c == '_' || c == '-';
      if (!ok) throw ValidationError("object name", "'" + std::string(name) + "' may hold only A-Z a-z 0-9 . _ - /");
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
}

LocalDirectoryRepository::LocalDirectoryRepository(std::string root) : root_(std::move(root)) {
  if (root_.empty()) throw ConfigError("backup_repository: empty path");
  try {
    make_dirs(fs::path(root_));
  } catch (const Unavailable& e) {
    throw ConfigError(std::string("backup_repository: ") + e.what());
  }
  if (!fs::is_directory(root_)) throw ConfigError("backup_repository: '" + root_ + "' is not a directory");
}

std::unique_ptr<ObjectWriter> LocalDirectoryRepository::create(const std::string& name) {
  validate_object_name(name);
  return std::make_unique<LocalObjectWriter>(fs::path(root_) / name);
}

void LocalDirectoryRepository::read(const std::string& name, const std::function<void(std::string_view)>& sink) {
  validate_object_name(name);
  const auto path = fs::path(root_) / name;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) throw NotFound("backup object '" + name + "' not found in " + root_);
    throw Unavailable("backup repository: cannot open '" + path.string() + "': " + errno_text());
  }
  std::vector<char> buffer(1 << 20);
  try {
    for (;;) {
      const auto n = ::read(fd, buffer.data(), buffer.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        throw Unavailable("backup repository: cannot read '" + path.string() + "': " + errno_text());
      }
      if (n == 0) break;
      sink(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    }
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
}

std::vector<ObjectInfo> LocalDirectoryRepository::list(const std::string& prefix) {
  std::vector<ObjectInfo> out;
  std::error_code ec;
  fs::recursive_directory_iterator it(root_, ec), end;
  if (ec) throw Unavailable("backup repository: cannot list '" + root_ + "': " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) throw Unavailable("backup repository: cannot list '" + root_ + "': " + ec.message());
    const auto filename = it->path().filename().string();
    if (!filename.empty() && filename.front() == '.') {  // temporary files and hidden entries
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file()) continue;
    auto name = fs::relative(it->path(), root_).generic_string();
    if (name.rfind(prefix, 0) != 0) continue;
    out.push_back({std::move(name), static_cast<std::uint64_t>(it->file_size())});
  }
  std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.name < b.name; });
  return out;
}

void LocalDirectoryRepository::remove(const std::string& name) {
  validate_object_name(name);
  const auto path = fs::path(root_) / name;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    throw Unavailable("backup repository: cannot delete '" + path.string() + "': " + errno_text());
  }
  // Drop directories the removal left empty, up to the root.
  std::error_code ec;
  for (auto dir = path.parent_path(); dir != fs::path(root_) && dir.string().size() > root_.size();
       dir = dir.parent_path()) {
    if (!fs::is_empty(dir, ec) || ec) break;
    fs::remove(dir, ec);
  }
}

bool LocalDirectoryRepository::exists(const std::string& name) {
  validate_object_name(name);
  std::error_code ec;
  return fs::is_regular_file(fs::path(root_) / name, ec);
}

}  // namespace promptsales::backup
