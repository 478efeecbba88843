#pragma once
// Reads one dump object back: authenticates and decrypts it chunk by chunk
// into `plaintext`, and checks its size and SHA-256 against the manifest.
#include <string>

#include "promptsales/common/backup/backup_context.hpp"
#include "promptsales/common/backup/encrypted_stream.hpp"
#include "promptsales/common/backup/manifest.hpp"

namespace promptsales::backup::detail {

struct ObjectReadResult {
  std::uint64_t encrypted_bytes = 0;
  std::uint64_t plaintext_bytes = 0;
};

/// Throws crypto::IntegrityError prefixed with "backup <id>: <database>: ".
/// The last chunk reaches `plaintext` only after every check passed.
ObjectReadResult read_dump_object(const BackupContext& ctx, const std::string& backup_id, const DatabaseDump& dump,
                                  const ByteSink& plaintext);

}  // namespace promptsales::backup::detail
