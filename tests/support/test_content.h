// Test content for replication tests: seeded random files and trees, byte-exact tree
// comparison, SIGKILL of a node, and reading one peer's entry from `edgesync peers --json`.
// Free functions; each call needs external synchronization only for the objects it is given.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/cluster_fixture.h"

namespace edgesync::testing {

// `size` bytes from `rng`, written in 1 MiB pieces (large files never sit in memory).
void WriteRandomFile(const std::filesystem::path& path, std::mt19937_64& rng, uint64_t size);
// `count` files of uniform random size in [min_size, max_size] under `dir` (a few subfolders).
void WriteRandomTree(const std::filesystem::path& dir, std::mt19937_64& rng, size_t count,
                     uint64_t min_size, uint64_t max_size);
// A txt-index dataset (image classification): `count` random `.bin` files of [min_size,
// max_size] bytes plus `index.txt` naming each with a label.
void WriteIndexedDataset(const std::filesystem::path& dir, std::mt19937_64& rng, size_t count,
                         uint64_t min_size, uint64_t max_size);
// True when both trees hold the same relative file paths with identical bytes; else *why says
// the first difference.
bool SameTree(const std::filesystem::path& a, const std::filesystem::path& b, std::string* why);

// SIGKILL, reap, forget the process (the data directory stays for a restart).
void KillNode(TestNode& node);

// key -> "<latest version>/<number of heads>" (plus "/deleted" for a tombstone) of every key in
// `ls_json` (an `edgesync ls --json` result): equal maps mean the nodes hold the same heads.
std::map<std::string, std::string> HeadsByKey(const nlohmann::json& ls_json);

// The entry of `peers_json` (an `edgesync peers --json` result) for `node_id`; null if none.
nlohmann::json PeerEntry(const nlohmann::json& peers_json, const std::string& node_id);

}  // namespace edgesync::testing
