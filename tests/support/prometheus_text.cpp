#include "prometheus_text.hpp"

#include <cstdlib>
#include <limits>
#include <sstream>

namespace promptsales::test {

std::vector<MetricSample> parse_metric_samples(const std::string& text) {
  std::vector<MetricSample> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    MetricSample s;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') s.name.push_back(line[i++]);
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        std::string key;
        while (i < line.size() && line[i] != '=') key.push_back(line[i++]);
        i += 2;  // ="
        std::string value;
        while (i < line.size() && line[i] != '"') {
          if (line[i] == '\\' && i + 1 < line.size()) {
            ++i;
            value.push_back(line[i] == 'n' ? '\n' : line[i]);
          } else {
            value.push_back(line[i]);
          }
          ++i;
        }
        ++i;  // closing quote
        if (i < line.size() && line[i] == ',') ++i;
        s.labels[key] = value;
      }
      ++i;  // }
    }
    while (i < line.size() && line[i] == ' ') ++i;
    const std::string rest = line.substr(i);
    const std::string number = rest.substr(0, rest.find(' '));
    if (number == "+Inf") {
      s.value = std::numeric_limits<double>::infinity();
    } else if (number == "-Inf") {
      s.value = -std::numeric_limits<double>::infinity();
    } else {
      s.value = std::strtod(number.c_str(), nullptr);
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::optional<double> metric_value(const std::string& text, const std::string& name,
                                   const std::map<std::string, std::string>& labels) {
  std::optional<double> sum;
  for (const auto& s : parse_metric_samples(text)) {
    if (s.name != name) continue;
    bool match = true;
    for (const auto& [k, v] : labels) {
      const auto it = s.labels.find(k);
      if (it == s.labels.end() || it->second != v) {
        match = false;
        break;
      }
    }
    if (match) sum = sum.value_or(0) + s.value;
  }
  return sum;
}

}  // namespace promptsales::test
