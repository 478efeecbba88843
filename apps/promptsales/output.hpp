#pragma once
/// Rendering for terminal tables and JSON on stdout.

#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace promptsales::app {

/// A plain text table with aligned columns (UTF-8 aware).
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  void print(std::ostream& out) const;
  bool empty() const noexcept { return rows_.empty(); }

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

/// Prints `j` on stdout, pretty when stdout is a terminal.
void print_json(const nlohmann::json& j);

/// Shortens `s` to `max` characters with an ellipsis (for table cells).
std::string ellipsize(const std::string& s, std::size_t max);

/// True when stdout/stderr is an interactive terminal.
bool stdout_is_tty();
bool stderr_is_tty();

}  // namespace promptsales::app
