#include "promptsales/common/backup/encrypted_stream.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstring>
#include <vector>

#include "promptsales/common/crypto/integrity_error.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/hash.hpp"

namespace promptsales::backup {
namespace {

constexpr std::string_view kMagic = "PSBACKUP";
constexpr std::uint8_t kVersion = 1;
constexpr std::string_view kStreamLabel = "promptsales backup stream v1";
constexpr std::size_t kTagSize = 16;
constexpr std::size_t kSaltSize = 16;
constexpr std::size_t kPrefixSize = 4;
constexpr std::uint32_t kFinalBit = 0x80000000u;

void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}
void put_u64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}
std::uint32_t get_u32(std::string_view in) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(in[static_cast<std::size_t>(i)]);
  return v;
}

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

struct CipherCtx {
  CipherCtx() : ctx(EVP_CIPHER_CTX_new()) {
    if (!ctx) throw Error("backup stream: cannot allocate a cipher context");
  }
  ~CipherCtx() { EVP_CIPHER_CTX_free(ctx); }
  CipherCtx(const CipherCtx&) = delete;
  CipherCtx& operator=(const CipherCtx&) = delete;
  EVP_CIPHER_CTX* ctx;
};

// The 12-byte GCM nonce of chunk `index`: prefix || u64 index.
std::array<unsigned char, 12> nonce_of(std::string_view header, std::uint64_t index) {
  std::array<unsigned char, 12> iv{};
  std::memcpy(iv.data(), header.data() + kStreamHeaderSize - kPrefixSize, kPrefixSize);
  for (int i = 0; i < 8; ++i) iv[4 + static_cast<std::size_t>(i)] = static_cast<unsigned char>(index >> (56 - 8 * i));
  return iv;
}

std::string aad_of(std::string_view header, std::uint64_t index, std::uint32_t word) {
  std::string aad(header);
  put_u64(aad, index);
  put_u32(aad, word);
  return aad;
}

std::array<std::uint8_t, 32> stream_key(const BackupKey& key, std::string_view header) {
  const auto salt = header.substr(kStreamHeaderSize - kPrefixSize - kSaltSize, kSaltSize);
  return key.derive(kStreamLabel, salt);
}

}  // namespace

struct EncryptingWriter::Impl {
  CipherCtx cipher;
  std::string header;
  std::array<std::uint8_t, 32> key{};
  std::uint64_t index = 0;
  std::string out;
  ~Impl() { OPENSSL_cleanse(key.data(), key.size()); }
};

EncryptingWriter::EncryptingWriter(const BackupKey& key, ByteSink sink, std::size_t chunk_size)
    : impl_(std::make_unique<Impl>()), sink_(std::move(sink)), chunk_size_(chunk_size) {
  if (chunk_size_ == 0 || chunk_size_ > kMaxChunkSize) {
    throw ValidationError("chunk_size", "must be between 1 byte and 64 MiB");
  }
  std::string& h = impl_->header;
  h.append(kMagic);
  h.push_back(static_cast<char>(kVersion));
  h.append(3, '\0');
  put_u32(h, static_cast<std::uint32_t>(chunk_size_));
  h.append(reinterpret_cast<const char*>(key.id_bytes().data()), key.id_bytes().size());
  std::array<unsigned char, kSaltSize + kPrefixSize> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    throw Error("backup stream: the random generator failed");
  }
  h.append(reinterpret_cast<const char*>(random.data()), random.size());
  impl_->key = stream_key(key, h);
  buffer_.reserve(chunk_size_);
  impl_->out.reserve(chunk_size_ + 4 + kTagSize);
  sink_(h);
  encrypted_bytes_ += h.size();
}

EncryptingWriter::~EncryptingWriter() = default;

void EncryptingWriter::write(std::string_view plaintext) {
  if (finished_) throw Error("backup stream: write after finish");
  plaintext_bytes_ += plaintext.size();
  while (!plaintext.empty()) {
    // A full buffer is sent only once more bytes arrive: until then it may be the final chunk.
    if (buffer_.size() == chunk_size_) emit_chunk(false);
    const std::size_t take = std::min(plaintext.size(), chunk_size_ - buffer_.size());
    buffer_.append(plaintext.substr(0, take));
    plaintext.remove_prefix(take);
  }
}

