#pragma once
/// A fresh database holding only the PromptAds (kind "ads") schema: for
/// repository tests that need campaigns but no control database or
/// registry. Dropped on destruction. Header-only.

#include <string>

#include <pqxx/pqxx>

#include "promptsales/common/db/migrations.hpp"
#include "test_env.hpp"

namespace promptsales::test {

class AdsDatabase {
 public:
  AdsDatabase() : database_("psa") {
    pqxx::connection conn(database_.url());
    db::Migrator("ads", db::embedded_migrations("ads")).migrate(conn, false);
  }
  const std::string& url() const { return database_.url(); }
  const std::string& name() const { return database_.name(); }

 private:
  TestDatabase database_;
};

}  // namespace promptsales::test
