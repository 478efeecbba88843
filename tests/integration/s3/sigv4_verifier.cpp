#include "sigv4_verifier.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

namespace promptsales::test {
namespace {

std::string hmac(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &length);
  return std::string(reinterpret_cast<char*>(out), length);
}

std::string hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 0xF];
  }
  return out;
}

std::string sha256(const std::string& data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return std::string(reinterpret_cast<char*>(out), sizeof out);
}

std::string header(const SignedRequest& request, const std::string& name) {
  auto it = request.headers.find(name);
  if (it == request.headers.end()) throw std::runtime_error("missing header " + name);
  return it->second;
}

// The value after `key=` in the Authorization header, up to ',' or the end.
std::string auth_field(const SignedRequest& request, const std::string& key) {
  const std::string auth = header(request, "authorization");
  if (auth.rfind("AWS4-HMAC-SHA256 ", 0) != 0) throw std::runtime_error("not a SigV4 Authorization header");
  const auto at = auth.find(key + "=");
  if (at == std::string::npos) throw std::runtime_error("Authorization has no " + key);
  const auto start = at + key.size() + 1;
  const auto end = auth.find(',', start);
  return auth.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string trim_value(const std::string& v) {
  std::string out;
  bool space = false;
  for (const char c : v) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

}  // namespace

std::vector<std::string> sigv4_signed_headers(const SignedRequest& request) {
  std::vector<std::string> names;
  std::stringstream list(auth_field(request, "SignedHeaders"));
  std::string name;
  while (std::getline(list, name, ';')) names.push_back(name);
  return names;
}

std::string sigv4_provided_signature(const SignedRequest& request) { return auth_field(request, "Signature"); }

std::string sigv4_expected_signature(const SignedRequest& request, const std::string& secret) {
  const std::string credential = auth_field(request, "Credential");  // AKID/date/region/service/aws4_request
  std::vector<std::string> scope_parts;
  std::stringstream cs(credential);
  std::string part;
  while (std::getline(cs, part, '/')) scope_parts.push_back(part);
  if (scope_parts.size() != 5) throw std::runtime_error("bad Credential " + credential);
  const std::string& date = scope_parts[1];
  const std::string& region = scope_parts[2];
  const std::string& service = scope_parts[3];

  const auto q = request.target.find('?');
  const std::string path = request.target.substr(0, q);
  std::vector<std::string> params;
  if (q != std::string::npos) {
    std::stringstream qs(request.target.substr(q + 1));
    while (std::getline(qs, part, '&')) params.push_back(part.find('=') == std::string::npos ? part + "=" : part);
  }
  std::sort(params.begin(), params.end());
  std::string query;
  for (const auto& p : params) query += (query.empty() ? "" : "&") + p;

  const auto signed_headers = sigv4_signed_headers(request);
  std::string canonical = request.method + "\n" + path + "\n" + query + "\n";
  std::string signed_list;
  for (const auto& name : signed_headers) {
    canonical += name + ":" + trim_value(header(request, name)) + "\n";
    signed_list += (signed_list.empty() ? "" : ";") + name;
  }
  canonical += "\n" + signed_list + "\n" + header(request, "x-amz-content-sha256");

  const std::string string_to_sign = "AWS4-HMAC-SHA256\n" + header(request, "x-amz-date") + "\n" + date + "/" +
                                     region + "/" + service + "/aws4_request\n" + hex(sha256(canonical));
  const std::string key = hmac(hmac(hmac(hmac("AWS4" + secret, date), region), service), "aws4_request");
  return hex(hmac(key, string_to_sign));
}

}  // namespace promptsales::test
