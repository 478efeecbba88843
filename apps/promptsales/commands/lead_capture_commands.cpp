// `promptsales lead capture ...`: thin adapters over sales::LeadServices
// and crm::PgLeadCaptures. The secret is printed by configure and
// rotate-secret only, once, to standard output; it is never logged or
// audited. Every change is audited. Exit codes: 0 done, 2 bad input or no
// data key, 4 the campaign or capture does not exist, 1 a dependency failed.
#include "commands/lead_capture_commands.hpp"

#include <iostream>

#include "app_context.hpp"
#include "commands/control_access.hpp"
#include "output.hpp"
#include "promptsales/crm/lead_capture.hpp"
#include "promptsales/sales/lead_services.hpp"
#include "promptsales/sales/portal.hpp"

namespace promptsales::app {
namespace {

struct CaptureOptions {
  std::int64_t org = 0;
  std::int64_t campaign = 0;
  std::optional<std::int64_t> list_org;
  std::string id;
};

void print_captures(AppContext& ctx, const std::vector<crm::LeadCapture>& captures) {
  if (ctx.json()) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& c : captures) a.push_back(crm::capture_to_json(c));
    print_json(a);
    return;
  }
  Table table({"ID", "ORG", "CAMPAIGN", "ENABLED", "CREATED LEADS", "EXISTING", "LAST LEAD", "SECRET ROTATED"});
  for (const auto& c : captures) {
    table.add_row({c.id, std::to_string(c.organization_id), std::to_string(c.campaign_id), c.enabled ? "yes" : "no",
                   std::to_string(c.leads_created), std::to_string(c.leads_existing),
                   c.last_received_at.value_or("-").substr(0, 19), c.secret_rotated_at.substr(0, 19)});
  }
  table.print(std::cout);
  if (captures.empty()) std::cerr << "no lead captures\n";
}

/// The one place a secret is shown.
void print_with_secret(AppContext& ctx, const crm::CaptureWithSecret& s) {
  if (ctx.json()) {
    auto j = crm::capture_to_json(s.capture);
    j["secret"] = s.secret;
    print_json(j);
    return;
  }
  print_captures(ctx, {s.capture});
  std::cout << "\nendpoint: POST /api/v1/leads/capture/" << s.capture.id << "\nsecret:   " << s.secret << "\n";
  std::cerr << "The secret is shown this once: keep it in the form backend's secret store. It signs each lead "
               "(README \"Lead capture\"); `lead capture rotate-secret` replaces it.\n";
}

AuditEvent capture_event(const char* action, std::optional<std::int64_t> org, const std::string& target) {
  AuditEvent e;
  e.action = action;
  e.organization_id = org;
  e.target = target;
  return e;
}

void run_configure(AppContext& ctx, const CaptureOptions& o) {
  sales::Portal portal(ctx.config());
  sales::LeadServices leads(portal, crypto::load_keyring(ctx.config()));
  auto control = open_control(ctx);
  const auto made = audited(*control, capture_event("lead.capture.configure", o.org,
                                                    "campaign:" + std::to_string(o.campaign)),
                            [&](AuditEvent& e) {
                              auto s = leads.configure_capture(o.org, o.campaign, Tenancy::all());
                              e.details = {{"captureId", s.capture.id}, {"campaignId", o.campaign}};
                              return s;
                            });
  print_with_secret(ctx, made);
}

void run_list(AppContext& ctx, const CaptureOptions& o) {
  auto pool = open_crm(ctx);
  crm::PgLeadCaptures captures(*pool, crypto::load_keyring(ctx.config()));
  print_captures(ctx, captures.list(o.list_org, Tenancy::all()));
}

void run_show(AppContext& ctx, const CaptureOptions& o) {
  auto pool = open_crm(ctx);
  crm::PgLeadCaptures captures(*pool, crypto::load_keyring(ctx.config()));
  const auto c = captures.get(o.id, Tenancy::all());
  if (ctx.json()) {
    print_json(crm::capture_to_json(c));
  } else {
    print_captures(ctx, {c});
  }
}

