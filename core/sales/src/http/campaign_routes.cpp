#include "promptsales/ads/campaign_json.hpp"
#include "promptsales/common/cache/two_tier_cache.hpp"
#include "promptsales/sales/campaign_query.hpp"
#include "promptsales/sales/portal.hpp"
#include "promptsales/sales/routes.hpp"

namespace promptsales::sales {
namespace {

using auth::Permission;
using auth::Principal;
using http::Method;
using http::Request;
using http::Response;

std::int64_t id_of(const Request& req) { return parse_id(req.path_param("id").value_or("")); }

Response campaign_response(int status, const ads::Campaign& c) {
  return Response::json(status, ads::campaign_to_json(c));
}

// The portal's critical read: a page of campaigns. The fast path answers
// from the in-process tier on the I/O thread. A miss stays on the I/O thread
// when it can (the async path: the I/O thread's own PostgreSQL connections,
// rows written straight to JSON, one query for concurrent misses of a key);
// that needs a cache that never blocks on a miss, i.e. no Redis tier, or the
// cache turned off. Otherwise, and for tokens not verified yet, a worker
// tries Redis, then PostgreSQL (one query for concurrent misses of one key).
// The page's cache key is made after the filter is confined to the caller's
// organization, so a cached page never crosses tenants.
http::Handler campaign_list_handler(Portal& portal, const AccessControl& access) {
  auto& pages = portal.page_cache().pages();
  auto& campaigns = portal.campaigns();
  GuardedAsync async;
  if (ads::AsyncCampaignList* lister = portal.async_campaigns(); lister != nullptr && pages.loads_without_blocking()) {
    async = [&pages, lister](const Request& req, const Principal& who, const http::Responder& responder) {
      CampaignQuery q;
      try {
        q = parse_campaign_query(req.query, who.tenancy());
      } catch (const std::exception&) {
        return false;  // the blocking path reports the error
      }
      // What CampaignService::list checks before its query.
      const ads::CampaignFilter filter = ads::CampaignService::checked_filter(q.filter, who.tenancy());
      auto& io = responder.io_context();
      pages.get_or_load_async(
          q.scope, q.key,
          [lister, &io, &filter](cache::TwoTierCache::AsyncLoaded loaded) {
            lister->list_json(io, filter, std::move(loaded));
          },
          [responder](const cache::CachedBytes& bytes, std::exception_ptr error) {
            if (error) {
              responder.fail(std::move(error));
            } else {
              responder.respond(Response::shared_json(200, bytes));
            }
          });
      return true;
    };
  }
  return guarded(
      access, Permission::campaigns_read,
      [&pages](const Request& req, const Principal& who) -> std::optional<Response> {
        CampaignQuery q;
        try {
          q = parse_campaign_query(req.query, who.tenancy());
        } catch (const std::exception&) {
          return std::nullopt;  // the blocking path reports the error
        }
        if (auto bytes = pages.get_local(q.scope, q.key)) return Response::shared_json(200, std::move(bytes));
        return std::nullopt;
      },
      std::move(async),
      [&pages, &campaigns](const Request& req, const Principal& who) {
        const CampaignQuery q = parse_campaign_query(req.query, who.tenancy());
        auto bytes = pages.get_or_load(q.scope, q.key, [&] {
          return ads::campaigns_to_json(campaigns.list(q.filter, who.tenancy()));
        });
        return Response::shared_json(200, std::move(bytes));
      });
}

/// A route that only runs on a worker (it writes or reads one row).
http::Handler blocking_only(const AccessControl& access, Permission needed, GuardedBlocking handler) {
  return guarded(access, needed, nullptr, std::move(handler));
}

}  // namespace

void register_campaign_routes(http::Router& router, Portal& portal, const AccessControl& access) {
  auto& campaigns = portal.campaigns();
  const auto list = campaign_list_handler(portal, access);
  router.add(Method::get, "/api/v1/campaigns", "campaigns_list", list);
  // The original API's path, so its clients keep working.
  router.add(Method::get, "/campaigns", "campaigns_list_legacy", list);

  // Every write is audited: who, which campaign, which organization.
  const auto audited = [&access](const Request& req, const Principal& who, const char* action,
                                 const ads::Campaign& c) {
    audit(access, req, who, action, "campaign:" + std::to_string(c.id), c.organization_id);
  };
  router.add(Method::post, "/api/v1/campaigns", "campaigns_create",
             blocking_only(access, Permission::campaigns_write, [&campaigns, audited](const Request& req, const Principal& who) {
               const auto c = campaigns.create(ads::draft_from_json(req.body), who.tenancy());
               audited(req, who, "campaign.create", c);
               auto res = campaign_response(201, c);
               res.headers.emplace_back("Location", "/api/v1/campaigns/" + std::to_string(c.id));
               return res;
             }));
  router.add(Method::get, "/api/v1/campaigns/{id}", "campaigns_get",
             blocking_only(access, Permission::campaigns_read, [&campaigns](const Request& req, const Principal& who) {
               return campaign_response(200, campaigns.get(id_of(req), who.tenancy()));
             }));
  router.add(Method::put, "/api/v1/campaigns/{id}", "campaigns_update",
             blocking_only(access, Permission::campaigns_write, [&campaigns, audited](const Request& req, const Principal& who) {
               const auto id = id_of(req);
               const auto c = campaigns.update(id, ads::patch_from_json(req.body), who.tenancy());
               audited(req, who, "campaign.update", c);
               return campaign_response(200, c);
             }));
  router.add(Method::del, "/api/v1/campaigns/{id}", "campaigns_delete",
             blocking_only(access, Permission::campaigns_write, [&campaigns, audited](const Request& req, const Principal& who) {
               audited(req, who, "campaign.delete", campaigns.remove(id_of(req), who.tenancy()));
               return Response::no_content();
             }));
  router.add(Method::post, "/api/v1/campaigns/{id}/pause", "campaigns_pause",
             blocking_only(access, Permission::campaigns_write, [&campaigns, audited](const Request& req, const Principal& who) {
               const auto c = campaigns.pause(id_of(req), who.tenancy());
               audited(req, who, "campaign.pause", c);
               return campaign_response(200, c);
             }));
  router.add(Method::post, "/api/v1/campaigns/{id}/resume", "campaigns_resume",
             blocking_only(access, Permission::campaigns_write, [&campaigns, audited](const Request& req, const Principal& who) {
               const auto c = campaigns.resume(id_of(req), who.tenancy());
               audited(req, who, "campaign.resume", c);
               return campaign_response(200, c);
             }));
}

}  // namespace promptsales::sales
