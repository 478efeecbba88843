#include "error_boundary.hpp"

#include <iostream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "app_context.hpp"
#include "promptsales/common/errors.hpp"

namespace promptsales::app {
namespace {

int report(AppContext& ctx, const char* code, const std::string& message, ExitCode exit_code) {
  if (ctx.json()) {
    // Scripts read stdout; keep it one JSON document even on failure.
    nlohmann::json j = {{"error", {{"code", code}, {"message", message}}}};
    std::cout << j.dump() << "\n";
  }
  std::cerr << "promptsales: error: " << message << "\n";
  return static_cast<int>(exit_code);
}

}  // namespace

int run_with_error_boundary(CLI::App& app, int argc, char** argv, AppContext& ctx) {
  try {
    app.parse(argc, argv);
    return 0;
  } catch (const ExitWith& e) {
    return static_cast<int>(e.code);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Bad flags are usage errors: exit 2, whatever CLI11's own code.
    if (ctx.json()) {
      std::cout << nlohmann::json{{"error", {{"code", "usage"}, {"message", e.what()}}}}.dump() << "\n";
    }
    app.exit(e);
    return static_cast<int>(ExitCode::usage);
  } catch (const promptsales::Error& e) {
    return report(ctx, e.code(), e.detail().empty() ? e.what() : std::string(e.what()) + " (" + e.detail() + ")",
                  e.exit_code());
  } catch (const std::exception& e) {
    return report(ctx, "internal", e.what(), ExitCode::failure);
  }
}

}  // namespace promptsales::app
