// Subcommand registry: each cmd_*.cpp defines a static Registrar that adds its
// subcommand (options + callback) to the CLI::App. The callback sets exit_code.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

namespace lmm::cli {

using Register = std::function<void(CLI::App& app, int& exit_code)>;
std::vector<Register>& registry();

struct Registrar {
  explicit Registrar(Register r) { registry().push_back(std::move(r)); }
};

}  // namespace lmm::cli
