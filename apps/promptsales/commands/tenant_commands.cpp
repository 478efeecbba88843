// `promptsales tenant add|list|show`: organizations with their sensitive
// data (legal name, tax id, billing email, payment reference), stored
// encrypted and shown decrypted to the operator holding the data key.
#include <iostream>

#include <CLI/CLI.hpp>

#include "app_context.hpp"
#include "commands/commands.hpp"
#include "commands/control_access.hpp"
#include "output.hpp"
#include "promptsales/common/tenants.hpp"

namespace promptsales::app {
namespace {

struct TenantOptions {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> country;
  TenantSecrets secrets;
  int limit = 100;
  int offset = 0;
};

nlohmann::json opt(const std::optional<std::string>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }

nlohmann::json to_json(const Tenant& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"country", opt(t.country)},
          {"enabled", t.enabled},
          {"legalName", opt(t.secrets.legal_name)},
          {"taxId", opt(t.secrets.tax_id)},
          {"billingEmail", opt(t.secrets.billing_email)},
          {"paymentReference", opt(t.secrets.payment_reference)},
          {"keyId", opt(t.key_id)},
          {"createdAt", t.created_at}};
}

void print_tenant(AppContext& ctx, const Tenant& t) {
  if (ctx.json()) {
    print_json(to_json(t));
    return;
  }
  Table table({"FIELD", "VALUE"});
  table.add_row({"id", std::to_string(t.id)});
  table.add_row({"name", t.name});
  table.add_row({"country", t.country.value_or("-")});
  table.add_row({"enabled", t.enabled ? "true" : "false"});
  table.add_row({"legalName", t.secrets.legal_name.value_or("-")});
  table.add_row({"taxId", t.secrets.tax_id.value_or("-")});
  table.add_row({"billingEmail", t.secrets.billing_email.value_or("-")});
  table.add_row({"paymentReference", t.secrets.payment_reference.value_or("-")});
  table.add_row({"createdAt", t.created_at});
  table.print(std::cout);
}

}  // namespace

void register_tenant_commands(CLI::App& app, AppContext& ctx) {
  auto* tenant = app.add_subcommand("tenant", "Customer organizations and their sensitive data (encrypted at rest)");
  tenant->require_subcommand(1);
  auto o = std::make_shared<TenantOptions>();

  auto* add = tenant->add_subcommand("add", "Add an organization");
  add->add_option("--name", o->name, "Display name (1-120 characters)")->required();
  add->add_option("--country", o->country, "ISO 3166-1 alpha-2 code, e.g. ES");
  add->add_option("--legal-name", o->secrets.legal_name, "Registered legal name (encrypted)");
  add->add_option("--tax-id", o->secrets.tax_id, "Tax identifier, e.g. a VAT number (encrypted)");
  add->add_option("--billing-email", o->secrets.billing_email, "Billing email (encrypted)");
  add->add_option("--payment-reference", o->secrets.payment_reference,
                  "Payment provider's customer reference (encrypted)");
  add->callback([&ctx, o] {
    const auto keys = crypto::load_keyring(ctx.config());
    auto control = open_control(ctx);
    AuditEvent event;
    event.action = "tenant.add";
    const auto t = audited(*control, event, [&](AuditEvent& e) {
      auto created = PgTenants(*control, keys).add(o->name, o->country, o->secrets);
      e.target = "organization:" + std::to_string(created.id);
      e.organization_id = created.id;
      return created;
    });
    print_tenant(ctx, t);
  });

  auto* list = tenant->add_subcommand("list", "List organizations, decrypted");
  list->add_option("--limit", o->limit, "Page size (1-1000)")->capture_default_str()->check(CLI::Range(1, 1000));
  list->add_option("--offset", o->offset, "Rows to skip")->capture_default_str()->check(CLI::NonNegativeNumber);
  list->callback([&ctx, o] {
    const auto keys = crypto::load_keyring(ctx.config());
    auto control = open_control(ctx);
    const auto tenants = PgTenants(*control, keys).list(o->limit, o->offset);
    if (ctx.json()) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& t : tenants) out.push_back(to_json(t));
      print_json(out);
      return;
    }
    Table table({"ID", "NAME", "COUNTRY", "LEGAL NAME", "TAX ID", "BILLING EMAIL", "ENABLED"});
    for (const auto& t : tenants) {
      table.add_row({std::to_string(t.id), ellipsize(t.name, 30), t.country.value_or("-"),
                     ellipsize(t.secrets.legal_name.value_or("-"), 30), t.secrets.tax_id.value_or("-"),
                     t.secrets.billing_email.value_or("-"), t.enabled ? "yes" : "no"});
    }
    table.print(std::cout);
    if (tenants.empty()) std::cerr << "no organizations\n";
  });

  auto* show = tenant->add_subcommand("show", "Show one organization, decrypted");
  show->add_option("id", o->id, "Organization id")->required()->check(CLI::PositiveNumber);
  show->callback([&ctx, o] {
    const auto keys = crypto::load_keyring(ctx.config());
    auto control = open_control(ctx);
    print_tenant(ctx, PgTenants(*control, keys).get(o->id));
  });
}

}  // namespace promptsales::app
