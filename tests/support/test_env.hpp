#pragma once
/// Shared helpers for integration and end-to-end tests: the servers started
/// by scripts/services.sh, throwaway databases, and running the built binary.

#include <map>
#include <string>
#include <vector>

namespace promptsales::test {

/// PROMPTSALES_TEST_DATABASE_URL (a superuser URL). Fails the test with
/// instructions if it is unset or the server is unreachable.
std::string admin_database_url();
/// PROMPTSALES_TEST_REDIS_URL; same rules.
std::string redis_url();

/// A fresh, empty database, dropped (with its connections) on destruction.
class TestDatabase {
 public:
  explicit TestDatabase(const std::string& prefix = "pst");
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  const std::string& name() const { return name_; }
  const std::string& url() const { return url_; }

 private:
  std::string name_;
  std::string url_;
};

/// A migrated installation: a control database and the sub-company
/// databases its registry names (created by `migrate_installation`), all
/// dropped on destruction.
class TestInstallation {
 public:
  TestInstallation();
  ~TestInstallation();
  TestInstallation(const TestInstallation&) = delete;
  TestInstallation& operator=(const TestInstallation&) = delete;
  const std::string& control_url() const { return control_.url(); }
  std::string ads_url() const;
  /// Environment for running the binary against this installation.
  std::map<std::string, std::string> env() const;

 private:
  TestDatabase control_;
};

/// Drops a database, terminating its connections first.
void drop_database(const std::string& name);

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs the built promptsales binary with `args`, the given extra
/// environment, and optional stdin; waits for it.
CommandResult run_promptsales(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                              const std::string& stdin_data = {});

/// A TCP port on 127.0.0.1 that was free a moment ago.
int free_port();

}  // namespace promptsales::test
