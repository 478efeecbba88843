#pragma once
/// Files compiled into the binary (the SQL migrations under sql/), generated
/// by cmake/EmbedFiles.cmake.

#include <string_view>
#include <vector>

namespace promptsales::embedded {

struct EmbeddedFile {
  std::string_view path;     ///< relative to sql/, e.g. "ads/0001_campaigns.sql"
  std::string_view content;
};

/// All embedded files, sorted by path.
const std::vector<EmbeddedFile>& files();

}  // namespace promptsales::embedded
