#pragma once
/// The databases of one installation, opened from the configuration: the
/// control database, and each sub-company database located through the
/// registry (never from a hard-coded name).

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "promptsales/common/config.hpp"
#include "promptsales/common/db/pool.hpp"

namespace promptsales::sales {

class Databases {
 public:
  /// `pool_size` connections at most per database.
  Databases(const Config& config, std::size_t pool_size);

  db::Pool& control();
  /// The PromptAds database (campaigns), with its statements prepared.
  db::Pool& ads();
  /// Its URL as the registry resolved it.
  std::string ads_url();
  /// The PromptCrm database (leads, audience membership).
  db::Pool& crm();
  std::string crm_url();

 private:
  db::PoolOptions options_for(const std::string& url) const;
  /// The URL of the enabled sub-company of `kind`, looked up once.
  std::string located_url(std::string_view kind, std::string& cached);

  std::string control_url_;
  std::size_t pool_size_;
  std::chrono::milliseconds wait_timeout_;
  std::chrono::milliseconds statement_timeout_;
  std::mutex mutex_;
  std::unique_ptr<db::Pool> control_;
  std::unique_ptr<db::Pool> ads_;
  std::string ads_url_;
  std::unique_ptr<db::Pool> crm_;
  std::string crm_url_;
};

}  // namespace promptsales::sales
