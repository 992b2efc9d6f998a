// `lmm train DATASET --model flat|htt|diffusion [--preset paper|small] -o RUN_DIR
//  [--protocol paper|short | --context N --horizon M] [options]`: trains a forecaster (spec 4.1)
// on windows of the task protocol (paper: 120 -> 30 frames, short: 30 -> 15), recorded in
// the checkpoint metadata for `lmm eval` / `lmm forecast`, and leaves metrics.jsonl, loss.png, best.ckpt and
// last.ckpt in RUN_DIR; `--resume` continues RUN_DIR/last.ckpt exactly. Ctrl-C stops
// after the current step and saves last.ckpt (a second Ctrl-C kills). `--dist gloo|nccl`
// with RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT (or the flags) trains data-parallel, one
// process per rank (docs/distributed.md).
#include <fmt/core.h>

#include <atomic>
#include <csignal>
#include <memory>

#include "commands.h"
#include "lmm/core/error.h"
#include "lmm/models/model_config.h"
#include "lmm/train/dist_config.h"
#include "lmm/train/run.h"

namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_sigint(int) {
  g_stop = true;
  std::signal(SIGINT, SIG_DFL);
}

struct Opts {
  lmm::train::RunConfig run;
  lmm::train::DistFlags dist;  // flags override the launcher's environment
  std::string dataset, run_dir, model_config, augment_config, protocol = "paper";
  int context = 0, horizon = 0;  // explicit window, 0 = the protocol's
  bool include_unusable = false, include_partial = false, quiet = false;
};

