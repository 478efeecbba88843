#pragma once
/// TLS helpers for end-to-end tests, built on the `openssl` command-line tool
/// (a real, independent TLS implementation rather than our own code): a
/// throwaway CA and certificates, and `openssl s_client` as a client.

#include <chrono>
#include <string>
#include <vector>

namespace promptsales::test {

/// A command's exit code and everything it wrote to stdout and stderr.
struct ToolResult {
  int exit_code = -1;  ///< -1 when it was killed at the timeout
  std::string output;
};

/// Runs `argv` (argv[0] looked up in PATH) with `input` on stdin; kills it
/// after `timeout`.
ToolResult run_tool(const std::vector<std::string>& argv, const std::string& input = {},
                    std::chrono::milliseconds timeout = std::chrono::seconds(20));

/// Files of a throwaway PKI in one folder.
struct TestPki {
  std::string ca_cert;      ///< self-signed CA certificate (PEM)
  std::string ca_key;
  std::string server_cert;  ///< signed by the CA
  std::string server_key;   ///< unencrypted, mode 0600
};

/// Makes a CA (`ca_name`) and a server certificate for `subject_alt_names`
/// (OpenSSL syntax, e.g. "IP:127.0.0.1,DNS:localhost") with the `openssl` CLI
/// in `dir`, under file names prefixed with `prefix`. FAILs the test with
/// openssl's output if a step fails.
TestPki make_test_pki(const std::string& dir, const std::string& prefix = "",
                      const std::string& subject_alt_names = "IP:127.0.0.1,DNS:localhost",
                      const std::string& ca_name = "promptsales test CA");

/// Sends `request` with `openssl s_client -connect 127.0.0.1:<port>
/// -CAfile <ca_file> -verify_return_error -ign_eof` plus `client_args`, and
/// returns what came back (the response, or openssl's error).
ToolResult tls_exchange(int port, const std::string& ca_file, const std::vector<std::string>& client_args,
                        const std::string& request, std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// "GET <target> HTTP/1.1" with Host and Connection: close.
std::string get_request(const std::string& target);

}  // namespace promptsales::test
