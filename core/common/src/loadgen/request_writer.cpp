#include "request_writer.hpp"

#include <algorithm>

namespace promptsales::loadgen::detail {
namespace {

// Rotations up to this many bytes are rendered once; beyond, per request.
constexpr std::size_t kPrerenderBytes = 4 * 1024 * 1024;

bool is_host(const std::string& name) {
  return name.size() == 4 && std::equal(name.begin(), name.end(), "host", [](char a, char b) {
           return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
         });
}

}  // namespace

RequestWriter::RequestWriter(UrlTemplate url, const std::vector<std::string>& organizations,
                             const std::vector<std::uint64_t>& offsets, const std::vector<HeaderLine>& headers)
    : url_(std::move(url)) {
  // A placeholder the URL does not use must not multiply the rotation.
  if (url_.uses_org()) {
    for (const auto& org : organizations) {
      orgs_.push_back(encode_component(org));
    }
  } else {
    orgs_.emplace_back();
  }
  if (url_.uses_offset()) {
    for (const auto offset : offsets) {
      offsets_.push_back(std::to_string(offset));
    }
  } else {
    offsets_.emplace_back();
  }

  const bool custom_host = std::any_of(headers.begin(), headers.end(), [](const auto& h) { return is_host(h.name); });
  head_tail_ = " HTTP/1.1\r\n";
  if (!custom_host) {
    head_tail_ += "Host: " + url_.host_header() + "\r\n";
  }
  head_tail_ += "User-Agent: promptsales-benchmark\r\nAccept: application/json\r\n";
  for (const auto& h : headers) {
    head_tail_ += h.name + ": " + h.value + "\r\n";
  }
  head_tail_ += "\r\n";

  std::string probe;
  render(probe, 0);
  if (variants() * (probe.size() + 16) <= kPrerenderBytes) {
    rendered_.resize(static_cast<std::size_t>(variants()));
    for (std::uint64_t i = 0; i < variants(); ++i) {
      render(rendered_[static_cast<std::size_t>(i)], i);
    }
  }
}

void RequestWriter::render(std::string& out, std::uint64_t sequence) const {
  const std::uint64_t org = sequence % orgs_.size();
  const std::uint64_t offset = (sequence / orgs_.size()) % offsets_.size();
  out.assign("GET ");
  url_.expand(out, orgs_[static_cast<std::size_t>(org)], offsets_[static_cast<std::size_t>(offset)]);
  out += head_tail_;
}

std::string_view RequestWriter::request(std::uint64_t sequence, std::string& scratch) const {
  if (!rendered_.empty()) {
    return rendered_[static_cast<std::size_t>(sequence % rendered_.size())];
  }
  render(scratch, sequence);
  return scratch;
}

}  // namespace promptsales::loadgen::detail