void EncryptingWriter::finish() {
  if (finished_) return;
  emit_chunk(true);
  finished_ = true;
}

void EncryptingWriter::emit_chunk(bool final) {
  Impl& s = *impl_;
  const auto word = static_cast<std::uint32_t>(buffer_.size()) | (final ? kFinalBit : 0u);
  const auto iv = nonce_of(s.header, s.index);
  const auto aad = aad_of(s.header, s.index, word);
  EVP_CIPHER_CTX* ctx = s.cipher.ctx;
  s.out.clear();
  put_u32(s.out, word);
  const std::size_t head = s.out.size();
  s.out.resize(head + buffer_.size() + kTagSize);
  auto* dst = reinterpret_cast<unsigned char*>(s.out.data() + head);
  int len = 0;
  int total = 0;
  bool ok = EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, s.key.data(), iv.data()) == 1 &&
            EVP_EncryptUpdate(ctx, nullptr, &len, bytes(aad), static_cast<int>(aad.size())) == 1;
  if (ok && !buffer_.empty()) {
    ok = EVP_EncryptUpdate(ctx, dst, &len, bytes(buffer_), static_cast<int>(buffer_.size())) == 1;
    total = len;
  }
  ok = ok && EVP_EncryptFinal_ex(ctx, dst + total, &len) == 1 &&
       EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize), dst + buffer_.size()) == 1;
  if (!ok) throw Error("backup stream: AES-256-GCM encryption failed at chunk " + std::to_string(s.index));
  sink_(s.out);
  encrypted_bytes_ += s.out.size();
  buffer_.clear();
  ++s.index;
}

struct DecryptingReader::Impl {
  CipherCtx cipher;
  std::array<std::uint8_t, 32> key{};
  std::string plain;
  ~Impl() { OPENSSL_cleanse(key.data(), key.size()); }
};

DecryptingReader::DecryptingReader(const BackupKey& key, ByteSink sink)
    : impl_(std::make_unique<Impl>()), key_(key), sink_(std::move(sink)) {}

DecryptingReader::~DecryptingReader() = default;

void DecryptingReader::feed(std::string_view encrypted) {
  if (done_ && !encrypted.empty()) {
    throw crypto::IntegrityError("backup stream: unexpected bytes after the final chunk (chunk " +
                                 std::to_string(chunk_index_ - 1) + ")");
  }
  pending_.append(encrypted);
  while (process()) {
  }
  // Keep the buffer from growing: drop what was consumed once it is most of it.
  if (offset_ > 0 && offset_ * 2 >= pending_.size()) {
    pending_.erase(0, offset_);
    offset_ = 0;
  }
}

bool DecryptingReader::process() {
  const std::string_view avail = std::string_view(pending_).substr(offset_);
  if (header_.empty()) {
    if (avail.size() < kStreamHeaderSize) return false;
    header_ = std::string(avail.substr(0, kStreamHeaderSize));
    offset_ += kStreamHeaderSize;
    parse_header();
    return true;
  }
  if (done_) {
    if (!avail.empty()) {
      throw crypto::IntegrityError("backup stream: unexpected bytes after the final chunk (chunk " +
                                   std::to_string(chunk_index_ - 1) + ")");
    }
    return false;
  }
  if (avail.size() < 4) return false;
  const std::uint32_t word = get_u32(avail);
  const bool final = (word & kFinalBit) != 0;
  const std::size_t len = word & ~kFinalBit;
  if (len > chunk_size_ || (!final && len != chunk_size_)) {
    throw crypto::IntegrityError("backup stream: chunk " + std::to_string(chunk_index_) +
                                 " has an invalid length (tampered or not a backup stream)");
  }
  if (avail.size() < 4 + len + kTagSize) return false;
  open_chunk(avail.substr(0, 4), avail.substr(4, len + kTagSize), final);
  offset_ += 4 + len + kTagSize;
  return true;
}

