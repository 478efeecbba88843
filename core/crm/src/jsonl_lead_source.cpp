#include <algorithm>
#include <cstring>
#include <deque>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "input_buffer.hpp"
#include "promptsales/crm/lead_readers.hpp"
#include "text_util.hpp"

namespace promptsales::crm {

namespace {

[[noreturn]] void file_error(std::size_t line, std::string code, std::string message) {
  RowError e;
  e.line = line;
  e.code = std::move(code);
  e.message = std::move(message);
  throw ImportFileError(std::move(e));
}

}  // namespace

struct JsonlLeadSource::Impl {
  detail::InputBuffer buf;
  LeadReadOptions options;
  ValidationOptions validation;
  std::vector<MapOverride> overrides;
  std::unordered_map<std::string, std::optional<LeadField>> key_fields;  ///< cache: key -> field
  std::size_t pos = 0;         ///< where the current line starts
  std::size_t line = 1;        ///< its physical line number
  std::size_t rows = 0;
  bool started = false;
  bool any_line = false;
  nlohmann::json doc;          ///< the current line's object (views point into it)
  std::deque<std::string> texts;  ///< numbers and booleans as text, for the current line

  Impl(std::unique_ptr<ByteInput> in, LeadReadOptions o)
      : buf(std::move(in), o.max_bytes, o.max_record_bytes, o.chunk_bytes), options(std::move(o)) {}

  /// The next physical line (without its CR LF); false at the end. A line
  /// over the record limit comes back with too_large set and its first bytes.
  bool next_line(std::string_view& text, std::size_t& line_no, bool& too_large, std::string& head) {
    if (!started) {
      bool grew = false;
      buf.refill(0, grew);
      pos = buf.start();
      started = true;
    }
    too_large = false;
    std::size_t scan = pos;
    for (;;) {
      const char* b = buf.data();
      const std::size_t end = buf.end();
      const void* nl = std::memchr(b + scan, '\n', end - scan);
      if (nl != nullptr) {
        const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(nl) - b);
        if (!too_large && at - pos > options.max_record_bytes) {
          too_large = true;
          head = detail::report_value(std::string_view(b + pos, at - pos));
        }
        text = too_large ? std::string_view{} : std::string_view(b + pos, at - pos);
        if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
        line_no = line++;
        pos = at + 1;
        return true;
      }
      if (!too_large && end - pos > options.max_record_bytes) {
        too_large = true;
        head = detail::report_value(std::string_view(b + pos, end - pos));
      }
      if (too_large) pos = end;  // drop what was read of a line being skipped
      bool grew = false;
      const std::size_t shift = buf.refill(pos, grew);
      pos -= shift;
      scan = end - shift;
      if (!grew) {
        // The end: what is left is a last line without a line break.
        if (pos == buf.end() && !too_large) return false;
        text = too_large ? std::string_view{} : std::string_view(buf.data() + pos, buf.end() - pos);
        if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
        line_no = line++;
        pos = buf.end();
        return true;
      }
    }
  }

  std::optional<LeadField> field_of(const std::string& key) {
    auto it = key_fields.find(key);
    if (it != key_fields.end()) return it->second;
    std::optional<LeadField> f = field_for_header(key);
    const std::string k = header_key(key);
    for (const MapOverride& o : overrides)
      if (o.header == key || header_key(o.header) == k) f = o.field;
    if (key_fields.size() < 10'000) key_fields.emplace(key, f);  // bounded: keys are user data
    return f;
  }
};

JsonlLeadSource::JsonlLeadSource(std::unique_ptr<ByteInput> in, LeadReadOptions options) {
  check_read_options(options);
  impl_ = std::make_unique<Impl>(std::move(in), std::move(options));
  impl_->overrides = parse_map_option(impl_->options.map);
  impl_->validation.default_country = impl_->options.default_country;
  impl_->validation.today = impl_->options.today.empty() ? today_utc() : impl_->options.today;
}

JsonlLeadSource::~JsonlLeadSource() = default;

std::uint64_t JsonlLeadSource::bytes_read() const noexcept { return impl_->buf.bytes_read(); }

bool JsonlLeadSource::next(ReadRecord& out) {
  Impl& s = *impl_;
  std::string_view text;
  std::size_t line_no = 0;
  bool too_large = false;
  std::string head;
  for (;;) {
    if (!s.next_line(text, line_no, too_large, head)) {
      if (!s.any_line) file_error(0, "empty_file", "the file is empty: it needs one JSON object per line");
      return false;
    }
    if (too_large || !detail::trim_blanks(text).empty()) break;
  }
  s.any_line = true;
  if (++s.rows > s.options.max_rows) {
    file_error(line_no, "too_many_rows", "the file has more than " + std::to_string(s.options.max_rows) +
                                             " rows, the import limit; split it into smaller files");
  }
  out.line = line_no;
  out.lead.reset();
  out.errors.clear();
  auto row_error = [&](std::string column, std::string value, std::string code, std::string message) {
    RowError e;
    e.line = line_no;
    e.column = std::move(column);
    e.value = detail::report_value(value);
    e.code = std::move(code);
    e.message = std::move(message);
    out.errors.push_back(std::move(e));
  };
  if (too_large) {
    row_error("", head, "record_too_large",
              "the line is longer than the limit of " + std::to_string(s.options.max_record_bytes) +
                  " bytes; it was skipped");
    return true;
  }
  s.doc = nlohmann::json::parse(text, nullptr, false);
  if (s.doc.is_discarded() || !s.doc.is_object()) {
    row_error("", std::string(text), "invalid_json",
              s.doc.is_discarded() ? "the line is not valid JSON" : "the line is JSON but not an object ({...})");
    return true;
  }
  s.texts.clear();
  RawLead raw;
  for (const auto& [key, value] : s.doc.items()) {
    const std::optional<LeadField> f = s.field_of(key);
    if (!f) {
      if (unmapped_.size() < 100 && std::find(unmapped_.begin(), unmapped_.end(), key) == unmapped_.end()) {
        unmapped_.push_back(key);
      }
      continue;
    }
    if (raw.get(*f).present) continue;  // the first key for a field wins
    std::string_view column = key;
    auto scalar = [&](const nlohmann::json& v) -> std::optional<std::string_view> {
      if (v.is_string()) return std::string_view(v.get_ref<const std::string&>());
      if (v.is_number() || v.is_boolean()) return std::string_view(s.texts.emplace_back(v.dump()));
      return std::nullopt;
    };
    if (value.is_null()) continue;
    if (value.is_array() && *f == LeadField::interests) {
      std::vector<std::string_view> items;
      bool ok = true;
      for (const auto& item : value) {
        const auto t = scalar(item);
        if (!t) ok = false;
        else items.push_back(*t);
      }
      if (!ok) {
        row_error(key, value.dump(), "invalid_value", key + ": interests must be a list of text values");
        continue;
      }
      raw.set(*f, column, "-");
      raw.interest_list = std::move(items);
      continue;
    }
    const auto t = scalar(value);
    if (!t) {
      row_error(key, value.dump(), "invalid_value", key + ": expected a text, number or boolean value");
      continue;
    }
    raw.set(*f, column, *t);
  }
  std::vector<RowError> shape = std::move(out.errors);
  validate_lead(raw, s.options.organization_id, s.validation, line_no, out);
  if (!shape.empty()) {
    out.lead.reset();
    out.errors.insert(out.errors.begin(), std::make_move_iterator(shape.begin()), std::make_move_iterator(shape.end()));
  }
  return true;
}

}  // namespace promptsales::crm
