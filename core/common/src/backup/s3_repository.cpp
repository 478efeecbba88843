#include "promptsales/common/backup/s3_repository.hpp"

#include "promptsales/common/errors.hpp"

namespace promptsales::backup {
namespace {

/// Buffers one part at a time (s3_part_size_mib) and uploads it as it
/// fills; the upload starts on the first full part, so an object smaller
/// than a part is a single PUT at commit.
class S3ObjectWriter final : public ObjectWriter {
 public:
  S3ObjectWriter(outbound::S3Client& s3, std::string key) : s3_(s3), key_(std::move(key)) {
    buffer_.reserve(s3_.settings().part_size);
  }
  ~S3ObjectWriter() override {
    if (!done_) abort();
  }

  void write(std::string_view bytes) override {
    const auto part = s3_.settings().part_size;
    while (!bytes.empty()) {
      const auto n = std::min(bytes.size(), part - buffer_.size());
      buffer_.append(bytes.data(), n);
      bytes.remove_prefix(n);
      if (buffer_.size() == part) flush_part();
    }
  }

  void commit() override {
    if (upload_id_.empty()) {
      s3_.put_object(key_, buffer_);
    } else {
      if (!buffer_.empty()) flush_part();
      s3_.complete_multipart_upload(key_, upload_id_, parts_);
    }
    done_ = true;
  }

  void abort() noexcept override {
    done_ = true;
    if (upload_id_.empty()) return;
    try {
      s3_.abort_multipart_upload(key_, upload_id_);
    } catch (...) {
      // The parts stay until the bucket's lifecycle rule for incomplete
      // uploads removes them; no object carries the name either way.
    }
  }

 private:
  void flush_part() {
    if (upload_id_.empty()) upload_id_ = s3_.create_multipart_upload(key_);
    const int number = static_cast<int>(parts_.size()) + 1;
    parts_.push_back({number, s3_.upload_part(key_, upload_id_, number, buffer_)});
    buffer_.clear();
  }

  outbound::S3Client& s3_;
  std::string key_;
  std::string buffer_;
  std::string upload_id_;
  std::vector<outbound::CompletedPart> parts_;
  bool done_ = false;
};

std::string trim_slashes(std::string s) {
  while (!s.empty() && s.front() == '/') s.erase(s.begin());
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

std::pair<std::string, std::string> parse_s3_location(const std::string& location) {
  constexpr std::string_view scheme = "s3://";
  if (location.rfind(scheme, 0) != 0) throw ConfigError("backup_repository: '" + location + "' is not s3://bucket/prefix");
  const auto rest = location.substr(scheme.size());
  const auto slash = rest.find('/');
  auto bucket = rest.substr(0, slash);
  if (bucket.empty()) throw ConfigError("backup_repository: '" + location + "' names no bucket (s3://bucket/prefix)");
  return {bucket, slash == std::string::npos ? std::string() : trim_slashes(rest.substr(slash + 1))};
}

S3Repository::S3Repository(outbound::S3Settings settings, outbound::ClientSettings client, std::string prefix)
    : http_(std::make_unique<outbound::Client>(std::move(client))), prefix_(trim_slashes(std::move(prefix))) {
  s3_ = std::make_unique<outbound::S3Client>(std::move(settings), *http_);
}

S3Repository::~S3Repository() = default;

std::string S3Repository::key_of(const std::string& name) const {
  validate_object_name(name);
  return prefix_.empty() ? name : prefix_ + "/" + name;
}

std::unique_ptr<ObjectWriter> S3Repository::create(const std::string& name) {
  return std::make_unique<S3ObjectWriter>(*s3_, key_of(name));
}

void S3Repository::read(const std::string& name, const std::function<void(std::string_view)>& sink) {
  s3_->get_object(key_of(name), sink);
}

std::vector<ObjectInfo> S3Repository::list(const std::string& prefix) {
  const auto base = prefix_.empty() ? std::string() : prefix_ + "/";
  std::vector<ObjectInfo> out;
  for (const auto& o : s3_->list_objects(base + prefix)) {
    out.push_back({o.key.substr(base.size()), o.size});
  }
  return out;  // S3 lists keys in order: sorted by name already
}

void S3Repository::remove(const std::string& name) { s3_->delete_object(key_of(name)); }

bool S3Repository::exists(const std::string& name) { return s3_->head_object(key_of(name)).has_value(); }

std::string S3Repository::describe() const {
  return "s3://" + s3_->settings().bucket + (prefix_.empty() ? "" : "/" + prefix_) + " at " +
         s3_->settings().endpoint;
}

}  // namespace promptsales::backup
