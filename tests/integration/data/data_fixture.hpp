#pragma once
// A migrated installation with a control pool and two data keys.
#include <memory>
#include <string>

#include <pqxx/pqxx>

#include "promptsales/common/crypto/data_key.hpp"
#include "promptsales/common/db/pool.hpp"
#include "test_env.hpp"

namespace promptsales::test {

inline const std::string kKeyHexA = "8f1c2b3a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8";
inline const std::string kKeyHexB = "1122334455667788990011223344556677889900aabbccddeeff001122334455";

struct DataFixture {
  TestInstallation installation;
  std::unique_ptr<db::Pool> pool = [this] {
    db::PoolOptions o;
    o.url = installation.control_url();
    o.size = 4;
    return std::make_unique<db::Pool>(std::move(o));
  }();
  crypto::DataKey key_a = crypto::DataKey::from_hex(kKeyHexA, "test");
  crypto::DataKey key_b = crypto::DataKey::from_hex(kKeyHexB, "test");

  std::int64_t add_org(const std::string& name) const {
    pqxx::connection c(installation.control_url());
    pqxx::work tx(c);
    const auto id = tx.exec_params1("INSERT INTO organizations (name) VALUES ($1) RETURNING id", name)[0].as<std::int64_t>();
    tx.commit();
    return id;
  }

  /// Runs a one-value query on the control database.
  std::string scalar(const std::string& sql) const {
    pqxx::connection c(installation.control_url());
    pqxx::nontransaction tx(c);
    const auto r = tx.exec1(sql);
    return r[0].is_null() ? std::string("NULL") : r[0].as<std::string>();
  }
};

}  // namespace promptsales::test
