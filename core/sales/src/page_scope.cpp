// PageCache::scope_of in a file of its own: it needs nothing of the cache,
// so the campaign query parser links without Redis or the cache tiers (the
// fuzz build compiles only the sources each target needs).
#include <string>

#include "promptsales/sales/page_cache.hpp"

namespace promptsales::sales {

std::string PageCache::scope_of(std::int64_t organization_id) { return "org:" + std::to_string(organization_id); }

}  // namespace promptsales::sales
