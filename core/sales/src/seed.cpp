#include "promptsales/sales/seed.hpp"

#include <algorithm>
#include <chrono>

// tablewriter is deprecated in libpqxx 6.4 but is the only raw COPY writer.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#include <pqxx/pqxx>
#include <pqxx/tablewriter>

#include "promptsales/ads/campaign_generator.hpp"
#include "promptsales/ads/pg_campaign_repository.hpp"
#include "promptsales/common/db/text_array.hpp"
#include "promptsales/common/errors.hpp"

namespace promptsales::sales {
namespace {

constexpr std::array<const char*, 12> kCompanyWords = {"Café",   "Andes",  "Norte", "Pacific", "Solar", "Verde",
                                                        "Nova",   "Atlas",  "Luna",  "Summit",  "Brisa", "Rio"};
constexpr std::array<const char*, 6> kCompanyKinds = {"Marketing", "Retail", "Foods", "Studio", "Labs", "Group"};
constexpr std::array<const char*, 6> kCountries = {"CR", "MX", "ES", "US", "CO", "AR"};

// COPY text format: backslash escapes for the few special characters.
void append_copy_field(std::string& line, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\': line += "\\\\"; break;
      case '\t': line += "\\t"; break;
      case '\n': line += "\\n"; break;
      case '\r': line += "\\r"; break;
      default: line.push_back(c);
    }
  }
}

void append_copy_optional(std::string& line, const std::optional<std::string>& value) {
  if (value) {
    append_copy_field(line, *value);
  } else {
    line += "\\N";
  }
}

// COPY ... FROM STDIN with lines we format ourselves: the fastest way to
// load rows. libpqxx 6.4 exposes raw lines only on its (deprecated)
// tablewriter; stream_to keeps them private.
class RawCopy {
 public:
  RawCopy(pqxx::transaction_base& tx, const std::string& table, const std::vector<std::string>& columns)
      : writer_(tx, table, columns.begin(), columns.end()) {}
  void write_raw_line(const std::string& line) { writer_.write_raw_line(line); }
  void complete() { writer_.complete(); }

 private:
  pqxx::tablewriter writer_;
};

long long count_rows(pqxx::transaction_base& tx, const char* table) {
  return tx.exec(std::string("SELECT count(*) FROM ") + table)[0][0].as<long long>();
}

}  // namespace

SeedResult seed_demo_data(Databases& databases, const SeedOptions& o) {
  if (o.organizations < 1 || o.organizations > 1'000'000) {
    throw ValidationError("organizations", "must be between 1 and 1000000");
  }
  if (o.campaigns_per_org < 0 || o.campaigns_per_org > 100'000) {
    throw ValidationError("campaigns-per-org", "must be between 0 and 100000");
  }
  const auto started = std::chrono::steady_clock::now();
  // Locate the ads database (a control query) before holding a control
  // connection: with a pool of one, the other order waits for itself.
  auto& ads_pool = databases.ads();
  auto control_lease = databases.control().acquire();
  auto ads_lease = ads_pool.acquire();
  pqxx::work control(*control_lease);
  pqxx::work ads(*ads_lease);

  SeedResult result;
  const auto existing_orgs = count_rows(control, "organizations");
  const auto existing_campaigns = count_rows(ads, "campaigns");
  if ((existing_orgs > 0 || existing_campaigns > 0) && !o.replace) {
    throw Conflict("the installation already holds " + std::to_string(existing_orgs) + " organizations and " +
                   std::to_string(existing_campaigns) + " campaigns; use --replace to wipe them first");
  }
  // A bulk load may take longer than the service's statement timeout.
  control.exec("SET LOCAL statement_timeout = 0");
  ads.exec("SET LOCAL statement_timeout = 0");
  result.max_organization_id =
      std::max<std::int64_t>(o.organizations, control.exec("SELECT coalesce(max(id), 0) FROM organizations")[0][0].as<std::int64_t>());
  if (o.replace) {
    // Users reference organizations, so TRUNCATE must take them along:
    // users of wiped organizations would be orphans anyway.
    control.exec("TRUNCATE organizations, users RESTART IDENTITY");
    ads.exec("TRUNCATE campaigns RESTART IDENTITY");
  }

  {
    const std::vector<std::string> columns{"id", "name", "country"};
    RawCopy orgs(control, "organizations", columns);
    ads::CampaignGenerator names(o.seed + 1);
    for (int i = 1; i <= o.organizations; ++i) {
      std::string line = std::to_string(i) + "\t";
      append_copy_field(line, std::string(kCompanyWords[static_cast<std::size_t>(i * 7) % kCompanyWords.size()]) +
                                  " " + kCompanyKinds[static_cast<std::size_t>(i) % kCompanyKinds.size()] + " " +
                                  std::to_string(i));
      line += "\t";
      line += kCountries[static_cast<std::size_t>(i) % kCountries.size()];
      orgs.write_raw_line(line);
    }
    orgs.complete();
    control.exec("SELECT setval(pg_get_serial_sequence('organizations', 'id'), (SELECT max(id) FROM organizations))");
    result.organizations = static_cast<std::size_t>(o.organizations);
  }

  const std::size_t total = static_cast<std::size_t>(o.organizations) * static_cast<std::size_t>(o.campaigns_per_org);
  if (total > 0) {
    const std::vector<std::string> columns{"id",       "organization_id", "name",      "description", "status",
                                           "enabled",  "deleted",         "budget",    "currency",    "channels",
                                           "starts_at", "ends_at",        "checksum",  "created_at",  "updated_at"};
    RawCopy campaigns(ads, "campaigns", columns);
    ads::CampaignGenerator generator(o.seed);
    std::int64_t id = 0;
    std::string line;
    for (int org = 1; org <= o.organizations; ++org) {
      for (int k = 0; k < o.campaigns_per_org; ++k) {
        const auto c = generator.next(++id, org);
        line.clear();
        line += std::to_string(c.id) + "\t" + std::to_string(c.organization_id) + "\t";
        append_copy_field(line, c.name);
        line += "\t";
        append_copy_field(line, c.description);
        line += "\t";
        line += ads::to_string(c.status);
        line += c.enabled ? "\tt\t" : "\tf\t";
        line += c.deleted ? "t\t" : "f\t";
        line += c.budget + "\t" + c.currency + "\t";
        append_copy_field(line, db::to_text_array(c.channels));
        line += "\t";
        append_copy_optional(line, c.starts_at);
        line += "\t";
        append_copy_optional(line, c.ends_at);
        line += "\t" + c.checksum + "\t" + c.created_at + "\t" + c.updated_at;
        campaigns.write_raw_line(line);
        result.deleted += c.deleted ? 1 : 0;
        if (o.progress && id % 10000 == 0) o.progress(static_cast<std::size_t>(id), total);
      }
    }
    campaigns.complete();
    ads.exec("SELECT setval(pg_get_serial_sequence('campaigns', 'id'), (SELECT max(id) FROM campaigns))");
    result.campaigns = total;
  }
  ads.exec("ANALYZE campaigns");
  // Two databases cannot commit atomically; campaigns first, so a failure
  // between the commits leaves campaigns whose organizations can be re-seeded.
  ads.commit();
  control.commit();
  if (o.progress) o.progress(total, total);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace promptsales::sales
#pragma GCC diagnostic pop
