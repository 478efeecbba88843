// Audiences against real leads in the PromptCrm database: estimates count
// what segmentation materialises, membership follows the leads, and one
// organization's audiences never see another's leads.

#include <algorithm>
#include <random>
#include <set>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/registry.hpp"
#include "promptsales/sales/audience_service.hpp"
#include "test_env.hpp"

using namespace promptsales;
using namespace promptsales::test;

namespace {

std::unique_ptr<db::Pool> pool_for(const std::string& url) {
  db::PoolOptions o;
  o.url = url;
  o.size = 2;
  return std::make_unique<db::Pool>(std::move(o));
}

std::string crm_url_of(const TestInstallation& inst) {
  pqxx::connection c(inst.control_url());
  return SubcompanyRegistry(inst.control_url()).locate(c, "crm").url;
}

struct Installation {
  TestInstallation inst;
  std::string crm_url = crm_url_of(inst);
  std::unique_ptr<db::Pool> ads = pool_for(inst.ads_url());
  std::unique_ptr<db::Pool> crm = pool_for(crm_url);
  sales::AudienceService audiences{*ads, *crm};

  void exec(const std::string& sql) {
    pqxx::connection c(crm_url);
    pqxx::work tx(c);
    tx.exec(sql);
    tx.commit();
  }
  /// `n` leads of `org` with attributes spread deterministically over a
  /// small domain, so every rule matches some and misses others. Personal
  /// columns hold placeholders: segmentation never reads them.
  void add_leads(int org, int n, int seed) {
    exec("INSERT INTO leads (organization_id, email_encrypted, email_hash, key_id, country, interests, birth_date, "
         "age, score, status, source) "
         "SELECT " + std::to_string(org) + ", '\\x00'::bytea, sha256(('" + std::to_string(org) + "-" +
         std::to_string(seed) + "-' || g)::text::bytea), '0000000000000000', "
         "(ARRAY['ES','MX','AR','US',NULL])[1 + (g * 7 + " + std::to_string(seed) + ") % 5], "
         "CASE (g * 3) % 4 WHEN 0 THEN ARRAY['running'] WHEN 1 THEN ARRAY['yoga','running'] WHEN 2 THEN ARRAY['cine'] "
         "ELSE ARRAY[]::text[] END, "
         "CASE WHEN g % 3 = 0 THEN (current_date - ((15 + g % 60) * 365 + 40) * interval '1 day')::date END, "
         "CASE WHEN g % 3 = 1 THEN (14 + g % 70) END, (g * 13) % 101, "
         "(ARRAY['new','contacted','qualified','converted','lost'])[1 + (g * 11) % 5], "
         "(ARRAY['web','facebook','referral',NULL])[1 + (g * 5) % 4] "
         "FROM generate_series(1, " + std::to_string(n) + ") g");
  }
};

struct LeadRow {
  std::int64_t id, org;
  std::optional<std::string> country, status, source;
  std::vector<std::string> interests;
  std::optional<int> age;
  int score;
  bool forgotten;
};

std::vector<LeadRow> all_leads(const std::string& crm_url) {
  pqxx::connection c(crm_url);
  pqxx::nontransaction tx(c);
  std::vector<LeadRow> out;
  // The age expression is the one the predicate uses; the test below pins it
  // on known dates.
  for (const auto& r : tx.exec("SELECT id, organization_id, country, status, source, array_to_string(interests, ','), "
                               "COALESCE(date_part('year', age(current_date, birth_date))::int, age::int), score, "
                               "forgotten_at IS NOT NULL FROM leads")) {
    LeadRow l{r[0].as<std::int64_t>(), r[1].as<std::int64_t>(), {}, {}, {}, {}, {}, r[7].as<int>(), r[8].as<bool>()};
    if (!r[2].is_null()) l.country = std::string(r[2].c_str());
    if (!r[3].is_null()) l.status = r[3].c_str();
    if (!r[4].is_null()) l.source = r[4].c_str();
    std::string interests = r[5].c_str();
    for (std::size_t start = 0; !interests.empty() && start <= interests.size();) {
      const auto comma = interests.find(',', start);
      l.interests.push_back(interests.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (!r[6].is_null()) l.age = r[6].as<int>();
    out.push_back(std::move(l));
  }
  return out;
}

template <class T>
bool in(const std::vector<T>& list, const std::optional<T>& v) {
  return list.empty() || (v && std::find(list.begin(), list.end(), *v) != list.end());
}

/// An independent reading of the rules, to check the SQL against.
bool matches(const LeadRow& l, std::int64_t org, const ads::AudienceRules& r) {
  if (l.org != org || l.forgotten) return false;
  if (!in(r.countries, l.country) || !in(r.statuses, l.status) || !in(r.sources, l.source)) return false;
  if (!r.interests.empty() && std::none_of(l.interests.begin(), l.interests.end(), [&](const std::string& i) {
        return std::find(r.interests.begin(), r.interests.end(), i) != r.interests.end();
      }))
    return false;
  if ((r.min_age || r.max_age) && !l.age) return false;
  if (r.min_age && *l.age < *r.min_age) return false;
  if (r.max_age && *l.age > *r.max_age) return false;
  if (r.min_score && l.score < *r.min_score) return false;
  if (r.max_score && l.score > *r.max_score) return false;
  return true;
}

ads::AudienceRules random_rules(std::mt19937& rng) {
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  ads::AudienceRules r;
  const std::vector<std::string> countries{"ES", "MX", "AR", "US", "FR"};
  const std::vector<std::string> interests{"running", "yoga", "cine", "golf"};
  const std::vector<std::string> statuses{"new", "contacted", "qualified", "converted", "lost"};
  const std::vector<std::string> sources{"web", "facebook", "referral"};
  for (int i = pick(3); i > 0; --i) r.countries.push_back(countries[pick(5)]);
  for (int i = pick(3); i > 0; --i) r.interests.push_back(interests[pick(4)]);
  for (int i = pick(3); i > 0; --i) r.statuses.push_back(statuses[pick(5)]);
  for (int i = pick(2); i > 0; --i) r.sources.push_back(sources[pick(3)]);
  if (pick(2)) r.min_age = 14 + pick(40);
  if (pick(2)) r.max_age = r.min_age.value_or(14) + pick(50);
  if (pick(2)) r.min_score = pick(60);
  if (pick(2)) r.max_score = r.min_score.value_or(0) + pick(60);
  return ads::validate_rules(r);
}

}  // namespace

TEST_CASE("estimates and segmentation agree with an independent reading of the rules", "[segments]") {
  Installation i;
  i.add_leads(1, 600, 1);
  i.add_leads(2, 300, 2);
  i.exec("UPDATE leads SET forgotten_at = now(), email_encrypted = NULL WHERE id % 17 = 0");
  const auto leads = all_leads(i.crm_url);

  std::mt19937 rng(20261128);
  std::vector<std::pair<ads::Audience, std::int64_t>> expected;
  for (int n = 0; n < 25; ++n) {
    const auto rules = random_rules(rng);
    const std::int64_t org = 1 + n % 2;
    const auto want = std::count_if(leads.begin(), leads.end(), [&](const LeadRow& l) { return matches(l, org, rules); });
    INFO("rules " << ads::rules_to_json(rules) << " of organization " << org);
    CHECK(i.audiences.estimate(org, rules, Tenancy::all()) == want);
    ads::AudienceDraft d;
    d.organization_id = org;
    d.name = "audience " + std::to_string(n);
    d.rules = rules;
    expected.emplace_back(i.audiences.create(d, Tenancy::all()), want);
  }
  const auto report = i.audiences.segment(std::nullopt);
  CHECK(report.audiences == 25);
  CHECK(report.failed == 0);
  for (const auto& [audience, want] : expected) {
    const auto stored = i.audiences.get(audience.id, Tenancy::all());
    REQUIRE(stored.size);
    CHECK(*stored.size == want);
    const auto members = i.audiences.members(audience.id, Tenancy::all(), 100000, 0);
    CHECK(static_cast<std::int64_t>(members.size()) == want);
    for (auto id : members) {
      const auto it = std::find_if(leads.begin(), leads.end(), [&](const LeadRow& l) { return l.id == id; });
      REQUIRE(it != leads.end());
      CHECK(matches(*it, audience.organization_id, audience.rules));
    }
  }
}

TEST_CASE("age comes from the birth date first, then the stated age", "[segments]") {
  Installation i;
  i.exec("INSERT INTO leads (organization_id, email_encrypted, email_hash, key_id, birth_date, age) VALUES "
         "(1, '\\x00', sha256('a'), '0000000000000000', current_date - interval '30 years', 60), "  // 30, not 60
         "(1, '\\x00', sha256('b'), '0000000000000000', current_date - interval '30 years' + interval '1 day', NULL), "
         "(1, '\\x00', sha256('c'), '0000000000000000', NULL, 45), "
         "(1, '\\x00', sha256('d'), '0000000000000000', NULL, NULL)");
  auto count = [&](std::optional<int> min, std::optional<int> max) {
    ads::AudienceRules r;
    r.min_age = min;
    r.max_age = max;
    return i.audiences.estimate(1, r, Tenancy::all());
  };
  CHECK(count(30, 30) == 1);    // turned 30 today
  CHECK(count(29, 29) == 1);    // turns 30 tomorrow
  CHECK(count(40, 50) == 1);    // the stated 45
  CHECK(count(50, std::nullopt) == 0);  // a birth date beats the stated 60
  CHECK(count(0, 130) == 3);    // no age at all never matches an age rule
  CHECK(i.audiences.estimate(1, {}, Tenancy::all()) == 4);
}

TEST_CASE("segmentation follows the leads and keeps each audience's size history", "[segments]") {
  Installation i;
  i.add_leads(1, 200, 3);
  ads::AudienceDraft d;
  d.organization_id = 1;
  d.name = "Spain";
  d.rules.countries = {"ES"};
  const auto spain = i.audiences.create(d, Tenancy::all());
  d.name = "to delete";
  const auto doomed = i.audiences.create(d, Tenancy::all());

  const auto first = i.audiences.segment(std::nullopt);
  const auto before = *i.audiences.get(spain.id, Tenancy::all()).size;
  REQUIRE(before > 0);

  i.exec("UPDATE leads SET country = 'ES' WHERE country = 'MX'");
  i.exec("UPDATE leads SET forgotten_at = now(), email_encrypted = NULL WHERE id IN "
         "(SELECT id FROM leads WHERE country = 'ES' ORDER BY id LIMIT 5)");
  i.audiences.remove(doomed.id, Tenancy::all());
  const auto second = i.audiences.segment(std::nullopt);
  CHECK(second.computed_at != first.computed_at);
  const auto after = *i.audiences.get(spain.id, Tenancy::all()).size;
  CHECK(after == i.audiences.estimate(1, d.rules, Tenancy::all()));
  CHECK(after > before);

  const auto history = i.audiences.history(spain.id, Tenancy::all(), 10);
  REQUIRE(history.size() == 2);
  CHECK(history[0].size == after);  // newest first
  CHECK(history[1].size == before);
  // The deleted audience's membership is gone.
  pqxx::connection c(i.crm_url);
  pqxx::nontransaction tx(c);
  CHECK(tx.exec_params1("SELECT count(*) FROM audience_members WHERE audience_id = $1", doomed.id)[0].as<int>() == 0);
  CHECK(second.stale_memberships_removed == before);
}

TEST_CASE("an organization's audiences never reach another's leads or audiences", "[segments][security]") {
  Installation i;
  i.add_leads(1, 100, 4);
  i.add_leads(2, 100, 4);  // the same attributes in both
  ads::AudienceDraft d;
  d.organization_id = 2;
  d.name = "theirs";
  const auto theirs = i.audiences.create(d, Tenancy::all());
  const auto org1 = Tenancy::only(1);

  CHECK(i.audiences.estimate(0, {}, org1) == 100);  // confined: its own leads only
  CHECK_THROWS_AS(i.audiences.estimate(2, {}, org1), Forbidden);
  CHECK_THROWS_AS(i.audiences.get(theirs.id, org1), NotFound);
  CHECK_THROWS_AS(i.audiences.members(theirs.id, org1, 10, 0), NotFound);
  CHECK_THROWS_AS(i.audiences.history(theirs.id, org1, 10), NotFound);
  CHECK_THROWS_AS(i.audiences.remove(theirs.id, org1), NotFound);
  CHECK(i.audiences.list(std::nullopt, org1).empty());
  d.organization_id = 2;
  CHECK_THROWS_AS(i.audiences.create(d, org1), Forbidden);
  CHECK(i.audiences.get(theirs.id, Tenancy::all()).name == "theirs");  // unchanged

  d.organization_id = 1;
  d.name = "mine";
  const auto mine = i.audiences.create(d, org1);
  i.audiences.segment(std::nullopt);
  pqxx::connection c(i.crm_url);
  pqxx::nontransaction tx(c);
  CHECK(tx.exec_params1("SELECT count(*) FROM audience_members m JOIN leads l ON l.id = m.lead_id "
                        "WHERE m.audience_id = $1 AND l.organization_id <> 1",
                        mine.id)[0]
            .as<int>() == 0);
}

TEST_CASE("audience rules with an unknown lead status are refused before anything is stored", "[segments]") {
  Installation i;
  ads::AudienceDraft d;
  d.organization_id = 1;
  d.name = "typo";
  d.rules.statuses = {"qualifed"};
  try {
    i.audiences.create(d, Tenancy::all());
    FAIL("created");
  } catch (const ValidationError& e) {
    CHECK(e.field() == "rules.statuses");
    CHECK(std::string(e.what()).find("qualifed") != std::string::npos);
  }
  CHECK(i.audiences.list(1, Tenancy::all()).empty());
  d.rules.statuses = {"qualified"};
  i.audiences.create(d, Tenancy::all());
  CHECK_THROWS_AS(i.audiences.create(d, Tenancy::all()), Conflict);  // same name
}
