// The process_* metrics, from a fake procfs (exact values) and the real one.

#include <catch2/catch.hpp>

#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include "promptsales/common/metrics/process_collector.hpp"
#include "promptsales/common/metrics/registry.hpp"

using namespace promptsales::metrics;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << content;
}

const Sample* find_sample(const std::vector<MetricFamilySnapshot>& families, const std::string& name) {
  for (const auto& family : families) {
    if (family.name == name && !family.samples.empty()) {
      return &family.samples.front();
    }
  }
  return nullptr;
}

}  // namespace

TEST_CASE("process metrics are read from procfs files") {
  const fs::path root = fs::temp_directory_path() / ("promptsales_fake_proc_" + std::to_string(getpid()));
  fs::remove_all(root);
  // A command name with spaces and parentheses must not shift the fields.
  write(root / "self/stat",
        "4242 (my (odd) prog) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 4 0 "
        "1000 4096000 300 18446744073709551615\n");
  write(root / "stat", "cpu  1 2 3\nbtime 1700000000\nprocesses 99\n");
  write(root / "self/limits",
        "Limit                     Soft Limit           Hard Limit           Units\n"
        "Max open files            1024                 524288               files\n");
  for (const char* fd : {"0", "1", "2"}) {
    write(root / "self/fd" / fd, "");
  }

  std::vector<MetricFamilySnapshot> families;
  ProcessCollector(root.string()).collect(families);
  fs::remove_all(root);

  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  const auto value = [&families](const std::string& name) {
    const Sample* sample = find_sample(families, name);
    INFO(name);
    REQUIRE(sample != nullptr);
    return sample->value;
  };
  CHECK(value("process_cpu_seconds_total") == Approx(300 / ticks));
  CHECK(value("process_resident_memory_bytes") == 300 * page);
  CHECK(value("process_virtual_memory_bytes") == 4096000);
  CHECK(value("process_open_fds") == 3);
  CHECK(value("process_max_fds") == 1024);
  CHECK(value("process_start_time_seconds") == Approx(1700000000 + 1000 / ticks));
}

TEST_CASE("unreadable procfs values are left out, not reported as zero") {
  std::vector<MetricFamilySnapshot> families;
  ProcessCollector("/nonexistent/proc").collect(families);
  CHECK(families.empty());
}

TEST_CASE("the real process reports plausible values") {
  Registry registry;
  register_process_metrics(registry);
  const auto families = registry.collect();
  REQUIRE(families.size() == 6);
  const auto value = [&families](const std::string& name) {
    const Sample* sample = find_sample(families, name);
    INFO(name);
    REQUIRE(sample != nullptr);
    return sample->value;
  };
  CHECK(value("process_resident_memory_bytes") > 1e5);
  CHECK(value("process_open_fds") >= 3);  // at least stdin, stdout, stderr
  CHECK(value("process_cpu_seconds_total") >= 0);
  // Started within the last day: catches a wrong clock-tick or boot-time unit.
  const double now = static_cast<double>(std::time(nullptr));
  CHECK(value("process_start_time_seconds") <= now + 1);
  CHECK(value("process_start_time_seconds") > now - 86400);
}
