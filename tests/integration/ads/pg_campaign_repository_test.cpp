// PgCampaignRepository + CampaignService on a migrated installation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <pqxx/pqxx>

#include "promptsales/ads/campaign_service.hpp"
#include "promptsales/ads/pg_campaign_repository.hpp"
#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/time.hpp"
#include "ads_database.hpp"
#include "test_env.hpp"

using namespace promptsales;
using namespace promptsales::ads;
using promptsales::test::AdsDatabase;
using promptsales::test::TestInstallation;

namespace {

/// Pool, repository and service on the campaigns database at `url`.
struct Campaigns {
  explicit Campaigns(std::string ads_url) : url(std::move(ads_url)) {}

  std::string url;
  db::Pool pool{[this] {
    db::PoolOptions o;
    o.url = url;
    o.size = 4;
    o.on_connect = &PgCampaignRepository::prepare_statements;
    return o;
  }()};
  PgCampaignRepository repo{pool};
  std::vector<std::int64_t> changes;
  std::mutex changes_mutex;
  CampaignService service{repo, nullptr, [this](std::int64_t org) {
                            std::lock_guard lock(changes_mutex);
                            changes.push_back(org);
                          }};

  Campaign create(std::int64_t org, const std::string& name, const std::string& description = {},
                  bool enabled = true) {
    CampaignDraft d;
    d.organization_id = org;
    d.name = name;
    d.description = description;
    d.enabled = enabled;
    return service.create(d);
  }

  void exec(const std::string& sql) const {
    pqxx::connection c(url);
    pqxx::work tx(c);
    tx.exec(sql);
    tx.commit();
  }
  long long scalar(const std::string& sql) const {
    pqxx::connection c(url);
    pqxx::nontransaction tx(c);
    return tx.exec(sql)[0][0].as<long long>();
  }
};

/// A full installation (control + registry + ads): the registry says where
/// the campaigns live.
struct InstallationHolder {
  TestInstallation installation;
};
struct OnInstallation : InstallationHolder, Campaigns {
  OnInstallation() : Campaigns(installation.ads_url()) {}
};

/// Only the campaigns schema: cheaper, for tests about the repository alone.
struct AdsDatabaseHolder {
  AdsDatabase database;
};
struct OnAdsDatabase : AdsDatabaseHolder, Campaigns {
  OnAdsDatabase() : Campaigns(database.url()) {}
};

std::vector<std::int64_t> ids(const std::vector<Campaign>& cs) {
  std::vector<std::int64_t> out;
  for (const auto& c : cs) out.push_back(c.id);
  return out;
}

std::vector<std::string> names(const std::vector<Campaign>& cs) {
  std::vector<std::string> out;
  for (const auto& c : cs) out.push_back(c.name);
  std::sort(out.begin(), out.end());
  return out;
}

CampaignFilter filter(int limit = 100) {
  CampaignFilter f;
  f.limit = limit;
  return f;
}

}  // namespace

