#include "promptsales/common/config.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <regex>

#include "promptsales/common/errors.hpp"

namespace promptsales {
namespace {

// The one table. Keep it sorted by topic; README "Configuration" mirrors it.
const std::vector<ConfigKey> kKeys = {
    {"database_url", "PROMPTSALES_DATABASE_URL", "postgresql://postgres@127.0.0.1:55432/promptsales",
     "Portal/control database (libpq URL). Sub-company databases are found through its registry.", true},
    {"db_pool_size", "PROMPTSALES_DB_POOL_SIZE", "16", "Connections per database in `serve`.", false},
    {"db_pool_timeout_ms", "PROMPTSALES_DB_POOL_TIMEOUT_MS", "2000",
     "How long a request waits for a free connection before 503.", false},
    {"db_statement_timeout_ms", "PROMPTSALES_DB_STATEMENT_TIMEOUT_MS", "5000",
     "statement_timeout set on every pooled connection.", false},
    {"db_async_connections", "PROMPTSALES_DB_ASYNC_CONNECTIONS", "2",
     "PostgreSQL connections per HTTP I/O thread for the campaign page's uncached reads, run without leaving the "
     "I/O thread (used while the cache is off or has no Redis tier); 0 sends those reads to the worker pool.",
     false},
    {"db_async_pipeline_depth", "PROMPTSALES_DB_ASYNC_PIPELINE_DEPTH", "8",
     "Queries in flight per I/O-thread connection (above 1: libpq pipeline mode, which lets PostgreSQL answer a "
     "batch without sleeping between queries; 1 sends one query at a time).", false},
    {"redis_url", "PROMPTSALES_REDIS_URL", "redis://127.0.0.1:56379/0",
     "Redis for the shared cache tier and cross-pod invalidation; empty disables Redis.", true},
    {"redis_password_file", "PROMPTSALES_REDIS_PASSWORD_FILE", "",
     "File holding the Redis password (a mounted secret); overrides a password in redis_url.", false},
    {"redis_timeout_ms", "PROMPTSALES_REDIS_TIMEOUT_MS", "200", "Redis connect and command timeout.", false},
    {"cache_enabled", "PROMPTSALES_CACHE_ENABLED", "true", "Cache the campaign list responses.", false},
    {"cache_ttl_seconds", "PROMPTSALES_CACHE_TTL_SECONDS", "300", "Lifetime of cached responses.", false},
    {"cache_local_max_entries", "PROMPTSALES_CACHE_LOCAL_MAX_ENTRIES", "20000",
     "In-process cache capacity (entries).", false},
    {"cache_local_max_bytes", "PROMPTSALES_CACHE_LOCAL_MAX_BYTES", "134217728",
     "In-process cache capacity (bytes).", false},
    {"listen", "PROMPTSALES_LISTEN", "127.0.0.1:8080", "Address `serve` listens on (host:port).", false},
    {"io_threads", "PROMPTSALES_IO_THREADS", "0", "HTTP I/O threads (0 = one per core).", false},
    {"worker_threads", "PROMPTSALES_WORKER_THREADS", "16", "Threads for handlers that do I/O.", false},
    {"http_max_connections", "PROMPTSALES_HTTP_MAX_CONNECTIONS", "10000", "Open connection cap.", false},
    {"http_max_body_bytes", "PROMPTSALES_HTTP_MAX_BODY_BYTES", "1048576", "Largest accepted request body.", false},
    {"http_max_header_bytes", "PROMPTSALES_HTTP_MAX_HEADER_BYTES", "16384", "Largest accepted request head.", false},
    {"http_read_timeout_ms", "PROMPTSALES_HTTP_READ_TIMEOUT_MS", "10000",
     "Time a client has to send a whole request.", false},
    {"http_idle_timeout_ms", "PROMPTSALES_HTTP_IDLE_TIMEOUT_MS", "60000", "Keep-alive idle timeout.", false},
    {"tls_cert_file", "PROMPTSALES_TLS_CERT_FILE", "",
     "PEM certificate chain for HTTPS in `serve` (with tls_key_file; TLS 1.3 only). Empty: plain HTTP.", false},
    {"tls_key_file", "PROMPTSALES_TLS_KEY_FILE", "",
     "PEM private key of tls_cert_file (unencrypted; mount it as a secret file).", false},
    {"metrics_job_runs_refresh_ms", "PROMPTSALES_METRICS_JOB_RUNS_REFRESH_MS", "15000",
     "How often serve re-reads the job run records it exports as promptsales_job_* metrics.", false},
    {"shutdown_timeout_ms", "PROMPTSALES_SHUTDOWN_TIMEOUT_MS", "25000",
     "On SIGTERM, how long in-flight requests may take before connections are closed.", false},
    {"auth_enabled", "PROMPTSALES_AUTH_ENABLED", "true",
     "Require bearer tokens on /api routes. Off only with `serve --insecure-no-auth` on loopback.", false},
    {"auth_jwks", "PROMPTSALES_AUTH_JWKS", "",
     "Identity provider's JWKS: an https:// URL or a file (`auth keygen` writes one for development).", false},
    {"auth_jwks_ca_file", "PROMPTSALES_AUTH_JWKS_CA_FILE", "", "CA bundle for the JWKS URL (empty: system CAs).",
     false},
    {"auth_jwks_min_refresh_ms", "PROMPTSALES_AUTH_JWKS_MIN_REFRESH_MS", "10000",
     "An unknown kid reloads the JWKS at most this often.", false},
    {"auth_issuer", "PROMPTSALES_AUTH_ISSUER", "https://promptsales.local/", "Expected token `iss`, exactly.", false},
    {"auth_audience", "PROMPTSALES_AUTH_AUDIENCE", "https://api.promptsales.local", "Expected in token `aud`.",
     false},
    {"auth_leeway_seconds", "PROMPTSALES_AUTH_LEEWAY_SECONDS", "30", "Clock skew allowed for exp and nbf.", false},
    {"auth_org_claim", "PROMPTSALES_AUTH_ORG_CLAIM", "org_id", "Token claim holding the organization id.", false},
    {"auth_permissions_claim", "PROMPTSALES_AUTH_PERMISSIONS_CLAIM", "permissions",
     "Token claim holding permission names (Auth0 RBAC).", false},
    {"auth_cache_max_entries", "PROMPTSALES_AUTH_CACHE_MAX_ENTRIES", "100000", "Verified tokens kept in process.",
     false},
    {"auth_cache_max_age_seconds", "PROMPTSALES_AUTH_CACHE_MAX_AGE_SECONDS", "60",
     "A verified token is re-checked (and its users-table grants re-read) at least this often.", false},
    {"auth_cache_redis", "PROMPTSALES_AUTH_CACHE_REDIS", "true",
     "Share verified tokens between pods through Redis (records signed with a key derived from data_key; "
     "needs redis_url and a data key).", false},
    {"rate_limit_ip_per_second", "PROMPTSALES_RATE_LIMIT_IP_PER_SECOND", "1000",
     "Requests per second per client address on /api routes (0 = no limit).", false},
    {"rate_limit_ip_burst", "PROMPTSALES_RATE_LIMIT_IP_BURST", "2000", "Burst allowed above the per-address rate.",
     false},
    {"rate_limit_token_per_second", "PROMPTSALES_RATE_LIMIT_TOKEN_PER_SECOND", "100",
     "Requests per second per bearer token on /api routes (0 = no limit).", false},
    {"rate_limit_token_burst", "PROMPTSALES_RATE_LIMIT_TOKEN_BURST", "200", "Burst allowed above the per-token rate.",
     false},
    {"http_trust_forwarded_for", "PROMPTSALES_HTTP_TRUST_FORWARDED_FOR", "false",
     "Take the client address from the last X-Forwarded-For entry (only behind a load balancer that sets it).",
     false},
    {"log_level", "PROMPTSALES_LOG_LEVEL", "info", "trace, debug, info, warn, error or off.", false},
    {"log_format", "PROMPTSALES_LOG_FORMAT", "auto",
     "text, json, or auto (JSON for serve and jobs, text in a terminal).", false},
    // Encryption at rest and the audit log (README "Security").
    {"data_key", "PROMPTSALES_DATA_KEY", "",
     "Key for sensitive columns: 64 hex characters (32 bytes). Environment only; or use data_key_file.", true},
    {"data_key_file", "PROMPTSALES_DATA_KEY_FILE", "", "File holding the data key (a mounted secret).", false},
    {"data_key_previous", "PROMPTSALES_DATA_KEY_PREVIOUS", "",
     "The key before the last rotation: rows still on it stay readable. Environment only.", true},
    {"data_key_previous_file", "PROMPTSALES_DATA_KEY_PREVIOUS_FILE", "", "File holding the previous data key.", false},
    // Encrypted backups (README "Backups").
    {"backup_key", "PROMPTSALES_BACKUP_KEY", "",
     "Key for backups (AES-256-GCM): 64 hex characters. Environment only; or use backup_key_file.", true},
    {"backup_key_file", "PROMPTSALES_BACKUP_KEY_FILE", "", "File holding the backup key (a mounted secret).", false},
    {"backup_repository", "PROMPTSALES_BACKUP_REPOSITORY", "/var/lib/promptsales/backups",
     "Where backups go: a local directory (or file:///path); created 0700 if missing.", false},
    {"backup_retention_days", "PROMPTSALES_BACKUP_RETENTION_DAYS", "30",
     "`backup prune` deletes backups older than this...", false},
    {"backup_min_keep", "PROMPTSALES_BACKUP_MIN_KEEP", "7",
     "...but never the newest this many verified-complete backups.", false},
    {"pg_bin_dir", "PROMPTSALES_PG_BIN", "/usr/lib/postgresql/15/bin",
     "Directory of pg_dump and pg_restore (PostgreSQL 15) used by `backup`.", false},
    {"audit_retention_days", "PROMPTSALES_AUDIT_RETENTION_DAYS", "90",
     "Days `audit purge` keeps audit log entries.", false},
    // The job runner (README "Jobs").
    {"jobs_schedule", "PROMPTSALES_JOBS_SCHEDULE", "",
     "What `jobs scheduler` enqueues: job=cron;job=cron (5-field cron, UTC), e.g. audit-purge=0 4 * * *.", false},
    {"jobs_worker_concurrency", "PROMPTSALES_JOBS_WORKER_CONCURRENCY", "2", "Jobs one `jobs worker` runs at once.",
     false},
    {"jobs_poll_interval_ms", "PROMPTSALES_JOBS_POLL_INTERVAL_MS", "1000",
     "How often an idle worker looks at the queue when no NOTIFY woke it.", false},
    {"jobs_shutdown_grace_seconds", "PROMPTSALES_JOBS_SHUTDOWN_GRACE_SECONDS", "25",
     "On SIGTERM, how long the worker lets running jobs finish (keep below the pod's grace period).", false},
    {"jobs_retry_base_ms", "PROMPTSALES_JOBS_RETRY_BASE_MS", "30000",
     "Delay before a queued job's first retry; doubles per attempt, at most an hour.", false},
    {"jobs_max_attempts", "PROMPTSALES_JOBS_MAX_ATTEMPTS", "5", "Attempts of a queued job before it stays failed.",
     false},
    // Lead scoring (README "Scoring"): JSON over the built-in weights.
    {"lead_scoring_weights", "PROMPTSALES_LEAD_SCORING_WEIGHTS", "",
     "Lead score weights as JSON, e.g. {\"engagement\":50,\"events\":{\"demo.booked\":12}} (empty: built-in).",
     false},
    // Outbound HTTP (README "Outbound integrations"): every provider and S3.
    {"outbound_timeout_ms", "PROMPTSALES_OUTBOUND_TIMEOUT_MS", "1000",
     "Time limit of one outbound request attempt (large transfers use a stall limit instead).", false},
    {"outbound_connect_timeout_ms", "PROMPTSALES_OUTBOUND_CONNECT_TIMEOUT_MS", "1000",
     "Time limit of connecting to an outbound target.", false},
    {"outbound_attempts", "PROMPTSALES_OUTBOUND_ATTEMPTS", "3",
     "Sends of one outbound request that failed retryably (connection, timeout, 429, 5xx).", false},
    {"outbound_backoff_base_ms", "PROMPTSALES_OUTBOUND_BACKOFF_BASE_MS", "100",
     "Backoff ceiling after the first failed attempt; doubles per attempt (full jitter below it).", false},
    {"outbound_backoff_max_ms", "PROMPTSALES_OUTBOUND_BACKOFF_MAX_MS", "2000", "Largest backoff between attempts.",
     false},
    {"outbound_breaker_failures", "PROMPTSALES_OUTBOUND_BREAKER_FAILURES", "5",
     "Consecutive failed attempts that open a target's circuit breaker.", false},
    {"outbound_breaker_cooldown_ms", "PROMPTSALES_OUTBOUND_BREAKER_COOLDOWN_MS", "30000",
     "How long an open breaker fails fast before letting one trial request through.", false},
    {"outbound_ca_file", "PROMPTSALES_OUTBOUND_CA_FILE", "",
     "CA bundle for outbound HTTPS (empty: system CAs). Peers are always verified.", false},
    // S3-compatible object storage (README "Outbound integrations").
    {"s3_endpoint", "PROMPTSALES_S3_ENDPOINT", "",
     "S3 endpoint URL, e.g. https://s3.eu-west-1.amazonaws.com; buckets are addressed path-style.", false},
    {"s3_region", "PROMPTSALES_S3_REGION", "us-east-1", "Region used in SigV4 signatures.", false},
    {"s3_bucket", "PROMPTSALES_S3_BUCKET", "", "Bucket name.", false},
    {"s3_access_key_id", "PROMPTSALES_S3_ACCESS_KEY_ID", "", "Access key id.", false},
    {"s3_secret_access_key", "PROMPTSALES_S3_SECRET_ACCESS_KEY", "",
     "Secret access key. Environment only; or use s3_secret_access_key_file.", true},
    {"s3_secret_access_key_file", "PROMPTSALES_S3_SECRET_ACCESS_KEY_FILE", "",
     "File holding the secret access key (a mounted secret).", false},
    {"s3_part_size_mib", "PROMPTSALES_S3_PART_SIZE_MIB", "16",
     "Multipart upload part size (5-512 MiB); each part is buffered so it can be retried.", false},
    {"s3_stall_timeout_seconds", "PROMPTSALES_S3_STALL_TIMEOUT_SECONDS", "30",
     "An S3 transfer moving under 1 KiB/s for this long is aborted (and retried).", false},
    // Lead capture endpoints (README "Lead capture").
    {"lead_capture_tolerance_seconds", "PROMPTSALES_LEAD_CAPTURE_TOLERANCE_SECONDS", "300",
     "How far a capture request's X-PromptSales-Timestamp may be from the server's clock.", false},
    {"lead_capture_max_body_bytes", "PROMPTSALES_LEAD_CAPTURE_MAX_BODY_BYTES", "65536",
     "Largest captured lead body (413 above).", false},
    {"lead_capture_rate_per_second", "PROMPTSALES_LEAD_CAPTURE_RATE_PER_SECOND", "5",
     "Leads per second accepted per capture id, per pod (0 = no limit).", false},
    {"lead_capture_rate_burst", "PROMPTSALES_LEAD_CAPTURE_RATE_BURST", "20",
     "Burst allowed above the per-capture rate.", false},
    {"lead_capture_default_country", "PROMPTSALES_LEAD_CAPTURE_DEFAULT_COUNTRY", "",
     "ISO alpha-2 country whose calling code national phone numbers in captured leads take (empty: refuse them).",
     false},
};

bool is_known(std::string_view key) {
  return std::any_of(kKeys.begin(), kKeys.end(), [&](const ConfigKey& k) { return k.name == key; });
}

const ConfigKey& key_of(std::string_view key) {
  for (const auto& k : kKeys) {
    if (k.name == key) return k;
  }
  throw ConfigError("unknown configuration key '" + std::string(key) + "'");
}

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r");
  return std::string(s.substr(b, e - b + 1));
}

std::string describe(const ConfigValue& v) {
  return v.origin.empty() ? std::string(to_string(v.source)) : std::string(to_string(v.source)) + " " + v.origin;
}

}  // namespace

