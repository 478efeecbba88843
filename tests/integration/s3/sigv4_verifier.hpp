#pragma once
/// An independent AWS Signature Version 4 verifier (written from the AWS
/// specification with OpenSSL), used to check the signatures libcurl makes
/// for the S3 client, since s3rver does not verify them.

#include <map>
#include <string>
#include <vector>

namespace promptsales::test {

struct SignedRequest {
  std::string method;
  std::string target;                          ///< path?query as sent
  std::map<std::string, std::string> headers;  ///< names in lower case
};

/// The signature for `request` with `secret`, using the Authorization
/// header's credential scope and signed headers and the x-amz-date and
/// x-amz-content-sha256 headers. Throws std::runtime_error when the request
/// is not SigV4-signed.
std::string sigv4_expected_signature(const SignedRequest& request, const std::string& secret);

/// The Signature= value of the Authorization header.
std::string sigv4_provided_signature(const SignedRequest& request);

/// The SignedHeaders= names.
std::vector<std::string> sigv4_signed_headers(const SignedRequest& request);

}  // namespace promptsales::test
