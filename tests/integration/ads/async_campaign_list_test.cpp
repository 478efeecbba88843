// The campaign page on the I/O threads' own connections (db::AsyncPg +
// AsyncCampaignList): the JSON written straight from the rows must be
// byte-identical to the blocking path's campaigns_to_json(list(...)), and
// the client must survive many concurrent queries, broken connections and
// a database that refuses connections.
#include <catch2/catch.hpp>

#include <libpq-fe.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "ads_database.hpp"
#include "promptsales/ads/async_campaign_list.hpp"
#include "promptsales/ads/campaign_json.hpp"
#include "promptsales/ads/campaign_rows_json.hpp"
#include "promptsales/ads/campaign_service.hpp"
#include "promptsales/ads/pg_campaign_repository.hpp"
#include "promptsales/common/db/pool.hpp"
#include "promptsales/common/db/text_array.hpp"
#include "promptsales/common/db/url.hpp"
#include "promptsales/common/errors.hpp"
#include "test_env.hpp"

using namespace promptsales;
using namespace promptsales::ads;
using namespace std::chrono_literals;
using promptsales::test::AdsDatabase;

namespace {

/// One row as the test writes it, bypassing the API's validation so that
/// every awkward value the column types allow reaches the encoders.
struct RawCampaign {
  std::int64_t org = 1;
  std::string name;
  std::string description;
  std::string status = "draft";
  bool enabled = true;
  bool deleted = false;
  std::string budget = "0.00";
  std::string currency = "USD";
  std::string channels = "{}";  // a text[] literal or expression result
  std::optional<std::string> starts_at;
  std::optional<std::string> ends_at;
  std::string created_at;
};

void insert(const std::string& url, const RawCampaign& c) {
  pqxx::connection conn(url);
  pqxx::work tx(conn);
  tx.exec_params(
      "INSERT INTO campaigns (organization_id, name, description, status, enabled, deleted, budget, currency, "
      "channels, starts_at, ends_at, checksum, created_at, updated_at) VALUES ($1, $2, $3, $4::campaign_status, $5, "
      "$6, $7::numeric, $8, $9::text[], $10::timestamptz, $11::timestamptz, repeat('a', 64), $12::timestamptz, "
      "$12::timestamptz + interval '1.5 seconds')",
      c.org, c.name, c.description, c.status, c.enabled, c.deleted, c.budget, c.currency, c.channels, c.starts_at,
      c.ends_at, c.created_at);
  tx.commit();
}

/// Rows with quotes, backslashes, control characters, UTF-8 (including
/// U+2028), NULL and infinite dates, timestamps with 0, 1 and 6 fractional
/// digits, array elements that need quoting, and every status.
void seed_nasty(const std::string& url) {
  const std::vector<std::string> statuses{"draft", "scheduled", "active", "paused", "ended"};
  const std::vector<std::string> names{
      "He said \"hi\" \\ back\\slash",
      std::string("tab\there\nnewline\rcr\x01 ctl\x1f end"),
      "\xc3\xbcn\xc3\xaf" "c\xc3\xb6" "d\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x80",
      "sep \xe2\x80\xa8 para \xe2\x80\xa9 </script>",
      "'single' & <angle>",
      "plain",
  };
  const std::vector<std::string> channels{
      "{}",
      "{email}",
      db::to_text_array({"with space", "com,ma", "quo\"te", "back\\slash", "NULL", "\xc3\xbcn\xc3\xaf", "{brace}"}),
      "{x,NULL}",  // a real NULL element: printed unquoted
      db::to_text_array({""}),
  };
  const std::vector<std::string> created{"2026-03-01 10:00:00+00", "2026-03-01 10:00:00.5+00",
                                         "2026-03-01 10:00:00.123456+00", "2025-12-31 23:59:59.999999+00"};
  int n = 0;
  for (const auto& name : names) {
    for (int variant = 0; variant < 4; ++variant, ++n) {
      RawCampaign c;
      c.org = 1 + n % 2;
      c.name = name;
      c.description = variant % 2 ? name + " / " + names[(n + 1) % names.size()] : "";
      c.status = statuses[n % statuses.size()];
      c.enabled = n % 3 != 0;
      c.deleted = n % 7 == 3;
      c.budget = n % 2 ? "123456789012.34" : "0.00";
      c.currency = n % 2 ? "EUR" : "USD";
      c.channels = channels[n % channels.size()];
      if (variant == 1) c.starts_at = "2026-04-01 08:30:00+00";
      if (variant == 2) {
        c.starts_at = "2026-04-01 08:30:00.25+00";
        c.ends_at = "2026-05-01 00:00:00+00";
      }
      if (variant == 3) c.ends_at = "infinity";
      c.created_at = created[n % created.size()];
      insert(url, c);
    }
  }
}

/// Runs `io` until `done()` or the timeout (the client keeps a read armed on
/// every open connection, so run() alone would not return).
template <class Done>
bool run_until(boost::asio::io_context& io, Done done, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    if (io.stopped()) io.restart();  // ran out of work (a server's loop has a work guard)
    io.run_one_for(10ms);
  }
  return true;
}

