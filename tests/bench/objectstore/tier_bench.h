// The chunk tier's part of bench_objectstore: a cloud node storing a model and serving it to an
// edge peer, with its chunks in packs on s3rver, against the same pair on local disk.
#pragma once

#include <cstdint>
#include <random>

#include <nlohmann/json.hpp>

#include "tests/support/s3rver_server.h"

namespace edgesync::testing {

// `runs` rounds on fresh `size`-byte models, local and tier taking turns at going first, then
// one untimed tier put and serve through a RequestCountingFront. Prints a line per operation;
// returns the summary fields (tier_put_mbps, tier_serve_mbps, their local counterparts and
// ratios, requests per GiB), or null when something failed.
nlohmann::json RunTierBench(const objectstore::testing::S3rverServer& server, uint64_t size, int runs,
                            std::mt19937_64& rng);

}  // namespace edgesync::testing
