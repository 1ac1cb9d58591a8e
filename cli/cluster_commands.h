// `edgesync cluster init|join|renew|sign|revoke`: the cluster PKI, run by the CLI itself without a
// daemon (the CA directory belongs on an offline machine). Thin layer over transport/identity.h.
// Needs external synchronization (one CLI invocation).
#pragma once

#include <filesystem>
#include <functional>

#include <CLI/CLI.hpp>

namespace edgesync {

// Runs the chosen cluster command; `data_dir` is the CLI's data directory (default ./data),
// whose cluster/ subdirectory is where `join` writes by default. Returns the exit code.
using LocalCommand = std::function<int(const std::filesystem::path& data_dir)>;

// Adds the `cluster` subcommand tree to `app`. When one of them is chosen, parsing sets
// `*chosen`. REQUIRES: `chosen` outlives parsing and the call.
void AddClusterCommands(CLI::App& app, LocalCommand* chosen);

}  // namespace edgesync
