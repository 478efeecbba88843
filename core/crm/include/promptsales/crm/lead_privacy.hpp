#pragma once
/// GDPR/CCPA for leads: what is held about one person (subject access
/// request), erasing it (right to be forgotten), and an organization's leads
/// written out as CSV or JSONL.
///
/// A person is found by the blind index of their normalised email (trim +
/// lower case), in every organization or in one. Nothing here puts the email
/// in an error message: callers record those messages in the audit log, and
/// they name the person by `subject`, a prefix of the blind index (an HMAC
/// under a secret key, so it identifies nobody without that key).
///
/// What forget() erases and keeps (README "Privacy (GDPR/CCPA)"):
///  - erased: email, name, phone (the encrypted columns), city, birth date,
///    age, interests, the consent flags and their time; every event's
///    metadata (it can hold addresses or user agents) and every audience
///    membership; the blind index is replaced by 32 random bytes, so the row
///    can never be found by that email again.
///  - kept: id, organization, country, source, status, score, campaign and
///    timestamps, and the events' kind and time: campaign and funnel counts
///    stay true, and none of these identify a person alone.
///  - a later import of the same email creates a NEW lead (a new consent can
///    exist); the forgotten row is never brought back.
/// All in one transaction. Import provenance is not per lead (lead_imports
/// holds counts per file), so there is none to export or erase.

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "promptsales/common/crypto/data_key.hpp"
#include "promptsales/crm/lead.hpp"
#include "promptsales/crm/lead_store.hpp"

namespace promptsales::db {
class Pool;
}

namespace promptsales::crm {

struct LeadEventRecord {
  std::int64_t id = 0;
  std::string kind;
  std::string occurred_at;  ///< ISO-8601 UTC
  nlohmann::json metadata;
};

/// One lead row of the person with what hangs off it.
struct SubjectLead {
  Lead lead;
  std::vector<LeadEventRecord> events;       ///< newest first
  std::vector<std::int64_t> audience_ids;    ///< ascending
};

struct SubjectExport {
  std::string subject;  ///< first 16 hex digits of the blind index
  std::vector<SubjectLead> leads;  ///< by organization, then id
};

struct ForgetResult {
  std::string subject;
  std::vector<std::int64_t> lead_ids;   ///< the rows erased (or that would be)
  std::int64_t events_cleared = 0;       ///< events whose metadata was erased
  std::int64_t memberships_removed = 0;  ///< audience_members rows deleted
  bool dry_run = false;
};

/// Personal-data operations on one CRM database.
class LeadPrivacy {
 public:
  LeadPrivacy(db::Pool& crm, crypto::Keyring keys);
  ~LeadPrivacy();

  /// Everything held about the person, decrypted. ValidationError when
  /// `email` is not an email; NotFound when no lead (not forgotten) has it.
  SubjectExport export_subject(const std::string& email, std::optional<std::int64_t> organization_id);
  /// Erases the person's leads as described above, in one transaction
  /// (nothing with `dry_run`, which reports what would be erased).
  /// NotFound when no lead has that email: unknown, or already forgotten.
  ForgetResult forget(const std::string& email, std::optional<std::int64_t> organization_id, bool dry_run);

 private:
  db::Pool& crm_;
  PgLeadStore store_;
  crypto::Keyring keys_;
};

/// A lead as JSON (the CLI's and the export's shape). A forgotten lead has
/// "email": null and "forgotten": true.
nlohmann::json lead_to_json(const Lead& lead);

enum class LeadExportFormat { csv, jsonl };

/// Writes the organization's leads matching `filter` (its limit is the page
/// size; after_id where to start) to `out`, page by page in id order, so
/// memory stays constant whatever the count. Forgotten leads are left out:
/// they hold no personal data. CSV has a header whose names `lead import`
/// recognises; text fields that a spreadsheet would run as a formula get a
/// leading apostrophe (report_csv_field). Returns the number of leads.
std::uint64_t export_leads(PgLeadStore& store, LeadFilter filter, LeadExportFormat format, std::ostream& out);

/// One bounded page of an export (the API's): as export_leads, but stops
/// after `max_rows` leads have been read (0: no bound), with the header.
struct LeadExportPage {
  std::uint64_t count = 0;   ///< leads written
  std::int64_t last_id = 0;  ///< the last id read: the next page's after_id
  bool more = false;         ///< stopped at max_rows; there may be more
};
LeadExportPage export_leads_page(PgLeadStore& store, LeadFilter filter, LeadExportFormat format, std::ostream& out,
                                 std::uint64_t max_rows);

}  // namespace promptsales::crm
