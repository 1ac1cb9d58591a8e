// The data key file of an encrypted store: `data-key` in the store directory, holding the
// store's random 256-bit data key wrapped (AES-256-GCM) under the operator's key (store_key.h),
// with that key's id. Values are sealed under the data key (value_cipher.h); the operator's key
// only opens this file. Rekeying rewrites this file alone, atomically, so readers of the store
// never notice. The file's presence is what marks a store as encrypted.
// Pure functions over the file; callers serialize writers of one store.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/status.h"
#include "store/store_key.h"

namespace edgesync {

inline constexpr char kDataKeyFileName[] = "data-key";

// The data key of the store in `dir`, or an empty string for a plaintext store (no file and
// `key` null). Makes a new data key when `key` is set and `dir` holds no store yet.
// FailedPrecondition, before anything is written, when the store is encrypted and `key` is null,
// when it was created without encryption and `key` is set, or when `key` does not open it
// ("storage.encryption: the key in <file> does not open this store (wrong key?)").
Result<std::string> LoadDataKey(const std::filesystem::path& dir, const StoreKey* key);

// Replaces the file with `data_key` wrapped under `key`: a temporary file, fsync, rename, fsync
// of the directory, so a crash leaves the old or the new file, both whole.
Status WriteDataKey(const std::filesystem::path& dir, std::string_view data_key, const StoreKey& key);

// The id of the key the store in `dir` is wrapped under; NotFound for a plaintext store.
Result<std::string> DataKeyWrappedUnder(const std::filesystem::path& dir);

}  // namespace edgesync