TEST_CASE_METHOD(OnInstallation, "pg campaigns: full life cycle is persisted", "[ads][pg]") {
  CampaignDraft d;
  d.organization_id = 7;
  d.name = "  Navidad \"Mágica\" \\ 🎄 ";
  d.description = "Línea 1\nLínea 2\t'quoted'";
  d.status = CampaignStatus::active;
  d.budget = "1500.5";
  d.currency = "eur";
  d.channels = {"Facebook", "whatsapp", "google_ads"};
  d.starts_at = "2026-03-01T10:00:00.123+02:00";
  d.ends_at = "2026-04-01";
  const auto created = service.create(d);

  CHECK(created.id > 0);
  CHECK(created.name == "Navidad \"Mágica\" \\ 🎄");
  CHECK(created.budget == "1500.50");
  CHECK(created.currency == "EUR");
  CHECK(created.channels == std::vector<std::string>{"facebook", "whatsapp", "google_ads"});
  CHECK(created.starts_at == "2026-03-01T08:00:00.123Z");
  CHECK(created.ends_at == "2026-04-01T00:00:00.000Z");
  CHECK(normalize_iso8601(created.created_at) == created.created_at);
  CHECK(created.updated_at == created.created_at);
  CHECK(created.checksum == content_checksum(created));
  CHECK(changes == std::vector<std::int64_t>{7});

  // Read back through a separate pool: it is really stored.
  db::PoolOptions o;
  o.url = url;
  o.size = 1;
  o.on_connect = &PgCampaignRepository::prepare_statements;
  db::Pool other_pool(o);
  PgCampaignRepository other(other_pool);
  const auto found = other.find(created.id);
  REQUIRE(found.has_value());
  CHECK(found->organization_id == 7);
  CHECK(found->name == created.name);
  CHECK(found->description == d.description);
  CHECK(found->status == CampaignStatus::active);
  CHECK(found->enabled);
  CHECK_FALSE(found->deleted);
  CHECK(found->budget == "1500.50");
  CHECK(found->currency == "EUR");
  CHECK(found->channels == created.channels);
  CHECK(found->starts_at == created.starts_at);
  CHECK(found->ends_at == created.ends_at);
  CHECK(found->checksum == created.checksum);
  CHECK(found->created_at == created.created_at);
  CHECK(scalar("SELECT count(*) FROM campaigns WHERE checksum = '" + created.checksum + "'") == 1);

  // Update: checksum and updated_at follow the content.
  CampaignPatch p;
  p.name = "Winter";
  p.ends_at = std::optional<std::string>{};
  p.channels = std::vector<std::string>{};
  const auto updated = service.update(created.id, p);
  CHECK(updated.name == "Winter");
  CHECK_FALSE(updated.ends_at.has_value());
  CHECK(updated.channels.empty());
  CHECK(updated.checksum != created.checksum);
  CHECK(updated.checksum == content_checksum(updated));
  CHECK(updated.updated_at > created.updated_at);
  CHECK(updated.created_at == created.created_at);
  const auto reread = other.find(created.id);
  REQUIRE(reread.has_value());
  CHECK(reread->name == "Winter");
  CHECK(reread->checksum == updated.checksum);
  CHECK(reread->checksum == content_checksum(*reread));

  // Pause / resume.
  CHECK(service.pause(created.id).status == CampaignStatus::paused);
  CHECK(other.find(created.id)->status == CampaignStatus::paused);
  CHECK_THROWS_AS(service.pause(created.id), Conflict);
  CHECK(service.resume(created.id).status == CampaignStatus::active);
  CHECK(other.find(created.id)->status == CampaignStatus::active);

  // Soft delete.
  const auto removed = service.remove(created.id);
  CHECK(removed.deleted);
  CHECK_THROWS_AS(service.get(created.id), NotFound);
  const auto still = other.find(created.id);
  REQUIRE(still.has_value());
  CHECK(still->deleted);
  CHECK(still->checksum == content_checksum(*still));
  CHECK(service.list(filter()).empty());
  auto with_deleted = filter();
  with_deleted.include_deleted = true;
  CHECK(ids(service.list(with_deleted)) == std::vector<std::int64_t>{created.id});
  CHECK_THROWS_AS(service.remove(created.id), NotFound);

  CHECK(changes == std::vector<std::int64_t>{7, 7, 7, 7, 7});
  CHECK_THROWS_AS(service.get(987654), NotFound);
  CHECK_FALSE(repo.find(987654).has_value());
}

