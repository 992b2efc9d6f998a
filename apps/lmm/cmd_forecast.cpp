// `lmm forecast [CHECKPOINT] CLIP.h5 | DATASET --clip NAME [-o OUT_DIR] [--units source|normalized]`:
// predicts the frames after a clip's last ones with the checkpoint's task protocol (paper:
// 30 after the last 120; short: 15 after the last 30), prints a summary and optionally
// writes them as OpenPose per-frame JSON. Without CHECKPOINT the pretrained model
// (models/pretrained/, docs/pretrained.md) is used.
#include <fmt/core.h>

#include <filesystem>
#include <memory>

#include "commands.h"
#include "lmm/core/error.h"
#include "lmm/io/dataset.h"
#include "lmm/train/checkpoint.h"
#include "lmm/train/forecast_clip.h"
#include "lmm/train/pretrained.h"
#include "lmm/train/windows.h"

namespace {

struct Opts {
  std::string checkpoint, input, clip, out_dir, units = "source";
  int threads = 0;
  int at = -1;
};

lmm::cli::Registrar reg([](CLI::App& app, int& exit_code) {
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand("forecast", "Predict the frames that follow a clip (30 after the last 120, or the checkpoint's protocol)");
  sub->add_option("checkpoint", o->checkpoint,
                  "Checkpoint (best.ckpt or last.ckpt of a run); omit it to use the pretrained model")
      ->required();
  sub->add_option("input", o->input, "A clip .h5 file, or a dataset directory with --clip");
  sub->add_option("--clip", o->clip, "Clip name when INPUT is a dataset");
  sub->add_option("-o,--out", o->out_dir, "Write <clip>_forecast_<k>_keypoints.json here");
  sub->add_option("--units", o->units, "Output units: source (the clip's px/mm) | normalized")
      ->check(CLI::IsMember({"source", "normalized"}))
      ->capture_default_str();
  sub->add_option("--at", o->at,
                  "Forecast the clip's frames from this one on (context = the frames before it), to compare "
                  "with the truth; default: the frames after the clip")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--threads", o->threads, "Torch threads, 0 = all cores");
  sub->callback([o, &exit_code] {
    namespace fs = std::filesystem;
    if (o->threads > 0) torch::set_num_threads(o->threads);
    if (o->input.empty()) {  // one positional: it is the input, the model is the pretrained one
      o->input = o->checkpoint;
      o->checkpoint = lmm::train::pretrained_checkpoint().string();
    }
    lmm::NormalizedClip clip;
    if (fs::is_directory(o->input)) {
      if (o->clip.empty()) throw lmm::ConfigError(o->input + " is a dataset directory: pass --clip NAME");
      clip = lmm::io::Dataset(o->input).read(o->clip);
    } else {
      if (!o->clip.empty()) throw lmm::ConfigError("--clip needs INPUT to be a dataset directory");
      clip = lmm::io::read_clip_file(o->input);
    }
    auto loaded = lmm::train::load_model(o->checkpoint);
    const auto spec = lmm::train::window_spec_from_json(loaded.meta.value("data", nlohmann::json::object()));
    auto f = lmm::train::forecast_clip(*loaded.model, clip, lmm::train::parse_forecast_units(o->units), spec.horizon,
                                       spec.context, o->at);
    const auto& st = loaded.meta.value("state", nlohmann::json::object());
    fmt::print("{} model from {} (epoch {}, step {}), clip {} ({} frames)\n", loaded.model->kind(), o->checkpoint,
               st.value("epoch", 0), st.value("step", 0), clip.name, clip.frames);
    fmt::print("{}", lmm::train::forecast_summary(f));
    if (!o->out_dir.empty()) {
      lmm::train::write_forecast_openpose(f, o->out_dir);
      fmt::print("wrote {} OpenPose JSON frames to {}\n", f.frames, o->out_dir);
    }
    exit_code = 0;
  });
});

}  // namespace
