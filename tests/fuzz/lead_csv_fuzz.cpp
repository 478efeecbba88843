// Lead CSV files: arbitrary bytes through CsvLeadSource (reading, header
// mapping, validation). Every outcome is a sequence of records in
// increasing line order, each either a normalised lead or row errors, or a
// whole-file ImportFileError; never another exception. The CSV reader must
// also give the same records whatever the chunk size (refill edges).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "promptsales/common/utf8.hpp"
#include "promptsales/crm/csv_reader.hpp"
#include "promptsales/crm/lead_readers.hpp"

namespace {

namespace crm = promptsales::crm;

void check_error(const crm::RowError& e) {
  FUZZ_CHECK(!e.code.empty());
  FUZZ_CHECK(!e.message.empty());
  FUZZ_CHECK(e.value.size() <= 200);
  FUZZ_CHECK(promptsales::utf8_length(e.value).has_value() || e.value.empty());
}

void read_leads(const std::string& bytes, char delimiter) {
  crm::LeadReadOptions o;
  o.organization_id = 1;
  o.default_country = "ES";
  o.today = "2024-06-15";
  o.delimiter = delimiter;
  o.max_rows = 1000;
  o.max_record_bytes = 512;
  o.chunk_bytes = 4096;
  try {
    crm::CsvLeadSource source(crm::memory_input(bytes), o);
    crm::ReadRecord r;
    std::size_t last = 1;  // the header's line
    while (source.next(r)) {
      FUZZ_CHECK(r.line > last);
      last = r.line;
      FUZZ_CHECK(r.lead.has_value() == r.errors.empty());
      if (r.lead) {
        FUZZ_CHECK(!r.lead->email.empty());
        FUZZ_CHECK(r.lead->email.find('@') != std::string::npos);
        if (r.lead->phone) FUZZ_CHECK(r.lead->phone->front() == '+');
        if (r.lead->country) FUZZ_CHECK(crm::is_country_code(*r.lead->country));
      }
      for (const auto& e : r.errors) {
        FUZZ_CHECK(e.line == r.line);
        check_error(e);
      }
    }
    FUZZ_CHECK(source.bytes_read() <= bytes.size());
  } catch (const crm::ImportFileError& e) {
    check_error(e.error());
  }
}

struct Rec {
  std::size_t line;
  std::vector<std::string> fields;
  std::string error;
  bool operator==(const Rec& o) const { return line == o.line && fields == o.fields && error == o.error; }
};

/// All records, or a single entry holding the whole-file error code.
std::vector<Rec> read_csv(const std::string& bytes, std::size_t chunk) {
  crm::CsvOptions o;
  o.chunk_bytes = chunk;
  o.max_record_bytes = 64;
  std::vector<Rec> out;
  try {
    crm::CsvReader reader(crm::memory_input(bytes), o);
    crm::CsvRecord rec;
    while (reader.next(rec)) {
      Rec r{rec.line, {}, rec.error ? rec.error->code : ""};
      for (auto f : rec.fields) r.fields.emplace_back(f);
      out.push_back(std::move(r));
    }
  } catch (const crm::ImportFileError& e) {
    out.assign(1, Rec{0, {}, "file:" + e.error().code});
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  read_leads(bytes, 0);
  read_leads(bytes, ';');
  FUZZ_CHECK(read_csv(bytes, 3) == read_csv(bytes, 4096));
  return 0;
}
