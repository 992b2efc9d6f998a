// lmm: the command-line front end. Each subcommand lives in its own cmd_*.cpp, which
// registers its options and a callback; this file only dispatches and maps errors
// to exit codes (0 ok, 1 some inputs failed, 2 usage or fatal error).
#include <CLI/CLI.hpp>
#include <iostream>

#include "commands.h"
#include "lmm/core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"lmm - Large Movement Model: ingest, normalize, train and evaluate motion models"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "lmm 0.1.0");
  int exit_code = 0;
  for (const auto& reg : lmm::cli::registry()) reg(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const lmm::Error& e) {
    std::cerr << "lmm: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "lmm: internal error: " << e.what() << "\n";
    return 2;
  }
  return exit_code;
}
