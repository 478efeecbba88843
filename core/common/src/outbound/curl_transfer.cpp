#include "curl_transfer.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include <curl/curl.h>

namespace promptsales::outbound::detail {
namespace {

constexpr std::size_t kMaxIdleHandles = 8;

bool global_init() {
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ok;
}

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// State shared with libcurl's callbacks during one attempt.
struct Transfer {
  CURL* curl = nullptr;
  const Request* request = nullptr;
  AttemptResult* result = nullptr;
  std::size_t body_offset = 0;  // into request->body when there is no body source
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return std::string(s);
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) {
    t.result->response.headers.clear();  // a new response (after 100 Continue)
  } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    t.result->response.headers.emplace_back(lower(std::string(line.substr(0, colon))), trim(line.substr(colon + 1)));
  }
  return size * count;
}

std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  // The status is known by the time the first body byte arrives: a 2xx
  // body goes to the sink, an error document is kept for the caller.
  long status = 0;
  curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &status);
  if (t.request->sink && status >= 200 && status < 300) {
    try {
      t.request->sink(std::string_view(data, n));
      t.result->sink_received = true;
    } catch (...) {
      t.result->caller_error = std::current_exception();
      return 0;  // aborts the transfer
    }
  } else {
    t.result->response.body.append(data, n);
  }
  return n;
}

std::size_t on_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::size_t capacity = size * count;
  if (t.request->body_source) {
    try {
      const std::size_t n = t.request->body_source->read(buffer, capacity);
      if (n > 0) t.result->body_read = true;
      return n;
    } catch (...) {
      t.result->caller_error = std::current_exception();
      return CURL_READFUNC_ABORT;
    }
  }
  const std::string& body = t.request->body;
  const std::size_t n = std::min(capacity, body.size() - t.body_offset);
  std::memcpy(buffer, body.data() + t.body_offset, n);
  t.body_offset += n;
  return n;
}

bool has_header(const Request& request, std::string_view name) {
  return std::any_of(request.headers.begin(), request.headers.end(),
                     [&](const Header& h) { return lower(h.first) == name; });
}

AttemptResult::Kind classify(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return AttemptResult::Kind::timeout;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return AttemptResult::Kind::connection;
    default:
      return AttemptResult::Kind::fatal;
  }
}

}  // namespace

HandlePool::HandlePool() { global_init(); }

HandlePool::~HandlePool() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* HandlePool::take() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  return curl_easy_init();
}

void HandlePool::give_back(void* handle) {
  if (handle == nullptr) return;
  // reset() forgets the options (credentials included) but keeps the
  // handle's connection cache.
  curl_easy_reset(static_cast<CURL*>(handle));
  std::lock_guard lock(mutex_);
  if (idle_.size() < kMaxIdleHandles) {
    idle_.push_back(handle);
    return;
  }
  curl_easy_cleanup(static_cast<CURL*>(handle));
}

AttemptResult perform_attempt(HandlePool& pool, const ClientSettings& settings, const Request& request) {
  AttemptResult result;
  CURL* curl = static_cast<CURL*>(pool.take());
  if (curl == nullptr) {
    result.kind = AttemptResult::Kind::fatal;
    result.error = "curl_easy_init failed";
    return result;
  }
  struct GiveBack {
    HandlePool& pool;
    void* handle;
    ~GiveBack() { pool.give_back(handle); }
  } give_back{pool, curl};

  Transfer transfer{curl, &request, &result, 0};
  char error[CURL_ERROR_SIZE] = {0};

  curl_slist* raw_headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    raw_headers = curl_slist_append(raw_headers, (name + ": " + value).c_str());
  }
  const bool has_body = request.body_source.has_value() || !request.body.empty() || request.method == "PUT" ||
                        request.method == "POST" || request.method == "PATCH";
  if (has_body && !has_header(request, "content-type")) {
    raw_headers = curl_slist_append(raw_headers, "Content-Type: application/octet-stream");
  }
  std::unique_ptr<curl_slist, SlistDeleter> headers(raw_headers);

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!settings.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, settings.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings.connect_timeout.count()));
  const auto timeout = request.timeout.value_or(settings.timeout);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  if (request.low_speed_bytes > 0) {
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, request.low_speed_bytes);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(request.low_speed_time.count()));
  }
  // libcurl sends "Expect: 100-continue" before large bodies; a server that
  // never answers it must not cost a second per request. (Removing the header
  // with "Expect:" is no option: libcurl 7.88 would list it in SigV4's signed
  // headers.)
  curl_easy_setopt(curl, CURLOPT_EXPECT_100_TIMEOUT_MS, 100L);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "HEAD") curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  if (has_body) {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, &on_read);
    curl_easy_setopt(curl, CURLOPT_READDATA, &transfer);
    if (request.body_source) {
      if (request.body_source->size) {
        curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(*request.body_source->size));
      }
    } else {
      curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &on_write);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  if (request.sigv4) {
    curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, request.sigv4->provider.c_str());
    curl_easy_setopt(curl, CURLOPT_USERNAME, request.sigv4->access_key_id.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, request.sigv4->secret_access_key.c_str());
  }

  const CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  result.response.status = status;
  if (result.caller_error) {
    result.kind = AttemptResult::Kind::caller;
    return result;
  }
  if (code == CURLE_OK) {
    result.kind = AttemptResult::Kind::response;
    return result;
  }
  result.kind = classify(code);
  result.error = error[0] != '\0' ? std::string(error) : std::string(curl_easy_strerror(code));
  return result;
}

}  // namespace promptsales::outbound::detail
