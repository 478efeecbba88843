#pragma once
/// Prometheus metrics of the API server: HTTP requests (by route, method and
/// status), latency, in-flight requests and connections, cache hits and
/// misses per tier, database pool usage and waits, build info and process.

#include <memory>

#include "promptsales/common/http/server.hpp"
#include "promptsales/common/metrics/registry.hpp"

namespace promptsales::sales {

class Access;
class Portal;

/// Feeds the server's events into `registry`.
std::shared_ptr<http::ServerObserver> make_http_metrics(metrics::Registry& registry);

/// Refused requests by status (401, 403, 429) and the audit writer's
/// counters (written, dropped, failed).
void register_access_metrics(metrics::Registry& registry, Access& access);

/// Cache, pool, build and process metrics, read at scrape time.
void register_runtime_metrics(metrics::Registry& registry, Portal& portal);

}  // namespace promptsales::sales