lmm::cli::Registrar reg([](CLI::App& app, int& exit_code) {
  auto o = std::make_shared<Opts>();
  auto& r = o->run;
  auto* sub = app.add_subcommand("train", "Train a forecasting model on a dataset (120 -> 30 frames, or --protocol short: 30 -> 15)");
  sub->add_option("dataset", o->dataset, "Dataset directory (lmm ingest output); optional with --resume");
  auto* model = sub->add_option("--model", r.model_kind, "Model: flat | htt | diffusion")
                    ->check(CLI::IsMember({"flat", "htt", "diffusion"}));
  auto* preset = sub->add_option("--preset", r.preset, "Model size: paper | small")->check(CLI::IsMember({"paper", "small"}))
      ->capture_default_str();
  auto* mconf = sub->add_option("--model-config", o->model_config, "JSON overrides of the preset, e.g. '{\"d_model\": 32}'");
  sub->add_option("-o,--out", o->run_dir, "Run directory (created)")->required();
  sub->add_flag("--resume", r.train.resume, "Continue RUN_DIR/last.ckpt exactly");
  auto* epochs = sub->add_option("--epochs", r.train.max_epochs, "Maximum epochs (on --resume: the run's unless given)")
                     ->capture_default_str();
  sub->add_option("--max-minutes", r.train.max_minutes, "Time budget of this invocation, 0 = none")
      ->capture_default_str();
  auto* steps = sub->add_option("--max-steps", r.train.max_steps,
                                "Stop after this many optimizer steps, 0 = none (on --resume: the run's unless given)");
  auto* stride = sub->add_option("--stride", r.data.windows.stride, "Frames between window starts")
                     ->capture_default_str();
  auto* protocol = sub->add_option("--protocol", o->protocol,
                                   "Task: paper (120 -> 30 frames at 15 FPS) | short (30 -> 15)")
                       ->check(CLI::IsMember({"paper", "short"}))
                       ->capture_default_str();
  auto* context = sub->add_option("--context", o->context, "Context frames (overrides the protocol's)")
                      ->check(CLI::PositiveNumber);
  auto* horizon = sub->add_option("--horizon", o->horizon, "Forecast frames (overrides the protocol's)")
                      ->check(CLI::PositiveNumber);
  auto* seed = sub->add_option("--seed", r.train.seed, "Seed of the split, init and shuffling")->capture_default_str();
  auto* lr = sub->add_option("--lr", r.train.lr, "AdamW learning rate")->capture_default_str();
  auto* batch = sub->add_option("--batch", r.train.batch, "Windows per step")->capture_default_str();
  auto* vf = sub->add_option("--val-frac", r.data.val_frac, "Share of clips for validation")->capture_default_str();
  auto* vm = sub->add_option("--val-match", r.data.val_match,
                             "Validation = the clips whose name matches this regex (hold out whole contents, "
                             "e.g. '_(run|dash)_'); replaces --val-frac");
  r.train.select_on = "val_mse";  // the CLI picks checkpoints on what eval reports
  auto* sel = sub->add_option("--select", r.train.select_on,
                              "Score for best.ckpt and early stopping: val_mse (forecast MSE) | val_loss")
                  ->check(CLI::IsMember({"val_mse", "val_loss"}))
                  ->capture_default_str();
  auto* patience = sub->add_option("--patience", r.train.patience,
                                   "Early stopping: epochs without improvement (on --resume: the run's unless given)")
                       ->capture_default_str();
  sub->add_option("--threads", r.threads, "Torch threads, 0 = all cores")->capture_default_str();
  auto& d = o->dist;
  sub->add_option("--dist", d.backend, "Data-parallel backend: gloo (CPU) | nccl (CUDA) | none [env LMM_DIST]")
      ->check(CLI::IsMember({"gloo", "nccl", "none"}));
  sub->add_option("--rank", d.rank, "This process's rank, 0..world-1 [env RANK]");
  sub->add_option("--world-size", d.world_size, "Number of processes [env WORLD_SIZE]");
  sub->add_option("--local-rank", d.local_rank, "Rank on this machine [env LOCAL_RANK]");
  sub->add_option("--master-addr", d.master_addr, "Host of rank 0 [env MASTER_ADDR, default 127.0.0.1]");
  sub->add_option("--master-port", d.master_port, "Rendezvous port of rank 0 [env MASTER_PORT, default 29500]");
  sub->add_option("--dist-timeout", d.timeout_s, "Seconds before a stalled rank fails the group [default 120]");
  auto* ss = sub->add_option("--scheduled-sampling", r.scheduled_sampling, "auto (on for htt) | on | off")
                 ->check(CLI::IsMember({"auto", "on", "off"}))
                 ->capture_default_str();
  auto* sse = sub->add_option("--ss-epochs", r.train.ss_epochs, "Epochs of the 0 -> ss-max ramp")
                  ->capture_default_str();
  auto* ssm = sub->add_option("--ss-max", r.train.ss_max, "Final scheduled-sampling probability")
                  ->capture_default_str();
  auto* vfw = sub->add_option("--val-forecast-windows", r.train.val_forecast_windows,
                              "Validation windows forecast for val_mse, 0 = all")
                  ->capture_default_str();
  auto* init = sub->add_option("--init", r.init_from,
                               "Fine-tune: start from this checkpoint's weights (its model and size; fresh optimizer)");
  auto* aug = sub->add_flag("--augment", r.train.augment.enabled,
                            "Augment training windows: mirror, view foreshortening, roll, scale, missing joints "
                            "(docs/training.md)");
  auto* augc = sub->add_option("--augment-config", o->augment_config,
                               "JSON object of augmentation settings to change, implies --augment, e.g. "
                               "'{\"slow_prob\": 0, \"joint_offset\": 0.02}' (fields: docs/training.md)");
  auto* unusable = sub->add_flag("--include-unusable", o->include_unusable, "Also train on QC-unusable clips");
  sub->add_flag("--include-partial", o->include_partial,
                "Also train on partial bodies (QC: lower body only / upper body only)");
  sub->add_flag("-q,--quiet", o->quiet, "No progress output");
  sub->callback([o, &exit_code, model, preset, mconf, stride, protocol, context, horizon, seed, lr, batch, vf, vm,
                 sel, aug, augc, init, ss, sse, ssm, vfw, unusable, epochs, steps, patience] {
    auto& r = o->run;
    r.overrides = {epochs->count() > 0, steps->count() > 0, patience->count() > 0};
    if (!r.train.resume && model->count() == 0 && init->count() == 0) throw lmm::ConfigError("--model is required (flat | htt | diffusion)");
    if (!r.train.resume && o->dataset.empty()) throw lmm::ConfigError("DATASET is required");
    if (r.train.resume) {
      for (auto* opt : {model, preset, mconf, stride, protocol, context, horizon, seed, lr, batch, vf, vm, sel, aug, augc,
                        init, ss, sse, ssm, vfw, unusable})
        if (opt->count() > 0)
          fmt::print(stderr, "lmm train: warning: {} is ignored with --resume (the checkpoint's value is used)\n",
                     opt->get_name());
    }
    r.data.windows = lmm::train::protocol_spec(o->protocol, r.data.windows);
    if (o->context > 0) r.data.windows.context = o->context;
    if (o->horizon > 0) r.data.windows.horizon = o->horizon;
    r.dist = lmm::train::dist_config_from_env(o->dist);
    r.data.dataset = o->dataset;
    r.data.skip_unusable = !o->include_unusable;
    r.data.skip_partial = !o->include_partial;
    r.train.run_dir = o->run_dir;
    r.train.progress = !o->quiet;
    if (!o->model_config.empty()) {
      try {
        r.model_overrides = nlohmann::json::parse(o->model_config);
      } catch (const nlohmann::json::exception& e) {
        throw lmm::ConfigError(std::string("--model-config is not valid JSON: ") + e.what());
      }
    }
    if (!o->augment_config.empty()) {
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(o->augment_config);
      } catch (const nlohmann::json::exception& e) {
        throw lmm::ConfigError(std::string("--augment-config is not valid JSON: ") + e.what());
      }
      r.train.augment = lmm::models::config_with_overrides(r.train.augment, j, "augmentation");
      r.train.augment.enabled = true;
    }
    std::signal(SIGINT, on_sigint);
    r.train.stop_requested = [] { return g_stop.load(); };
    auto res = lmm::train::run_training(r);
    std::signal(SIGINT, SIG_DFL);
    exit_code = res.stop_reason == "interrupted" ? 1 : 0;
    if (r.dist.rank != 0) return;  // rank 0 reports for the group
    const auto& st = res.state;
    fmt::print("stopped: {} after {} epochs ({} steps, {:.1f} s of training)\n", res.stop_reason, st.epoch, st.step,
               st.elapsed_seconds);
    fmt::print("best validation score {:.6g} at epoch {} (--select); last val MSE {:.6g} (zero-velocity baseline {:.6g})\n",
               st.best_val_loss, st.best_epoch, res.last_val_mse, res.baseline_val_mse);
    fmt::print("run directory: {} (metrics.jsonl, loss.png, best.ckpt, last.ckpt)\n", o->run_dir);
  });
});

}  // namespace
