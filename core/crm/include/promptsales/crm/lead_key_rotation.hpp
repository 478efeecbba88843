#pragma once
/// `keys rotate` for the CRM database: re-encrypts leads' email, name and
/// phone under the new data key (batches, resumable, like the control
/// database's tables) and re-wraps the blind index key and the lead
/// capture secrets. email_hash does not
/// change: its key is not the data key (see lead_cipher.hpp).

#include "promptsales/common/crypto/key_rotation.hpp"

namespace promptsales::db {
class Pool;
}

namespace promptsales::crm {

/// Rows of `leads` (and the index_keys row) not on `target` are rewritten.
/// Reports the table as "leads". Same errors as crypto::rotate_keys.
crypto::TableRotation rotate_lead_keys(db::Pool& crm, const crypto::Keyring& readers, const crypto::DataKey& target,
                                       const crypto::RotationOptions& options, std::int64_t& batches);

}  // namespace promptsales::crm
