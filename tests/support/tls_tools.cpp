#include "tls_tools.hpp"

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "serve_process.hpp"
#include "temp_dir.hpp"

namespace promptsales::test {
namespace {

void require_ok(const std::vector<std::string>& argv, const char* step) {
  const ToolResult r = run_tool(argv);
  if (r.exit_code != 0) {
    std::string line;
    for (const auto& a : argv) line += a + " ";
    FAIL("openssl (" << step << ") failed with code " << r.exit_code << ": " << line << "\n" << r.output);
  }
}

}  // namespace

ToolResult run_tool(const std::vector<std::string>& argv, const std::string& input, std::chrono::milliseconds timeout) {
  // ChildProcess reads stdin from /dev/null; a shell redirect feeds `input`.
  TempDir dir("pst-tool");
  const std::string input_file = dir.write("stdin", input);
  std::vector<std::string> args{"-c", "exec \"$@\" < \"$0\"", input_file};
  args.insert(args.end(), argv.begin(), argv.end());
  ChildProcess child("sh", args, EnvMap{});
  ToolResult result;
  if (const auto code = child.wait_exit(timeout)) {
    result.exit_code = *code;
  } else {
    child.kill();
  }
  result.output = child.log();
  return result;
}

TestPki make_test_pki(const std::string& dir, const std::string& prefix, const std::string& subject_alt_names,
                      const std::string& ca_name) {
  const std::filesystem::path base(dir);
  TestPki pki;
  pki.ca_cert = (base / (prefix + "ca.pem")).string();
  pki.ca_key = (base / (prefix + "ca.key")).string();
  pki.server_cert = (base / (prefix + "server.pem")).string();
  pki.server_key = (base / (prefix + "server.key")).string();
  const std::string csr = (base / (prefix + "server.csr")).string();
  const std::string ext = (base / (prefix + "server.ext")).string();
  {
    std::ofstream out(ext);
    out << "subjectAltName=" << subject_alt_names << "\nextendedKeyUsage=serverAuth\n"
        << "basicConstraints=critical,CA:FALSE\n";
  }
  require_ok({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
              pki.ca_key, "-out", pki.ca_cert, "-days", "2", "-subj", "/CN=" + ca_name},
             "CA");
  require_ok({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
              pki.server_key, "-out", csr, "-subj", "/CN=localhost"},
             "server key");
  require_ok({"openssl", "x509", "-req", "-in", csr, "-CA", pki.ca_cert, "-CAkey", pki.ca_key, "-CAcreateserial",
              "-out", pki.server_cert, "-days", "2", "-extfile", ext},
             "sign");
  std::filesystem::permissions(pki.server_key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace);
  return pki;
}

ToolResult tls_exchange(int port, const std::string& ca_file, const std::vector<std::string>& client_args,
                        const std::string& request, std::chrono::milliseconds timeout) {
  std::vector<std::string> argv{"openssl", "s_client", "-connect", "127.0.0.1:" + std::to_string(port),
                                "-CAfile", ca_file, "-verify_return_error", "-ign_eof"};
  argv.insert(argv.end(), client_args.begin(), client_args.end());
  return run_tool(argv, request, timeout);
}

std::string get_request(const std::string& target) {
  return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
}

}  // namespace promptsales::test
