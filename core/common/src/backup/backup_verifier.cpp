#include "promptsales/common/backup/backup_verifier.hpp"

#include <algorithm>

#include "object_stream.hpp"
#include "promptsales/common/crypto/integrity_error.hpp"
#include "promptsales/common/errors.hpp"
#include "subprocess.hpp"

namespace promptsales::backup {

bool VerifyReport::ok() const {
  return std::all_of(objects.begin(), objects.end(), [](const ObjectVerification& o) { return o.ok; });
}

namespace {

ObjectVerification verify_object(const BackupContext& ctx, const std::string& id, const DatabaseDump& dump) {
  ObjectVerification v;
  v.database = dump.name;
  v.object = dump.object;
  ctx.progress("verify " + id + ": " + dump.name);
  try {
    detail::SubprocessOptions spawn;
    spawn.argv = {ctx.pg_bin + "/pg_restore", "--list"};
    spawn.pipe_stdin = true;
    spawn.pipe_stdout = true;
    detail::Subprocess pg_restore(spawn);
    // pg_restore may stop reading once it has the TOC; the rest is still authenticated.
    const auto read = detail::read_dump_object(ctx, id, dump, [&](std::string_view b) { pg_restore.write_stdin(b); });
    v.plaintext_bytes = read.plaintext_bytes;
    const int status = pg_restore.wait();
    if (status != 0) {
      throw crypto::IntegrityError("backup " + id + ": " + dump.name + ": pg_restore --list failed (exit " +
                                   std::to_string(status) + "): " + detail::last_lines(pg_restore.stderr_text()));
    }
    const auto& listing = pg_restore.stdout_text();
    std::size_t start = 0;
    while (start < listing.size()) {
      auto end = listing.find('\n', start);
      if (end == std::string::npos) end = listing.size();
      if (end > start && listing[start] != ';') ++v.archive_entries;
      start = end + 1;
    }
    if (v.archive_entries == 0) {
      throw crypto::IntegrityError("backup " + id + ": " + dump.name + ": pg_restore --list found no entries");
    }
    v.ok = true;
  } catch (const Error& e) {
    v.problem = e.what();
  }
  return v;
}

}  // namespace

VerifyReport verify_backup(const BackupContext& ctx, const std::string& backup_id) {
  const auto manifest = read_manifest(ctx.repository, ctx.key, backup_id);
  VerifyReport report;
  report.backup_id = backup_id;
  for (const auto& dump : manifest.databases) report.objects.push_back(verify_object(ctx, backup_id, dump));
  return report;
}

}  // namespace promptsales::backup
