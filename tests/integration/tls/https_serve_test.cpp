// End to end: `promptsales serve --tls-cert/--tls-key` speaks TLS 1.3 only,
// with exactly three ciphersuites, checked with `openssl s_client` against a
// throwaway CA made by the openssl CLI.

#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "http_client.hpp"
#include "serve_process.hpp"
#include "temp_dir.hpp"
#include "test_env.hpp"
#include "tls_tools.hpp"

using namespace promptsales::test;

namespace {

constexpr auto kHttp200 = "HTTP/1.1 200 OK";

/// A `serve` over TLS on a migrated installation, ready once GET /healthz
/// answers 200 through openssl s_client.
struct HttpsServer {
  explicit HttpsServer(const EnvMap& extra_env = {}, std::vector<std::string> extra_args = {})
      : pki(make_test_pki(dir.str())), serve(environment(extra_env), args(std::move(extra_args)),
                                             std::chrono::seconds(20), ready_check(pki.ca_cert)) {}

  EnvMap environment(const EnvMap& extra) const {
    EnvMap env = installation.env();
    env["PROMPTSALES_REDIS_URL"] = "";
    env["PROMPTSALES_LOG_LEVEL"] = "debug";
    for (const auto& [k, v] : extra) env[k] = v;
    return env;
  }
  std::vector<std::string> args(std::vector<std::string> extra) const {
    std::vector<std::string> out{"--tls-cert", pki.server_cert, "--tls-key", pki.server_key};
    out.insert(out.end(), extra.begin(), extra.end());
    return out;
  }
  static ServeProcess::ReadyCheck ready_check(const std::string& ca) {
    return [ca](int port) -> std::optional<std::string> {
      const ToolResult r = tls_exchange(port, ca, {"-tls1_3"}, get_request("/healthz"), std::chrono::seconds(2));
      if (r.output.find(kHttp200) != std::string::npos) return std::nullopt;
      return "openssl s_client: " + r.output.substr(0, 400);
    };
  }
  ToolResult get(const std::vector<std::string>& client_args, const std::string& target = "/healthz") const {
    return tls_exchange(serve.port(), pki.ca_cert, client_args, get_request(target));
  }

  TestInstallation installation;
  TempDir dir{"pst-tls"};
  TestPki pki;
  ServeProcess serve;
};

bool handshake_succeeded(const ToolResult& r) { return r.output.find(kHttp200) != std::string::npos; }

}  // namespace

TEST_CASE("HTTPS serves GET /healthz over TLS 1.3 with each allowed ciphersuite", "[tls][serve]") {
  HttpsServer server;
  for (const std::string suite : {"TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_256_GCM_SHA384"}) {
    const ToolResult r = server.get({"-tls1_3", "-ciphersuites", suite, "-servername", "localhost"});
    INFO(suite << "\n" << r.output);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Contains("Verify return code: 0 (ok)"));
    CHECK_THAT(r.output, Catch::Contains("TLSv1.3, Cipher is " + suite));
    CHECK_THAT(r.output, Catch::Contains(kHttp200));
  }
}

TEST_CASE("HTTPS refuses TLS 1.2, TLS 1.1 and TLS 1.3 suites outside the list", "[tls][serve]") {
  HttpsServer server;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"-tls1_2"}, std::vector<std::string>{"-tls1_1"},
        std::vector<std::string>{"-tls1_3", "-ciphersuites", "TLS_AES_128_CCM_SHA256"},
        std::vector<std::string>{"-tls1_3", "-ciphersuites", "TLS_AES_128_CCM_8_SHA256"}}) {
    const ToolResult r = server.get(args);
    INFO(args.back() << "\n" << r.output);
    CHECK(r.exit_code != 0);
    CHECK_FALSE(handshake_succeeded(r));
  }
  // Each refusal that reached the server was counted (an OpenSSL 3 client
  // may refuse TLS 1.1 itself), and the server still serves good clients.
  const ToolResult ok = server.get({"-tls1_3"}, "/metrics");
  INFO(ok.output);
  REQUIRE(handshake_succeeded(ok));
  CHECK_THAT(ok.output, Catch::Matches("[\\s\\S]*promptsales_http_tls_handshake_failures_total [3-9][\\s\\S]*"));
}

TEST_CASE("A client that does not trust the CA fails verification", "[tls][serve]") {
  HttpsServer server;
  TempDir other("pst-tls-other");
  const TestPki stranger = make_test_pki(other.str(), "", "IP:127.0.0.1", "some other CA");
  const ToolResult r =
      tls_exchange(server.serve.port(), stranger.ca_cert, {"-tls1_3"}, get_request("/healthz"));
  INFO(r.output);
  CHECK(r.exit_code != 0);
  CHECK_FALSE(handshake_succeeded(r));
}

