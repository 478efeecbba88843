#include "promptsales/common/outbound/s3_wire.hpp"

#include <algorithm>
#include <stdexcept>

namespace promptsales::outbound::s3 {
namespace {

bool unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

void append_utf8(std::string& out, unsigned long code) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | (code >> 6));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | (code >> 12));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code >> 18));
    out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

}  // namespace

std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (unreserved(c) || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::string canonical_query(std::vector<std::pair<std::string, std::string>> params) {
  for (auto& [name, value] : params) {
    name = uri_encode(name, false);
    value = uri_encode(value, false);
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

std::string xml_unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    const auto end = text.find(';', i);
    if (end == std::string_view::npos) {
      out += text.substr(i);
      break;
    }
    const std::string_view entity = text.substr(i + 1, end - i - 1);
    if (entity == "amp") out += '&';
    else if (entity == "lt") out += '<';
    else if (entity == "gt") out += '>';
    else if (entity == "quot") out += '"';
    else if (entity == "apos") out += '\'';
    else if (entity.size() > 1 && entity[0] == '#') {
      const bool hex = entity[1] == 'x' || entity[1] == 'X';
      try {
        append_utf8(out, std::stoul(std::string(entity.substr(hex ? 2 : 1)), nullptr, hex ? 16 : 10));
      } catch (const std::exception&) {
        out += text.substr(i, end - i + 1);
      }
    } else {
      out += text.substr(i, end - i + 1);
    }
    i = end;
  }
  return out;
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::vector<std::string_view> xml_elements(std::string_view document, std::string_view tag) {
  std::vector<std::string_view> out;
  const std::string open = "<" + std::string(tag);
  const std::string close = "</" + std::string(tag) + ">";
  std::size_t pos = 0;
  for (;;) {
    auto start = document.find(open, pos);
    if (start == std::string_view::npos) break;
    const auto after_name = start + open.size();
    // "<Key>" or "<Key attr=..>", not "<KeyCount>".
    if (after_name >= document.size() || (document[after_name] != '>' && document[after_name] != ' ' &&
                                          document[after_name] != '/')) {
      pos = after_name;
      continue;
    }
    const auto head_end = document.find('>', after_name);
    if (head_end == std::string_view::npos) break;
    if (document[head_end - 1] == '/') {  // <Tag/>
      out.emplace_back();
      pos = head_end + 1;
      continue;
    }
    const auto end = document.find(close, head_end + 1);
    if (end == std::string_view::npos) break;
    out.push_back(document.substr(head_end + 1, end - head_end - 1));
    pos = end + close.size();
  }
  return out;
}

std::vector<std::string> xml_all(std::string_view document, std::string_view tag) {
  std::vector<std::string> out;
  for (const auto element : xml_elements(document, tag)) out.push_back(xml_unescape(element));
  return out;
}

std::optional<std::string> xml_first(std::string_view document, std::string_view tag) {
  const auto elements = xml_elements(document, tag);
  if (elements.empty()) return std::nullopt;
  return xml_unescape(elements.front());
}

std::optional<ErrorDocument> parse_error(std::string_view document) {
  const auto error = xml_elements(document, "Error");
  if (error.empty()) return std::nullopt;
  ErrorDocument out;
  out.code = xml_first(error.front(), "Code").value_or("");
  out.message = xml_first(error.front(), "Message").value_or("");
  if (out.code.empty() && out.message.empty()) return std::nullopt;
  return out;
}

ListPage parse_list_page(std::string_view document) {
  if (document.find("<ListBucketResult") == std::string_view::npos) {
    throw std::runtime_error("not a ListBucketResult document");
  }
  ListPage page;
  for (const auto contents : xml_elements(document, "Contents")) {
    ObjectInfo info;
    info.key = xml_first(contents, "Key").value_or("");
    const auto size = xml_first(contents, "Size").value_or("0");
    try {
      info.size = std::stoull(size);
    } catch (const std::exception&) {
      throw std::runtime_error("listing: bad <Size> '" + size + "' for key '" + info.key + "'");
    }
    info.etag = xml_first(contents, "ETag").value_or("");
    info.last_modified = xml_first(contents, "LastModified").value_or("");
    page.objects.push_back(std::move(info));
  }
  const auto truncated = xml_first(document, "IsTruncated").value_or("false");
  if (truncated == "true") {
    page.next_token = xml_first(document, "NextContinuationToken");
    if (!page.next_token || page.next_token->empty()) {
      throw std::runtime_error("listing is truncated but has no NextContinuationToken");
    }
  }
  return page;
}

}  // namespace promptsales::outbound::s3
