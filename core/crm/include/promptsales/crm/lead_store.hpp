#pragma once
/// Leads in the CRM sub-company's database (kind "crm", located through the
/// registry), with email, name and phone encrypted (lead_cipher.hpp) and the
/// email's blind index for lookups without decrypting.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "promptsales/common/crypto/data_key.hpp"
#include "promptsales/crm/lead.hpp"

namespace pqxx {
class transaction_base;
}

namespace promptsales::db {
class Pool;
}

namespace promptsales::crm {

class LeadCipher;

/// The URL of the CRM database named by the control database's registry.
/// Throws ConfigError when no enabled sub-company of kind "crm" exists.
std::string locate_crm_database(const std::string& control_url);

struct LeadFilter {
  std::int64_t organization_id = 0;  ///< required
  std::optional<LeadStatus> status;
  std::optional<std::string> country;
  std::optional<std::string> source;
  std::optional<std::int64_t> campaign_id;
  std::optional<int> min_score;
  std::optional<int> max_score;
  /// Exactly this normalised email (compared through the blind index).
  std::optional<std::string> email;
  int limit = 50;   ///< 1..1000
  std::int64_t after_id = 0;  ///< keyset paging: leads with a larger id
  std::int64_t offset = 0;    ///< rows skipped (the API's offset paging)
  bool newest_first = false;  ///< id descending instead of ascending
};

/// Fields to change; unset ones stay.
struct LeadUpdate {
  std::optional<LeadStatus> status;
  std::optional<int> score;
  std::optional<std::string> name;
  std::optional<std::string> phone;
  std::optional<std::string> source;
  std::optional<std::string> country;
  std::optional<std::string> city;
  std::optional<std::int64_t> campaign_id;
  std::optional<std::vector<std::string>> interests;  ///< replaces the list (normalised)
  std::optional<bool> consent_email;
  std::optional<bool> consent_sms;
  std::optional<bool> consent_phone;
  /// When the consents were given; a consent change without it records now.
  std::optional<std::string> consent_given_at;

  bool changes_consent() const { return consent_email || consent_sms || consent_phone || consent_given_at; }
  bool empty() const {
    return !status && !score && !name && !phone && !source && !country && !city && !campaign_id && !interests &&
           !changes_consent();
  }
};

class PgLeadStore {
 public:
  /// `crm` is a pool on the CRM database; `keys` read and write.
  PgLeadStore(db::Pool& crm, crypto::Keyring keys);
  ~PgLeadStore();

  /// Inserts one lead; Conflict when the organization has that email.
  Lead create(const LeadInput& lead);
  /// Inside the caller's transaction: inserts `lead`, or returns the
  /// organization's lead with that email UNCHANGED (second = false).
  /// Concurrent calls for one email agree on one row. Call cipher() before
  /// taking the caller's connection (it may need one of its own).
  std::pair<Lead, bool> insert_or_get(pqxx::transaction_base& tx, const LeadInput& lead);
  /// NotFound when absent or of another organization.
  Lead get(std::int64_t organization_id, std::int64_t id);
  /// By the blind index of the normalised email.
  std::optional<Lead> find_by_email(std::int64_t organization_id, const std::string& normalized_email);
  /// Ordered by id (newest first with filter.newest_first).
  std::vector<Lead> list(const LeadFilter& filter);
  /// NotFound when absent or of another organization, or forgotten.
  Lead update(std::int64_t organization_id, std::int64_t id, const LeadUpdate& changes);

  /// The cipher; loads (or makes) the blind index key on first use.
  /// Thread-safe (serve's workers share one store).
  const LeadCipher& cipher();

 private:
  db::Pool& crm_;
  crypto::Keyring keys_;
  std::mutex cipher_mutex_;
  std::unique_ptr<LeadCipher> cipher_;
};

}  // namespace promptsales::crm
