// `promptsales user register|list|show|grant|revoke|permissions|disable|enable`:
// users of the portal and their permissions (email and name decrypted for
// the operator; the data key comes from the environment or a secret file).
#include <iostream>

#include <CLI/CLI.hpp>

#include "app_context.hpp"
#include "commands/commands.hpp"
#include "commands/control_access.hpp"
#include "output.hpp"
#include "promptsales/common/users.hpp"

namespace promptsales::app {
namespace {

struct UserOptions {
  std::string subject;
  std::string email;
  std::string name;
  std::optional<std::int64_t> organization_id;
  std::vector<std::string> roles;
  std::vector<std::string> permissions;
  bool platform_operator = false;
};

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out.empty() ? "-" : out;
}

nlohmann::json to_json(const User& u) {
  return {{"id", u.id},
          {"subject", u.subject},
          {"organizationId", u.organization_id ? nlohmann::json(*u.organization_id) : nlohmann::json(nullptr)},
          {"email", u.email},
          {"name", u.name},
          {"roles", u.roles},
          {"permissions", u.permissions},
          {"effectivePermissions", auth::names_of(u.effective())},
          {"disabled", u.disabled},
          {"keyId", u.key_id},
          {"createdAt", u.created_at},
          {"updatedAt", u.updated_at}};
}

void print_users(AppContext& ctx, const std::vector<User>& users) {
  if (ctx.json()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& u : users) out.push_back(to_json(u));
    print_json(out);
    return;
  }
  Table table({"ID", "SUBJECT", "ORG", "EMAIL", "NAME", "ROLES", "PERMISSIONS", "DISABLED"});
  for (const auto& u : users) {
    table.add_row({std::to_string(u.id), ellipsize(u.subject, 40),
                   u.organization_id ? std::to_string(*u.organization_id) : "(platform)", u.email,
                   ellipsize(u.name, 30), joined(u.roles), joined(u.permissions), u.disabled ? "yes" : "no"});
  }
  table.print(std::cout);
  if (users.empty()) std::cerr << "no users\n";
}

void print_user(AppContext& ctx, const User& u) {
  if (ctx.json()) {
    print_json(to_json(u));
    return;
  }
  Table table({"FIELD", "VALUE"});
  table.add_row({"id", std::to_string(u.id)});
  table.add_row({"subject", u.subject});
  table.add_row({"organizationId", u.organization_id ? std::to_string(*u.organization_id) : "(platform operator)"});
  table.add_row({"email", u.email});
  table.add_row({"name", u.name});
  table.add_row({"roles", joined(u.roles)});
  table.add_row({"permissions", joined(u.permissions)});
  table.add_row({"effective", joined(auth::names_of(u.effective()))});
  table.add_row({"disabled", u.disabled ? "true" : "false"});
  table.add_row({"createdAt", u.created_at});
  table.add_row({"updatedAt", u.updated_at});
  table.print(std::cout);
}

AuditEvent event_for(const char* action, const std::string& subject) {
  AuditEvent e;
  e.action = action;
  e.target = "user:" + subject;
  return e;
}

void run_register(AppContext& ctx, const UserOptions& o) {
  const auto keys = crypto::load_keyring(ctx.config());
  auto control = open_control(ctx);
  PgUsers users(*control, &keys);
  NewUser n{o.subject, o.email, o.name, o.organization_id, o.roles, o.permissions, o.platform_operator};
  const auto user = audited(*control, event_for("user.register", o.subject), [&](AuditEvent& e) {
    e.organization_id = o.organization_id;
    e.details = {{"roles", o.roles}, {"permissions", o.permissions}, {"platformOperator", o.platform_operator}};
    return users.register_user(n);
  });
  print_user(ctx, user);
}

void run_change(AppContext& ctx, const UserOptions& o, bool add) {
  // Roles and permissions are not encrypted: no data key needed.
  auto control = open_control(ctx);
  PgUsers users(*control, nullptr);
  const Grant g{o.roles, o.permissions};
  const auto user = audited(*control, event_for(add ? "user.grant" : "user.revoke", o.subject), [&](AuditEvent& e) {
    e.details = {{"roles", o.roles}, {"permissions", o.permissions}};
    auto u = add ? users.grant(o.subject, g) : users.revoke(o.subject, g);
    e.organization_id = u.organization_id;
    return u;
  });
  if (ctx.json()) {
    print_json({{"subject", user.subject},
                {"organizationId", user.organization_id ? nlohmann::json(*user.organization_id) : nlohmann::json(nullptr)},
                {"roles", user.roles},
                {"permissions", user.permissions},
                {"effectivePermissions", auth::names_of(user.effective())}});
    return;
  }
  std::cout << user.subject << ": roles " << joined(user.roles) << "; permissions " << joined(user.permissions)
            << "; effective " << joined(auth::names_of(user.effective())) << "\n";
}

