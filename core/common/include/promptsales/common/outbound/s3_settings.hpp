#pragma once
/// Where and as whom the S3 client talks, from the configuration's s3_* keys.

#include <chrono>
#include <cstddef>
#include <string>

namespace promptsales {
class Config;
}

namespace promptsales::outbound {

struct S3Settings {
  std::string endpoint;           ///< http(s)://host[:port], no trailing slash; path-style addressing
  std::string region = "us-east-1";
  std::string bucket;
  std::string access_key_id;
  std::string secret_access_key;  ///< never logged, never on argv
  std::size_t part_size = 16u << 20;  ///< multipart part size, buffered in memory per upload
  std::chrono::seconds stall_timeout{30};

  /// Reads s3_endpoint, s3_region, s3_bucket, s3_access_key_id, the secret
  /// (PROMPTSALES_S3_SECRET_ACCESS_KEY or s3_secret_access_key_file; refused
  /// in a config file), s3_part_size_mib and s3_stall_timeout_seconds.
  /// ConfigError naming the key and the problem.
  /// A non-empty `bucket` replaces s3_bucket (a backup repository's URL names its own).
  static S3Settings from_config(const Config& config, const std::string& bucket = {});

  /// Checks the fields (ConfigError naming the one that is wrong).
  void validate() const;
};

}  // namespace promptsales::outbound
