// CampaignService business rules against an in-memory CampaignRepository.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "promptsales/ads/campaign_service.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/time.hpp"

using namespace promptsales::ads;
using promptsales::Conflict;
using promptsales::NotFound;
using promptsales::ValidationError;

namespace {

/// Keeps campaigns in a map; `modify` stores nothing when `mutate` throws,
/// like a rolled-back transaction.
class FakeCampaignRepository final : public CampaignRepository {
 public:
  Campaign insert(const Campaign& c) override {
    ++inserts;
    Campaign stored = c;
    stored.id = next_id_++;
    stored.created_at = stored.updated_at = "2026-01-01T00:00:" + two_digits(stored.id % 60) + ".000Z";
    rows[stored.id] = stored;
    return stored;
  }
  std::optional<Campaign> find(std::int64_t id) override {
    ++finds;
    const auto it = rows.find(id);
    if (it == rows.end()) return std::nullopt;
    return it->second;
  }
  std::vector<Campaign> list(const CampaignFilter& f) override {
    ++lists;
    std::vector<Campaign> out;
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
      const auto& c = it->second;
      if (f.organization_id && c.organization_id != *f.organization_id) continue;
      if (f.enabled && c.enabled != *f.enabled) continue;
      if (!f.include_deleted && c.deleted) continue;
      out.push_back(c);
    }
    return out;
  }
  std::optional<Campaign> modify(std::int64_t id, const std::function<void(Campaign&)>& mutate) override {
    ++modifies;
    const auto it = rows.find(id);
    if (it == rows.end()) return std::nullopt;
    Campaign copy = it->second;
    mutate(copy);  // may throw: nothing stored
    copy.updated_at = "2026-06-01T00:00:00.000Z";
    it->second = copy;
    return copy;
  }

  std::map<std::int64_t, Campaign> rows;
  int inserts = 0, finds = 0, lists = 0, modifies = 0;

 private:
  static std::string two_digits(std::int64_t n) { return (n < 10 ? "0" : "") + std::to_string(n); }
  std::int64_t next_id_ = 1;
};

class FakeOrganizations final : public promptsales::OrganizationDirectory {
 public:
  explicit FakeOrganizations(std::set<std::int64_t> ids) : ids_(std::move(ids)) {}
  bool exists(std::int64_t id) override {
    asked.push_back(id);
    return ids_.count(id) == 1;
  }
  std::vector<std::int64_t> asked;

 private:
  std::set<std::int64_t> ids_;
};

struct Fixture {
  FakeCampaignRepository repo;
  std::vector<std::int64_t> changes;
  CampaignService service{repo, nullptr, [this](std::int64_t org) { changes.push_back(org); }};

  CampaignDraft draft(std::int64_t org = 7, const std::string& name = "Summer Sale") {
    CampaignDraft d;
    d.organization_id = org;
    d.name = name;
    return d;
  }
  /// A stored campaign in `status` (set directly: the service only lets some
  /// statuses be created).
  Campaign with_status(CampaignStatus status, std::int64_t org = 7) {
    auto c = service.create(draft(org));
    repo.rows[c.id].status = status;
    repo.rows[c.id].checksum = content_checksum(repo.rows[c.id]);
    changes.clear();
    return repo.rows[c.id];
  }
};

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

TEST_CASE_METHOD(Fixture, "service create: defaults", "[ads][service]") {
  const auto c = service.create(draft());
  CHECK(c.id > 0);
  CHECK(c.organization_id == 7);
  CHECK(c.name == "Summer Sale");
  CHECK(c.description.empty());
  CHECK(c.status == CampaignStatus::draft);
  CHECK(c.enabled);
  CHECK_FALSE(c.deleted);
  CHECK(c.budget == "0.00");
  CHECK(c.currency == "USD");
  CHECK(c.channels.empty());
  CHECK_FALSE(c.starts_at.has_value());
  CHECK_FALSE(c.ends_at.has_value());
  CHECK(c.checksum == content_checksum(c));
  CHECK(repo.rows.at(c.id).checksum == c.checksum);
  CHECK(changes == std::vector<std::int64_t>{7});
}

