#include "promptsales/crm/csv_reader.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "input_buffer.hpp"

namespace promptsales::crm {

CsvReader::CsvReader(std::unique_ptr<ByteInput> in, CsvOptions options)
    : buf_(std::make_unique<detail::InputBuffer>(std::move(in), options.max_bytes, options.max_record_bytes,
                                                 options.chunk_bytes)),
      options_(options) {}

CsvReader::~CsvReader() = default;

std::uint64_t CsvReader::bytes_read() const noexcept { return buf_->bytes_read(); }

char CsvReader::delimiter() {
  if (!started_) begin();
  return delim_;
}

void CsvReader::begin() {
  started_ = true;
  bool grew = true;
  // Bring a record's worth (or the whole input) into the window, so the
  // header line is there whatever the read size: a line break inside a
  // quoted header cell must not end the look early.
  while (grew && buf_->end() - buf_->start() <= options_.max_record_bytes) buf_->refill(0, grew);
  pos_ = rec_start_ = buf_->start();
  delim_ = options_.delimiter;
  if (delim_ == 0) {
    // The candidate that appears most often outside quotes in the header
    // line wins; ties (and none at all) go to the comma.
    std::size_t commas = 0, semicolons = 0, tabs = 0;
    bool quoted = false;
    const char* b = buf_->data();
    // Only the first max_record bytes count, so the choice never depends on
    // how much of an oversized header one read brought in.
    const std::size_t limit = std::min(buf_->end(), pos_ + options_.max_record_bytes);
    for (std::size_t i = pos_; i < limit && (quoted || b[i] != '\n'); ++i) {
      const char c = b[i];
      if (c == '"') quoted = !quoted;
      if (quoted) continue;
      commas += c == ',';
      semicolons += c == ';';
      tabs += c == '\t';
    }
    delim_ = ',';
    if (semicolons > commas && semicolons >= tabs) delim_ = ';';
    if (tabs > commas && tabs > semicolons) delim_ = '\t';
  }
  special_[static_cast<unsigned char>(delim_)] = true;
  special_[static_cast<unsigned char>('"')] = true;
  special_[static_cast<unsigned char>('\n')] = true;
}

void CsvReader::push_span(std::size_t begin, std::size_t end, bool quoted, bool escaped) {
  if (too_large_) return;  // nothing of a skipped record is kept
  spans_.push_back(Span{static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end), quoted, escaped});
}

void CsvReader::fail(std::string code, std::string message) {
  state_ = State::skip_line;
  if (error_ || too_large_) return;
  RowError e;
  e.line = rec_line_;
  e.code = std::move(code);
  e.message = std::move(message);
  const char* b = buf_->data() + rec_start_;
  std::size_t n = pos_ + 1 - rec_start_;
  // Up to and including the offending character (all of its bytes).
  while (rec_start_ + n < buf_->end() && (static_cast<unsigned char>(b[n]) & 0xC0) == 0x80) ++n;
  e.value.assign(b, detail::utf8_prefix_length(b, n, 200));
  error_ = std::move(e);
  error_field_ = spans_.size();
}

std::uint64_t CsvReader::record_bytes() const noexcept { return buf_->offset_of(pos_) - rec_offset_; }

void CsvReader::mark_too_large() {
  // Too large wins over any other problem of the record, so the outcome does
  // not depend on where the chunk boundaries fell.
  RowError e;
  e.line = rec_line_;
  e.code = "record_too_large";
  e.message = "the record starting at line " + std::to_string(rec_line_) + " is longer than the limit of " +
              std::to_string(options_.max_record_bytes) + " bytes; it was skipped";
  if (error_) {
    e.value = std::move(error_->value);  // the record's start may be gone from the window
  } else {
    const char* b = buf_->data() + rec_start_;
    e.value.assign(b, detail::utf8_prefix_length(b, pos_ - rec_start_, 200));
  }
  error_ = std::move(e);
  error_field_ = spans_.size();
  too_large_ = true;
  spans_.clear();
}

bool CsvReader::next(CsvRecord& out) {
  if (!started_) begin();
  out.fields.clear();
  out.error.reset();
  out.error_field = 0;
  for (;;) {
    if (done_) return false;
    rec_start_ = pos_;
    rec_offset_ = buf_->offset_of(pos_);
    rec_line_ = line_;
    spans_.clear();
    state_ = State::field_start;
    too_large_ = false;
    error_.reset();
    error_field_ = 0;
    const Outcome o = scan_record();
    if (o == Outcome::end) {
      done_ = true;
      return false;
    }
    if (o == Outcome::blank) continue;
    out.line = rec_line_;
    if (!too_large_ && record_bytes() > options_.max_record_bytes) mark_too_large();
    if (error_) {
      out.error = std::move(error_);
      out.error_field = error_field_;
      return true;
    }
    char* b = buf_->data() + rec_start_;
    out.fields.reserve(spans_.size());
    for (const Span& s : spans_) {
      std::size_t len = s.end - s.begin;
      if (s.escaped) {
        // Collapse "" to " in place: the record is complete, nothing rescans it.
        char* p = b + s.begin;
        std::size_t w = 0;
        for (std::size_t r = 0; r < len; ++r) {
          p[w++] = p[r];
          if (p[r] == '"') ++r;
        }
        len = w;
      }
      out.fields.emplace_back(b + s.begin, len);
    }
    return true;
  }
}

