#pragma once
/// Organizations with their sensitive data (legal name, tax id, billing
/// email, payment reference), encrypted at rest like users' personal data.
/// The plain organization (name, country) stays in organizations.hpp.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace promptsales {

namespace db {
class Pool;
}
namespace crypto {
class Keyring;
}

/// Encryption contexts of the organizations table.
inline constexpr std::string_view kOrgLegalNameContext = "organizations.legal_name";
inline constexpr std::string_view kOrgTaxIdContext = "organizations.tax_id";
inline constexpr std::string_view kOrgBillingEmailContext = "organizations.billing_email";
inline constexpr std::string_view kOrgPaymentReferenceContext = "organizations.payment_reference";

struct TenantSecrets {
  std::optional<std::string> legal_name;
  std::optional<std::string> tax_id;
  std::optional<std::string> billing_email;
  std::optional<std::string> payment_reference;
};

struct Tenant {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> country;
  bool enabled = true;
  TenantSecrets secrets;  ///< decrypted
  std::optional<std::string> key_id;
  std::string created_at;
};

class PgTenants {
 public:
  PgTenants(db::Pool& control, const crypto::Keyring& keys) : control_(control), keys_(keys) {}
  /// Validates (name 1-120 characters, country ISO alpha-2, legal name and
  /// tax id up to 200/50 characters, billing email) and inserts in one statement.
  Tenant add(const std::string& name, const std::optional<std::string>& country, const TenantSecrets& secrets);
  std::vector<Tenant> list(int limit, int offset);
  /// Throws NotFound.
  Tenant get(std::int64_t id);

 private:
  db::Pool& control_;
  const crypto::Keyring& keys_;
};

}  // namespace promptsales