TEST_CASE_METHOD(OnAdsDatabase, "pg campaigns: list filters, paging and order", "[ads][pg]") {
  const auto a = create(1, "Summer Sale", "beach things");
  const auto b = create(1, "Winter Coats", "warm SUMMER memories");
  const auto c = create(2, "Spring", "flowers", false);
  const auto d = create(2, "summer camp");
  const auto e = create(1, "Autumn", "leaves", false);
  const auto gone = create(1, "Deleted summer");
  service.remove(gone.id);

  // Default: newest first, deleted hidden.
  CHECK(ids(service.list(filter())) == std::vector<std::int64_t>{e.id, d.id, c.id, b.id, a.id});
  {
    INFO("organizationId");
    auto f = filter();
    f.organization_id = 2;
    CHECK(ids(service.list(f)) == std::vector<std::int64_t>{d.id, c.id});
    f.organization_id = 99;
    CHECK(service.list(f).empty());
  }
  {
    INFO("enabled");
    auto f = filter();
    f.enabled = false;
    CHECK(ids(service.list(f)) == std::vector<std::int64_t>{e.id, c.id});
    f.enabled = true;
    CHECK(ids(service.list(f)) == std::vector<std::int64_t>{d.id, b.id, a.id});
  }
  {
    INFO("search: case-insensitive, in name or description");
    auto f = filter();
    f.search = "sUmMeR";
    CHECK(ids(service.list(f)) == std::vector<std::int64_t>{d.id, b.id, a.id});
    f.search = "LEAVES";
    CHECK(ids(service.list(f)) == std::vector<std::int64_t>{e.id});
    f.search = "nothing matches this";
    CHECK(service.list(f).empty());
  }
  {
    INFO("includeDeleted");
    auto f = filter();
    f.include_deleted = true;
    CHECK(ids(service.list(f)) == std::vector<std::int64_t>{gone.id, e.id, d.id, c.id, b.id, a.id});
    f.search = "summer";
    f.organization_id = 1;
    CHECK(ids(service.list(f)) == std::vector<std::int64_t>{gone.id, b.id, a.id});
  }
  {
    INFO("all filters together");
    auto f = filter();
    f.organization_id = 1;
    f.enabled = true;
    f.search = "summer";
    CHECK(ids(service.list(f)) == std::vector<std::int64_t>{b.id, a.id});
  }
  {
    INFO("limit and offset page through without gaps or repeats");
    std::vector<std::int64_t> seen;
    for (int offset = 0; offset < 10; offset += 2) {
      auto f = filter(2);
      f.offset = offset;
      const auto page = service.list(f);
      CHECK(page.size() <= 2);
      for (const auto& x : page) seen.push_back(x.id);
    }
    CHECK(seen == std::vector<std::int64_t>{e.id, d.id, c.id, b.id, a.id});
    auto f = filter(1);
    f.offset = 4;
    CHECK(ids(service.list(f)) == std::vector<std::int64_t>{a.id});
    f.offset = 5;
    CHECK(service.list(f).empty());
  }
  {
    INFO("invalid filters are refused");
    auto f = filter();
    f.limit = 101;
    CHECK_THROWS_AS(service.list(f), ValidationError);
  }
  {
    INFO("ties on createdAt are broken by id, descending");
    exec("UPDATE campaigns SET created_at = '2025-01-01T00:00:00Z'");
    exec("UPDATE campaigns SET created_at = '2025-06-01T00:00:00Z' WHERE id = " + std::to_string(a.id));
    CHECK(ids(service.list(filter())) == std::vector<std::int64_t>{a.id, e.id, d.id, c.id, b.id});
    auto f = filter();
    f.organization_id = 1;
    f.include_deleted = true;
    CHECK(ids(service.list(f)) == std::vector<std::int64_t>{a.id, gone.id, e.id, b.id});
  }
}

TEST_CASE_METHOD(OnAdsDatabase, "pg campaigns: search treats percent underscore and backslash literally and injection is harmless",
                 "[ads][pg]") {
  create(1, "50% off everything");
  create(1, "500 off");
  create(1, "snake_case sale");
  create(1, "snakeXcase sale");
  create(1, "back\\slash");
  create(1, "backslash");
  create(1, "O'Brien's pub", "it's \"quoted\"");
  const auto total = scalar("SELECT count(*) FROM campaigns");

  const auto search = [&](const std::string& s) {
    auto f = filter();
    f.search = s;
    return names(service.list(f));
  };
  CHECK(search("50%") == std::vector<std::string>{"50% off everything"});
  CHECK(search("%") == std::vector<std::string>{"50% off everything"});
  CHECK(search("e_c") == std::vector<std::string>{"snake_case sale"});
  CHECK(search("_") == std::vector<std::string>{"snake_case sale"});
  CHECK(search("\\") == std::vector<std::string>{"back\\slash"});
  CHECK(search("k\\s") == std::vector<std::string>{"back\\slash"});
  CHECK(search("'") == std::vector<std::string>{"O'Brien's pub"});
  CHECK(search("\"quoted\"") == std::vector<std::string>{"O'Brien's pub"});
  CHECK(search("SNAKE") == std::vector<std::string>{"snakeXcase sale", "snake_case sale"});

  for (const char* attack : {"'; DROP TABLE campaigns; --", "' OR '1'='1", "%' OR 1=1 --",
                             "\\'; DELETE FROM campaigns; --", "$1", "?", "');TRUNCATE campaigns;--"}) {
    INFO(attack);
    CHECK(search(attack).empty());
  }
  CHECK(scalar("SELECT count(*) FROM campaigns") == total);
}