void run_permissions(AppContext& ctx, const UserOptions& o) {
  auto control = open_control(ctx);
  PgUsers users(*control, nullptr);
  const auto access = users.access(o.subject);
  if (!access && !users.exists(o.subject)) throw NotFound("no user with subject '" + o.subject + "'");
  const auto names = access ? auth::names_of(access->permissions) : std::vector<std::string>{};
  if (ctx.json()) {
    print_json({{"subject", o.subject}, {"active", access.has_value()}, {"permissions", names}});
    return;
  }
  if (!access) std::cerr << o.subject << " is disabled (or its organization is): no permissions\n";
  for (const auto& n : names) std::cout << n << "\n";
}

void run_set_disabled(AppContext& ctx, const UserOptions& o, bool disabled) {
  const auto keys = crypto::load_keyring(ctx.config());
  auto control = open_control(ctx);
  PgUsers users(*control, &keys);
  const auto user = audited(*control, event_for(disabled ? "user.disable" : "user.enable", o.subject),
                            [&](AuditEvent& e) {
                              auto u = users.set_disabled(o.subject, disabled);
                              e.organization_id = u.organization_id;
                              return u;
                            });
  print_user(ctx, user);
}

CLI::App* subject_command(CLI::App* parent, const char* name, const char* help, UserOptions& o) {
  auto* cmd = parent->add_subcommand(name, help);
  cmd->add_option("subject", o.subject, "The user's subject (the OIDC `sub` claim)")->required();
  return cmd;
}

void add_grant_options(CLI::App* cmd, UserOptions& o) {
  cmd->add_option("--permission", o.permissions, "A permission, e.g. campaigns:write (repeatable)");
  cmd->add_option("--role", o.roles, "A role: viewer, marketer, analyst, admin (repeatable)");
}

}  // namespace

void register_user_commands(CLI::App& app, AppContext& ctx) {
  auto* user = app.add_subcommand("user", "Register users and manage their roles and permissions");
  user->require_subcommand(1);
  auto o = std::make_shared<UserOptions>();

  auto* reg = user->add_subcommand("register", "Register a user (email and name are stored encrypted)");
  reg->add_option("--subject", o->subject, "The OIDC `sub` claim of the user")->required();
  reg->add_option("--email", o->email, "Email address")->required();
  reg->add_option("--name", o->name, "Full name (1-120 characters)")->required();
  auto* org = reg->add_option("--org,--organization-id", o->organization_id, "The user's organization");
  reg->add_flag("--platform-operator", o->platform_operator,
                "A platform operator: no organization, holds platform:admin")
      ->excludes(org);
  add_grant_options(reg, *o);
  reg->callback([&ctx, o] { run_register(ctx, *o); });

  auto* list = user->add_subcommand("list", "List users, decrypted");
  list->add_option("--org,--organization-id", o->organization_id, "Only this organization's users");
  list->callback([&ctx, o] {
    const auto keys = crypto::load_keyring(ctx.config());
    auto control = open_control(ctx);
    print_users(ctx, PgUsers(*control, &keys).list(o->organization_id));
  });

  subject_command(user, "show", "Show one user, decrypted", *o)->callback([&ctx, o] {
    const auto keys = crypto::load_keyring(ctx.config());
    auto control = open_control(ctx);
    auto u = PgUsers(*control, &keys).find(o->subject);
    if (!u) throw NotFound("no user with subject '" + o->subject + "'");
    print_user(ctx, *u);
  });

  auto* grant = subject_command(user, "grant", "Give a user roles or permissions (idempotent)", *o);
  add_grant_options(grant, *o);
  grant->callback([&ctx, o] { run_change(ctx, *o, true); });

  auto* revoke = subject_command(user, "revoke", "Take roles or permissions from a user (idempotent)", *o);
  add_grant_options(revoke, *o);
  revoke->callback([&ctx, o] { run_change(ctx, *o, false); });

  subject_command(user, "permissions", "The user's effective permissions (roles plus direct grants)", *o)
      ->callback([&ctx, o] { run_permissions(ctx, *o); });
  subject_command(user, "disable", "Disable a user: no permissions until enabled", *o)->callback([&ctx, o] {
    run_set_disabled(ctx, *o, true);
  });
  subject_command(user, "enable", "Enable a disabled user", *o)->callback([&ctx, o] { run_set_disabled(ctx, *o, false); });
}

}  // namespace promptsales::app
