#pragma once
/// PostgreSQL text[] values as text: bind parameters are sent as array
/// literals (`$n::text[]`) and results read back from them.

#include <string>
#include <string_view>
#include <vector>

namespace promptsales::db {

/// Elements of a text[] literal as PostgreSQL prints it ("{a,\"b c\"}").
std::vector<std::string> parse_text_array(std::string_view literal);
/// A text[] literal with every element quoted and escaped.
std::string to_text_array(const std::vector<std::string>& values);

}  // namespace promptsales::db
