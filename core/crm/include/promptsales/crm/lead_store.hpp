#pragma once
/// Leads in the CRM sub-company's database (kind "crm", located through the
/// registry), with email, name and phone encrypted (lead_cipher.hpp) and the
/// email's blind index for lookups without decrypting.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "promptsales/common/crypto/data_key.hpp"
#include "promptsales/crm/lead.hpp"

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
  int limit = 50;   ///< 1..1000
  std::int64_t after_id = 0;  ///< keyset paging: leads with a larger id
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
};

class PgLeadStore {
 public:
  /// `crm` is a pool on the CRM database; `keys` read and write.
  PgLeadStore(db::Pool& crm, crypto::Keyring keys);
  ~PgLeadStore();

  /// Inserts one lead; Conflict when the organization has that email.
  Lead create(const LeadInput& lead);
  /// NotFound when absent or of another organization.
  Lead get(std::int64_t organization_id, std::int64_t id);
  /// By the blind index of the normalised email.
  std::optional<Lead> find_by_email(std::int64_t organization_id, const std::string& normalized_email);
  /// Ordered by id.
  std::vector<Lead> list(const LeadFilter& filter);
  /// NotFound when absent or of another organization, or forgotten.
  Lead update(std::int64_t organization_id, std::int64_t id, const LeadUpdate& changes);

 private:
  const LeadCipher& cipher();
  db::Pool& crm_;
  crypto::Keyring keys_;
  std::unique_ptr<LeadCipher> cipher_;
};

}  // namespace promptsales::crm