struct Listed {
  bool done = false;
  std::string json;
  std::exception_ptr error;
};

db::AsyncPgOptions async_options(const std::string& url) {
  db::AsyncPgOptions o;
  o.url = url;
  o.connections_per_thread = 2;
  o.application_name = "promptsales-async-test";
  return o;
}

std::vector<CampaignFilter> filters() {
  std::vector<CampaignFilter> out;
  auto add = [&](auto edit) {
    CampaignFilter f;
    f.limit = 100;
    edit(f);
    out.push_back(f);
  };
  add([](CampaignFilter& f) { f.organization_id = 1; });
  add([](CampaignFilter& f) { f.organization_id = 2; });
  add([](CampaignFilter& f) {
    f.organization_id = 1;
    f.include_deleted = true;
  });
  add([](CampaignFilter& f) {
    f.organization_id = 2;
    f.enabled = false;
  });
  add([](CampaignFilter& f) { f.search = "\"hi\""; });
  add([](CampaignFilter& f) { f.search = "\\"; });
  add([](CampaignFilter& f) { f.search = "%"; });
  add([](CampaignFilter&) {});
  add([](CampaignFilter& f) {
    f.organization_id = 1;
    f.limit = 2;
    f.offset = 1;
  });
  add([](CampaignFilter& f) { f.organization_id = 999; });  // no rows: "[]"
  return out;
}

/// The blocking path's page, as the server builds it.
struct BlockingPath {
  explicit BlockingPath(const std::string& url)
      : pool([&] {
          db::PoolOptions o;
          o.url = url;
          o.size = 2;
          o.on_connect = &PgCampaignRepository::prepare_statements;
          return o;
        }()),
        repo(pool),
        service(repo, nullptr, nullptr) {}
  std::string page(const CampaignFilter& f) { return campaigns_to_json(service.list(f)); }

  db::Pool pool;
  PgCampaignRepository repo;
  CampaignService service;
};

/// Connections of `application_name` to the test's database, seen by the server.
int backends(const std::string& url, const std::string& application_name) {
  pqxx::connection c(test::admin_database_url());
  pqxx::nontransaction tx(c);
  return tx
      .exec_params("SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = $2",
                   db::database_name(url), application_name)[0][0]
      .as<int>();
}

}  // namespace

