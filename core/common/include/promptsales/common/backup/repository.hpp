#pragma once
/// Where backups are kept. Objects are opaque byte streams named like paths
/// ("<backup id>/<database>.dump.enc"); only encrypted bytes ever reach a
/// repository. A local directory is the default; an S3-compatible bucket
/// implements the same interface.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace promptsales::backup {

/// A new object being written. Nothing is visible under its name until
/// commit(); destroying an uncommitted writer aborts it.
class ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;
  virtual void write(std::string_view bytes) = 0;
  /// Makes the object visible, durably. Throws Unavailable on I/O failure.
  virtual void commit() = 0;
  /// Discards what was written. Never throws.
  virtual void abort() noexcept = 0;
};

struct ObjectInfo {
  std::string name;
  std::uint64_t size = 0;
};

class BackupRepository {
 public:
  virtual ~BackupRepository() = default;
  /// Starts an object; an existing object of that name is replaced on commit.
  virtual std::unique_ptr<ObjectWriter> create(const std::string& name) = 0;
  /// Streams the object's bytes to `sink` in pieces. Throws NotFound.
  virtual void read(const std::string& name, const std::function<void(std::string_view)>& sink) = 0;
  /// Committed objects whose names start with `prefix`, sorted by name.
  virtual std::vector<ObjectInfo> list(const std::string& prefix) = 0;
  /// Deletes an object; a missing one is not an error.
  virtual void remove(const std::string& name) = 0;
  virtual bool exists(const std::string& name) = 0;
  /// Where it is, for messages (no credentials).
  virtual std::string describe() const = 0;
};

/// Object names are relative paths of [A-Za-z0-9._-] segments, no "." or
/// ".." segment, no leading dot in a segment. Throws ValidationError.
void validate_object_name(std::string_view name);

}  // namespace promptsales::backup
