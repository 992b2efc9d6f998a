// `lmm info DATASET [--json]`: clips with frames, source format, source fps, QC class.
#include <fmt/core.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "lmm/io/dataset.h"

namespace {

struct Opts {
  std::string dataset;
  bool json = false;
};

lmm::cli::Registrar reg([](CLI::App& app, int& exit_code) {
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand("info", "List the clips of a dataset");
  sub->add_option("dataset", o->dataset, "Dataset directory")->required();
  sub->add_flag("--json", o->json, "Machine-readable output");
  sub->callback([o, &exit_code] {
    lmm::io::Dataset ds(o->dataset);
    auto clips = ds.list();
    if (o->json) {
      nlohmann::json j = nlohmann::json::array();
      for (auto& c : clips)
        j.push_back({{"name", c.name}, {"frames", c.frames}, {"fps", 15}, {"source_format", c.source_format},
                     {"source_fps", c.source_fps}, {"source_path", c.source_path}, {"qc_class", c.qc_class},
                     {"qc_reason", c.qc_reason}, {"file", c.file.string()}});
      fmt::print("{}\n", j.dump(2));
      return;
    }
    size_t w = 4;
    for (auto& c : clips) w = std::max(w, c.name.size());
    fmt::print("{:<{}}  {:>7}  {:<9}  {:>10}  {}\n", "clip", w, "frames", "format", "source_fps", "qc");
    long total = 0;
    for (auto& c : clips) {
      fmt::print("{:<{}}  {:>7}  {:<9}  {:>10.3f}  {}\n", c.name, w, c.frames, c.source_format, c.source_fps,
                 c.qc_class);
      total += c.frames;
    }
    fmt::print("{} clips, {} frames at 15 FPS ({:.1f} min)\n", clips.size(), total, total / 15.0 / 60.0);
    (void)exit_code;
  });
});

}  // namespace
