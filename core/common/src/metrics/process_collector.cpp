#include "promptsales/common/metrics/process_collector.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace promptsales::metrics {
namespace {

// Fields of /proc/<pid>/stat (proc(5)), counted from the "state" field,
// which is the first one after the parenthesised command name.
constexpr std::size_t kUtime = 14 - 3;
constexpr std::size_t kStime = 15 - 3;
constexpr std::size_t kStartTime = 22 - 3;
constexpr std::size_t kVsize = 23 - 3;
constexpr std::size_t kRss = 24 - 3;

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::optional<double> parse_number(std::string_view text) {
  double value = 0.0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data()) {
    return std::nullopt;
  }
  return value;
}

// The fields after the command name. The name itself may contain spaces and
// parentheses, so splitting starts after its last ')'.
std::vector<std::string_view> stat_fields(std::string_view stat) {
  std::vector<std::string_view> fields;
  const auto paren = stat.rfind(')');
  if (paren == std::string_view::npos) {
    return fields;
  }
  std::string_view rest = stat.substr(paren + 1);
  while (!rest.empty()) {
    const auto start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(start);
    const auto stop = std::min(rest.find_first_of(" \n"), rest.size());
    fields.push_back(rest.substr(0, stop));
    rest.remove_prefix(stop);
  }
  return fields;
}

// The value following `key` at the start of a line, e.g. "btime 1700000000".
std::optional<double> keyed_value(std::string_view text, std::string_view key) {
  std::size_t at = 0;
  while (at < text.size()) {
    const auto line_end = std::min(text.find('\n', at), text.size());
    std::string_view line = text.substr(at, line_end - at);
    if (line.starts_with(key)) {
      line.remove_prefix(key.size());
      const auto start = line.find_first_not_of(" \t");
      if (start != std::string_view::npos) {
        line.remove_prefix(start);
        return parse_number(line.substr(0, line.find_first_of(" \t")));
      }
      return std::nullopt;
    }
    at = line_end + 1;
  }
  return std::nullopt;
}

std::optional<double> count_open_fds(const std::string& fd_dir) {
  DIR* dir = opendir(fd_dir.c_str());
  if (dir == nullptr) {
    return std::nullopt;
  }
  // Listing the directory takes a descriptor of its own, which appears in
  // the listing; it belongs to this scrape, not to the process being measured.
  const std::string own_fd = std::to_string(dirfd(dir));
  double count = 0;
  while (const dirent* entry = readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name != "." && name != ".." && name != own_fd) {
      ++count;
    }
  }
  closedir(dir);
  return count;
}

// One process_* family: the names and help texts client_golang uses, so
// dashboards built for other exporters work unchanged.
struct Help {
  const char* name;
  const char* help;
  MetricType type;
};

constexpr Help kCpu{"process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                    MetricType::counter};
constexpr Help kResident{"process_resident_memory_bytes", "Resident memory size in bytes.",
                         MetricType::gauge};
constexpr Help kVirtual{"process_virtual_memory_bytes", "Virtual memory size in bytes.",
                        MetricType::gauge};
constexpr Help kOpenFds{"process_open_fds", "Number of open file descriptors.", MetricType::gauge};
constexpr Help kMaxFds{"process_max_fds", "Maximum number of open file descriptors.",
                       MetricType::gauge};
constexpr Help kStart{"process_start_time_seconds",
                      "Start time of the process since unix epoch in seconds.", MetricType::gauge};
constexpr Help kAll[] = {kCpu, kResident, kVirtual, kOpenFds, kMaxFds, kStart};

void add(std::vector<MetricFamilySnapshot>& out, const Help& family, std::optional<double> value) {
  if (value) {
    out.push_back(MetricFamilySnapshot{family.name, family.help, family.type, {Sample{"", {}, *value}}});
  }
}

}  // namespace

ProcessCollector::ProcessCollector(std::string proc_root)
    : proc_root_(std::move(proc_root)),
      ticks_per_second_(static_cast<double>(sysconf(_SC_CLK_TCK))),
      page_size_bytes_(static_cast<double>(sysconf(_SC_PAGESIZE))) {}

std::vector<FamilyDescriptor> ProcessCollector::describe() const {
  std::vector<FamilyDescriptor> families;
  for (const Help& family : kAll) {
    families.push_back({family.name, family.type});
  }
  return families;
}

void ProcessCollector::collect(std::vector<MetricFamilySnapshot>& out) const {
  std::optional<double> cpu, resident, virtual_bytes, start;
  if (const auto stat = read_file(proc_root_ + "/self/stat")) {
    const std::vector<std::string_view> fields = stat_fields(*stat);
    const auto field = [&fields](std::size_t i) {
      return i < fields.size() ? parse_number(fields[i]) : std::nullopt;
    };
    const auto utime = field(kUtime);
    const auto stime = field(kStime);
    if (utime && stime) {
      cpu = (*utime + *stime) / ticks_per_second_;
    }
    if (const auto rss_pages = field(kRss)) {
      resident = *rss_pages * page_size_bytes_;
    }
    virtual_bytes = field(kVsize);
    // starttime counts clock ticks since boot; boot time is in /proc/stat.
    const auto start_ticks = field(kStartTime);
    const auto system = read_file(proc_root_ + "/stat");
    const auto boot_time = system ? keyed_value(*system, "btime") : std::nullopt;
    if (start_ticks && boot_time) {
      start = *boot_time + *start_ticks / ticks_per_second_;
    }
  }
  const auto limits = read_file(proc_root_ + "/self/limits");
  // The soft limit; "unlimited" does not parse and is left out.
  const auto max_fds = limits ? keyed_value(*limits, "Max open files") : std::nullopt;

  add(out, kCpu, cpu);
  add(out, kResident, resident);
  add(out, kVirtual, virtual_bytes);
  add(out, kOpenFds, count_open_fds(proc_root_ + "/self/fd"));
  add(out, kMaxFds, max_fds);
  add(out, kStart, start);
}

void register_process_metrics(Registry& registry) {
  registry.add(std::make_unique<ProcessCollector>());
}

}  // namespace promptsales::metrics
