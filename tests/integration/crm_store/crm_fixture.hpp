#pragma once
// A migrated installation (control + sub-company databases, the CRM one
// included), a fixed test data key, and an in-memory LeadSource.
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "promptsales/common/crypto/data_key.hpp"
#include "promptsales/common/db/pool.hpp"
#include "promptsales/crm/lead_importer.hpp"
#include "promptsales/crm/lead_source.hpp"
#include "promptsales/crm/lead_store.hpp"
#include "test_env.hpp"

namespace promptsales::test {

inline constexpr const char* kTestKeyHex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
inline constexpr const char* kOtherKeyHex = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

inline crypto::Keyring test_keyring() { return crypto::Keyring(crypto::DataKey::from_hex(kTestKeyHex, "test")); }

struct CrmInstallation {
  TestInstallation installation;
  std::string crm_url = crm::locate_crm_database(installation.control_url());
  std::unique_ptr<db::Pool> pool = make_pool(crm_url);

  static std::unique_ptr<db::Pool> make_pool(const std::string& url) {
    db::PoolOptions o;
    o.url = url;
    o.size = 4;
    return std::make_unique<db::Pool>(std::move(o));
  }
  crm::PgLeadStore store() { return crm::PgLeadStore(*pool, test_keyring()); }
  crm::LeadImporter importer() { return crm::LeadImporter(*pool, test_keyring()); }
  long long count(const std::string& sql) {
    pqxx::connection c(crm_url);
    pqxx::nontransaction tx(c);
    return tx.exec(sql)[0][0].as<long long>();
  }
  std::string text(const std::string& sql) {
    pqxx::connection c(crm_url);
    pqxx::nontransaction tx(c);
    return tx.exec(sql)[0][0].as<std::string>("");
  }
};

/// Yields the given records; optionally throws (a simulated crash) when
/// asked for record number `crash_after + 1`.
class VectorSource final : public crm::LeadSource {
 public:
  explicit VectorSource(std::vector<crm::ReadRecord> records, std::size_t crash_after = SIZE_MAX)
      : records_(std::move(records)), crash_after_(crash_after) {}
  bool next(crm::ReadRecord& out) override {
    if (served_ == crash_after_) throw std::runtime_error("simulated crash");
    if (served_ >= records_.size()) return false;
    out = records_[served_++];
    return true;
  }
  std::uint64_t bytes_read() const noexcept override { return served_ * 100; }

 private:
  std::vector<crm::ReadRecord> records_;
  std::size_t crash_after_;
  std::size_t served_ = 0;
};

inline crm::ReadRecord good(std::size_t line, std::int64_t org, const std::string& email,
                            std::optional<std::string> name = std::nullopt,
                            std::function<void(crm::LeadInput&)> more = {}) {
  crm::ReadRecord r;
  r.line = line;
  crm::LeadInput in;
  in.organization_id = org;
  in.email = email;
  in.name = std::move(name);
  if (more) more(in);
  r.lead = std::move(in);
  return r;
}

inline crm::ReadRecord bad(std::size_t line, const std::string& code) {
  crm::ReadRecord r;
  r.line = line;
  r.errors.push_back({line, "email", "x", code, "rejected: " + code});
  return r;
}

/// Every lead of `org`, decrypted, as comparable text lines sorted by email.
inline std::vector<std::string> snapshot(crm::PgLeadStore& store, std::int64_t org) {
  std::vector<std::string> out;
  crm::LeadFilter f;
  f.organization_id = org;
  f.limit = 1000;
  for (;;) {
    const auto page = store.list(f);
    for (const auto& l : page) {
      std::string interests;
      for (const auto& i : l.interests) interests += i + ",";
      out.push_back(l.email + "|" + l.name.value_or("-") + "|" + l.phone.value_or("-") + "|" +
                    l.country.value_or("-") + "|" + l.city.value_or("-") + "|" + interests + "|" +
                    std::string(crm::to_string(l.status)) + "|" + (l.consents.email ? "E" : "e") +
                    (l.consents.sms ? "S" : "s") + "|" + std::to_string(l.campaign_id.value_or(0)));
    }
    if (page.size() < static_cast<std::size_t>(f.limit)) break;
    f.after_id = page.back().id;
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace promptsales::test