std::string_view to_string(ConfigSource source) noexcept {
  switch (source) {
    case ConfigSource::default_value: return "default";
    case ConfigSource::file: return "file";
    case ConfigSource::environment: return "env";
    case ConfigSource::flag: return "flag";
  }
  return "?";
}

const std::vector<ConfigKey>& config_keys() { return kKeys; }

std::optional<std::string> process_env(const char* name) {
  if (const char* v = std::getenv(name)) return std::string(v);
  return std::nullopt;
}

Config Config::load(const std::string& config_file, EnvLookup env) {
  Config c;
  for (const auto& k : kKeys) {
    c.values_[std::string(k.name)] = ConfigValue{std::string(k.default_value), ConfigSource::default_value, {}};
  }
  std::string file = config_file;
  if (file.empty()) file = env("PROMPTSALES_CONFIG").value_or("");
  if (!file.empty()) c.load_file(file);
  for (const auto& k : kKeys) {
    if (auto v = env(std::string(k.env).c_str())) {
      c.values_[std::string(k.name)] = ConfigValue{*v, ConfigSource::environment, std::string(k.env)};
    }
  }
  return c;
}

// Format: `key = value` per line, `#` comments, blank lines; values may be
// wrapped in double quotes. Deliberately tiny: a subset of TOML.
void Config::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError("cannot read config file '" + path + "'");
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    const auto eq = t.find('=');
    const std::string where = path + ":" + std::to_string(number);
    if (eq == std::string::npos) throw ConfigError(where + ": expected 'key = value'");
    const std::string key = trim(std::string_view(t).substr(0, eq));
    std::string value = trim(std::string_view(t).substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (!is_known(key)) throw ConfigError(where + ": unknown key '" + key + "'");
    values_[key] = ConfigValue{value, ConfigSource::file, path};
  }
}

