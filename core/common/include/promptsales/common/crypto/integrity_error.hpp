#pragma once
/// A stored encrypted value that fails verification.

#include "promptsales/common/errors.hpp"

namespace promptsales::crypto {

/// Tampered, truncated or written under another key or for another column.
/// Never carries plaintext or key material.
class IntegrityError : public Error {
 public:
  using Error::Error;
  const char* code() const noexcept override { return "integrity"; }
};

}  // namespace promptsales::crypto