TEST_CASE_METHOD(Fixture, "service create: normalises every field", "[ads][service]") {
  auto d = draft(3, "  Rebajas de Verano  ");
  d.description = " Línea 1\nLínea 2 ";
  d.status = CampaignStatus::scheduled;
  d.enabled = false;
  d.budget = "1500.5";
  d.currency = "eur";
  d.channels = {"Facebook", "email"};
  d.starts_at = "2026-03-01T10:00:00+02:00";
  d.ends_at = "2026-03-31";
  const auto c = service.create(d);
  CHECK(c.name == "Rebajas de Verano");
  CHECK(c.description == "Línea 1\nLínea 2");
  CHECK(c.status == CampaignStatus::scheduled);
  CHECK_FALSE(c.enabled);
  CHECK(c.budget == "1500.50");
  CHECK(c.currency == "EUR");
  CHECK(c.channels == std::vector<std::string>{"facebook", "email"});
  CHECK(c.starts_at == "2026-03-01T08:00:00.000Z");
  CHECK(c.ends_at == "2026-03-31T00:00:00.000Z");
  CHECK(c.checksum == content_checksum(c));
}

TEST_CASE_METHOD(Fixture, "service create: invalid fields are named and nothing is stored", "[ads][service]") {
  struct Case {
    const char* field;
    void (*mutate)(CampaignDraft&);
  };
  const Case cases[] = {
      {"organizationId", [](CampaignDraft& d) { d.organization_id = 0; }},
      {"name", [](CampaignDraft& d) { d.name = " "; }},
      {"name", [](CampaignDraft& d) { d.name = std::string(61, 'n'); }},
      {"description", [](CampaignDraft& d) { d.description = std::string(201, 'd'); }},
      {"status", [](CampaignDraft& d) { d.status = CampaignStatus::paused; }},
      {"status", [](CampaignDraft& d) { d.status = CampaignStatus::ended; }},
      {"budget", [](CampaignDraft& d) { d.budget = "-1"; }},
      {"currency", [](CampaignDraft& d) { d.currency = "EURO"; }},
      {"channels", [](CampaignDraft& d) { d.channels = {"fax"}; }},
      {"startsAt", [](CampaignDraft& d) { d.starts_at = "2026-02-30"; }},
      {"endsAt", [](CampaignDraft& d) { d.ends_at = "soon"; }},
      {"endsAt",
       [](CampaignDraft& d) {
         d.starts_at = "2026-03-02";
         d.ends_at = "2026-03-01";
       }},
  };
  for (const auto& c : cases) {
    INFO("field " << c.field);
    auto d = draft();
    c.mutate(d);
    const auto e = expect_error<ValidationError>([&] { service.create(d); });
    CHECK(e.field() == c.field);
  }
  CHECK(repo.inserts == 0);
  CHECK(changes.empty());
}

TEST_CASE("service create: new campaigns may start draft, scheduled or active", "[ads][service]") {
  FakeCampaignRepository repo;
  CampaignService service(repo);  // no directory, no listener
  for (const auto s : {CampaignStatus::draft, CampaignStatus::scheduled, CampaignStatus::active}) {
    CampaignDraft d;
    d.organization_id = 1;
    d.name = "x";
    d.status = s;
    CHECK(service.create(d).status == s);
  }
}

TEST_CASE("service create: organization must exist in the directory", "[ads][service]") {
  FakeCampaignRepository repo;
  FakeOrganizations orgs({1, 2});
  std::vector<std::int64_t> changes;
  CampaignService service(repo, &orgs, [&](std::int64_t org) { changes.push_back(org); });
  CampaignDraft d;
  d.name = "x";
  d.organization_id = 2;
  CHECK_NOTHROW(service.create(d));
  d.organization_id = 3;
  const auto e = expect_error<ValidationError>([&] { service.create(d); });
  CHECK(e.field() == "organizationId");
  CHECK_THAT(e.what(), Catch::Contains("3"));
  CHECK(orgs.asked == std::vector<std::int64_t>{2, 3});
  CHECK(repo.inserts == 1);
  CHECK(changes == std::vector<std::int64_t>{2});
}

TEST_CASE_METHOD(Fixture, "service get: unknown and deleted campaigns are NotFound", "[ads][service]") {
  const auto c = service.create(draft());
  CHECK(service.get(c.id).name == "Summer Sale");
  const auto e = expect_error<NotFound>([&] { service.get(12345); });
  CHECK_THAT(e.what(), Catch::Contains("12345"));
  service.remove(c.id);
  CHECK_THROWS_AS(service.get(c.id), NotFound);
}

