#pragma once
/// s3rver (tests/s3rver, pinned npm package) on a free loopback port with a
/// private data folder and one bucket, as a local S3 stand-in. Its
/// credentials are S3RVER / S3RVER. s3rver 3.7 checks that the access key
/// id exists but does not verify SigV4 signatures (its authentication
/// middleware leaves V4 "unimplemented"), so sigv4_test.cpp checks the
/// signatures with an independent verifier instead.

#include <memory>
#include <string>

#include "serve_process.hpp"
#include "temp_dir.hpp"

namespace promptsales::test {

class S3rverProcess {
 public:
  /// Starts it with `bucket` created and waits until it accepts
  /// connections; FAILs saying how to install s3rver when it cannot start.
  explicit S3rverProcess(std::string bucket);
  ~S3rverProcess();

  int port() const { return port_; }
  /// "http://127.0.0.1:<port>".
  std::string endpoint() const;
  const std::string& bucket() const { return bucket_; }
  /// SIGKILL, like a crash.
  void kill();
  /// Starts it again on the same port, with the same data.
  void start();

 private:
  std::string bucket_;
  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace promptsales::test
