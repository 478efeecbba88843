#include "object_stream.hpp"

#include "promptsales/common/crypto/integrity_error.hpp"
#include "sha256_stream.hpp"

namespace promptsales::backup::detail {

ObjectReadResult read_dump_object(const BackupContext& ctx, const std::string& backup_id, const DatabaseDump& dump,
                                  const ByteSink& plaintext) {
  const std::string where = "backup " + backup_id + ": " + dump.name + " (" + dump.object + "): ";
  ObjectReadResult result;
  Sha256Stream sha;
  // The newest chunk is held back until every check passed: a consumer that
  // commits at the end of its input (pg_restore) never sees the end of a
  // stream that the manifest refuses (e.g. an authentic object of another backup).
  std::string held;
  bool holding = false;
  const auto hold = [&](std::string_view b) {
    if (holding) plaintext(held);
    held.assign(b);
    holding = true;
  };
  try {
    DecryptingReader reader(ctx.key, hold);
    ctx.repository.read(dump.object, [&](std::string_view b) {
      sha.update(b);
      result.encrypted_bytes += b.size();
      reader.feed(b);
    });
    reader.finish();
    result.plaintext_bytes = reader.plaintext_bytes();
  } catch (const crypto::IntegrityError& e) {
    throw crypto::IntegrityError(where + e.what());
  }
  if (result.encrypted_bytes != dump.encrypted_size) {
    throw crypto::IntegrityError(where + "object is " + std::to_string(result.encrypted_bytes) +
                                 " bytes, the manifest says " + std::to_string(dump.encrypted_size));
  }
  if (const auto digest = sha.hex(); digest != dump.encrypted_sha256) {
    throw crypto::IntegrityError(where + "SHA-256 " + digest + " does not match the manifest's " +
                                 dump.encrypted_sha256);
  }
  if (result.plaintext_bytes != dump.plaintext_size) {
    throw crypto::IntegrityError(where + "decrypted to " + std::to_string(result.plaintext_bytes) +
                                 " bytes, the manifest says " + std::to_string(dump.plaintext_size));
  }
  if (holding) plaintext(held);
  return result;
}

}  // namespace promptsales::backup::detail