void run_set_enabled(AppContext& ctx, const CaptureOptions& o, bool enabled) {
  auto pool = open_crm(ctx);
  crm::PgLeadCaptures captures(*pool, crypto::load_keyring(ctx.config()));
  auto control = open_control(ctx);
  const auto c = audited(*control,
                         capture_event(enabled ? "lead.capture.enable" : "lead.capture.disable", std::nullopt,
                                       "lead_capture:" + o.id.substr(0, 40)),
                         [&](AuditEvent& e) {
                           auto r = captures.set_enabled(o.id, enabled, Tenancy::all());
                           e.organization_id = r.organization_id;
                           return r;
                         });
  if (ctx.json()) {
    print_json(crm::capture_to_json(c));
  } else {
    print_captures(ctx, {c});
  }
}

void run_rotate(AppContext& ctx, const CaptureOptions& o) {
  auto pool = open_crm(ctx);
  crm::PgLeadCaptures captures(*pool, crypto::load_keyring(ctx.config()));
  auto control = open_control(ctx);
  const auto s = audited(*control, capture_event("lead.capture.rotate_secret", std::nullopt, "lead_capture:" + o.id.substr(0, 40)),
                         [&](AuditEvent& e) {
                           auto r = captures.rotate_secret(o.id, Tenancy::all());
                           e.organization_id = r.capture.organization_id;
                           return r;
                         });
  print_with_secret(ctx, s);
}

}  // namespace

void register_lead_capture_commands(CLI::App& lead, AppContext& ctx) {
  auto* capture = lead.add_subcommand(
      "capture",
      "Lead capture endpoints: a form backend POSTs one signed lead to /api/v1/leads/capture/ID and it is "
      "attributed to the endpoint's campaign (README \"Lead capture\")");
  capture->require_subcommand(1);
  auto o = std::make_shared<CaptureOptions>();

  auto* configure = capture->add_subcommand(
      "configure",
      "Create a capture endpoint for a campaign of an organization; prints its id and its secret, ONCE. Audited. "
      "Exit 4 when the campaign does not exist in that organization");
  configure->add_option("--org", o->org, "Organization id")->required()->check(CLI::PositiveNumber);
  configure->add_option("--campaign", o->campaign, "Campaign id (PromptAds)")->required()->check(CLI::PositiveNumber);
  configure->callback([&ctx, o] { run_configure(ctx, *o); });

  auto* list = capture->add_subcommand("list", "List capture endpoints, newest first (no secrets)");
  list->add_option("--org", o->list_org, "Only this organization")->check(CLI::PositiveNumber);
  list->callback([&ctx, o] { run_list(ctx, *o); });

  auto* show = capture->add_subcommand("show", "Show one capture endpoint (no secret). Exit 4 when it does not exist");
  show->add_option("ID", o->id, "Capture id (cap_...)")->required();
  show->callback([&ctx, o] { run_show(ctx, *o); });

  auto* disable = capture->add_subcommand(
      "disable", "Stop accepting leads at this endpoint (senders get 404). Audited. Exit 4 when it does not exist");
  disable->add_option("ID", o->id, "Capture id (cap_...)")->required();
  disable->callback([&ctx, o] { run_set_enabled(ctx, *o, false); });

  auto* enable = capture->add_subcommand("enable", "Accept leads again at a disabled endpoint. Audited");
  enable->add_option("ID", o->id, "Capture id (cap_...)")->required();
  enable->callback([&ctx, o] { run_set_enabled(ctx, *o, true); });

  auto* rotate = capture->add_subcommand(
      "rotate-secret",
      "Replace the endpoint's secret; the old one stops working at once. Prints the new secret, ONCE. Audited");
  rotate->add_option("ID", o->id, "Capture id (cap_...)")->required();
  rotate->callback([&ctx, o] { run_rotate(ctx, *o); });
}

}  // namespace promptsales::app