TEST_CASE("rows written straight to JSON match campaigns_to_json byte for byte", "[ads][async]") {
  AdsDatabase database;
  seed_nasty(database.url());
  BlockingPath blocking(database.url());

  // The encoder alone, on a result libpq returns for each list variant.
  PGconn* raw = PQconnectdb(database.url().c_str());
  REQUIRE(PQstatus(raw) == CONNECTION_OK);
  PQclear(PQexec(raw, "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'"));
  int non_empty = 0;
  for (const auto& f : filters()) {
    const ListStatement s = list_statement(f);
    const std::string sql = list_sql(s.variant);
    std::vector<const char*> values;
    for (const auto& p : s.params) values.push_back(p ? p->c_str() : nullptr);
    PGresult* r = PQexecParams(raw, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                               nullptr, 0);
    REQUIRE(PQresultStatus(r) == PGRES_TUPLES_OK);
    const std::string expected = blocking.page(f);
    const std::string direct = campaign_rows_to_json(r);
    INFO("variant " << s.variant << " rows " << PQntuples(r));
    CHECK(direct == expected);
    if (PQntuples(r) > 0) ++non_empty;
    PQclear(r);
  }
  PQfinish(raw);
  CHECK(non_empty >= 8);

  // And through the asynchronous client, on an event loop.
  AsyncCampaignList lister(async_options(database.url()));
  boost::asio::io_context io;
  for (const auto& f : filters()) {
    Listed listed;
    lister.list_json(io, f, [&](std::string json, std::exception_ptr error) {
      listed = Listed{true, std::move(json), error};
    });
    CHECK_FALSE(listed.done);  // never inside list_json
    REQUIRE(run_until(io, [&] { return listed.done; }));
    REQUIRE_FALSE(listed.error);
    CHECK(listed.json == blocking.page(f));
  }
  // A few spot checks that the comparison is not vacuous.
  Listed all;
  CampaignFilter everything;
  everything.limit = 100;
  everything.include_deleted = true;
  lister.list_json(io, everything, [&](std::string json, std::exception_ptr e) { all = Listed{true, json, e}; });
  REQUIRE(run_until(io, [&] { return all.done; }));
  CHECK(all.json.find(R"(He said \"hi\" \\ back\\slash)") != std::string::npos);
  CHECK(all.json.find(R"(\u0001 ctl\u001f)") != std::string::npos);
  CHECK(all.json.find("sep \xe2\x80\xa8 para") != std::string::npos);
  CHECK(all.json.find(R"("channels":["x","NULL"])") != std::string::npos);
  CHECK(all.json.find(R"("endsAt":null)") != std::string::npos);
  CHECK(all.json.find(R"("endsAt":"infinity")") != std::string::npos);
  CHECK(all.json.find(R"("createdAt":"2026-03-01T10:00:00.000Z")") != std::string::npos);
  CHECK(all.json.find(R"("createdAt":"2026-03-01T10:00:00.123Z")") != std::string::npos);
  CHECK(all.json.find(R"("startsAt":"2026-04-01T08:30:00.250Z")") != std::string::npos);
  CHECK(lister.stats().failures == 0);
}

TEST_CASE("many concurrent queries share a few connections of one event loop", "[ads][async]") {
  AdsDatabase database;
  seed_nasty(database.url());
  BlockingPath blocking(database.url());
  const auto all_filters = filters();
  std::vector<std::string> expected;
  for (const auto& f : all_filters) expected.push_back(blocking.page(f));

  AsyncCampaignList lister(async_options(database.url()));
  boost::asio::io_context io;
  constexpr int kQueries = 300;
  std::vector<Listed> results(kQueries);
  int finished = 0;
  for (int i = 0; i < kQueries; ++i) {
    lister.list_json(io, all_filters[i % all_filters.size()], [&, i](std::string json, std::exception_ptr error) {
      results[i] = Listed{true, std::move(json), error};
      ++finished;
    });
  }
  CHECK(lister.stats().waiting > 0);  // more queries than connections: they queue, nothing blocks
  REQUIRE(run_until(io, [&] { return finished == kQueries; }));
  for (int i = 0; i < kQueries; ++i) {
    INFO("query " << i);
    REQUIRE_FALSE(results[i].error);
    CHECK(results[i].json == expected[i % expected.size()]);
  }
  // The second connection may still be on its way when the last answer comes.
  run_until(io, [&] { return lister.stats().open == 2; }, 3s);
  const auto stats = lister.stats();
  CHECK(stats.queries == kQueries);
  CHECK(stats.failures == 0);
  CHECK(stats.open == 2);
  CHECK(stats.waiting == 0);
  CHECK(backends(database.url(), "promptsales-async-test") == 2);
}

TEST_CASE("pipeline mode gives the same pages", "[ads][async]") {
  AdsDatabase database;
  seed_nasty(database.url());
  BlockingPath blocking(database.url());
  auto options = async_options(database.url());
  options.connections_per_thread = 1;
  options.pipeline_depth = 8;
  AsyncCampaignList lister(options);
  boost::asio::io_context io;
  const auto all_filters = filters();
  constexpr int kQueries = 100;
  std::vector<Listed> results(kQueries);
  int finished = 0;
  for (int i = 0; i < kQueries; ++i) {
    lister.list_json(io, all_filters[i % all_filters.size()], [&, i](std::string json, std::exception_ptr error) {
      results[i] = Listed{true, std::move(json), error};
      ++finished;
    });
  }
  REQUIRE(run_until(io, [&] { return finished == kQueries; }));
  for (int i = 0; i < kQueries; ++i) {
    INFO("query " << i);
    REQUIRE_FALSE(results[i].error);
    CHECK(results[i].json == blocking.page(all_filters[i % all_filters.size()]));
  }
  CHECK(lister.stats().open == 1);
}

