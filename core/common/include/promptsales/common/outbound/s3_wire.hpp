#pragma once
/// The S3 REST wire format the client needs: URI encoding, canonical query
/// strings (sorted and encoded, because libcurl 7.88 signs the query as
/// given) and the few XML documents S3 answers with. No I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace promptsales::outbound::s3 {

/// RFC 3986 percent-encoding of everything but unreserved characters
/// (A-Z a-z 0-9 - . _ ~), and '/' too when `keep_slash`, as SigV4 wants.
std::string uri_encode(std::string_view text, bool keep_slash);

/// "a=1&b=&c=x%20y": parameters sorted by name, names and values encoded,
/// every name with '=' (SigV4's canonical form).
std::string canonical_query(std::vector<std::pair<std::string, std::string>> params);

/// Replaces the five predefined XML entities and numeric references.
std::string xml_unescape(std::string_view text);
/// Escapes &, <, >, " and ' for XML text.
std::string xml_escape(std::string_view text);

/// The text of every <tag>...</tag> directly in `document` (not nested
/// matching: S3's documents do not nest a tag in itself), unescaped.
std::vector<std::string> xml_all(std::string_view document, std::string_view tag);
/// The raw inner XML of every <tag>...</tag> element (not unescaped), for records like <Contents>.
std::vector<std::string_view> xml_elements(std::string_view document, std::string_view tag);
/// The first, or nullopt.
std::optional<std::string> xml_first(std::string_view document, std::string_view tag);

/// <Error><Code>..</Code><Message>..</Message></Error>.
struct ErrorDocument {
  std::string code;
  std::string message;
};
std::optional<ErrorDocument> parse_error(std::string_view document);

struct ObjectInfo {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;           ///< as S3 gives it, quotes included
  std::string last_modified;  ///< ISO 8601 from listings; the HTTP date from HEAD
};

/// One ListObjectsV2 page.
struct ListPage {
  std::vector<ObjectInfo> objects;
  std::optional<std::string> next_token;  ///< set while the listing is truncated
};
/// Parses a ListBucketResult; throws std::runtime_error on a malformed one.
ListPage parse_list_page(std::string_view document);

}  // namespace promptsales::outbound::s3
