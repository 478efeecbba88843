#pragma once
/// The encrypted backup stream: AES-256-GCM in authenticated chunks, so a
/// dump of any size is encrypted and verified while it streams.
///
/// Layout (version 1, integers big-endian):
///   header (44 bytes): "PSBACKUP" | version u8 = 1 | 3 zero bytes |
///                      chunk size u32 | key id (8 bytes) | salt (16) | nonce prefix (4)
///   chunks:            word u32 (bit 31 = final, low 31 bits = plaintext length) |
///                      ciphertext | 16-byte GCM tag
/// Each stream encrypts under its own key, HMAC-SHA256(backup key,
/// "promptsales backup stream v1" || salt). A chunk's nonce is
/// nonce prefix || u64 chunk index, and its AAD is header || u64 index || word,
/// so a changed header, a reordered, dropped or repeated chunk, a moved final
/// flag, a truncated stream or bytes appended after the final chunk are all
/// refused. Every chunk but the final one holds exactly `chunk size` bytes.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "promptsales/common/backup/backup_key.hpp"

namespace promptsales::backup {

/// Receives bytes as they are produced.
using ByteSink = std::function<void(std::string_view)>;
/// Fills up to `size` bytes of `buffer`; returns how many, 0 at the end.
using ByteSource = std::function<std::size_t(char* buffer, std::size_t size)>;

inline constexpr std::size_t kStreamHeaderSize = 44;
inline constexpr std::size_t kDefaultChunkSize = 1 << 20;  ///< 1 MiB of plaintext per chunk
inline constexpr std::size_t kMaxChunkSize = 64u << 20;

/// Encrypts a stream: write() any number of times, then finish() once.
/// Output goes to the sink as whole chunks (header first).
class EncryptingWriter {
 public:
  EncryptingWriter(const BackupKey& key, ByteSink sink, std::size_t chunk_size = kDefaultChunkSize);
  ~EncryptingWriter();
  EncryptingWriter(const EncryptingWriter&) = delete;
  EncryptingWriter& operator=(const EncryptingWriter&) = delete;

  void write(std::string_view plaintext);
  /// Emits the final chunk (possibly empty). No write() after it.
  void finish();

  std::uint64_t plaintext_bytes() const noexcept { return plaintext_bytes_; }
  std::uint64_t encrypted_bytes() const noexcept { return encrypted_bytes_; }

 private:
  void emit_chunk(bool final);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  ByteSink sink_;
  std::string buffer_;  ///< plaintext of the chunk being filled
  std::size_t chunk_size_;
  std::uint64_t plaintext_bytes_ = 0;
  std::uint64_t encrypted_bytes_ = 0;
  bool finished_ = false;
};

/// Decrypts a stream pushed to it in pieces of any size; hands each chunk's
/// plaintext to the sink only after the chunk authenticated. Throws
/// crypto::IntegrityError naming the chunk (or header) on tampering, a wrong
/// key, truncation or trailing bytes.
class DecryptingReader {
 public:
  DecryptingReader(const BackupKey& key, ByteSink sink);
  ~DecryptingReader();
  DecryptingReader(const DecryptingReader&) = delete;
  DecryptingReader& operator=(const DecryptingReader&) = delete;

  void feed(std::string_view encrypted);
  /// The input ended: throws unless the final chunk was read.
  void finish();

  std::uint64_t plaintext_bytes() const noexcept { return plaintext_bytes_; }
  std::uint64_t chunks() const noexcept { return chunk_index_; }

 private:
  bool process();  ///< one step on the pending bytes; false when more are needed
  void parse_header();
  void open_chunk(std::string_view frame, std::string_view body, bool final);
  struct Impl;
  std::unique_ptr<Impl> impl_;
  const BackupKey& key_;
  ByteSink sink_;
  std::string pending_;
  std::size_t offset_ = 0;  ///< consumed bytes at the front of pending_
  std::string header_;
  std::size_t chunk_size_ = 0;
  std::uint64_t chunk_index_ = 0;
  std::uint64_t plaintext_bytes_ = 0;
  bool done_ = false;  ///< the final chunk was read
};

/// Pulls the whole encrypted stream from `source` and pushes plaintext to `sink`.
void decrypt_stream(const BackupKey& key, const ByteSource& source, const ByteSink& sink);

}  // namespace promptsales::backup