TEST_CASE_METHOD(Fixture, "service pause", "[ads][service][lifecycle]") {
  SECTION("active and scheduled can be paused") {
    for (const auto s : {CampaignStatus::active, CampaignStatus::scheduled}) {
      const auto c = with_status(s);
      const auto paused = service.pause(c.id);
      CHECK(paused.status == CampaignStatus::paused);
      CHECK(paused.checksum == content_checksum(paused));
      CHECK(paused.checksum != c.checksum);
      CHECK(repo.rows.at(c.id).status == CampaignStatus::paused);
      CHECK(changes == std::vector<std::int64_t>{7});
      changes.clear();
    }
  }
  SECTION("others are a Conflict naming the state; nothing changes") {
    for (const auto s : {CampaignStatus::draft, CampaignStatus::paused, CampaignStatus::ended}) {
      const auto c = with_status(s);
      const auto e = expect_error<Conflict>([&] { service.pause(c.id); });
      CHECK(std::string(e.what()) == "campaign " + std::to_string(c.id) + " is " + std::string(to_string(s)) +
                                         "; only active or scheduled campaigns can be paused");
      CHECK(repo.rows.at(c.id).status == s);
      CHECK(repo.rows.at(c.id).checksum == c.checksum);
    }
    CHECK(changes.empty());
  }
  SECTION("unknown id") {
    CHECK_THROWS_AS(service.pause(999), NotFound);
    CHECK(changes.empty());
  }
}

TEST_CASE_METHOD(Fixture, "service resume", "[ads][service][lifecycle]") {
  SECTION("paused becomes active") {
    const auto c = with_status(CampaignStatus::paused);
    CHECK(service.resume(c.id).status == CampaignStatus::active);
    CHECK(changes == std::vector<std::int64_t>{7});
  }
  SECTION("paused with a past start becomes active") {
    const auto c = with_status(CampaignStatus::paused);
    repo.rows[c.id].starts_at = "2020-01-01T00:00:00.000Z";
    CHECK(service.resume(c.id).status == CampaignStatus::active);
  }
  SECTION("paused with a future start becomes scheduled") {
    const auto c = with_status(CampaignStatus::paused);
    repo.rows[c.id].starts_at = "2999-01-01T00:00:00.000Z";
    const auto r = service.resume(c.id);
    CHECK(r.status == CampaignStatus::scheduled);
    CHECK(r.checksum == content_checksum(r));
  }
  SECTION("only paused can be resumed") {
    for (const auto s : {CampaignStatus::draft, CampaignStatus::scheduled, CampaignStatus::active,
                         CampaignStatus::ended}) {
      const auto c = with_status(s);
      const auto e = expect_error<Conflict>([&] { service.resume(c.id); });
      CHECK(std::string(e.what()) == "campaign " + std::to_string(c.id) + " is " + std::string(to_string(s)) +
                                         "; only paused campaigns can be resumed");
      CHECK(repo.rows.at(c.id).status == s);
    }
    CHECK(changes.empty());
  }
}

TEST_CASE_METHOD(Fixture, "service update: fields, checksum and listener", "[ads][service]") {
  const auto c = service.create(draft());
  changes.clear();
  CampaignPatch p;
  p.name = "  Winter Sale ";
  p.budget = "99.9";
  p.channels = std::vector<std::string>{"SMS"};
  p.enabled = false;
  const auto u = service.update(c.id, p);
  CHECK(u.name == "Winter Sale");
  CHECK(u.budget == "99.90");
  CHECK(u.channels == std::vector<std::string>{"sms"});
  CHECK_FALSE(u.enabled);
  CHECK(u.description == c.description);  // untouched
  CHECK(u.currency == c.currency);
  CHECK(u.checksum == content_checksum(u));
  CHECK(u.checksum != c.checksum);
  CHECK(changes == std::vector<std::int64_t>{7});
}

TEST_CASE_METHOD(Fixture, "service update: dates set, kept and cleared", "[ads][service]") {
  auto d = draft();
  d.starts_at = "2026-03-01";
  d.ends_at = "2026-04-01";
  const auto c = service.create(d);

  CampaignPatch keep;
  keep.name = "renamed";
  auto u = service.update(c.id, keep);
  CHECK(u.starts_at == "2026-03-01T00:00:00.000Z");
  CHECK(u.ends_at == "2026-04-01T00:00:00.000Z");

  CampaignPatch clear;
  clear.ends_at = std::optional<std::string>{};
  u = service.update(c.id, clear);
  CHECK(u.starts_at.has_value());
  CHECK_FALSE(u.ends_at.has_value());

  CampaignPatch set;
  set.starts_at = std::optional<std::string>{"2026-05-01T12:00:00-03:00"};
  u = service.update(c.id, set);
  CHECK(u.starts_at == "2026-05-01T15:00:00.000Z");

  SECTION("the stored start counts when only the end changes") {
    CampaignPatch bad;
    bad.ends_at = std::optional<std::string>{"2026-04-01"};
    const auto e = expect_error<ValidationError>([&] { service.update(c.id, bad); });
    CHECK(e.field() == "endsAt");
    CHECK_FALSE(repo.rows.at(c.id).ends_at.has_value());
  }
}

