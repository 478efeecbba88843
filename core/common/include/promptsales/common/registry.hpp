#pragma once
/// The sub-company registry: a metadata table in the control database that
/// says which sub-companies exist and where each one's database lives.
/// Registering a new sub-company is an INSERT (or `promptsales subcompany
/// register`), never a code change.

#include <string>
#include <string_view>
#include <vector>

#include <pqxx/connection>

namespace promptsales {

struct Subcompany {
  long long id = 0;
  std::string code;       ///< "promptads"
  std::string name;       ///< "PromptAds"
  std::string kind;       ///< schema it follows: "ads", "content", "crm"
  std::string location;   ///< as stored: URL or database name
  std::string url;        ///< resolved against the control URL
  std::string branding;   ///< JSON
  std::string endpoints;  ///< JSON
  std::string policies;   ///< JSON
  bool enabled = true;
};

struct NewSubcompany {
  std::string code;
  std::string name;
  std::string kind;
  std::string location;
  std::string branding = "{}";
  std::string endpoints = "{}";
  std::string policies = "{}";
};

class SubcompanyRegistry {
 public:
  /// `control_url` resolves bare database names and "{control}".
  explicit SubcompanyRegistry(std::string control_url) : control_url_(std::move(control_url)) {}

  std::vector<Subcompany> list(pqxx::connection& control) const;

  /// The enabled sub-company holding data of `kind`. Throws ConfigError if
  /// none is registered.
  Subcompany locate(pqxx::connection& control, std::string_view kind) const;

  /// Validates and inserts. Throws ValidationError (bad field), Conflict (code
  /// taken, or an enabled one of that kind exists).
  Subcompany add(pqxx::connection& control, const NewSubcompany& s) const;

 private:
  std::string control_url_;
};

}  // namespace promptsales
