#include "promptsales/common/metrics/build_info.hpp"

namespace promptsales::metrics {

void register_build_info(Registry& registry, const BuildInfo& info) {
  registry
      .gauge("promptsales_build_info",
             "Build information about the running promptsales binary; the value is always 1.",
             {"version", "compiler", "build_type"})
      .labels({info.version, info.compiler, info.build_type})
      .set(1.0);
}

}  // namespace promptsales::metrics