TEST_CASE_METHOD(Fixture, "service update: validation happens before touching the store", "[ads][service]") {
  const auto c = service.create(draft());
  changes.clear();
  const int before = repo.modifies;
  struct Case {
    const char* field;
    void (*mutate)(CampaignPatch&);
  };
  const Case cases[] = {
      {"name", [](CampaignPatch& p) { p.name = ""; }},
      {"description", [](CampaignPatch& p) { p.description = std::string(201, 'x'); }},
      {"budget", [](CampaignPatch& p) { p.budget = "1.234"; }},
      {"currency", [](CampaignPatch& p) { p.currency = "12"; }},
      {"channels", [](CampaignPatch& p) { p.channels = std::vector<std::string>{"web", "web"}; }},
      {"startsAt", [](CampaignPatch& p) { p.starts_at = std::optional<std::string>{"nope"}; }},
      {"endsAt", [](CampaignPatch& p) { p.ends_at = std::optional<std::string>{"2026-13-01"}; }},
  };
  for (const auto& k : cases) {
    INFO(k.field);
    CampaignPatch p;
    k.mutate(p);
    CHECK(expect_error<ValidationError>([&] { service.update(c.id, p); }).field() == k.field);
  }
  CHECK(repo.modifies == before);
  CHECK(changes.empty());

  SECTION("an empty patch is refused") {
    CHECK_THROWS_AS(service.update(c.id, CampaignPatch{}), ValidationError);
    CHECK(repo.modifies == before);
  }
}

TEST_CASE_METHOD(Fixture, "service update: forbidden transitions are Conflicts", "[ads][service][lifecycle]") {
  const auto c = with_status(CampaignStatus::draft);
  CampaignPatch p;
  p.status = CampaignStatus::paused;
  p.name = "should not stick";
  const auto e = expect_error<Conflict>([&] { service.update(c.id, p); });
  CHECK(std::string(e.what()) == "campaign " + std::to_string(c.id) + " is draft and cannot become paused");
  CHECK(repo.rows.at(c.id).name == "Summer Sale");
  CHECK(changes.empty());

  p.status = CampaignStatus::active;
  CHECK(service.update(c.id, p).status == CampaignStatus::active);
  CHECK(changes == std::vector<std::int64_t>{7});
}

TEST_CASE_METHOD(Fixture, "service update: an ended campaign can no longer be changed", "[ads][service][lifecycle]") {
  const auto c = with_status(CampaignStatus::ended);
  SECTION("plain field change") {
    CampaignPatch p;
    p.name = "new name";
    const auto e = expect_error<Conflict>([&] { service.update(c.id, p); });
    CHECK_THAT(e.what(), Catch::Contains("has ended"));
  }
  SECTION("re-opening") {
    CampaignPatch p;
    p.status = CampaignStatus::active;
    CHECK_THROWS_AS(service.update(c.id, p), Conflict);
  }
  SECTION("restating status=ended does not unlock the other fields") {
    CampaignPatch p;
    p.status = CampaignStatus::ended;
    p.name = "sneaky rename";
    p.budget = "1000000";
    CHECK_THROWS_AS(service.update(c.id, p), Conflict);
  }
  CHECK(repo.rows.at(c.id).name == "Summer Sale");
  CHECK(repo.rows.at(c.id).budget == "0.00");
  CHECK(changes.empty());
}

