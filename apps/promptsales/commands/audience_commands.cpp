// `promptsales audience create|list|show|estimate|members|delete|segment`:
// thin adapters over sales::AudienceService (definitions in PromptAds,
// matching leads in PromptCrm).
#include <iostream>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "app_context.hpp"
#include "commands/commands.hpp"
#include "output.hpp"
#include "promptsales/ads/audience.hpp"
#include "promptsales/common/errors.hpp"
#include "promptsales/sales/audience_service.hpp"
#include "promptsales/sales/portal.hpp"

namespace promptsales::app {
namespace {

struct RuleFlags {
  std::vector<std::string> countries;
  std::vector<std::string> interests;
  std::optional<int> min_age;
  std::optional<int> max_age;
  std::optional<int> min_score;
  std::optional<int> max_score;
  std::vector<std::string> statuses;
  std::vector<std::string> sources;
  std::optional<std::string> rules_json;
};

struct AudienceOptions {
  std::int64_t id = 0;
  std::optional<std::int64_t> organization_id;
  std::string name;
  std::string description;
  RuleFlags rules;
  std::int64_t limit = 100;
  std::int64_t offset = 0;
  int history = 10;
  bool dry_run = false;
};

std::vector<std::string> split_commas(const std::vector<std::string>& raw) {
  std::vector<std::string> out;
  for (const auto& item : raw) {
    std::size_t start = 0;
    for (;;) {
      const auto comma = item.find(',', start);
      auto part = item.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!part.empty()) out.push_back(std::move(part));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return out;
}

ads::AudienceRules rules_of(const RuleFlags& f) {
  ads::AudienceRules r;
  if (f.rules_json) r = ads::rules_from_json(*f.rules_json, "--rules");
  auto extend = [](std::vector<std::string>& into, const std::vector<std::string>& raw) {
    for (auto& v : split_commas(raw)) into.push_back(std::move(v));
  };
  extend(r.countries, f.countries);
  extend(r.interests, f.interests);
  extend(r.statuses, f.statuses);
  extend(r.sources, f.sources);
  if (f.min_age) r.min_age = f.min_age;
  if (f.max_age) r.max_age = f.max_age;
  if (f.min_score) r.min_score = f.min_score;
  if (f.max_score) r.max_score = f.max_score;
  return r;
}

void add_rule_options(CLI::App* cmd, RuleFlags& f) {
  cmd->add_option("--country,--countries", f.countries, "ISO country code(s): repeat or separate with commas");
  cmd->add_option("--interest,--interests", f.interests, "Interest(s): a lead with any of them matches");
  cmd->add_option("--min-age", f.min_age, "Minimum age (from the birth date, else the stated age)");
  cmd->add_option("--max-age", f.max_age, "Maximum age");
  cmd->add_option("--min-score", f.min_score, "Minimum lead score (0-100)");
  cmd->add_option("--max-score", f.max_score, "Maximum lead score (0-100)");
  cmd->add_option("--status,--statuses", f.statuses, "Lead status(es): new, contacted, qualified, converted, lost");
  cmd->add_option("--source,--sources", f.sources, "Lead source(s), e.g. web, facebook");
  cmd->add_option("--rules", f.rules_json, "The rules as JSON (the API's form); flags add to it");
}

std::string rules_summary(const ads::AudienceRules& r) {
  const std::string json = ads::rules_to_json(r);
  return json == "{}" ? "(every lead)" : json;
}

void print_audiences(AppContext& ctx, const std::vector<ads::Audience>& list) {
  if (ctx.json()) {
    std::string out = "[";
    for (std::size_t i = 0; i < list.size(); ++i) out += (i ? "," : "") + ads::audience_to_json(list[i]);
    std::cout << out << "]\n";
    return;
  }
  Table table({"ID", "ORG", "NAME", "SIZE", "COMPUTED", "RULES"});
  for (const auto& a : list) {
    table.add_row({std::to_string(a.id), std::to_string(a.organization_id), ellipsize(a.name, 40),
                   a.size ? std::to_string(*a.size) : "-", a.computed_at ? a.computed_at->substr(0, 19) : "never",
                   ellipsize(rules_summary(a.rules), 60)});
  }
  table.print(std::cout);
  if (list.empty()) std::cerr << "no audiences\n";
}

void print_audience(AppContext& ctx, const ads::Audience& a, const std::vector<ads::AudienceSize>& history) {
  if (ctx.json()) {
    auto j = nlohmann::json::parse(ads::audience_to_json(a));
    j["history"] = nlohmann::json::array();
    for (const auto& h : history) j["history"].push_back({{"computedAt", h.computed_at}, {"size", h.size}});
    std::cout << j.dump() << "\n";
    return;
  }
  Table table({"FIELD", "VALUE"});
  table.add_row({"id", std::to_string(a.id)});
  table.add_row({"organizationId", std::to_string(a.organization_id)});
  table.add_row({"name", a.name});
  table.add_row({"description", a.description});
  table.add_row({"rules", rules_summary(a.rules)});
  table.add_row({"size", a.size ? std::to_string(*a.size) : "-"});
  table.add_row({"computedAt", a.computed_at.value_or("never")});
  table.add_row({"createdAt", a.created_at});
  for (const auto& h : history) table.add_row({"size at " + h.computed_at.substr(0, 19), std::to_string(h.size)});
  table.print(std::cout);
}

sales::AudienceService service_of(sales::Portal& portal) {
  return sales::AudienceService(portal.databases().ads(), portal.databases().crm());
}

void run_create(AppContext& ctx, const AudienceOptions& o) {
  ads::AudienceDraft d;
  d.organization_id = o.organization_id.value_or(0);
  d.name = o.name;
  d.description = o.description;
  d.rules = rules_of(o.rules);
  sales::Portal portal(ctx.config());
  print_audience(ctx, service_of(portal).create(d, Tenancy::all()), {});
}

void run_estimate(AppContext& ctx, const AudienceOptions& o) {
  sales::Portal portal(ctx.config());
  auto service = service_of(portal);
  std::int64_t organization = o.organization_id.value_or(0);
  ads::AudienceRules rules = rules_of(o.rules);
  if (o.id > 0) {  // an existing audience's rules
    const auto a = service.get(o.id, Tenancy::all());
    organization = a.organization_id;
    rules = a.rules;
  }
  const auto count = service.estimate(organization, rules, Tenancy::all());
  if (ctx.json()) {
    print_json({{"organizationId", organization},
                {"rules", nlohmann::json::parse(ads::rules_to_json(ads::validate_rules(rules)))},
                {"leads", count}});
  } else {
    std::cout << count << " leads of organization " << organization << " match " << rules_summary(rules) << "\n";
  }
}

void run_segment(AppContext& ctx, const AudienceOptions& o) {
  sales::Portal portal(ctx.config());
  const bool tty = isatty(STDERR_FILENO) == 1;
  const auto report = service_of(portal).segment(o.organization_id, [tty](std::size_t done, std::size_t total) {
    if (tty) std::cerr << "\rsegmentation: " << done << "/" << total << " audiences" << std::flush;
  });
  if (tty) std::cerr << "\n";
  if (ctx.json()) {
    print_json({{"computedAt", report.computed_at},
                {"audiences", report.audiences},
                {"memberships", report.memberships},
                {"failed", report.failed},
                {"staleMembershipsRemoved", report.stale_memberships_removed}});
  } else {
    print_audiences(ctx, report.sized);
    std::cerr << report.audiences << " audiences, " << report.memberships << " memberships, " << report.failed
              << " failed\n";
  }
  if (report.failed > 0) throw ExitWith{ExitCode::partial};
}

CLI::App* add_id_command(CLI::App* parent, const char* name, const char* help, AudienceOptions& o) {
  auto* cmd = parent->add_subcommand(name, help);
  cmd->add_option("id", o.id, "Audience id")->required()->check(CLI::PositiveNumber);
  return cmd;
}

}  // namespace

void register_audience_commands(CLI::App& app, AppContext& ctx) {
  auto* audience = app.add_subcommand("audience", "Define audiences, estimate them and segment leads into them");
  audience->require_subcommand(1);
  auto o = std::make_shared<AudienceOptions>();

  auto* create = audience->add_subcommand("create", "Create an audience from rules over lead profiles");
  create->add_option("--org,--organization-id", o->organization_id, "Organization id")->required();
  create->add_option("--name", o->name, "Name (1-80 characters, unique in the organization)")->required();
  create->add_option("--description", o->description, "Description (up to 300 characters)");
  add_rule_options(create, o->rules);
  create->callback([&ctx, o] { run_create(ctx, *o); });

  auto* list = audience->add_subcommand("list", "List audiences with their last size");
  list->add_option("--org,--organization-id", o->organization_id, "Only this organization");
  list->callback([&ctx, o] {
    sales::Portal portal(ctx.config());
    print_audiences(ctx, service_of(portal).list(o->organization_id, Tenancy::all()));
  });

  auto* show = add_id_command(audience, "show", "Show an audience and its size history", *o);
  show->add_option("--history", o->history, "Points of size history to show")->capture_default_str();
  show->callback([&ctx, o] {
    sales::Portal portal(ctx.config());
    auto service = service_of(portal);
    print_audience(ctx, service.get(o->id, Tenancy::all()), service.history(o->id, Tenancy::all(), o->history));
  });

  auto* estimate = audience->add_subcommand(
      "estimate", "Count the leads matching rules now (an audience id, or --org with rule flags)");
  estimate->add_option("id", o->id, "An existing audience (its rules and organization)");
  estimate->add_option("--org,--organization-id", o->organization_id, "Organization id");
  add_rule_options(estimate, o->rules);
  estimate->callback([&ctx, o] {
    if (o->id == 0 && !o->organization_id) throw ValidationError("--org", "give an audience id or --org");
    run_estimate(ctx, *o);
  });

  auto* members = add_id_command(audience, "members", "Lead ids in the audience at the last segmentation", *o);
  members->add_option("--limit", o->limit, "Page size (1-10000)")->check(CLI::Range(1, 10000))->capture_default_str();
  members->add_option("--offset", o->offset, "Ids to skip")->check(CLI::NonNegativeNumber);
  members->callback([&ctx, o] {
    sales::Portal portal(ctx.config());
    const auto ids = service_of(portal).members(o->id, Tenancy::all(), o->limit, o->offset);
    if (ctx.json()) {
      print_json(ids);
    } else {
      for (auto id : ids) std::cout << id << "\n";
    }
  });

  auto* del = add_id_command(audience, "delete", "Delete an audience (its membership goes at the next segmentation)", *o);
  del->add_flag("--dry-run", o->dry_run, "Show the audience that would be deleted; change nothing");
  del->callback([&ctx, o] {
    sales::Portal portal(ctx.config());
    auto service = service_of(portal);
    const auto a = service.get(o->id, Tenancy::all());
    if (o->dry_run) {
      std::cerr << "dry run: would delete audience " << a.id << " (" << a.name << "); nothing changed\n";
    } else {
      service.remove(o->id, Tenancy::all());
      std::cerr << "deleted audience " << a.id << " (" << a.name << ")\n";
    }
    print_audience(ctx, a, {});
  });

  auto* segment = audience->add_subcommand(
      "segment", "Materialise every audience's membership now (what the segmentation job runs)");
  segment->add_option("--org,--organization-id", o->organization_id, "Only this organization's audiences");
  segment->callback([&ctx, o] { run_segment(ctx, *o); });
}

}  // namespace promptsales::app
