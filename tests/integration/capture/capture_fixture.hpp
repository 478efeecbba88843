#pragma once
// Shared by the capture and lead API tests: a seeded installation with a
// data key, a capture made through the CLI, signing with OpenSSL directly
// (not through the code under test), and small SQL helpers.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "api_fixture.hpp"
#include "cli_output.hpp"
#include "promptsales/crm/lead_store.hpp"
#include "serve_process.hpp"

namespace promptsales::test {

inline constexpr const char* kCaptureTestKey = "5b1e0c9d8a7f6e5d4c3b2a190817263544536271809f8e7d6c5b4a3928170605";

/// A seeded installation (organizations 1..n with campaigns) and its CRM URL.
struct CaptureInstallation {
  explicit CaptureInstallation(int organizations = 2) : seeded(organizations, 3) {
    crm_url = crm::locate_crm_database(seeded.control_url());
  }
  EnvMap env(const EnvMap& overrides = {}) const {
    auto e = seeded.env("", {{"PROMPTSALES_DATA_KEY", kCaptureTestKey}, {"PROMPTSALES_CONFIG", ""}});
    for (const auto& [k, v] : overrides) e[k] = v;
    return e;
  }
  /// A live campaign of `org` (from the PromptAds database).
  std::int64_t campaign_of(std::int64_t org) const {
    pqxx::connection c(seeded.ads_url());
    pqxx::nontransaction tx(c);
    return tx.exec_params1("SELECT min(id) FROM campaigns WHERE organization_id = $1 AND NOT deleted", org)[0]
        .as<std::int64_t>();
  }
  long long crm_count(const std::string& sql) const {
    pqxx::connection c(crm_url);
    pqxx::nontransaction tx(c);
    const auto r = tx.exec(sql);
    return r.empty() || r[0][0].is_null() ? 0 : r[0][0].as<long long>();
  }
  long long control_count(const std::string& sql) const {
    pqxx::connection c(seeded.control_url());
    pqxx::nontransaction tx(c);
    const auto r = tx.exec(sql);
    return r.empty() || r[0][0].is_null() ? 0 : r[0][0].as<long long>();
  }

  SeededInstallation seeded;
  std::string crm_url;
};

/// `lead capture configure` through the binary: {"id", "secret", ...}.
inline nlohmann::json configure_capture(const CaptureInstallation& inst, std::int64_t org, std::int64_t campaign) {
  const auto r = run_promptsales(
      {"lead", "capture", "configure", "--org", std::to_string(org), "--campaign", std::to_string(campaign), "-o",
       "json"},
      inst.env());
  INFO(describe(r));
  REQUIRE(r.exit_code == 0);
  return stdout_json(r);
}

inline std::string hmac_hex(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &n);
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned int i = 0; i < n; ++i) {
    s += hex[out[i] >> 4];
    s += hex[out[i] & 15];
  }
  return s;
}

inline std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// A capture POST signed with `secret` at `timestamp` (now when 0).
inline HttpRequest signed_capture(const std::string& capture_id, const std::string& secret, const std::string& body,
                                  std::int64_t timestamp = 0) {
  const std::string ts = std::to_string(timestamp ? timestamp : unix_now());
  HttpRequest req;
  req.method = "POST";
  req.target = "/api/v1/leads/capture/" + capture_id;
  req.body = body;
  req.headers = {{"Content-Type", "application/json"},
                 {"X-PromptSales-Timestamp", ts},
                 {"X-PromptSales-Signature", "sha256=" + hmac_hex(secret, ts + "." + body)}};
  return req;
}

inline bool is_json_error(const HttpResponse& r, const std::string& code) {
  const auto j = r.json();
  return j.is_object() && j.contains("error") && j["error"].value("code", "") == code &&
         !j["error"].value("message", "").empty();
}

}  // namespace promptsales::test
