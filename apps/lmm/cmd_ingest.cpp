// `lmm ingest INPUT... -o DATASET [--format F] [--fps-in N] [--view V] [--yaw A,B,...]`
// Exit 0 when every input ingested, 1 when some failed (one line each), 2 on fatal errors.
#include <fmt/core.h>

#include <cstdlib>
#include <map>
#include <memory>

#include "commands.h"
#include "lmm/core/error.h"
#include "lmm/pipeline/ingest.h"

namespace {

struct Opts {
  std::vector<std::string> inputs;
  std::string out, format = "auto", view = "front", yaw, markers, joints, keypoints, frame_size;
  double fps_in = 0;
  bool quiet = false;
};

lmm::cli::Registrar reg([](CLI::App& app, int& exit_code) {
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand("ingest", "Read skeleton files/directories, normalize, store clips with QC");
  sub->add_option("inputs", o->inputs, "Files or directories (searched recursively)")->required();
  sub->add_option("-o,--output", o->out, "Dataset directory (created if needed)")->required();
  std::string names = "auto";
  for (const auto& f : lmm::io::formats()) names += "|" + f.name;
  sub->add_option("--format", o->format, names)->capture_default_str();
  sub->add_option("--markers", o->markers, "C3D marker set of your own: FILE.json (docs/formats_mocap.md)");
  sub->add_option("--joints", o->joints, "BVH joint table of your own: FILE.json (docs/formats_mocap.md)");
  sub->add_option("--keypoints", o->keypoints, "OpenPose model of the JSON files: body25|body25b|coco18 (default: auto)");
  sub->add_option("--frame-size", o->frame_size, "WxH pixels of keypoints stored in [0, 1], e.g. 1920x1080");
  sub->add_option("--fps-in", o->fps_in, "Source frame rate override (0 = from file or format default)");
  sub->add_option("--view", o->view, "Projection of 3D sources: front|side|top")->capture_default_str();
  sub->add_option("--yaw", o->yaw,
                  "Store each 3D clip once per angle (degrees about the vertical, e.g. 0,30,-30), "
                  "named <clip>@yaw<a> (docs/training.md)");
  sub->add_flag("-q,--quiet", o->quiet, "No progress output");
  sub->callback([o, names, &exit_code] {
    lmm::pipeline::IngestConfig cfg;
    for (auto& s : o->inputs) cfg.inputs.emplace_back(s);
    cfg.dataset = o->out;
    cfg.read.format = o->format;
    if (o->format != "auto" && !lmm::io::find_format(o->format))
      throw lmm::ConfigError("unknown --format '" + o->format + "': expected " + names);
    cfg.read.markers = o->markers;
    cfg.read.joints = o->joints;
    cfg.read.keypoints = o->keypoints;
    if (!o->frame_size.empty()) {
      const auto x = o->frame_size.find('x');
      int w = 0, h = 0;
      if (x != std::string::npos) w = std::atoi(o->frame_size.c_str()), h = std::atoi(o->frame_size.c_str() + x + 1);
      if (w <= 0 || h <= 0) throw lmm::ConfigError("--frame-size '" + o->frame_size + "': expected WxH, e.g. 1920x1080");
      cfg.read.frame_width = w, cfg.read.frame_height = h;
    }
    cfg.read.fps_in = o->fps_in;
    cfg.read.view = lmm::parse_view(o->view);
    if (!o->yaw.empty()) cfg.yaws = lmm::parse_yaws(o->yaw);
    cfg.progress = !o->quiet;
    auto rep = lmm::pipeline::ingest(cfg);
    // Notes and warnings that repeat (a corpus with an annotation file per clip, one exporter's
    // habit on every clip) are said a few times, then counted.
    std::map<std::string, int> skips;
    for (const auto& s : rep.skipped)
      if (++skips[s.reason] <= 10) fmt::print(stderr, "skipped {}: {}\n", s.file, s.reason);
    for (const auto& [reason, n] : skips)
      if (n > 10) fmt::print(stderr, "skipped ... {} more files: {}\n", n - 10, reason);
    std::map<std::string, int> said;
    for (const auto& w : rep.warnings)
      if (++said[w.reason] <= 3) fmt::print(stderr, "warning: {}: {}\n", w.file, w.reason);
    for (const auto& [reason, n] : said)
      if (n > 3) fmt::print(stderr, "warning: ... the same for {} more clips: {}\n", n - 3, reason);
    for (const auto& n : rep.notes) fmt::print(stderr, "note: {}\n", n);
    for (const auto& f : rep.failures)
      fmt::print(stderr, "FAILED {}{}: {}\n", f.file, f.frame >= 0 ? fmt::format(" (frame {})", f.frame) : "",
                 f.reason);
    std::string classes;
    for (auto& [k, v] : rep.by_class) classes += fmt::format("{}{} {}", classes.empty() ? "" : ", ", v, k);
    fmt::print("ingested {}/{} inputs into {}: {} clips, {} source frames -> {} frames at 15 FPS{} "
               "in {:.2f} s ({:.0f} source frames/s); {} failed, {} skipped\n",
               rep.inputs_ok, rep.inputs, o->out, rep.written, rep.source_frames, rep.frames,
               classes.empty() ? "" : " (" + classes + ")", rep.seconds,
               rep.seconds > 0 ? rep.source_frames / rep.seconds : 0.0, rep.failures.size(),
               rep.skipped.size());
    exit_code = rep.failures.empty() ? 0 : 1;
  });
});

}  // namespace
