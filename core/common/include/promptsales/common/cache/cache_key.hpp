#pragma once
/// Canonical cache keys from request parameters.

#include <string>
#include <utility>
#include <vector>

namespace promptsales::cache {

/// `a=1&b=2` with the parameters sorted by name, then value, and every name
/// and value percent-encoded (so `&` or `=` inside a value cannot make two
/// different requests share a key). Requests that differ only in parameter
/// order get the same key. Takes the parameters by value to sort them.
std::string canonical_query(std::vector<std::pair<std::string, std::string>> params);

}  // namespace promptsales::cache
