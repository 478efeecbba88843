#pragma once
/// The process's one error boundary: parse, run, and turn any escaping
/// error into one log line (or JSON error object) and a documented exit code.

namespace CLI {
class App;
}

namespace promptsales::app {
class AppContext;

int run_with_error_boundary(CLI::App& app, int argc, char** argv, AppContext& ctx);

}  // namespace promptsales::app
