#pragma once
/// Re-encrypts every encrypted column under a new data key, in batches of
/// one transaction each, resumably: rows carry the id of their key, so a
/// re-run after an interruption continues with the rows not yet on the new
/// key and skips the rest. Readers keep working throughout, because each
/// picks the key by the row's key id (the configuration holds both keys).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "promptsales/common/crypto/data_key.hpp"

namespace promptsales::db {
class Pool;
}

namespace promptsales::crypto {

struct RotationProgress {
  std::string table;
  std::int64_t rotated = 0;  ///< so far in this table
  std::int64_t batches = 0;  ///< so far in this run
};

struct RotationOptions {
  std::size_t batch_size = 500;
  /// Stop after this many batches (spread a rotation over several windows;
  /// a later run resumes). nullopt: until done.
  std::optional<std::int64_t> max_batches;
  bool dry_run = false;
  std::function<void(const RotationProgress&)> on_progress;
};

struct TableRotation {
  std::string table;
  std::int64_t rotated = 0;    ///< rows re-encrypted (0 in a dry run)
  std::int64_t remaining = 0;  ///< rows still on another key afterwards
  std::map<std::string, std::int64_t> remaining_by_key;  ///< key id -> rows
};

struct RotationResult {
  std::string new_key_id;
  bool dry_run = false;
  bool complete = false;  ///< no row is left on another key
  std::int64_t batches = 0;
  std::vector<TableRotation> tables;
};

/// Re-encrypts rows of users and organizations whose key id is not
/// `target`'s, reading them with the key `readers` holds for their id.
/// Throws ConfigError naming the table, row and key id when a row uses a key
/// `readers` lacks, and IntegrityError (rolling back that batch) when a value
/// fails verification; batches committed before stay committed.
RotationResult rotate_keys(db::Pool& control, const Keyring& readers, const DataKey& target,
                           const RotationOptions& options);

}  // namespace promptsales::crypto
