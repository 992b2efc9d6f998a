// `lmm ingest INPUT... -o DATASET [--format F] [--fps-in N] [--view V]`
// Exit 0 when every input ingested, 1 when some failed (one line each), 2 on fatal errors.
#include <fmt/core.h>

#include <memory>

#include "commands.h"
#include "lmm/pipeline/ingest.h"

namespace {

struct Opts {
  std::vector<std::string> inputs;
  std::string out, format = "auto", view = "front";
  double fps_in = 0;
  bool quiet = false;
};

lmm::cli::Registrar reg([](CLI::App& app, int& exit_code) {
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand("ingest", "Read skeleton files/directories, normalize, store clips with QC");
  sub->add_option("inputs", o->inputs, "Files or directories (searched recursively)")->required();
  sub->add_option("-o,--output", o->out, "Dataset directory (created if needed)")->required();
  sub->add_option("--format", o->format, "auto|openpose|coco17|ntu|c3d|bvh")->capture_default_str();
  sub->add_option("--fps-in", o->fps_in, "Source frame rate override (0 = from file or format default)");
  sub->add_option("--view", o->view, "Projection of 3D sources: front|side|top")->capture_default_str();
  sub->add_flag("-q,--quiet", o->quiet, "No progress output");
  sub->callback([o, &exit_code] {
    lmm::pipeline::IngestConfig cfg;
    for (auto& s : o->inputs) cfg.inputs.emplace_back(s);
    cfg.dataset = o->out;
    cfg.read.format = lmm::io::parse_format(o->format);
    cfg.read.fps_in = o->fps_in;
    cfg.read.view = lmm::parse_view(o->view);
    cfg.progress = !o->quiet;
    auto rep = lmm::pipeline::ingest(cfg);
    for (const auto& f : rep.failures)
      fmt::print(stderr, "FAILED {}{}: {}\n", f.file, f.frame >= 0 ? fmt::format(" (frame {})", f.frame) : "",
                 f.reason);
    std::string classes;
    for (auto& [k, v] : rep.by_class) classes += fmt::format("{}{} {}", classes.empty() ? "" : ", ", v, k);
    fmt::print("ingested {}/{} inputs into {}: {} clips, {} source frames -> {} frames at 15 FPS{} "
               "in {:.2f} s ({:.0f} source frames/s); {} failed\n",
               rep.written, rep.inputs, o->out, rep.written, rep.source_frames, rep.frames,
               classes.empty() ? "" : " (" + classes + ")", rep.seconds,
               rep.seconds > 0 ? rep.source_frames / rep.seconds : 0.0, rep.failures.size());
    exit_code = rep.failures.empty() ? 0 : 1;
  });
});

}  // namespace