TEST_CASE_METHOD(Fixture, "service remove: soft delete", "[ads][service]") {
  const auto a = service.create(draft(7, "keep"));
  const auto b = service.create(draft(7, "drop"));
  changes.clear();

  const auto removed = service.remove(b.id);
  CHECK(removed.deleted);
  CHECK(removed.checksum == content_checksum(removed));
  CHECK(repo.rows.count(b.id) == 1);  // kept
  CHECK(changes == std::vector<std::int64_t>{7});

  CHECK_THROWS_AS(service.get(b.id), NotFound);
  CHECK_THROWS_AS(service.remove(b.id), NotFound);  // already deleted
  CHECK_THROWS_AS(service.update(b.id, [] {
                    CampaignPatch p;
                    p.name = "x";
                    return p;
                  }()),
                  NotFound);
  CHECK_THROWS_AS(service.pause(b.id), NotFound);
  CHECK(changes.size() == 1);

  CampaignFilter f;
  const auto visible = service.list(f);
  REQUIRE(visible.size() == 1);
  CHECK(visible[0].id == a.id);
  f.include_deleted = true;
  CHECK(service.list(f).size() == 2);
}

TEST_CASE_METHOD(Fixture, "service: NotFound for unknown ids on every operation", "[ads][service]") {
  CampaignPatch p;
  p.name = "x";
  CHECK_THROWS_AS(service.get(42), NotFound);
  CHECK_THROWS_AS(service.update(42, p), NotFound);
  CHECK_THROWS_AS(service.pause(42), NotFound);
  CHECK_THROWS_AS(service.resume(42), NotFound);
  CHECK_THROWS_AS(service.remove(42), NotFound);
  CHECK(changes.empty());
}

TEST_CASE_METHOD(Fixture, "service list: the filter is validated first", "[ads][service]") {
  CampaignFilter f;
  f.limit = 0;
  CHECK(expect_error<ValidationError>([&] { service.list(f); }).field() == "limit");
  CHECK(repo.lists == 0);
  f.limit = 20;
  f.organization_id = 7;
  service.create(draft(7));
  service.create(draft(8));
  const auto only7 = service.list(f);
  REQUIRE(only7.size() == 1);
  CHECK(only7[0].organization_id == 7);
  CHECK(repo.lists == 1);
}

TEST_CASE_METHOD(Fixture, "service: the listener hears every write with its organization", "[ads][service]") {
  const auto a = service.create(draft(11));
  const auto b = service.create(draft(22));
  CampaignPatch p;
  p.status = CampaignStatus::active;
  service.update(a.id, p);
  service.pause(a.id);
  service.resume(a.id);
  service.remove(b.id);
  CHECK(changes == std::vector<std::int64_t>{11, 22, 11, 11, 11, 22});

  // Reads and failures are silent.
  service.get(a.id);
  service.list(CampaignFilter{});
  CHECK_THROWS(service.resume(a.id));
  CHECK_THROWS(service.remove(b.id));
  CHECK_THROWS(service.create(draft(0)));
  CHECK(changes.size() == 6);
}

TEST_CASE_METHOD(Fixture, "service tenancy: a confined caller never reaches another organization", "[ads][service]") {
  const auto mine = with_status(CampaignStatus::active, 7);
  const auto theirs = with_status(CampaignStatus::active, 8);
  const auto own = promptsales::Tenancy::only(7);
  const auto before = repo.rows.at(theirs.id);

  CHECK(service.get(mine.id, own).id == mine.id);
  expect_error<promptsales::NotFound>([&] { service.get(theirs.id, own); });
  CampaignPatch rename;
  rename.name = "x";
  expect_error<promptsales::NotFound>([&] { service.update(theirs.id, rename, own); });
  expect_error<promptsales::NotFound>([&] { service.pause(theirs.id, own); });
  expect_error<promptsales::NotFound>([&] { service.resume(theirs.id, own); });
  expect_error<promptsales::NotFound>([&] { service.remove(theirs.id, own); });
  CHECK(repo.rows.at(theirs.id).name == before.name);
  CHECK(repo.rows.at(theirs.id).status == before.status);
  CHECK_FALSE(repo.rows.at(theirs.id).deleted);
  CHECK(changes.empty());

  // Lists: confined to the caller's organization; naming another is refused.
  CampaignFilter any;
  for (const auto& c : service.list(any, own)) CHECK(c.organization_id == 7);
  CampaignFilter other;
  other.organization_id = 8;
  expect_error<promptsales::Forbidden>([&] { service.list(other, own); });

  // Creation: the caller's organization by default, never another.
  CHECK(service.create(draft(0), own).organization_id == 7);
  expect_error<promptsales::Forbidden>([&] { service.create(draft(8), own); });
  const auto e = expect_error<promptsales::ValidationError>([&] { service.create(draft(0)); });
  CHECK(e.field() == "organizationId");

  // Operators (Tenancy::all) reach everything.
  CHECK(service.get(theirs.id, promptsales::Tenancy::all()).id == theirs.id);
}
