// `promptsales keys rotate`: re-encrypts every encrypted column under a new
// data key, in batches, resumably. The old key(s) come from the normal
// configuration, the new one from PROMPTSALES_NEW_DATA_KEY or --new-key-file;
// neither is ever accepted on the command line or printed.
#include <cstdlib>
#include <iostream>

#include <CLI/CLI.hpp>

#include "app_context.hpp"
#include "commands/commands.hpp"
#include "commands/control_access.hpp"
#include "output.hpp"
#include "promptsales/common/crypto/key_rotation.hpp"
#include "promptsales/crm/lead_key_rotation.hpp"
#include "promptsales/crm/lead_store.hpp"

namespace promptsales::app {
namespace {

struct KeysOptions {
  std::string new_key_file;
  std::size_t batch_size = 500;
  std::optional<std::int64_t> max_batches;
  bool dry_run = false;
};

crypto::DataKey new_key(const KeysOptions& o) {
  const char* env = std::getenv("PROMPTSALES_NEW_DATA_KEY");
  const bool has_env = env && *env;
  if (has_env && !o.new_key_file.empty()) {
    throw ConfigError("both PROMPTSALES_NEW_DATA_KEY and --new-key-file are set: give only one");
  }
  if (!o.new_key_file.empty()) return crypto::DataKey::from_file(o.new_key_file);
  if (has_env) return crypto::DataKey::from_hex(env, "PROMPTSALES_NEW_DATA_KEY");
  throw ConfigError("no new key: set PROMPTSALES_NEW_DATA_KEY (64 hex characters) or pass --new-key-file FILE");
}

nlohmann::json to_json(const crypto::RotationResult& r) {
  nlohmann::json tables = nlohmann::json::array();
  for (const auto& t : r.tables) {
    tables.push_back({{"table", t.table}, {"rotated", t.rotated}, {"remaining", t.remaining},
                      {"remainingByKeyId", t.remaining_by_key}});
  }
  return {{"newKeyId", r.new_key_id}, {"dryRun", r.dry_run}, {"complete", r.complete}, {"batches", r.batches},
          {"tables", tables}};
}

// Control tables first, then the CRM database's leads (when PromptCrm is
// registered): one result, one audit event.
crypto::RotationResult rotate_all(AppContext& ctx, db::Pool& control, const crypto::Keyring& readers,
                                  const crypto::DataKey& target, const crypto::RotationOptions& options) {
  auto result = crypto::rotate_keys(control, readers, target, options);
  std::string crm_url;
  try {
    crm_url = crm::locate_crm_database(ctx.config().str("database_url"));
  } catch (const ConfigError&) {
    return result;  // no CRM sub-company
  }
  db::PoolOptions po;
  po.url = crm_url;
  po.size = 1;
  po.statement_timeout = ctx.config().millis("db_statement_timeout_ms");
  po.application_name = "promptsales-cli";
  db::Pool crm_pool(std::move(po));
  result.tables.push_back(crm::rotate_lead_keys(crm_pool, readers, target, options, result.batches));
  result.complete = result.complete && result.tables.back().remaining == 0;
  return result;
}

void run_rotate(AppContext& ctx, const KeysOptions& o) {
  const auto readers = crypto::load_keyring(ctx.config());
  const auto target = new_key(o);
  auto control = open_control(ctx);
  crypto::RotationOptions options;
  options.batch_size = o.batch_size;
  options.max_batches = o.max_batches;
  options.dry_run = o.dry_run;
  options.on_progress = [](const crypto::RotationProgress& p) {
    std::cerr << "  " << p.table << ": " << p.rotated << " rows re-encrypted (batch " << p.batches << ")\n";
  };
  std::cerr << "rotating to key id " << target.id() << (o.dry_run ? " (dry run: nothing changes)" : "") << "\n";
  crypto::RotationResult result;
  if (o.dry_run) {
    result = rotate_all(ctx, *control, readers, target, options);
  } else {
    AuditEvent event;
    event.action = "keys.rotate";
    event.target = "key:" + target.id();
    result = audited(*control, event, [&](AuditEvent& e) {
      auto r = rotate_all(ctx, *control, readers, target, options);
      e.details = to_json(r);
      return r;
    });
  }
  if (ctx.json()) {
    print_json(to_json(result));
    return;
  }
  Table table({"TABLE", o.dry_run ? "WOULD ROTATE" : "ROTATED", "REMAINING"});
  for (const auto& t : result.tables) {
    table.add_row({t.table, std::to_string(o.dry_run ? t.remaining : t.rotated), std::to_string(t.remaining)});
  }
  table.print(std::cout);
  if (!o.dry_run) {
    std::cerr << (result.complete ? "complete: every encrypted row uses key id " + result.new_key_id +
                                        "; make it data_key and drop the previous key"
                                  : "incomplete: run again to continue") << "\n";
  }
}

}  // namespace

void register_keys_commands(CLI::App& app, AppContext& ctx) {
  auto* keys = app.add_subcommand("keys", "Data keys of the encrypted columns");
  keys->require_subcommand(1);
  auto o = std::make_shared<KeysOptions>();

  auto* rotate = keys->add_subcommand(
      "rotate",
      "Re-encrypt every encrypted column with a new key (PROMPTSALES_NEW_DATA_KEY or --new-key-file). Resumable: "
      "rows already on the new key are skipped. Exit 0 also when --max-batches stopped it early (see \"complete\")");
  rotate->add_option("--new-key-file", o->new_key_file, "File holding the new key (64 hex characters)");
  rotate->add_option("--batch-size", o->batch_size, "Rows per transaction")->capture_default_str()->check(
      CLI::Range(1, 100000));
  rotate->add_option("--max-batches", o->max_batches, "Stop after this many batches (a later run continues)")
      ->check(CLI::PositiveNumber);
  rotate->add_flag("--dry-run", o->dry_run, "Count the rows that would be re-encrypted; change nothing");
  rotate->callback([&ctx, o] { run_rotate(ctx, *o); });
}

}  // namespace promptsales::app