void Config::set_flag(std::string_view key, std::string value) {
  const auto& k = key_of(key);
  if (k.secret && mask_url_password(value) != value) {
    throw ConfigError("refusing a password on the command line for '" + std::string(key) +
                      "': set " + std::string(k.env) + " or use a config file");
  }
  values_[std::string(key)] = ConfigValue{std::move(value), ConfigSource::flag, "--" + std::string(key)};
}

const ConfigValue& Config::get(std::string_view key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw ConfigError("unknown configuration key '" + std::string(key) + "'");
  return it->second;
}

std::int64_t Config::integer(std::string_view key, std::int64_t min, std::int64_t max) const {
  const auto& v = get(key);
  std::size_t used = 0;
  long long n = 0;
  try {
    n = std::stoll(v.value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.value.size()) {
    throw ConfigError(std::string(key) + " (" + describe(v) + "): '" + v.value + "' is not an integer");
  }
  if (n < min || n > max) {
    throw ConfigError(std::string(key) + " (" + describe(v) + "): " + v.value + " is outside " +
                      std::to_string(min) + ".." + std::to_string(max));
  }
  return n;
}

bool Config::boolean(std::string_view key) const {
  const auto& v = get(key);
  std::string s = v.value;
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (s == "true" || s == "1" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "0" || s == "no" || s == "off") return false;
  throw ConfigError(std::string(key) + " (" + describe(v) + "): '" + v.value + "' is not true or false");
}

std::chrono::milliseconds Config::millis(std::string_view key) const {
  return std::chrono::milliseconds(integer(key, 0, std::numeric_limits<std::int32_t>::max()));
}

std::string Config::display_value(std::string_view key) const {
  const auto& k = key_of(key);
  const auto& v = get(key).value;
  if (!k.secret) return v;
  if (v.find("://") != std::string::npos || v.find("password=") != std::string::npos) return mask_url_password(v);
  return v.empty() ? v : "****";
}

std::string mask_url_password(std::string_view url) {
  static const std::regex uri(R"(^([a-zA-Z][a-zA-Z0-9+.-]*://[^:/@]*):([^@/]*)@)");
  static const std::regex kv(R"((password\s*=\s*)('[^']*'|\S+))");
  std::string s(url);
  s = std::regex_replace(s, uri, "$1:****@");
  s = std::regex_replace(s, kv, "$1****");
  return s;
}

}  // namespace promptsales
