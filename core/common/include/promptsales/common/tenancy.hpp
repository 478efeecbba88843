#pragma once
/// Whose data a caller may see or change. A customer's user is confined to
/// one organization; operators (the CLI, jobs) and platform administrators
/// see all. Services take a Tenancy on every call that reads or writes
/// tenant data, so the check happens next to the data, inside the same
/// transaction, and not in each adapter.

#include <cstdint>
#include <optional>

namespace promptsales {

class Tenancy {
 public:
  /// Every organization: the CLI, scheduled jobs, platform administrators.
  static constexpr Tenancy all() noexcept { return Tenancy{}; }
  /// Only organization `id`.
  static constexpr Tenancy only(std::int64_t id) noexcept {
    Tenancy t;
    t.organization_ = id;
    return t;
  }

  /// True when the caller may touch data of organization `id`.
  constexpr bool allows(std::int64_t id) const noexcept { return !organization_ || *organization_ == id; }
  /// The one organization the caller is confined to; nullopt for all().
  constexpr std::optional<std::int64_t> organization() const noexcept { return organization_; }
  constexpr bool operator==(const Tenancy&) const noexcept = default;

 private:
  constexpr Tenancy() = default;
  std::optional<std::int64_t> organization_;
};

}  // namespace promptsales
