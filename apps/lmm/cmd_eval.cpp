// `lmm eval CHECKPOINT DATASET [--samples K] [--json OUT] [--report DIR] [--all]
//  [--stride N] [--batch N] [--bootstrap N] [--seed N] [--linear-k K]`: forecast errors per
// frame, velocity and teacher-forced error, plausibility and baselines (zero and constant
// velocity, linear ridge fitted on the run's training split) with 95% clip-bootstrap intervals;
// prints the Markdown report (docs/evaluation.md explains every number).
#include <fmt/core.h>

#include <memory>

#include "commands.h"
#include "lmm/eval/run_eval.h"

namespace {

struct Opts {
  lmm::eval::EvalConfig cfg;
  std::string checkpoint, dataset, json_out, report_dir;
  bool quiet = false;
};

lmm::cli::Registrar reg([](CLI::App& app, int& exit_code) {
  auto o = std::make_shared<Opts>();
  auto& c = o->cfg;
  auto* sub = app.add_subcommand("eval", "Evaluate a checkpoint (and baselines) on a dataset");
  sub->add_option("checkpoint", o->checkpoint, "Checkpoint (.ckpt) written by lmm train")->required();
  sub->add_option("dataset", o->dataset,
                  "Dataset store; the training one -> its validation clips, another -> all clips (held out)")
      ->required();
  sub->add_option("--samples", c.options.samples, "Samples per window for diffusion (K)")->capture_default_str();
  sub->add_option("--json", o->json_out, "Also write the metrics as JSON here");
  sub->add_option("--report", o->report_dir, "Write metrics.json, report.md and PNG plots/renders here");
  sub->add_flag("--all", c.all, "Evaluate every clip even on the training dataset");
  sub->add_option("--stride", c.stride, "Frames between windows (default: the checkpoint's)");
  sub->add_flag("--include-unusable", c.include_unusable, "Also evaluate QC-unusable clips");
  sub->add_flag("--mirror-average", c.mirror_average,
                "Average each forecast with the mirrored forecast of the mirrored context (deterministic models)");
  sub->add_option("--batch", c.options.batch_size, "Windows per forward pass")->capture_default_str();
  sub->add_option("--bootstrap", c.options.bootstrap, "Bootstrap resamples over clips")->capture_default_str();
  sub->add_option("--seed", c.options.seed, "Sampling and bootstrap seed")->capture_default_str();
  sub->add_option("--linear-k", c.linear_k,
                  "Context frames of the linear ridge baseline (fitted on the checkpoint's training split); 0 = off")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  sub->add_flag("-q,--quiet", o->quiet, "No progress output");
  sub->callback([o, &exit_code] {
    o->cfg.checkpoint = o->checkpoint;
    o->cfg.dataset = o->dataset;
    o->cfg.json_out = o->json_out;
    o->cfg.report_dir = o->report_dir;
    o->cfg.options.progress = !o->quiet;
    auto r = lmm::eval::run_eval(o->cfg);
    fmt::print("{}", r.to_markdown());
    if (!o->report_dir.empty()) fmt::print("\nreport written to {}\n", o->report_dir);
    exit_code = 0;
  });
});

}  // namespace