TEST_CASE_METHOD(OnAdsDatabase, "pg campaigns: concurrent writes serialise on the row", "[ads][pg][concurrency]") {
  {
    INFO("four concurrent pauses: exactly one wins");
    CampaignDraft d;
    d.organization_id = 3;
    d.name = "contended";
    d.status = CampaignStatus::active;
    const auto c = service.create(d);
    changes.clear();

    std::atomic<int> paused{0}, conflicts{0}, other{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&] {
        try {
          service.pause(c.id);
          ++paused;
        } catch (const Conflict&) {
          ++conflicts;
        } catch (...) {
          ++other;
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK(paused == 1);
    CHECK(conflicts == 3);
    CHECK(other == 0);
    CHECK(changes.size() == 1);
    CHECK(service.get(c.id).status == CampaignStatus::paused);
  }
  {
    INFO("concurrent updates of different fields: none lost, checksum consistent");
    const auto c = create(5, "start");
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int i = 0; i < 4; ++i) {
      threads.emplace_back([&, i] {
        for (int k = 0; k < 5; ++k) {
          CampaignPatch p;
          if (i % 2 == 0) {
            p.name = "writer " + std::to_string(i) + "." + std::to_string(k);
          } else {
            p.currency = i == 1 ? "EUR" : "MXN";
            p.budget = std::to_string(i * 100 + k);
          }
          try {
            service.update(c.id, p);
          } catch (...) {
            ++failures;
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK(failures == 0);
    const auto final_state = service.get(c.id);
    CHECK(final_state.checksum == content_checksum(final_state));
    CHECK_THAT(final_state.name, Catch::StartsWith("writer "));
    CHECK(final_state.budget != "0.00");  // the name writers did not undo the budget writers
  }
}

TEST_CASE_METHOD(OnAdsDatabase, "pg campaigns: rejected writes change nothing", "[ads][pg]") {
  {
    INFO("the database rejects what validation would");
    Campaign bad;
    bad.organization_id = 1;
    bad.name = "x";
    bad.budget = "-5.00";
    bad.checksum = std::string(64, '0');
    try {
      repo.insert(bad);
      FAIL("negative budget stored");
    } catch (const ValidationError& e) {
      CHECK_THAT(e.what(), Catch::Contains("rejected by the database"));
    }
    bad.budget = "1.00";
    bad.name = std::string(61, 'n');
    CHECK_THROWS_AS(repo.insert(bad), ValidationError);
    bad.name = "x";
    bad.currency = "usd";
    CHECK_THROWS_AS(repo.insert(bad), ValidationError);
    CHECK(scalar("SELECT count(*) FROM campaigns") == 0);
  }
  {
    INFO("a failed mutation leaves the row unchanged; the pool survives");
    const auto c = create(1, "original");
    CHECK_THROWS_AS(repo.modify(c.id,
                                [](Campaign& x) {
                                  x.name = "changed";
                                  throw Conflict("abort");
                                }),
                    Conflict);
    CHECK(service.get(c.id).name == "original");
    CHECK_FALSE(repo.modify(424242, [](Campaign&) {}).has_value());
    CampaignPatch p;
    p.ends_at = std::optional<std::string>{"2026-01-01"};
    p.starts_at = std::optional<std::string>{"2026-02-01"};
    CHECK_THROWS_AS(service.update(c.id, p), ValidationError);
    const auto after = service.get(c.id);
    CHECK_FALSE(after.starts_at.has_value());
    CHECK(after.checksum == c.checksum);
    CHECK(create(1, "fine").id > c.id);
  }
}
