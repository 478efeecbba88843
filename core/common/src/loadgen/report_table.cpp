#include <cmath>
#include <cstdio>
#include <string>

#include "promptsales/common/loadgen/report.hpp"

namespace promptsales::loadgen {
namespace {

/// "1234567" -> "1,234,567": throughput figures are read at a glance.
std::string grouped(double value) {
  const auto rounded = static_cast<long long>(std::llround(value));
  std::string digits = std::to_string(rounded < 0 ? -rounded : rounded);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) {
      out += ',';
    }
    out += digits[i];
  }
  return rounded < 0 ? "-" + out : out;
}

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

std::string bytes_text(std::uint64_t bytes) {
  const double b = static_cast<double>(bytes);
  if (b >= 1024.0 * 1024 * 1024) {
    return fixed(b / (1024.0 * 1024 * 1024), 2) + " GiB";
  }
  if (b >= 1024.0 * 1024) {
    return fixed(b / (1024.0 * 1024), 2) + " MiB";
  }
  if (b >= 1024.0) {
    return fixed(b / 1024.0, 2) + " KiB";
  }
  return std::to_string(bytes) + " B";
}

/// "label" padded to a column, then the value right-aligned.
std::string row(const std::string& label, const std::string& value) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "  %-24s %16s\n", label.c_str(), value.c_str());
  return buf;
}

std::string seconds_text(std::chrono::milliseconds ms) {
  return fixed(static_cast<double>(ms.count()) / 1000.0, 1) + " s";
}

std::string status_section(const StatusCounts& status) {
  std::string out = "Status codes\n";
  for (int hundreds = 1; hundreds <= 5; ++hundreds) {
    const std::uint64_t n = status.in_class(hundreds);
    if (n == 0 && hundreds == 1) {
      continue;  // interim responses are rare enough not to earn a row
    }
    std::string detail;
    for (const auto& [code, count] : status.codes) {
      if (code / 100 == hundreds) {
        detail += (detail.empty() ? "  (" : ", ") + std::to_string(code) + ": " + grouped(static_cast<double>(count));
      }
    }
    if (!detail.empty()) {
      detail += ")";
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "  %dxx %16s", hundreds, grouped(static_cast<double>(n)).c_str());
    out += buf + detail + "\n";
  }
  return out;
}

std::string pods_text(const std::optional<unsigned>& pods) {
  return pods ? std::to_string(*pods) + (*pods == 1 ? " pod" : " pods") : "n/a";
}

}  // namespace

std::string render_table(const BenchmarkReport& report) {
  const LoadOptions& o = report.options;
  const RunResult& r = report.result;
  const CapacityPlan& plan = report.plan;
  std::string out;

  out += "Benchmark  GET " + o.url + "\n";
  out += "  " + std::to_string(o.connections) + " connections on " + std::to_string(o.threads) +
         (o.threads == 1 ? " thread" : " threads") + ", " + seconds_text(o.duration) + " measured after " +
         seconds_text(o.warmup) + " warm-up, rate " +
         (o.rate > 0 ? grouped(o.rate) + " req/s" : std::string("unlimited")) + ", timeout " +
         seconds_text(o.timeout) + "\n\n";

  out += "Throughput\n";
  out += row("requests", grouped(static_cast<double>(r.requests)));
  out += row("requests/s", fixed(r.requests_per_second, 1));
  out += row("operations/min", grouped(r.operations_per_minute));
  out += row("successful ops/min", grouped(r.successful_per_minute));
  out += row("bytes read", bytes_text(r.bytes_read));
  out += row("connections opened", grouped(static_cast<double>(r.connections_opened)));
  out += "\n";

  const LatencySummary& l = r.latency;
  out += "Latency (ms)\n";
  char latency[256];
  std::snprintf(latency, sizeof latency, "  %10s %10s %10s %10s %10s %10s %10s\n", "p50", "p90", "p95", "p99", "p99.9",
                "max", "mean");
  out += latency;
  std::snprintf(latency, sizeof latency, "  %10.3f %10.3f %10.3f %10.3f %10.3f %10.3f %10.3f\n", l.p50, l.p90, l.p95,
                l.p99, l.p999, l.max, l.mean);
  out += latency;
  out += "\n";

  out += status_section(r.status);
  out += "\n";

  const ErrorCounts& e = r.errors;
  out += "Errors\n";
  out += row("connect", grouped(static_cast<double>(e.connect)));
  out += row("read", grouped(static_cast<double>(e.read)));
  out += row("write", grouped(static_cast<double>(e.write)));
  out += row("timeout", grouped(static_cast<double>(e.timeout)));
  out += row("closed", grouped(static_cast<double>(e.closed)));
  out += row("protocol", grouped(static_cast<double>(e.protocol)));
  out += row("error rate", fixed(r.error_rate() * 100, 3) + " %");
  out += "\n";

  const CapacityTargets& t = plan.targets;
  out += "Capacity plan (" + grouped(plan.input.measured_opm) + " successful ops/min per pod, planned at " +
         fixed(t.headroom * 100, 0) + "% = " + grouped(plan.usable_opm_per_pod) + ")\n";
  out += row("target " + grouped(t.target_opm) + " ops/min", pods_text(plan.pods_for_target));
  out += row(fixed(t.scale_factor, 0) + "x " + grouped(t.target_opm * t.scale_factor) + " ops/min",
             pods_text(plan.pods_for_scale));
  out += "  (at least " + std::to_string(t.min_pods) + " pods for availability, at most " +
         std::to_string(t.max_pods) + ")\n";
  if (o.rate > 0) {
    out += "  note: the run was rate-limited, so the measured capacity is a lower bound\n";
  }
  out += "\n";

  if (plan.meets_target()) {
    out += "Result: target met (p95 <= " + fixed(t.target_p95_ms, 0) + " ms, error rate <= " +
           fixed(t.max_error_rate * 100, 3) + "%, >= " + grouped(t.target_opm) + " ops/min)\n";
  } else {
    out += "Result: target missed\n";
    for (const auto& miss : plan.misses) {
      out += "  - " + miss + "\n";
    }
  }
  return out;
}

}  // namespace promptsales::loadgen
