// `lmm train` as a library call: model construction or reconstruction from last.ckpt,
// data loading and split, thread count, then train_model.
#include "lmm/train/run.h"

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "lmm/core/error.h"
#include "lmm/models/tokens.h"
#include "lmm/train/checkpoint.h"
#include "lmm/train/distributed.h"
#include "lmm/train/step_memory.h"

namespace lmm::train {
namespace fs = std::filesystem;

TrainResult run_training(RunConfig cfg) {
  LMM_CHECK(!cfg.train.run_dir.empty(), "a run directory (-o RUN_DIR) is required");
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int threads = cfg.threads > 0 ? cfg.threads : cores;
  torch::set_num_threads(std::max(1, threads));
  keep_step_memory();
  // OpenMP workers spin while waiting (libgomp's default, fixed when the library loads):
  // on cores busy with other processes that made 30 steps take 4m48s with 2 threads
  // against 11 s with 1 (31 s with OMP_WAIT_POLICY=PASSIVE). Warn when that is likely.
  double load[1] = {0};
  if (cfg.train.progress && threads > 1 && !std::getenv("OMP_WAIT_POLICY") && ::getloadavg(load, 1) == 1 &&
      load[0] > 0.75 * cores)
    std::fprintf(stderr,
                 "warning: the machine is busy (load %.1f on %d cores); %d spinning OpenMP threads can make "
                 "training many times slower: consider --threads 1 or OMP_WAIT_POLICY=PASSIVE\n",
                 load[0], cores, threads);
  const fs::path last = cfg.train.run_dir / "last.ckpt";
  // Data parallel: join the group before loading data, so that a bad address fails fast.
  std::unique_ptr<DistContext> dist;
  if (cfg.dist.enabled()) dist = std::make_unique<DistContext>(cfg.dist);
  const bool main_rank = !dist || dist->is_main();  // the others see no RUN_DIR and print nothing
  cfg.train.progress = cfg.train.progress && main_rank;

  std::shared_ptr<models::ForecasterImpl> model;
  std::string preset = cfg.preset;
  nlohmann::json init_meta;  // {"from": path, "step": n} when fine-tuning (cfg.init_from)
  if (cfg.train.resume) {
    LMM_CHECK(!main_rank || fs::exists(last), last.string() << " does not exist: nothing to resume");
    Checkpoint ck = read_checkpoint_on_rank0(last, dist.get());
    const auto& m = ck.meta;
    if (!m.contains("model") || !m.contains("train") || !m.contains("data"))
      throw CheckpointError(last.string() + ": metadata lacks \"model\", \"train\" or \"data\"");
    model = models::model_from_config(m["model"].at("kind").get<std::string>(), m["model"].at("config"));
    TrainConfig stored = train_config_from_json(m["train"]);
    if (cfg.overrides.max_epochs) stored.max_epochs = cfg.train.max_epochs;
    if (cfg.overrides.max_steps) stored.max_steps = cfg.train.max_steps;
    if (cfg.overrides.patience) stored.patience = cfg.train.patience;
    stored.max_minutes = cfg.train.max_minutes;
    stored.progress = cfg.train.progress;
    stored.stop_requested = cfg.train.stop_requested;
    stored.run_dir = cfg.train.run_dir;
    stored.resume = true;
    cfg.train = stored;
    const auto& d = m["data"];
    const fs::path dataset = cfg.data.dataset;  // a moved dataset may be given on the command line
    cfg.data = data_config_from_json(d);        // the run's protocol, stride, split and QC skips
    cfg.data.split_seed = d.value("split_seed", cfg.train.seed);
    if (!dataset.empty()) cfg.data.dataset = dataset;
    preset = m.value("preset", std::string("?"));
  } else {
    LMM_CHECK(!main_rank || !fs::exists(last), cfg.train.run_dir.string()
                                     << " already holds a run (last.ckpt): pass --resume to continue it "
                                        "or choose another -o directory");
    LMM_CHECK(cfg.scheduled_sampling == "auto" || cfg.scheduled_sampling == "on" ||
                  cfg.scheduled_sampling == "off",
              "scheduled sampling is '" << cfg.scheduled_sampling << "', expected auto | on | off");
    cfg.data.split_seed = cfg.train.seed;
    torch::manual_seed(cfg.train.seed);  // model initialization
    if (!cfg.init_from.empty()) {
      auto init = load_model(cfg.init_from);
      model = init.model;
      model->train();
      preset = init.meta.value("preset", std::string("?"));
      init_meta = {{"from", fs::absolute(cfg.init_from).lexically_normal().string()},
                   {"step", init.meta.value("state", nlohmann::json::object()).value("step", 0)}};
    } else {
      model = models::make_model(cfg.model_kind, cfg.preset, cfg.model_overrides);
    }
    // "auto" follows the model actually trained (with --init, the checkpoint's kind).
    cfg.train.scheduled_sampling =
        cfg.scheduled_sampling == "on" || (cfg.scheduled_sampling == "auto" && model->kind() == "htt");
  }

  LMM_CHECK(model->kind() != "htt" || cfg.data.windows.context % models::kWindowFrames == 0,
            "the htt model groups context frames in windows of " << models::kWindowFrames << ": context "
                                                                 << cfg.data.windows.context << " is not a multiple");
  cfg.data.progress = cfg.train.progress;
  TrainingData data = load_training_data(cfg.data);
  // Joints the training clips never show (e.g. the Bandai rig's eyes, ears, heels) are held
  // at their last position in forecasts instead of being left to untrained outputs.
  model->set_known_joints(data.trained_joints);
  if (cfg.train.progress) {
    std::fprintf(stderr, "data: %s\n", data.summary().c_str());
    std::fprintf(stderr, "protocol: %s, %d -> %d frames (stride %d)\n", protocol_name(cfg.data.windows).c_str(),
                 cfg.data.windows.context, cfg.data.windows.horizon, cfg.data.windows.stride);
    std::fprintf(stderr, "model: %s (preset %s), %lld parameters; %d threads%s\n", model->kind().c_str(),
                 preset.c_str(), static_cast<long long>(models::count_parameters(*model)),
                 torch::get_num_threads(), cfg.train.resume ? "; resuming from last.ckpt" : "");
  }
  cfg.train.extra_meta = {{"data", data.describe(cfg.data)}, {"preset", preset}};
  if (!init_meta.is_null()) cfg.train.extra_meta["init"] = init_meta;
  cfg.train.extra_meta["data"]["protocol"] = protocol_name(cfg.data.windows);
  if (dist) {
    cfg.train.dist = dist.get();
    cfg.train.extra_meta["distributed"] = {{"backend", cfg.dist.backend}, {"world_size", cfg.dist.world_size}};
    if (cfg.train.progress)
      std::fprintf(stderr, "distributed: %s, %d ranks, global batch %d (%d per rank)\n", cfg.dist.backend.c_str(),
                   cfg.dist.world_size, cfg.train.batch, cfg.train.batch / cfg.dist.world_size);
  }
  return train_model(model, data.train, data.val, cfg.train);
}

}  // namespace lmm::train
