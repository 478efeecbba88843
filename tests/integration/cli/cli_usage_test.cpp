// End-to-end: help, version, bad flags and `config show`. No database needed.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_output.hpp"
#include "temp_dir.hpp"
#include "test_env.hpp"

using promptsales::test::describe;
using promptsales::test::run_promptsales;
using promptsales::test::stdout_json;
using promptsales::test::TempDir;

namespace {

// Points the binary at a server that does not exist: commands that should not
// touch a database fail loudly if they try.
const std::map<std::string, std::string> kNoDatabase = {
    {"PROMPTSALES_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nothing?connect_timeout=1"},
    {"PROMPTSALES_CONFIG", ""},
};

/// The subcommand names a help text lists: the lines under "Subcommands:"
/// that start with exactly two spaces, up to the next blank line.
std::vector<std::string> subcommands_in(const std::string& help) {
  std::vector<std::string> out;
  const auto at = help.find("\nSubcommands:\n");
  if (at == std::string::npos) return out;
  std::size_t line = at + std::string("\nSubcommands:\n").size();
  while (line < help.size()) {
    const auto eol = help.find('\n', line);
    const auto text = help.substr(line, eol == std::string::npos ? std::string::npos : eol - line);
    if (text.empty()) break;
    if (text.size() > 2 && text[0] == ' ' && text[1] == ' ' && text[2] != ' ') {
      out.push_back(text.substr(2, text.find(' ', 2) - 2));
    }
    if (eol == std::string::npos) break;
    line = eol + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("cli: --help exits 0 for every command", "[cli]") {
  // Walks the whole command tree from the root's help, so a new command is
  // covered the day it is added.
  std::vector<std::vector<std::string>> pending = {{}};
  std::size_t visited = 0;
  while (!pending.empty()) {
    auto args = pending.back();
    pending.pop_back();
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    args.push_back("--help");
    const auto r = run_promptsales(args, kNoDatabase);
    INFO("promptsales " << joined << "--help\n" << describe(r));
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Usage:"));
    ++visited;
    args.pop_back();
    for (const auto& name : subcommands_in(r.out)) {
      auto child = args;
      child.push_back(name);
      pending.push_back(child);
    }
  }
  // campaign, lead, audience, jobs, backup, ... and their subcommands.
  CHECK(visited >= 60);
  // Help lists the subcommands.
  const auto root = run_promptsales({"--help"}, kNoDatabase);
  for (const char* sub : {"config", "db", "campaign", "seed"}) CHECK_THAT(root.out, Catch::Contains(sub));
  const auto campaign = run_promptsales({"campaign", "--help"}, kNoDatabase);
  for (const char* sub : {"create", "list", "show", "update", "pause", "resume", "delete"}) {
    CHECK_THAT(campaign.out, Catch::Contains(sub));
  }
}

TEST_CASE("cli: --version", "[cli]") {
  const auto r = run_promptsales({"--version"}, kNoDatabase);
  INFO(describe(r));
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::StartsWith("promptsales "));
}

TEST_CASE("cli: bad flags exit 2 before touching a database", "[cli]") {
  const std::vector<std::vector<std::string>> bad = {
      {},                                    // a subcommand is required
      {"campaign"},                          // and a sub-subcommand
      {"no-such-command"},
      {"campaign", "list", "--bogus"},
      {"campaign", "create", "--org", "1"},  // --name is required
      {"campaign", "create", "--org", "abc", "--name", "x"},
      {"campaign", "show"},                  // id is required
      {"campaign", "show", "0"},             // ids are positive
      {"campaign", "list", "--limit", "many"},
      {"-o", "xml", "config", "show"},
      {"seed", "--organizations", "lots"},
      {"db", "migrate", "--unknown"},
  };
  for (const auto& args : bad) {
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    const auto r = run_promptsales(args, kNoDatabase);
    INFO("promptsales " << joined << "\n" << describe(r));
    CHECK(r.exit_code == 2);
    CHECK_FALSE(r.err.empty());
    CHECK_THAT(r.err, !Catch::Contains("127.0.0.1:1"));  // never got as far as connecting
  }
}

TEST_CASE("cli: config show masks a password from the environment", "[cli][config]") {
  auto env = kNoDatabase;
  env["PROMPTSALES_DATABASE_URL"] = "postgresql://app:s3cr3tpw@db.example:5432/promptsales";
  env["PROMPTSALES_DB_POOL_SIZE"] = "7";

  const auto r = run_promptsales({"config", "show", "-o", "json"}, env);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, !Catch::Contains("s3cr3tpw"));
  CHECK_THAT(r.err, !Catch::Contains("s3cr3tpw"));
  const auto j = stdout_json(r);
  REQUIRE(j.is_object());
  const auto& db = j.at("database_url");
  CHECK(db.at("value") == "postgresql://app:****@db.example:5432/promptsales");
  CHECK(db.at("source") == "env");
  CHECK(db.at("origin") == "PROMPTSALES_DATABASE_URL");
  CHECK(db.at("env") == "PROMPTSALES_DATABASE_URL");
  CHECK(db.at("secret") == true);
  CHECK(j.at("db_pool_size").at("value") == "7");
  CHECK(j.at("db_pool_size").at("source") == "env");
  CHECK(j.at("db_pool_size").at("secret") == false);
  CHECK(j.at("io_threads").at("source") == "default");
  for (const auto& [key, v] : j.items()) {
    INFO(key);
    CHECK(v.contains("value"));
    CHECK(v.contains("source"));
    CHECK(v.contains("env"));
  }

  // The table form masks too.
  const auto table = run_promptsales({"config", "show"}, env);
  INFO(describe(table));
  CHECK(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::Contains("postgresql://app:****@db.example:5432/promptsales"));
  CHECK_THAT(table.out, !Catch::Contains("s3cr3tpw"));
}

TEST_CASE("cli: config show reports file and flag sources and bad files exit 2", "[cli][config]") {
  TempDir dir;
  const auto file = dir.write("promptsales.conf", "# test\ndb_pool_size = 9\nlog_level = \"warn\"\n");
  const auto r = run_promptsales({"--config", file, "--log-level", "error", "config", "show", "-o", "json"}, kNoDatabase);
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  const auto j = stdout_json(r);
  CHECK(j.at("db_pool_size").at("value") == "9");
  CHECK(j.at("db_pool_size").at("source") == "file");
  CHECK(j.at("db_pool_size").at("origin") == file);
  CHECK(j.at("log_level").at("value") == "error");  // flag beats file
  CHECK(j.at("log_level").at("source") == "flag");

  const auto bad = dir.write("bad.conf", "db_pool_size = 9\nnot a setting line\n");
  const auto e = run_promptsales({"--config", bad, "config", "show"}, kNoDatabase);
  INFO(describe(e));
  CHECK(e.exit_code == 2);
  CHECK_THAT(e.err, Catch::Contains(bad + ":2"));

  const auto unknown = dir.write("unknown.conf", "colour = blue\n");
  const auto u = run_promptsales({"--config", unknown, "config", "show", "-o", "json"}, kNoDatabase);
  INFO(describe(u));
  CHECK(u.exit_code == 2);
  CHECK_THAT(u.err, Catch::Contains("colour"));
  const auto err = stdout_json(u);
  CHECK(err.at("error").at("code") == "configuration");
}
