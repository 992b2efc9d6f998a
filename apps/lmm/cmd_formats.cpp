// `lmm formats [--conventions FAMILY]`: the input formats lmm reads and, with
// --conventions, the skeleton/marker-set tables of a family (Markdown, as in the docs).
#include <fmt/core.h>

#include <memory>

#include "commands.h"
#include "lmm/io/format_docs.h"

namespace {

struct Opts {
  std::string family;
  bool conventions = false;
};

lmm::cli::Registrar reg([](CLI::App& app, int& exit_code) {
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand("formats", "List input formats, or the convention tables of a family (Markdown)");
  sub->add_option("--conventions", o->family,
                  "Print the convention tables of a family: c3d | bvh | keypoints | all");
  sub->callback([o, &exit_code] {
    if (o->family.empty())
      fmt::print("{}", lmm::io::formats_markdown());
    else
      fmt::print("{}", lmm::io::conventions_markdown(o->family == "all" ? "" : o->family));
    exit_code = 0;
  });
});

}  // namespace
