#include "promptsales/crm/lead_file_import.hpp"

#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <vector>

#include "hex.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/crm/row_error_sink.hpp"

namespace promptsales::crm {

std::string file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ValidationError("FILE", "cannot read " + path);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw ValidationError("FILE", "error reading " + path);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(ctx.get(), out, &n);
  return std::string(reinterpret_cast<const char*>(out), n);
}

std::string reader_fingerprint(LeadFileFormat format, const LeadReadOptions& read) {
  std::string fingerprint = "format=" + std::string(format == LeadFileFormat::automatic ? "" : to_string(format)) +
                            "\ncountry=" + read.default_country;
  for (const auto& m : read.map) fingerprint += "\nmap=" + m;
  return fingerprint;
}

CheckedLeadFile check_lead_file(const LeadFileImport& request) {
  check_read_options(request.read);
  CheckedLeadFile out;
  struct stat st {};
  if (stat(request.path.c_str(), &st) != 0) {
    throw ValidationError("FILE", "cannot read " + request.path + ": " + std::string(std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) throw ValidationError("FILE", request.path + " is not a regular file");
  out.bytes = static_cast<std::uint64_t>(st.st_size);
  if (out.bytes > request.read.max_bytes) {
    throw ValidationError("FILE", request.path + " is " + std::to_string(out.bytes >> 20) + " MiB; the limit is " +
                                      std::to_string(request.read.max_bytes >> 20) + " MiB");
  }
  out.sha256 = file_sha256(request.path);
  out.sha256_hex = detail::to_hex(out.sha256);
  if (request.expected_sha256_hex && out.sha256_hex != *request.expected_sha256_hex) {
    throw ValidationError("FILE", request.path + " changed since the import was queued (its SHA-256 is " +
                                      out.sha256_hex + ", expected " + *request.expected_sha256_hex +
                                      "): queue it again");
  }
  // Whole-file problems (encoding, limits, no email column) refuse the file
  // here, before the first batch is committed.
  out.check = scan_import_file(request.path, request.format, request.read);
  return out;
}

ImportSummary import_lead_file(db::Pool& crm, crypto::Keyring keys, LeadFileImport request,
                               const CheckedLeadFile& checked, RowErrorSink& errors) {
  request.import.organization_id = request.read.organization_id;
  request.import.content_digest = checked.sha256;
  request.import.reader_fingerprint = reader_fingerprint(request.format, request.read);
  auto source = open_lead_source(request.path, request.format, request.read);
  LeadImporter importer(crm, std::move(keys));
  return importer.run(*source, errors, request.import);
}

SpooledInput::SpooledInput(int in_fd) {
  const char* dir = std::getenv("TMPDIR");
  std::string templ = std::string(dir && *dir ? dir : "/tmp") + "/promptsales-import-XXXXXX";
  fd_ = mkstemp(templ.data());
  if (fd_ < 0) throw Error("cannot create a temporary file in " + templ.substr(0, templ.rfind('/')));
  unlink(templ.c_str());
  std::vector<char> buf(1 << 20);
  std::uint64_t total = 0;
  try {
    for (;;) {
      const auto n = read(in_fd, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw Error("cannot read standard input");
      if (n == 0) break;
      total += static_cast<std::uint64_t>(n);
      if (total > kMaxImportBytes) {
        throw ValidationError("FILE",
                              "standard input is over the " + std::to_string(kMaxImportBytes >> 20) + " MiB limit");
      }
      for (ssize_t off = 0; off < n;) {
        const auto w = write(fd_, buf.data() + off, static_cast<std::size_t>(n - off));
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) throw Error("cannot spool standard input to a temporary file (disk full?)");
        off += w;
      }
    }
  } catch (...) {
    close(fd_);
    throw;
  }
  path_ = "/proc/self/fd/" + std::to_string(fd_);
}

SpooledInput::~SpooledInput() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace promptsales::crm
