#pragma once
/// The request bytes a run sends, rotating organizations and offsets.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "promptsales/common/loadgen/header_line.hpp"
#include "promptsales/common/loadgen/url_template.hpp"

namespace promptsales::loadgen::detail {

/// Renders GET requests for the URL template. Small rotations are rendered
/// once up front and shared read-only by all threads, so the hot path sends
/// bytes without building them.
class RequestWriter {
 public:
  RequestWriter(UrlTemplate url, const std::vector<std::string>& organizations,
                const std::vector<std::uint64_t>& offsets, const std::vector<HeaderLine>& headers);

  /// Number of distinct requests before the rotation repeats.
  std::uint64_t variants() const noexcept { return orgs_.size() * offsets_.size(); }
  /// Request number `sequence` of the rotation; may be rendered into `scratch`.
  std::string_view request(std::uint64_t sequence, std::string& scratch) const;

 private:
  void render(std::string& out, std::uint64_t sequence) const;

  UrlTemplate url_;
  std::vector<std::string> orgs_;     // percent-encoded
  std::vector<std::string> offsets_;  // decimal
  std::string head_tail_;             // " HTTP/1.1\r\nHost: ...\r\n...\r\n\r\n"
  std::vector<std::string> rendered_;
};

}  // namespace promptsales::loadgen::detail
