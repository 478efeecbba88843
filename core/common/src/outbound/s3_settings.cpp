#include "promptsales/common/outbound/s3_settings.hpp"

#include <fstream>
#include <sstream>

#include "promptsales/common/config.hpp"
#include "promptsales/common/errors.hpp"

namespace promptsales::outbound {
namespace {

// The secret from the environment or a file, never from a config file (it
// would end up in a ConfigMap) and never from a flag (Config refuses those).
std::string secret_from(const Config& config) {
  const auto& value = config.get("s3_secret_access_key");
  const auto& file = config.get("s3_secret_access_key_file");
  if (!value.value.empty() && value.source == ConfigSource::file) {
    throw ConfigError("s3_secret_access_key must not be written in a config file (" + value.origin +
                      "): set PROMPTSALES_S3_SECRET_ACCESS_KEY or s3_secret_access_key_file");
  }
  if (!value.value.empty() && value.source == ConfigSource::flag) {
    throw ConfigError("s3_secret_access_key must not be given on the command line: set "
                      "PROMPTSALES_S3_SECRET_ACCESS_KEY or s3_secret_access_key_file");
  }
  if (!value.value.empty() && !file.value.empty()) {
    throw ConfigError("both s3_secret_access_key and s3_secret_access_key_file are set: give only one");
  }
  if (!value.value.empty()) return value.value;
  if (file.value.empty()) {
    throw ConfigError("no S3 secret access key: set PROMPTSALES_S3_SECRET_ACCESS_KEY or s3_secret_access_key_file");
  }
  std::ifstream in(file.value, std::ios::binary);
  if (!in) throw ConfigError("s3_secret_access_key_file '" + file.value + "': cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  std::string secret = text.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) throw ConfigError("s3_secret_access_key_file '" + file.value + "': the file is empty");
  if (secret.find('\n') != std::string::npos) {
    throw ConfigError("s3_secret_access_key_file '" + file.value + "': expected the key on one line");
  }
  return secret;
}

}  // namespace

S3Settings S3Settings::from_config(const Config& config, const std::string& bucket) {
  S3Settings s;
  s.endpoint = config.str("s3_endpoint");
  while (!s.endpoint.empty() && s.endpoint.back() == '/') s.endpoint.pop_back();
  s.region = config.str("s3_region");
  s.bucket = bucket.empty() ? config.str("s3_bucket") : bucket;
  s.access_key_id = config.str("s3_access_key_id");
  s.part_size = static_cast<std::size_t>(config.integer("s3_part_size_mib", 5, 512)) << 20;
  s.stall_timeout = std::chrono::seconds(config.integer("s3_stall_timeout_seconds", 1, 3600));
  s.secret_access_key = secret_from(config);
  s.validate();
  return s;
}

void S3Settings::validate() const {
  if (endpoint.rfind("http://", 0) != 0 && endpoint.rfind("https://", 0) != 0) {
    throw ConfigError(endpoint.empty() ? "s3_endpoint is not set"
                                       : "s3_endpoint '" + endpoint + "': expected an http:// or https:// URL");
  }
  if (endpoint.find('?') != std::string::npos || endpoint.find('#') != std::string::npos) {
    throw ConfigError("s3_endpoint '" + endpoint + "': expected no query or fragment");
  }
  if (region.empty()) throw ConfigError("s3_region is not set");
  if (bucket.size() < 3 || bucket.size() > 63) {
    throw ConfigError(bucket.empty() ? "s3_bucket is not set" : "s3_bucket '" + bucket + "': 3 to 63 characters");
  }
  for (const char c : bucket) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.')) {
      throw ConfigError("s3_bucket '" + bucket + "': only lower-case letters, digits, '-' and '.'");
    }
  }
  if (access_key_id.empty()) throw ConfigError("s3_access_key_id is not set");
  if (secret_access_key.empty()) {
    throw ConfigError("no S3 secret access key: set PROMPTSALES_S3_SECRET_ACCESS_KEY or s3_secret_access_key_file");
  }
  if (part_size == 0) throw ConfigError("s3_part_size_mib: must be positive");
}

}  // namespace promptsales::outbound
