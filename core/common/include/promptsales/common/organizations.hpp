#pragma once
/// Organizations: the platform's customers, kept in the control database.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace promptsales {

namespace db {
class Pool;
}

struct Organization {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> country;  ///< ISO 3166-1 alpha-2
  bool enabled = true;
  std::string created_at;
};

/// What other contexts need to know about organizations.
class OrganizationDirectory {
 public:
  virtual ~OrganizationDirectory() = default;
  virtual bool exists(std::int64_t id) = 0;
};

/// Organizations stored in the control database.
class PgOrganizations final : public OrganizationDirectory {
 public:
  explicit PgOrganizations(db::Pool& control) : control_(control) {}
  bool exists(std::int64_t id) override;
  /// Validates (name 1-120 chars, country two upper-case letters) and inserts.
  Organization create(const std::string& name, const std::optional<std::string>& country);
  std::vector<Organization> list(int limit, int offset);

 private:
  db::Pool& control_;
};

}  // namespace promptsales
