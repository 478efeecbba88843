// libpq connection-string helpers: database_name, with_database,
// resolve_location and is_plain_identifier, in URI and key/value forms.
#include <catch2/catch.hpp>

#include <string>

#include "promptsales/common/db/url.hpp"
#include "promptsales/common/errors.hpp"

using namespace promptsales::db;
using promptsales::ConfigError;

TEST_CASE("database_name: URI form", "[db][url]") {
  CHECK(database_name("postgresql://u@h:5432/mydb") == "mydb");
  CHECK(database_name("postgres://u@h/mydb") == "mydb");
  CHECK(database_name("postgresql://u:pw@h:5432/mydb?sslmode=disable&connect_timeout=2") == "mydb");
  CHECK(database_name("postgresql://h/mydb?") == "mydb");
  CHECK(database_name("postgresql://u@h:5432") == "");
  CHECK(database_name("postgresql://u@h:5432/") == "");
  CHECK(database_name("postgresql://u@h:5432?sslmode=disable") == "");
  CHECK(database_name("postgresql:///localdb") == "localdb");
}

TEST_CASE("database_name: key/value form", "[db][url]") {
  CHECK(database_name("host=h dbname=foo user=u") == "foo");
  CHECK(database_name("dbname=foo") == "foo");
  CHECK(database_name("host=h dbname = foo") == "foo");
  CHECK(database_name("host=h dbname='my db' user=u") == "my db");
  CHECK(database_name("host=h user=u") == "");
  CHECK(database_name("") == "");
  CHECK(database_name("host=h mydbname=nope") == "");
}

TEST_CASE("with_database: URI form keeps server, credentials and options", "[db][url]") {
  CHECK(with_database("postgresql://u@h:5432/a", "b") == "postgresql://u@h:5432/b");
  CHECK(with_database("postgresql://u:pw@h:5432/a", "b") == "postgresql://u:pw@h:5432/b");
  CHECK(with_database("postgresql://u@h:5432/a?sslmode=require", "b") == "postgresql://u@h:5432/b?sslmode=require");
  CHECK(with_database("postgres://u@h:5432", "b") == "postgres://u@h:5432/b");
  CHECK(with_database("postgresql://u@h?sslmode=require", "b") == "postgresql://u@h/b?sslmode=require");
  CHECK(with_database("postgresql://u@h/", "b") == "postgresql://u@h/b");
  // database_name reads back what with_database wrote.
  for (const char* url : {"postgresql://u@h:1/a", "postgresql://u@h", "postgresql://u@h/a?x=1"}) {
    CHECK(database_name(with_database(url, "target_db")) == "target_db");
  }
}

TEST_CASE("with_database: key/value form", "[db][url]") {
  CHECK(with_database("host=h dbname=a user=u", "b") == "host=h dbname=b user=u");
  CHECK(with_database("dbname=a host=h", "b") == "dbname=b host=h");
  CHECK(with_database("host=h dbname='old db' port=1", "b") == "host=h dbname=b port=1");
  CHECK(with_database("host=h user=u", "b") == "host=h user=u dbname=b");
  CHECK(with_database("", "b") == "dbname=b");
  for (const char* url : {"host=h dbname=a", "host=h", "dbname='x y' host=h"}) {
    CHECK(database_name(with_database(url, "target_db")) == "target_db");
  }
}

TEST_CASE("resolve_location", "[db][url]") {
  const std::string control = "postgresql://app@db:5432/promptsales?sslmode=disable";

  SECTION("a full URL is used as is") {
    CHECK(resolve_location("postgresql://other@elsewhere:6543/ads", control) == "postgresql://other@elsewhere:6543/ads");
    CHECK(resolve_location("postgres://x/y", control) == "postgres://x/y");
  }
  SECTION("a key/value string is used as is") {
    CHECK(resolve_location("host=elsewhere dbname=ads", control) == "host=elsewhere dbname=ads");
  }
  SECTION("a bare name is a database on the control server") {
    CHECK(resolve_location("promptads", control) == "postgresql://app@db:5432/promptads?sslmode=disable");
    CHECK(resolve_location("_ads_2", control) == "postgresql://app@db:5432/_ads_2?sslmode=disable");
  }
  SECTION("{control} stands for the control database's name") {
    CHECK(resolve_location("{control}_ads", control) == "postgresql://app@db:5432/promptsales_ads?sslmode=disable");
    CHECK(resolve_location("ads_{control}", control) == "postgresql://app@db:5432/ads_promptsales?sslmode=disable");
    CHECK(resolve_location("{control}_ads", "host=db dbname=ctl user=app") == "host=db dbname=ctl_ads user=app");
  }
  SECTION("odd names are refused") {
    for (const char* bad : {"", "bad-name", "1abc", "has space", "x;DROP DATABASE y", "ads\"", "é_ads", "{control}-ads",
                            "{control}_{control}", "ads/other", "{Control}_ads"}) {
      INFO("location '" << bad << "'");
      CHECK_THROWS_AS(resolve_location(bad, control), ConfigError);
    }
    CHECK_THROWS_WITH(resolve_location("bad-name", control), Catch::Contains("bad-name"));
  }
  SECTION("name length limit is PostgreSQL's 63 bytes") {
    CHECK_NOTHROW(resolve_location(std::string(63, 'a'), control));
    CHECK_THROWS_AS(resolve_location(std::string(64, 'a'), control), ConfigError);
  }
}

TEST_CASE("is_plain_identifier", "[db][url]") {
  CHECK(is_plain_identifier("promptsales"));
  CHECK(is_plain_identifier("_x"));
  CHECK(is_plain_identifier("Ads_2026"));
  CHECK(is_plain_identifier(std::string(63, 'z')));
  CHECK_FALSE(is_plain_identifier(""));
  CHECK_FALSE(is_plain_identifier("9lives"));
  CHECK_FALSE(is_plain_identifier("a-b"));
  CHECK_FALSE(is_plain_identifier("a b"));
  CHECK_FALSE(is_plain_identifier("a.b"));
  CHECK_FALSE(is_plain_identifier("a\"b"));
  CHECK_FALSE(is_plain_identifier(std::string(64, 'z')));
}
