// `promptsales campaign create|list|show|update|pause|resume|delete`: thin
// adapters over ads::CampaignService.
#include <iostream>

#include <CLI/CLI.hpp>

#include "app_context.hpp"
#include "commands/commands.hpp"
#include "output.hpp"
#include "promptsales/sales/portal.hpp"
#include "promptsales/ads/campaign_json.hpp"
#include "promptsales/ads/campaign_validation.hpp"

namespace promptsales::app {
namespace {

struct CampaignFields {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> status;
  std::optional<std::string> budget;
  std::optional<std::string> currency;
  std::vector<std::string> channels;
  bool clear_channels = false;
  std::optional<std::string> starts_at;
  std::optional<std::string> ends_at;
  bool clear_starts_at = false;
  bool clear_ends_at = false;
  bool enable = false;
  bool disable = false;
};

struct CampaignOptions {
  std::int64_t id = 0;
  std::int64_t organization_id = 0;
  CampaignFields fields;
  // list
  std::optional<std::int64_t> filter_org;
  std::optional<std::string> enabled;
  std::optional<std::string> search;
  bool include_deleted = false;
  int limit = ads::kDefaultPageSize;
  int offset = 0;
  bool dry_run = false;
};

// "facebook,instagram" and repeated --channel both work.
std::vector<std::string> split_channels(const std::vector<std::string>& raw) {
  std::vector<std::string> out;
  for (const auto& item : raw) {
    std::size_t start = 0;
    while (start <= item.size()) {
      const auto comma = item.find(',', start);
      const auto part = item.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!part.empty()) out.push_back(part);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

void print_campaigns(AppContext& ctx, const std::vector<ads::Campaign>& campaigns) {
  if (ctx.json()) {
    // The API's exact bytes: field order and decimal budgets preserved.
    std::cout << ads::campaigns_to_json(campaigns) << "\n";
    return;
  }
  Table table({"ID", "ORG", "NAME", "STATUS", "ENABLED", "BUDGET", "CHANNELS", "CREATED"});
  for (const auto& c : campaigns) {
    std::string channels;
    for (const auto& ch : c.channels) channels += (channels.empty() ? "" : ",") + ch;
    table.add_row({std::to_string(c.id), std::to_string(c.organization_id), ellipsize(c.name, 40),
                   std::string(ads::to_string(c.status)) + (c.deleted ? " (deleted)" : ""), c.enabled ? "yes" : "no",
                   c.budget + " " + c.currency, channels, c.created_at.substr(0, 19)});
  }
  table.print(std::cout);
  if (campaigns.empty()) std::cerr << "no campaigns match\n";
}

void print_campaign(AppContext& ctx, const ads::Campaign& c) {
  if (ctx.json()) {
    std::cout << ads::campaign_to_json(c) << "\n";
    return;
  }
  Table table({"FIELD", "VALUE"});
  std::string channels;
  for (const auto& ch : c.channels) channels += (channels.empty() ? "" : ", ") + ch;
  table.add_row({"id", std::to_string(c.id)});
  table.add_row({"organizationId", std::to_string(c.organization_id)});
  table.add_row({"name", c.name});
  table.add_row({"description", c.description});
  table.add_row({"status", std::string(ads::to_string(c.status))});
  table.add_row({"enabled", c.enabled ? "true" : "false"});
  table.add_row({"deleted", c.deleted ? "true" : "false"});
  table.add_row({"budget", c.budget + " " + c.currency});
  table.add_row({"channels", channels});
  table.add_row({"startsAt", c.starts_at.value_or("-")});
  table.add_row({"endsAt", c.ends_at.value_or("-")});
  table.add_row({"createdAt", c.created_at});
  table.add_row({"updatedAt", c.updated_at});
  table.add_row({"checksum", c.checksum});
  table.print(std::cout);
}

void run_create(AppContext& ctx, const CampaignOptions& o) {
  ads::CampaignDraft d;
  d.organization_id = o.organization_id;
  d.name = o.fields.name.value_or("");
  d.description = o.fields.description.value_or("");
  if (o.fields.status) d.status = ads::validate::status(*o.fields.status);
  d.enabled = !o.fields.disable;
  if (o.fields.budget) d.budget = *o.fields.budget;
  if (o.fields.currency) d.currency = *o.fields.currency;
  d.channels = split_channels(o.fields.channels);
  d.starts_at = o.fields.starts_at;
  d.ends_at = o.fields.ends_at;
  sales::Portal services(ctx.config());
  print_campaign(ctx, services.campaigns().create(d));
}

void run_list(AppContext& ctx, const CampaignOptions& o) {
  ads::CampaignFilter f;
  f.organization_id = o.filter_org;
  if (o.enabled) {
    if (*o.enabled != "true" && *o.enabled != "false") throw ValidationError("--enabled", "must be true or false");
    f.enabled = *o.enabled == "true";
  }
  f.search = o.search;
  f.include_deleted = o.include_deleted;
  f.limit = o.limit;
  f.offset = o.offset;
  sales::Portal services(ctx.config());
  print_campaigns(ctx, services.campaigns().list(f));
}

void run_show(AppContext& ctx, const CampaignOptions& o) {
  sales::Portal services(ctx.config());
  print_campaign(ctx, services.campaigns().get(o.id));
}

void run_update(AppContext& ctx, const CampaignOptions& o) {
  const auto& f = o.fields;
  ads::CampaignPatch p;
  p.name = f.name;
  p.description = f.description;
  if (f.status) p.status = ads::validate::status(*f.status);
  if (f.enable && f.disable) throw ValidationError("--enable/--disable", "give only one of them");
  if (f.enable) p.enabled = true;
  if (f.disable) p.enabled = false;
  p.budget = f.budget;
  p.currency = f.currency;
  if (!f.channels.empty()) p.channels = split_channels(f.channels);
  if (f.clear_channels) p.channels = std::vector<std::string>{};
  if (f.starts_at) p.starts_at = f.starts_at;
  if (f.clear_starts_at) p.starts_at = std::optional<std::string>{};
  if (f.ends_at) p.ends_at = f.ends_at;
  if (f.clear_ends_at) p.ends_at = std::optional<std::string>{};
  sales::Portal services(ctx.config());
  print_campaign(ctx, services.campaigns().update(o.id, p));
}

void run_delete(AppContext& ctx, const CampaignOptions& o) {
  sales::Portal services(ctx.config());
  if (o.dry_run) {
    const auto c = services.campaigns().get(o.id);
    std::cerr << "dry run: would delete campaign " << c.id << " (" << c.name << "); nothing changed\n";
    print_campaign(ctx, c);
    return;
  }
  print_campaign(ctx, services.campaigns().remove(o.id));
}

void add_field_options(CLI::App* cmd, CampaignFields& f, bool creating) {
  auto* name = cmd->add_option("--name", f.name, "Name (1-60 characters)");
  if (creating) name->required();
  cmd->add_option("--description", f.description, "Description (up to 200 characters)");
  cmd->add_option("--status", f.status, "draft, scheduled, active, paused or ended");
  cmd->add_option("--budget", f.budget, "Budget, e.g. 1500 or 1500.50");
  cmd->add_option("--currency", f.currency, "ISO 4217 currency code (default USD)");
  cmd->add_option("--channel,--channels", f.channels, "Channel(s): repeat or separate with commas");
  cmd->add_option("--starts-at", f.starts_at, "Start (ISO-8601, e.g. 2026-03-01T09:00:00Z)");
  cmd->add_option("--ends-at", f.ends_at, "End (ISO-8601), after the start");
  cmd->add_flag("--disable", f.disable, creating ? "Create it disabled" : "Disable it");
  if (!creating) {
    cmd->add_flag("--enable", f.enable, "Enable it");
    cmd->add_flag("--clear-channels", f.clear_channels, "Remove all channels");
    cmd->add_flag("--clear-starts-at", f.clear_starts_at, "Remove the start date");
    cmd->add_flag("--clear-ends-at", f.clear_ends_at, "Remove the end date");
  }
}

CLI::App* add_id_command(CLI::App* parent, const char* name, const char* help, CampaignOptions& o) {
  auto* cmd = parent->add_subcommand(name, help);
  cmd->add_option("id", o.id, "Campaign id")->required()->check(CLI::Validator(
      [](std::string& v) -> std::string {
        return !v.empty() && v.find_first_not_of("0123456789") == std::string::npos && v != "0" && v.size() < 19
                   ? std::string{}
                   : "'" + v + "' is not a campaign id (a positive integer)";
      },
      "ID"));
  return cmd;
}

}  // namespace

void register_campaign_commands(CLI::App& app, AppContext& ctx) {
  auto* campaign = app.add_subcommand("campaign", "Create, list and change campaigns (PromptAds)");
  campaign->require_subcommand(1);
  auto o = std::make_shared<CampaignOptions>();

  auto* create = campaign->add_subcommand("create", "Create a campaign");
  create->add_option("--org,--organization-id", o->organization_id, "Organization id")->required();
  add_field_options(create, o->fields, true);
  create->callback([&ctx, o] { run_create(ctx, *o); });

  auto* list = campaign->add_subcommand("list", "List campaigns, newest first");
  list->add_option("--org,--organization-id", o->filter_org, "Only this organization");
  list->add_option("--enabled", o->enabled, "true or false");
  list->add_option("--search", o->search, "Text in the name or description (case-insensitive)");
  list->add_flag("--include-deleted", o->include_deleted, "Include deleted campaigns");
  list->add_option("--limit", o->limit, "Page size (1-100)")->capture_default_str();
  list->add_option("--offset", o->offset, "Rows to skip")->capture_default_str();
  list->callback([&ctx, o] { run_list(ctx, *o); });

  add_id_command(campaign, "show", "Show one campaign", *o)->callback([&ctx, o] { run_show(ctx, *o); });

  auto* update = add_id_command(campaign, "update", "Change fields of a campaign", *o);
  add_field_options(update, o->fields, false);
  update->callback([&ctx, o] { run_update(ctx, *o); });

  add_id_command(campaign, "pause", "Pause an active or scheduled campaign", *o)->callback([&ctx, o] {
    sales::Portal services(ctx.config());
    print_campaign(ctx, services.campaigns().pause(o->id));
  });
  add_id_command(campaign, "resume", "Resume a paused campaign", *o)->callback([&ctx, o] {
    sales::Portal services(ctx.config());
    print_campaign(ctx, services.campaigns().resume(o->id));
  });
  auto* del = add_id_command(campaign, "delete", "Delete a campaign (soft: kept, hidden from lists)", *o);
  del->add_flag("--dry-run", o->dry_run, "Show the campaign that would be deleted; change nothing");
  del->callback([&ctx, o] { run_delete(ctx, *o); });
}

}  // namespace promptsales::app
