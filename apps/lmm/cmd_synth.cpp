// `lmm synth -o DIR [--domain video|mocap] [--clips N] [--frames T] [--fps F] [--motion M] [--seed S]`
// Writes a procedural motion corpus in real formats: video -> one OpenPose JSON
// directory per clip; mocap -> one Plug-in Gait C3D file per clip. Read back with `lmm ingest`.
#include <fmt/core.h>

#include <memory>

#include "commands.h"
#include "lmm/core/error.h"
#include "lmm/core/progress.h"
#include "lmm/io/c3d.h"
#include "lmm/io/openpose_json.h"
#include "lmm/pipeline/synth.h"

namespace {

struct Opts {
  std::string out, domain = "video", motion = "mixed";
  int clips = 20, frames = 0;
  double fps = 0;
  uint64_t seed = 1;
  bool quiet = false;
};

lmm::cli::Registrar reg([](CLI::App& app, int& exit_code) {
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand("synth", "Generate a procedural motion corpus (OpenPose JSON or C3D)");
  sub->add_option("-o,--output", o->out, "Output directory")->required();
  sub->add_option("--domain", o->domain, "video (2D OpenPose JSON, jitter) | mocap (3D C3D, clean)")->capture_default_str();
  sub->add_option("--motion", o->motion, "walk|wave|squat|jumping_jack|reach|mixed")->capture_default_str();
  sub->add_option("--clips", o->clips, "Number of clips")->capture_default_str();
  sub->add_option("--frames", o->frames, "Frames per clip (default: 20 s at --fps)");
  sub->add_option("--fps", o->fps, "Source frame rate (default 30 video, 100 mocap)");
  sub->add_option("--seed", o->seed, "First seed; clip i uses seed + i")->capture_default_str();
  sub->add_flag("-q,--quiet", o->quiet, "No progress output");
  sub->callback([o, &exit_code] {
    LMM_CHECK(o->domain == "video" || o->domain == "mocap", "--domain must be video or mocap, got '" << o->domain << "'");
    LMM_CHECK(o->clips > 0, "--clips must be > 0, got " << o->clips);
    const bool mocap = o->domain == "mocap";
    lmm::pipeline::SynthConfig cfg;
    cfg.domain = mocap ? lmm::pipeline::SynthDomain::mocap : lmm::pipeline::SynthDomain::video;
    cfg.motion = o->motion;
    cfg.fps = o->fps > 0 ? o->fps : (mocap ? 100.0 : 30.0);
    cfg.frames = o->frames > 0 ? o->frames : static_cast<int>(20 * cfg.fps);
    lmm::Progress bar("synth", o->clips, "clips", !o->quiet);
    for (int i = 0; i < o->clips; ++i) {
      cfg.seed = o->seed + i;
      lmm::RawClip clip = lmm::pipeline::synthesize(cfg);
      if (mocap) {
        auto m = lmm::pipeline::plugin_gait_markers(clip);
        lmm::io::write_c3d(std::filesystem::path(o->out) / (clip.name + ".c3d"), m.labels, m.points, cfg.fps,
                           -0.1, 0);
      } else {
        lmm::io::write_openpose_dir(clip, std::filesystem::path(o->out) / clip.name);
      }
      bar.tick();
    }
    bar.done();
    fmt::print("wrote {} {} clips ({} frames at {} FPS each) to {}\n", o->clips, o->domain, cfg.frames, cfg.fps,
               o->out);
    exit_code = 0;
  });
});

}  // namespace