TEST_CASE("Plaintext HTTP to the TLS port neither crashes nor stalls the server", "[tls][serve]") {
  HttpsServer server;
  for (int i = 0; i < 3; ++i) {
    try {
      const auto r = server.serve.get("/healthz", std::chrono::seconds(3));
      CHECK(r.status != 200);  // whatever came back, it is not a plain HTTP answer
    } catch (const HttpError&) {
      // Expected: the server drops a connection whose handshake fails.
    }
  }
  REQUIRE(server.serve.running());
  const ToolResult r = server.get({"-tls1_3"});
  INFO(r.output << "\n--- server log ---\n" << server.serve.log());
  CHECK(handshake_succeeded(r));
  CHECK_THAT(server.serve.log(), Catch::Contains("TLS handshake with 127.0.0.1 failed"));
}

TEST_CASE("A silent client is dropped at read_timeout while others are served", "[tls][serve]") {
  HttpsServer server(EnvMap{{"PROMPTSALES_HTTP_READ_TIMEOUT_MS", "500"}});
  // A raw TCP connection that never sends a ClientHello.
  ChildProcess silent("bash", {"-c", "exec 3<>/dev/tcp/127.0.0.1/$0; sleep 5", std::to_string(server.serve.port())},
                      EnvMap{});
  const ToolResult r = server.get({"-tls1_3"});
  CHECK(handshake_succeeded(r));
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::string metrics;
  while (std::chrono::steady_clock::now() < until) {
    metrics = server.get({"-tls1_3"}, "/metrics").output;
    if (metrics.find("promptsales_http_tls_handshake_failures_total 1") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(metrics);
  CHECK_THAT(metrics, Catch::Contains("promptsales_http_tls_handshake_failures_total 1"));
}

TEST_CASE("SIGTERM drains an HTTPS server and it exits 0", "[tls][serve]") {
  HttpsServer server;
  REQUIRE(handshake_succeeded(server.get({"-tls1_3"})));
  server.serve.send_signal(SIGTERM);
  const auto code = server.serve.wait_exit(std::chrono::seconds(10));
  INFO(server.serve.log());
  REQUIRE(code);
  CHECK(*code == 0);
}

TEST_CASE("serve exits 2 naming the file for a missing, invalid or mismatched certificate or key",
          "[tls][serve]") {
  TestInstallation installation;
  EnvMap env = installation.env();
  env["PROMPTSALES_REDIS_URL"] = "";
  TempDir dir("pst-tls-bad");
  const TestPki pki = make_test_pki(dir.str());
  const TestPki other = make_test_pki(dir.str(), "other-");
  const std::string missing = dir.str() + "/missing.pem";
  const std::string garbage = dir.write("garbage.pem", "not a certificate\n");

  struct Case {
    std::vector<std::string> args;
    std::string named;
  };
  const std::vector<Case> cases = {
      {{"--tls-cert", missing, "--tls-key", pki.server_key}, missing},
      {{"--tls-cert", pki.server_cert, "--tls-key", missing}, missing},
      {{"--tls-cert", garbage, "--tls-key", pki.server_key}, garbage},
      {{"--tls-cert", pki.server_cert, "--tls-key", garbage}, garbage},
      {{"--tls-cert", pki.server_cert, "--tls-key", other.server_key}, other.server_key},
      {{"--tls-cert", pki.server_cert}, "tls_key_file"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args{"serve", "--listen", "127.0.0.1:" + std::to_string(free_port())};
    args.insert(args.end(), c.args.begin(), c.args.end());
    const CommandResult r = run_promptsales(args, env);
    const std::string all = r.out + r.err;
    INFO(all);
    CHECK(r.exit_code == 2);
    CHECK_THAT(all, Catch::Contains(c.named));
    CHECK_THAT(all, !Catch::Contains("PRIVATE KEY"));
  }

  // The environment variables work as the flags do.
  EnvMap via_env = env;
  via_env["PROMPTSALES_TLS_CERT_FILE"] = pki.server_cert;
  via_env["PROMPTSALES_TLS_KEY_FILE"] = missing;
  const CommandResult r = run_promptsales({"serve", "--listen", "127.0.0.1:" + std::to_string(free_port())}, via_env);
  INFO(r.out + r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.out + r.err, Catch::Contains(missing));
}
