#include "promptsales/sales/databases.hpp"

#include "promptsales/ads/pg_campaign_repository.hpp"
#include <pqxx/pqxx>

#include "promptsales/common/errors.hpp"
#include "promptsales/common/registry.hpp"

namespace promptsales::sales {

Databases::Databases(const Config& config, std::size_t pool_size)
    : control_url_(config.str("database_url")),
      pool_size_(pool_size),
      wait_timeout_(config.millis("db_pool_timeout_ms")),
      statement_timeout_(config.millis("db_statement_timeout_ms")) {}

db::PoolOptions Databases::options_for(const std::string& url) const {
  db::PoolOptions o;
  o.url = url;
  o.size = pool_size_;
  o.wait_timeout = wait_timeout_;
  o.statement_timeout = statement_timeout_;
  return o;
}

db::Pool& Databases::control() {
  std::lock_guard lock(mutex_);
  if (!control_) control_ = std::make_unique<db::Pool>(options_for(control_url_));
  return *control_;
}

std::string Databases::located_url(std::string_view kind, std::string& cached) {
  {
    std::lock_guard lock(mutex_);
    if (!cached.empty()) return cached;
  }
  auto& pool = control();
  const SubcompanyRegistry registry(control_url_);
  auto located = pool.with_connection([&](pqxx::connection& c) {
    try {
      return registry.locate(c, kind);
    } catch (const pqxx::undefined_table&) {
      throw ConfigError("the control database has no sub-company registry yet: run `promptsales db migrate`");
    }
  });
  std::lock_guard lock(mutex_);
  cached = located.url;
  return cached;
}

std::string Databases::ads_url() { return located_url("ads", ads_url_); }

std::string Databases::crm_url() { return located_url("crm", crm_url_); }

db::Pool& Databases::crm() {
  const std::string url = crm_url();
  std::lock_guard lock(mutex_);
  if (!crm_) crm_ = std::make_unique<db::Pool>(options_for(url));
  return *crm_;
}

db::Pool& Databases::ads() {
  const std::string url = ads_url();
  std::lock_guard lock(mutex_);
  if (!ads_) {
    auto options = options_for(url);
    options.on_connect = &ads::PgCampaignRepository::prepare_statements;
    ads_ = std::make_unique<db::Pool>(std::move(options));
  }
  return *ads_;
}

}  // namespace promptsales::sales