CsvReader::Outcome CsvReader::scan_record() {
  const char d = delim_;
  for (;;) {
    char* b = buf_->data();
    const std::size_t end = buf_->end();
    while (pos_ < end) {
      switch (state_) {
        case State::field_start:
          if (b[pos_] == '"') {
            state_ = State::quoted;
            field_begin_ = pos_ + 1 - rec_start_;
            field_escaped_ = false;
            ++pos_;
          } else {
            state_ = State::unquoted;
            field_begin_ = pos_ - rec_start_;
          }
          break;
        case State::unquoted: {
          while (pos_ < end && !special_[static_cast<unsigned char>(b[pos_])]) ++pos_;
          if (pos_ == end) break;
          const char c = b[pos_];
          if (c == d) {
            push_span(field_begin_, pos_ - rec_start_, false, false);
            state_ = State::field_start;
            ++pos_;
          } else if (c == '\n') {
            std::size_t fe = pos_ - rec_start_;
            if (fe > field_begin_ && b[pos_ - 1] == '\r') --fe;
            push_span(field_begin_, fe, false, false);
            ++pos_;
            ++line_;
            if (spans_.size() == 1 && spans_[0].begin == spans_[0].end && !too_large_) return Outcome::blank;
            return Outcome::record;
          } else {
            fail("bad_quoting", "a quote inside an unquoted field (quote the whole field and double the quotes in it)");
            ++pos_;
          }
          break;
        }
        case State::quoted: {
          while (pos_ < end && b[pos_] != '"' && b[pos_] != '\n') ++pos_;
          if (pos_ == end) break;
          if (b[pos_] == '\n') ++line_;
          else state_ = State::quote_in_quoted;
          ++pos_;
          break;
        }
        case State::quote_in_quoted:
        case State::after_quote: {
          const char c = b[pos_];
          const std::size_t fe = state_ == State::quote_in_quoted ? pos_ - 1 - rec_start_ : quote_end_;
          if (c == '"' && state_ == State::quote_in_quoted) {
            field_escaped_ = true;
            state_ = State::quoted;
            ++pos_;
          } else if (c == d) {
            push_span(field_begin_, fe, true, field_escaped_);
            state_ = State::field_start;
            ++pos_;
          } else if (c == '\n') {
            push_span(field_begin_, fe, true, field_escaped_);
            ++pos_;
            ++line_;
            return Outcome::record;
          } else if (c == '\r' || c == ' ' || c == '\t') {
            // Trailing blanks after the closing quote (and the CR of CRLF).
            quote_end_ = fe;
            state_ = State::after_quote;
            ++pos_;
          } else {
            fail("bad_quoting", "text after the closing quote of a field (double quotes inside a quoted field)");
            ++pos_;
          }
          break;
        }
        case State::skip_line: {
          const void* nl = std::memchr(b + pos_, '\n', end - pos_);
          if (nl == nullptr) {
            pos_ = end;
            break;
          }
          pos_ = static_cast<std::size_t>(static_cast<const char*>(nl) - b) + 1;
          ++line_;
          return Outcome::record;
        }
      }
    }
    // The window is used up: keep the record (unless it is being skipped)
    // and read on.
    if (!too_large_ && record_bytes() > options_.max_record_bytes) mark_too_large();
    const std::size_t keep_from = (too_large_ || state_ == State::skip_line) ? pos_ : rec_start_;
    bool grew = false;
    const std::size_t shift = buf_->refill(keep_from, grew);
    pos_ -= shift;
    rec_start_ = rec_start_ >= shift ? rec_start_ - shift : 0;
    if (!grew) return finish_at_eof();
  }
}

CsvReader::Outcome CsvReader::finish_at_eof() {
  const char* b = buf_->data();
  switch (state_) {
    case State::field_start:
      if (spans_.empty() && pos_ == rec_start_ && !too_large_) return Outcome::end;
      push_span(pos_ - rec_start_, pos_ - rec_start_, false, false);
      break;
    case State::unquoted: {
      std::size_t fe = pos_ - rec_start_;
      if (fe > field_begin_ && b[pos_ - 1] == '\r') --fe;
      push_span(field_begin_, fe, false, false);
      if (spans_.size() == 1 && spans_[0].begin == spans_[0].end && !too_large_) return Outcome::end;
      break;
    }
    case State::quote_in_quoted:
      push_span(field_begin_, pos_ - 1 - rec_start_, true, field_escaped_);
      break;
    case State::after_quote:
      push_span(field_begin_, quote_end_, true, field_escaped_);
      break;
    case State::quoted: {
      if (too_large_) break;  // reported as too large; nothing left to read
      RowError e;
      e.line = rec_line_;
      e.code = "unterminated_quote";
      e.message = "a quoted field opened here is never closed (the file ends inside it)";
      const char* r = b + rec_start_;
      e.value.assign(r, detail::utf8_prefix_length(r, pos_ - rec_start_, 200));
      error_ = std::move(e);
      error_field_ = spans_.size();
      // Resume at the line after the record's first line: the rows the
      // stray quote swallowed are still read.
      const void* nl = std::memchr(b + rec_start_, '\n', pos_ - rec_start_);
      if (nl != nullptr) {
        pos_ = static_cast<std::size_t>(static_cast<const char*>(nl) - b) + 1;
        line_ = rec_line_ + 1;
      }
      break;
    }
    case State::skip_line:
      break;
  }
  return Outcome::record;
}

}  // namespace promptsales::crm
