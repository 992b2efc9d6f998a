// `lmm export CHECKPOINT -o OUT.ckpt [--dtype float16|float32] [--mirror-average]`: an inference-only copy of a
// training checkpoint (weights and metadata; no optimizer moments, no RNG), as shipped in
// models/pretrained/ (docs/pretrained.md).
#include <fmt/core.h>

#include <filesystem>
#include <memory>

#include "commands.h"
#include "lmm/train/pretrained.h"

namespace {

struct Opts {
  std::string checkpoint, out, dtype = "float16";
  bool mirror_average = false;
};

lmm::cli::Registrar reg([](CLI::App& app, int& exit_code) {
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand("export", "Write an inference-only checkpoint (weights only, fp16 by default)");
  sub->add_option("checkpoint", o->checkpoint, "Training checkpoint (best.ckpt of a run)")->required();
  sub->add_option("-o,--out", o->out, "Output checkpoint")->required();
  sub->add_option("--dtype", o->dtype, "Stored weight type: float16 | float32")
      ->check(CLI::IsMember({"float16", "float32"}))
      ->capture_default_str();
  sub->add_flag("--mirror-average", o->mirror_average,
                 "Forecast with mirror averaging when loaded (mean with the mirrored forecast of the mirrored input)");
  sub->callback([o, &exit_code] {
    lmm::train::export_inference_checkpoint(o->checkpoint, o->out, o->dtype, o->mirror_average);
    fmt::print("wrote {} ({} bytes, {} weights)\n", o->out, std::filesystem::file_size(o->out), o->dtype);
    exit_code = 0;
  });
});

}  // namespace
