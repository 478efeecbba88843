#pragma once
/// Turns libpqxx exceptions into the project's error kinds, so adapters map
/// them to exit codes and HTTP statuses (a dead server is 503, not 500).

namespace promptsales::db {

/// Call inside a `catch (...)`: rethrows the current exception translated
/// (broken connection or statement timeout -> Unavailable; unique violation
/// -> Conflict; other integrity errors -> ValidationError), or as it is.
[[noreturn]] void rethrow_translated();

}  // namespace promptsales::db
