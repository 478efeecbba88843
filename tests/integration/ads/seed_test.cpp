// sales::seed_demo_data on a migrated installation, configured the way the
// CLI does it (Config::load + set_flag("database_url", ...)).
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "promptsales/ads/campaign_generator.hpp"
#include "promptsales/ads/campaign_service.hpp"
#include "promptsales/ads/pg_campaign_repository.hpp"
#include "promptsales/common/config.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/organizations.hpp"
#include "promptsales/sales/databases.hpp"
#include "promptsales/sales/seed.hpp"
#include "test_env.hpp"

using namespace promptsales;
using promptsales::test::TestInstallation;

namespace {

std::optional<std::string> no_env(const char*) { return std::nullopt; }

Config config_for(const TestInstallation& installation) {
  auto config = Config::load("", no_env);
  config.set_flag("database_url", installation.control_url());
  return config;
}

struct Row {
  std::int64_t organization_id;
  std::string name;
  std::string checksum;
  bool deleted;
};

std::map<std::int64_t, Row> campaigns(const std::string& ads_url) {
  pqxx::connection c(ads_url);
  pqxx::nontransaction tx(c);
  std::map<std::int64_t, Row> out;
  for (const auto& r : tx.exec("SELECT id, organization_id, name, checksum, deleted FROM campaigns")) {
    out[r[0].as<std::int64_t>()] = Row{r[1].as<std::int64_t>(), r[2].as<std::string>(), r[3].as<std::string>(),
                                       r[4].as<bool>()};
  }
  return out;
}

long long scalar(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  return tx.exec(sql)[0][0].as<long long>();
}

template <typename E, typename Fn>
E expect_error(Fn&& fn) {
  try {
    fn();
  } catch (const E& e) {
    return e;
  }
  FAIL("expected exception not thrown");
  throw;
}

}  // namespace