TEST_CASE("a refused database answers Unavailable at once", "[ads][async]") {
  // Nothing listens on this port: connects are refused.
  auto options = async_options("postgresql://127.0.0.1:" + std::to_string(test::free_port()) + "/nothing");
  options.retry_delay = 200ms;
  AsyncCampaignList dead(options);
  boost::asio::io_context io;
  CampaignFilter f;
  f.organization_id = 1;

  for (int attempt = 0; attempt < 2; ++attempt) {  // the connect's failure, then the fail-fast window
    Listed listed;
    const auto started = std::chrono::steady_clock::now();
    dead.list_json(io, f, [&](std::string json, std::exception_ptr e) { listed = Listed{true, json, e}; });
    REQUIRE(run_until(io, [&] { return listed.done; }, 3s));
    CHECK(std::chrono::steady_clock::now() - started < 1s);
    REQUIRE(listed.error);
    CHECK_THROWS_AS(std::rethrow_exception(listed.error), Unavailable);
  }
  CHECK(dead.stats().connect_failures >= 1);
  CHECK(dead.stats().open == 0);
}

TEST_CASE("connections ended by the server are replaced and the query retried", "[ads][async]") {
  AdsDatabase database;
  seed_nasty(database.url());
  BlockingPath blocking(database.url());
  auto options = async_options(database.url());
  options.application_name = "promptsales-async-restart";
  AsyncCampaignList lister(options);
  boost::asio::io_context io;
  CampaignFilter f;
  f.organization_id = 1;
  const std::string expected = blocking.page(f);

  auto list_once = [&] {
    Listed listed;
    lister.list_json(io, f, [&](std::string json, std::exception_ptr e) { listed = Listed{true, json, e}; });
    REQUIRE(run_until(io, [&] { return listed.done; }));
    return listed;
  };
  REQUIRE(list_once().json == expected);
  REQUIRE(backends(database.url(), "promptsales-async-restart") >= 1);

  // What a server restart does to the open sessions.
  {
    pqxx::connection admin(test::admin_database_url());
    pqxx::nontransaction tx(admin);
    tx.exec_params("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                   "promptsales-async-restart");
  }
  // The event loop notices the closed sessions by itself (a read is always armed)...
  run_until(io, [&] { return lister.stats().open == 0; }, 3s);
  CHECK(lister.stats().open == 0);
  // ...and the next query opens a fresh connection.
  const Listed after = list_once();
  REQUIRE_FALSE(after.error);
  CHECK(after.json == expected);
  CHECK(lister.stats().failures == 0);

  // Terminated while a query waits on a lock: the query is resent once on a new connection.
  pqxx::connection locker(database.url());
  pqxx::work lock(locker);
  lock.exec("LOCK TABLE campaigns IN ACCESS EXCLUSIVE MODE");
  Listed during;
  lister.list_json(io, f, [&](std::string json, std::exception_ptr e) { during = Listed{true, json, e}; });
  run_until(io, [] { return false; }, 300ms);
  {
    pqxx::connection admin(test::admin_database_url());
    pqxx::nontransaction tx(admin);
    tx.exec_params("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                   "promptsales-async-restart");
  }
  run_until(io, [] { return false; }, 300ms);
  lock.commit();
  REQUIRE(run_until(io, [&] { return during.done; }));
  // pg_terminate_backend ends the query with SQLSTATE 57P01 (admin shutdown):
  // an answer, 503, not a silent retry; a query that only found its idle
  // connection closed is retried (above).
  if (during.error) {
    CHECK_THROWS_AS(std::rethrow_exception(during.error), Unavailable);
  } else {
    CHECK(during.json == expected);
  }
  const Listed recovered = list_once();
  REQUIRE_FALSE(recovered.error);
  CHECK(recovered.json == expected);
}
