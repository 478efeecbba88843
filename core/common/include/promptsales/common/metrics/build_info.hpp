#pragma once
/// The conventional `*_build_info` gauge: constant 1, with the build's
/// identity in labels, so dashboards can join on version.

#include <string>

#include "promptsales/common/metrics/registry.hpp"

namespace promptsales::metrics {

/// The identity of the running binary.
struct BuildInfo {
  std::string version;     ///< e.g. "0.1.0"
  std::string compiler;    ///< e.g. "gcc 12.2.0"
  std::string build_type;  ///< e.g. "RelWithDebInfo"
};

/// Registers promptsales_build_info{version,compiler,build_type} = 1.
void register_build_info(Registry& registry, const BuildInfo& info);

}  // namespace promptsales::metrics