TEST_CASE("seed: loads N*M deterministic campaigns, refuses a second run, replaces", "[ads][seed]") {
  TestInstallation installation;
  const auto config = config_for(installation);
  sales::Databases databases(config, 2);
  const auto ads_url = installation.ads_url();
  CHECK(databases.ads_url() == ads_url);

  {
    INFO("options are validated before anything is written");
    sales::SeedOptions bad;
    bad.organizations = 0;
    CHECK(expect_error<ValidationError>([&] { sales::seed_demo_data(databases, bad); }).field() == "organizations");
    bad.organizations = 1'000'001;
    CHECK_THROWS_AS(sales::seed_demo_data(databases, bad), ValidationError);
    bad.organizations = 1;
    bad.campaigns_per_org = -1;
    CHECK(expect_error<ValidationError>([&] { sales::seed_demo_data(databases, bad); }).field() ==
          "campaigns-per-org");
    bad.campaigns_per_org = 100'001;
    CHECK_THROWS_AS(sales::seed_demo_data(databases, bad), ValidationError);
    CHECK(scalar(installation.control_url(), "SELECT count(*) FROM organizations") == 0);
  }

  sales::SeedOptions options;
  options.organizations = 3;
  options.campaigns_per_org = 5;
  std::vector<std::pair<std::size_t, std::size_t>> progress;
  options.progress = [&](std::size_t done, std::size_t total) { progress.emplace_back(done, total); };
  const auto result = sales::seed_demo_data(databases, options);

  CHECK(result.organizations == 3);
  CHECK(result.campaigns == 15);
  CHECK(result.seconds >= 0);
  REQUIRE_FALSE(progress.empty());
  CHECK(progress.back() == std::make_pair(std::size_t{15}, std::size_t{15}));

  // Organizations 1..3 in the control database.
  CHECK(scalar(installation.control_url(), "SELECT count(*) FROM organizations") == 3);
  CHECK(scalar(installation.control_url(), "SELECT min(id) FROM organizations") == 1);
  CHECK(scalar(installation.control_url(), "SELECT max(id) FROM organizations") == 3);

  // Campaigns 1..15, five per organization, exactly what the generator makes.
  const auto rows = campaigns(ads_url);
  REQUIRE(rows.size() == 15);
  ads::CampaignGenerator generator(options.seed);
  std::size_t deleted = 0;
  std::int64_t id = 0;
  for (std::int64_t org = 1; org <= 3; ++org) {
    for (int k = 0; k < 5; ++k) {
      const auto expected = generator.next(++id, org);
      INFO("campaign " << id);
      REQUIRE(rows.count(id) == 1);
      CHECK(rows.at(id).organization_id == org);
      CHECK(rows.at(id).name == expected.name);
      CHECK(rows.at(id).checksum == expected.checksum);
      CHECK(rows.at(id).deleted == expected.deleted);
      deleted += expected.deleted ? 1 : 0;
    }
  }
  CHECK(result.deleted == deleted);

  {
    INFO("stored content matches its checksum; sequences moved past the seeded ids");
    db::PoolOptions o;
    o.url = ads_url;
    o.size = 1;
    o.on_connect = &ads::PgCampaignRepository::prepare_statements;
    db::Pool pool(o);
    ads::PgCampaignRepository repo(pool);
    for (std::int64_t i = 1; i <= 15; ++i) {
      const auto c = repo.find(i);
      REQUIRE(c.has_value());
      CHECK(c->checksum == ads::content_checksum(*c));
    }
    ads::CampaignService service(repo);
    ads::CampaignDraft d;
    d.organization_id = 1;
    d.name = "after seed";
    CHECK(service.create(d).id == 16);
    PgOrganizations organizations(databases.control());
    CHECK(organizations.create("After Seed Org", "ES").id == 4);
    CHECK(organizations.exists(2));
  }

  {
    INFO("a second run without replace is a Conflict and changes nothing");
    const auto e = expect_error<Conflict>([&] { sales::seed_demo_data(databases, options); });
    CHECK_THAT(e.what(), Catch::Contains("--replace"));
    CHECK(campaigns(ads_url).size() == 16);
    CHECK(scalar(installation.control_url(), "SELECT count(*) FROM organizations") == 4);
  }

  options.replace = true;
  options.organizations = 2;
  options.campaigns_per_org = 4;
  {
    INFO("replace wipes and reloads, with ids from 1 again");
    const auto r = sales::seed_demo_data(databases, options);
    CHECK(r.organizations == 2);
    CHECK(r.campaigns == 8);
    CHECK(scalar(installation.control_url(), "SELECT count(*) FROM organizations") == 2);
    const auto reloaded = campaigns(ads_url);
    REQUIRE(reloaded.size() == 8);
    CHECK(reloaded.begin()->first == 1);
    CHECK(reloaded.rbegin()->first == 8);
    // Same seed: the first organization's campaigns are those of the first run.
    for (std::int64_t i = 1; i <= 4; ++i) CHECK(reloaded.at(i).checksum == rows.at(i).checksum);

    // The same options again give identical data.
    sales::seed_demo_data(databases, options);
    const auto again = campaigns(ads_url);
    REQUIRE(again.size() == reloaded.size());
    for (const auto& [cid, row] : reloaded) CHECK(again.at(cid).checksum == row.checksum);
  }
  {
    INFO("a different seed gives different campaigns");
    options.seed = 7;
    sales::seed_demo_data(databases, options);
    const auto other = campaigns(ads_url);
    REQUIRE(other.size() == 8);
    int same = 0;
    for (const auto& [cid, row] : other) same += row.checksum == rows.at(cid).checksum ? 1 : 0;
    CHECK(same == 0);
  }
  {
    INFO("zero campaigns per organization is allowed");
    options.campaigns_per_org = 0;
    const auto r = sales::seed_demo_data(databases, options);
    CHECK(r.organizations == 2);
    CHECK(r.campaigns == 0);
    CHECK(scalar(ads_url, "SELECT count(*) FROM campaigns") == 0);
  }
  {
    INFO("one connection per database is enough (Databases fresh: ads URL not resolved yet)");
    auto one = config_for(installation);
    one.set_flag("db_pool_timeout_ms", "500");
    sales::Databases single(one, 1);
    options.campaigns_per_org = 2;
    try {
      const auto r = sales::seed_demo_data(single, options);
      CHECK(r.campaigns == 4);
    } catch (const std::exception& e) {
      FAIL_CHECK("seed with pool size 1 failed: " << e.what());
    }
  }
}

TEST_CASE("seed: Databases needs a migrated registry", "[ads][seed]") {
  // The server's maintenance database has no registry; it is only read.
  auto config = Config::load("", no_env);
  config.set_flag("database_url", test::admin_database_url());
  sales::Databases databases(config, 2);
  CHECK_THROWS(databases.ads_url());
  sales::SeedOptions o;
  o.organizations = 1;
  o.campaigns_per_org = 1;
  CHECK_THROWS(sales::seed_demo_data(databases, o));
}
