#include "promptsales/common/auth/jwks.hpp"

#include <fstream>
#include <sstream>

#include <curl/curl.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "promptsales/common/auth/signing.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/common/logging.hpp"

namespace promptsales::auth {
namespace {

constexpr std::size_t kMaxDocumentBytes = 1 << 20;

bool is_url(std::string_view location) { return location.find("://") != std::string_view::npos; }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("auth_jwks: cannot read JWKS file '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > kMaxDocumentBytes) throw ConfigError("auth_jwks: '" + path + "' is larger than 1 MiB");
  return text.str();
}

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* target) {
  auto& body = *static_cast<std::string*>(target);
  const std::size_t n = size * count;
  if (body.size() + n > kMaxDocumentBytes) return 0;  // aborts the transfer
  body.append(data, n);
  return n;
}

}  // namespace

KeySet KeySet::parse(std::string_view jwks_json, std::string_view source) {
  const auto where = [&](const std::string& problem) {
    return ConfigError("auth_jwks: " + std::string(source) + ": " + problem);
  };
  const auto doc = nlohmann::json::parse(jwks_json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) throw where("not valid JSON");
  if (!doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) throw where("no \"keys\" array");
  KeySet set;
  for (const auto& jwk : doc["keys"]) {
    if (!jwk.is_object() || jwk.value("kty", "") != "RSA") continue;
    if (jwk.contains("use") && jwk["use"] != "sig") continue;
    if (jwk.contains("alg") && jwk["alg"] != "RS256") continue;
    if (!jwk.contains("kid") || !jwk["kid"].is_string() || jwk["kid"].get<std::string>().empty()) continue;
    set.pems_[jwk["kid"].get<std::string>()] = rsa_public_pem(jwk);
  }
  if (set.pems_.empty()) throw where("no RSA signing key with a kid");
  return set;
}

const std::string* KeySet::pem(std::string_view kid) const {
  const auto it = pems_.find(kid);
  return it == pems_.end() ? nullptr : &it->second;
}

std::vector<std::string> KeySet::kids() const {
  std::vector<std::string> out;
  for (const auto& [kid, pem] : pems_) out.push_back(kid);
  return out;
}

JwksProvider::JwksProvider(JwksOptions options) : options_(std::move(options)) {}

std::string JwksProvider::read_source() const {
  if (options_.location.empty()) {
    throw ConfigError(
        "auth_jwks is not set: point it at the identity provider's JWKS URL, or run `promptsales auth keygen` "
        "for local development");
  }
  if (is_url(options_.location)) return fetch_https(options_.location, options_.ca_file, options_.timeout);
  return read_file(options_.location);
}

void JwksProvider::load() {
  auto keys = std::make_shared<const KeySet>(KeySet::parse(read_source(), options_.location));
  std::lock_guard lock(mutex_);
  keys_ = std::move(keys);
  last_refresh_ = std::chrono::steady_clock::now();
}

std::optional<std::string> JwksProvider::key(std::string_view kid) {
  std::unique_lock lock(mutex_);
  if (keys_) {
    if (const auto* pem = keys_->pem(kid)) return *pem;
  }
  const auto now = std::chrono::steady_clock::now();
  if (keys_ && now - last_refresh_ < options_.min_refresh) return std::nullopt;
  last_refresh_ = now;
  lock.unlock();
  // A token names a key we do not know: the provider may have rotated.
  std::shared_ptr<const KeySet> fresh;
  try {
    fresh = std::make_shared<const KeySet>(KeySet::parse(read_source(), options_.location));
  } catch (const Error& e) {
    logging::get("auth")->warn("refreshing the JWKS failed, keeping the known keys: {}", e.what());
    return std::nullopt;
  }
  lock.lock();
  keys_ = fresh;
  logging::get("auth")->info("JWKS refreshed from {}: {} keys", options_.location, keys_->size());
  if (const auto* pem = keys_->pem(kid)) return *pem;
  return std::nullopt;
}

std::vector<std::string> JwksProvider::kids() const {
  std::lock_guard lock(mutex_);
  return keys_ ? keys_->kids() : std::vector<std::string>{};
}

std::string fetch_https(const std::string& url, const std::string& ca_file, std::chrono::milliseconds timeout) {
  if (url.rfind("https://", 0) != 0) throw ConfigError("auth_jwks: '" + url + "' must be an https:// URL");
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!initialised) throw Unavailable("libcurl could not be initialised");
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) throw Unavailable("libcurl could not be initialised");
  std::string body;
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(curl.get(), CURLOPT_REDIR_PROTOCOLS_STR, "https");
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_MAXREDIRS, 3L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
  if (!ca_file.empty()) curl_easy_setopt(curl.get(), CURLOPT_CAINFO, ca_file.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &append_body);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) {
    throw Unavailable("auth_jwks: fetching " + url + " failed: " + (error[0] ? error : curl_easy_strerror(rc)));
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) throw Unavailable("auth_jwks: " + url + " answered HTTP " + std::to_string(status));
  return body;
}

}  // namespace promptsales::auth