void DecryptingReader::parse_header() {
  const std::string_view h = header_;
  if (h.substr(0, kMagic.size()) != kMagic) {
    throw crypto::IntegrityError("backup stream: not a promptsales backup stream (bad magic in the header)");
  }
  if (static_cast<std::uint8_t>(h[8]) != kVersion) {
    throw crypto::IntegrityError("backup stream: unsupported format version " +
                                 std::to_string(static_cast<unsigned char>(h[8])));
  }
  chunk_size_ = get_u32(h.substr(12, 4));
  if (chunk_size_ == 0 || chunk_size_ > kMaxChunkSize || h.substr(9, 3) != std::string_view("\0\0\0", 3)) {
    throw crypto::IntegrityError("backup stream: the header is invalid (tampered or not a backup stream)");
  }
  const auto id = h.substr(16, 8);
  const std::string_view mine(reinterpret_cast<const char*>(key_.id_bytes().data()), key_.id_bytes().size());
  if (id != mine) {
    throw crypto::IntegrityError("backup stream: encrypted with backup key id " + hex_encode(id) +
                                 ", but the configured backup key has id " + key_.id());
  }
  impl_->key = stream_key(key_, h);
  impl_->plain.reserve(chunk_size_);
}

void DecryptingReader::open_chunk(std::string_view frame, std::string_view body, bool final) {
  const std::size_t len = body.size() - kTagSize;
  const auto iv = nonce_of(header_, chunk_index_);
  const auto aad = aad_of(header_, chunk_index_, get_u32(frame));
  EVP_CIPHER_CTX* ctx = impl_->cipher.ctx;
  std::string& plain = impl_->plain;
  plain.resize(len);
  auto* dst = reinterpret_cast<unsigned char*>(plain.data());
  std::array<unsigned char, kTagSize> tag{};
  std::memcpy(tag.data(), body.data() + len, kTagSize);
  int out = 0;
  int total = 0;
  bool ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, impl_->key.data(), iv.data()) == 1 &&
            EVP_DecryptUpdate(ctx, nullptr, &out, bytes(aad), static_cast<int>(aad.size())) == 1;
  if (ok && len > 0) {
    ok = EVP_DecryptUpdate(ctx, dst, &out, bytes(body), static_cast<int>(len)) == 1;
    total = out;
  }
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize), tag.data()) == 1 &&
       EVP_DecryptFinal_ex(ctx, dst + total, &out) == 1;
  if (!ok) {
    throw crypto::IntegrityError("backup stream: chunk " + std::to_string(chunk_index_) +
                                 " failed authentication (tampered, reordered, or written under another key)");
  }
  ++chunk_index_;
  plaintext_bytes_ += len;
  if (final) done_ = true;
  if (len > 0) sink_(plain);
}

void DecryptingReader::finish() {
  if (header_.empty()) {
    throw crypto::IntegrityError("backup stream: truncated: " + std::to_string(pending_.size() - offset_) +
                                 " bytes, less than the header");
  }
  if (!done_) {
    const auto left = pending_.size() - offset_;
    throw crypto::IntegrityError(
        "backup stream: truncated after " +
        (chunk_index_ == 0 ? std::string("the header") : "chunk " + std::to_string(chunk_index_ - 1)) +
        (left > 0 ? " (inside chunk " + std::to_string(chunk_index_) + ")" : std::string()) + ": no final chunk");
  }
}

void decrypt_stream(const BackupKey& key, const ByteSource& source, const ByteSink& sink) {
  DecryptingReader reader(key, sink);
  std::vector<char> buffer(kDefaultChunkSize);
  for (;;) {
    const std::size_t n = source(buffer.data(), buffer.size());
    if (n == 0) break;
    reader.feed(std::string_view(buffer.data(), n));
  }
  reader.finish();
}

}  // namespace promptsales::backup
