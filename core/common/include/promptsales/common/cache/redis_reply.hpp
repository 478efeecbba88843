#pragma once
/// Redis replies and errors as plain C++ values, so that public headers do
/// not include hiredis.

#include <cstdint>
#include <string>
#include <vector>

#include <tl/expected.hpp>

namespace promptsales::cache {

/// One reply, copied out of hiredis.
struct RedisReply {
  /// The RESP2 reply kinds (`error` only inside arrays; a top-level error is a RedisError).
  enum class Type { nil, string, status, integer, array, error };
  Type type = Type::nil;
  std::string str;                  ///< the text of string, status and error replies
  std::int64_t integer = 0;         ///< the value of integer replies
  std::vector<RedisReply> elements; ///< the items of array replies
};

/// Why a Redis call produced no usable reply.
enum class RedisErrorKind {
  unavailable,     ///< failing fast after earlier failures, or could not connect
  io,              ///< the connection broke or timed out during the command
  pool_exhausted,  ///< every connection stayed busy for the whole command timeout
  server,          ///< Redis answered with an error (WRONGTYPE, NOAUTH, ...)
  unexpected,      ///< Redis answered with a reply of the wrong shape
};

/// A failed Redis call. `message` holds no secrets.
struct RedisError {
  RedisErrorKind kind = RedisErrorKind::io;
  std::string message;
};

/// The result of a Redis call: a value or the reason there is none.
template <class T>
using RedisResult = tl::expected<T, RedisError>;

}  // namespace promptsales::cache
