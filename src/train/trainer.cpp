// The training loop: per-epoch shuffle from (seed, epoch), AdamW steps, validation
// with a fixed seed, early stopping, metrics.jsonl / loss.png / best.ckpt / last.ckpt.
// Resume restores model, optimizer, torch RNG and the loop position, so an interrupted
// and resumed run takes exactly the steps an uninterrupted one would.
//   batches: context (B, 120, 75), target (B, 30, 75)
#include "lmm/train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/core/progress.h"
#include "lmm/render/plot.h"
#include "lmm/train/checkpoint.h"
#include "lmm/train/dist_sampler.h"
#include "lmm/train/distributed.h"

namespace lmm::train {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json num_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
double num_or_inf(const json& j) { return j.is_number() ? j.get<double>() : INFINITY; }

// Saves the torch RNG and the module's training flag; restores both on destruction.
class EvalScope {
 public:
  EvalScope(models::ForecasterImpl& m, uint64_t seed) : m_(m), was_training_(m.is_training()) {
    rng_ = save_torch_rng();
    torch::manual_seed(seed);
    m_.eval();
  }
  ~EvalScope() {
    load_torch_rng(rng_, "validation");
    m_.train(was_training_);
  }

 private:
  models::ForecasterImpl& m_;
  bool was_training_;
  std::string rng_;
};

std::vector<int64_t> forecast_subset(int64_t n, int64_t k) {
  std::vector<int64_t> idx;
  if (k <= 0 || k >= n) k = n;
  for (int64_t i = 0; i < k; ++i) idx.push_back(i * n / k);  // evenly spaced, deterministic
  return idx;
}

std::string fmt_num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.5g", v);
  return buf;
}

}  // namespace

json to_json(const TrainConfig& c) {
  return {{"max_epochs", c.max_epochs},     {"max_steps", c.max_steps},  {"batch", c.batch},
          {"lr", c.lr},                     {"weight_decay", c.weight_decay},
          {"grad_clip", c.grad_clip},       {"patience", c.patience},
          {"seed", c.seed},                 {"scheduled_sampling", c.scheduled_sampling},
          {"ss_max", c.ss_max},             {"ss_epochs", c.ss_epochs},
          {"select_on", c.select_on},
          {"augment", c.augment.enabled},
          {"augment_config", c.augment},
          {"val_forecast_windows", c.val_forecast_windows}};
}

TrainConfig train_config_from_json(const json& j) {
  TrainConfig c;
  c.max_epochs = j.value("max_epochs", c.max_epochs);
  c.max_steps = j.value("max_steps", c.max_steps);
  c.batch = j.value("batch", c.batch);
  c.lr = j.value("lr", c.lr);
  c.weight_decay = j.value("weight_decay", c.weight_decay);
  c.grad_clip = j.value("grad_clip", c.grad_clip);
  c.patience = j.value("patience", c.patience);
  c.seed = j.value("seed", c.seed);
  c.scheduled_sampling = j.value("scheduled_sampling", c.scheduled_sampling);
  c.ss_max = j.value("ss_max", c.ss_max);
  c.ss_epochs = j.value("ss_epochs", c.ss_epochs);
  c.select_on = j.value("select_on", std::string("val_loss"));  // runs before select_on existed
  if (j.contains("augment_config")) {
    c.augment = j["augment_config"].get<AugmentConfig>();
  } else {  // runs from before the augmentation was recorded: no limb scales, offsets or slowing down
    c.augment.leg_scale = 0;
    c.augment.arm_scale = 0;
    c.augment.joint_offset = 0;
    c.augment.slow_prob = 0;
  }
  c.augment.enabled = j.value("augment", false);
  c.val_forecast_windows = j.value("val_forecast_windows", c.val_forecast_windows);
  return c;
}

json to_json(const TrainState& s) {
  return {{"epoch", s.epoch},
          {"batch_in_epoch", s.batch_in_epoch},
          {"step", s.step},
          {"train_loss_sum", s.train_loss_sum},
          {"train_batches", s.train_batches},
          {"best_val_loss", num_or_null(s.best_val_loss)},
          {"best_epoch", s.best_epoch},
          {"epochs_since_best", s.epochs_since_best},
          {"elapsed_seconds", s.elapsed_seconds}};
}

TrainState train_state_from_json(const json& j) {
  TrainState s;
  s.epoch = j.at("epoch").get<int64_t>();
  s.batch_in_epoch = j.at("batch_in_epoch").get<int64_t>();
  s.step = j.at("step").get<int64_t>();
  s.train_loss_sum = j.at("train_loss_sum").get<double>();
  s.train_batches = j.at("train_batches").get<int64_t>();
  s.best_val_loss = num_or_inf(j.at("best_val_loss"));
  s.best_epoch = j.at("best_epoch").get<int64_t>();
  s.epochs_since_best = j.at("epochs_since_best").get<int64_t>();
  s.elapsed_seconds = j.at("elapsed_seconds").get<double>();
  return s;
}

double sampling_probability(const TrainConfig& cfg, int64_t epoch) {
  if (!cfg.scheduled_sampling) return 0.0;
  if (cfg.ss_epochs <= 0) return cfg.ss_max;
  return cfg.ss_max * std::min(1.0, static_cast<double>(epoch) / cfg.ss_epochs);
}

double zero_velocity_mse(const WindowSet& set, const std::vector<int64_t>& idx_in) {
  std::vector<int64_t> idx = idx_in.empty() ? forecast_subset(set.size(), 0) : idx_in;
  if (idx.empty()) return NAN;
  double sum = 0, weight = 0;
  for (size_t b = 0; b < idx.size(); b += 256) {
    std::vector<int64_t> chunk(idx.begin() + b, idx.begin() + std::min(idx.size(), b + 256));
    auto batch = set.batch(chunk);
    auto last = batch.context.slice(1, -1);                   // (B, 1, 75)
    auto pred = last.expand_as(batch.target).contiguous();    // (B, 30, 75)
    auto mask = batch.target.slice(2, 2, kFrameDim, 3) > 0;   // (B, 30, 25)
    double n = mask.sum().item<double>();
    sum += models::position_mse(pred, batch.target).item<double>() * n;
    weight += n;
  }
  return weight > 0 ? sum / weight : NAN;
}

ValResult validate(models::ForecasterImpl& model, const WindowSet& val, int batch,
                   int64_t forecast_windows, uint64_t seed, DistContext* dist) {
  ValResult r;
  if (val.empty()) {
    r.loss = r.mse = r.baseline_mse = NAN;
    return r;
  }
  EvalScope scope(model, mix64(seed ^ 0x7a11da7e));
  torch::NoGradGuard no_grad;
  const int64_t n = static_cast<int64_t>(val.size());
  // This rank's windows of `idx`: all, or every W-th (no padding: nothing counts twice).
  auto mine = [dist](const std::vector<int64_t>& idx) {
    if (!dist) return idx;
    std::vector<int64_t> out;
    for (size_t i = dist->rank(); i < idx.size(); i += dist->world_size()) out.push_back(idx[i]);
    return out;
  };
  const auto loss_idx = mine(forecast_subset(n, 0));
  double loss_sum = 0;
  for (size_t b = 0; b < loss_idx.size(); b += batch) {
    std::vector<int64_t> chunk(loss_idx.begin() + b, loss_idx.begin() + std::min(loss_idx.size(), b + batch));
    auto bt = val.batch(chunk);
    auto out = model.loss(bt, models::StepOptions{0.0});
    loss_sum += out.loss.item<double>() * bt.context.size(0);
  }

  // Forecast MSE weighted by visible joints, like position_mse over the whole subset.
  auto idx = forecast_subset(n, forecast_windows);
  const auto fc_idx = mine(idx);
  double se = 0, weight = 0;
  for (size_t b = 0; b < fc_idx.size(); b += batch) {
    std::vector<int64_t> chunk(fc_idx.begin() + b, fc_idx.begin() + std::min(fc_idx.size(), b + batch));
    auto bt = val.batch(chunk);
    auto pred = model.forecast(bt.context, static_cast<int>(bt.target.size(1)));  // (B, 30, 75)
    double w = (bt.target.slice(2, 2, kFrameDim, 3) > 0).sum().item<double>();
    se += models::position_mse(pred, bt.target).item<double>() * w;
    weight += w;
  }
  double loss_n = static_cast<double>(loss_idx.size());
  if (dist) {
    auto s = dist->allreduce_sum({loss_sum, loss_n, se, weight}, "validation results");
    loss_sum = s[0], loss_n = s[1], se = s[2], weight = s[3];
  }
  r.loss = loss_sum / loss_n;
  r.mse = weight > 0 ? se / weight : NAN;
  r.baseline_mse = zero_velocity_mse(val, idx);  // cheap and deterministic: every rank alike
  return r;
}

void write_loss_plot(const fs::path& png, const std::vector<json>& metrics, const std::string& title) {
  render::Series tr{"train loss", {}, {}}, va{"val loss", {}, {}};
  for (const auto& m : metrics) {
    double x = m.value("epoch", 0.0) - 1.0 + m.value("epoch_progress", 1.0);
    auto y = [&](const char* k) { return m.contains(k) && m[k].is_number() ? m[k].get<double>() : NAN; };
    tr.x.push_back(x);
    tr.y.push_back(y("train_loss"));
    va.x.push_back(x);
    va.y.push_back(y("val_loss"));
  }
  tr.markers = va.markers = metrics.size() <= 40;
  bool positive = true;
  for (double v : tr.y) positive = positive && !(v <= 0);
  for (double v : va.y) positive = positive && !(v <= 0);
  render::PlotOptions opt;
  opt.title = title;
  opt.x_label = "epoch";
  opt.y_label = positive ? "loss (log scale)" : "loss";
  opt.log_y = positive;
  render::write_plot_png(png, {tr, va}, opt);
}

TrainResult train_model(const std::shared_ptr<models::ForecasterImpl>& model, const WindowSet& train,
                        const WindowSet& val, const TrainConfig& cfg) {
  LMM_CHECK(!train.empty(), "no training windows: every training clip is shorter than "
                                << train.spec().context + train.spec().horizon << " frames");
  LMM_CHECK(cfg.batch >= 1, "batch size is " << cfg.batch << ", expected >= 1");
  LMM_CHECK(cfg.lr >= 0 && std::isfinite(cfg.lr), "learning rate is " << cfg.lr);
  LMM_CHECK(cfg.patience >= 1, "patience is " << cfg.patience << ", expected >= 1");
  LMM_CHECK(!cfg.resume || !cfg.run_dir.empty(), "resume needs a run directory");
  // Data parallel (cfg.dist): W ranks, each with batch/W windows of its shard per step.
  DistContext* dist = cfg.dist;
  const int world = dist ? dist->world_size() : 1;
  const bool main_rank = !dist || dist->is_main();  // the only rank that writes or prints
  const int64_t local_batch_n = local_batch_size(cfg.batch, world);  // windows per rank and step
  const bool progress = cfg.progress && main_rank;
  const auto t0 = std::chrono::steady_clock::now();
  auto seconds_since = [](std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
  };

  torch::optim::AdamW opt(model->parameters(),
                          torch::optim::AdamWOptions(cfg.lr).weight_decay(cfg.weight_decay));
  TrainState st;
  TrainResult res;
  const fs::path last_path = cfg.run_dir.empty() ? fs::path() : cfg.run_dir / "last.ckpt";
  const fs::path best_path = cfg.run_dir.empty() ? fs::path() : cfg.run_dir / "best.ckpt";
  const fs::path metrics_path = cfg.run_dir.empty() ? fs::path() : cfg.run_dir / "metrics.jsonl";

  if (cfg.resume) {
    Checkpoint ck = read_checkpoint_on_rank0(last_path, dist);  // every rank: the same state
    const std::string what = last_path.string();
    std::string kind = ck.meta.value(json::json_pointer("/model/kind"), std::string());
    if (kind != model->kind())
      throw CheckpointError(what + ": holds a \"" + kind + "\" model, resuming a \"" +
                            model->kind() + "\" model");
    load_module_state(*model, ck.model_state, what);
    load_optimizer_state(opt, ck.optimizer_state, what);
    for (auto& g : opt.param_groups())  // the stored lr wins unless the config changed it
      static_cast<torch::optim::AdamWOptions&>(g.options()).lr(cfg.lr);
    load_torch_rng(ck.rng_state, what);
    try {
      st = train_state_from_json(ck.meta.at("state"));
    } catch (const json::exception& e) {
      throw CheckpointError(what + ": metadata \"state\" is incomplete: " + e.what());
    }
    // Keep the metrics lines that describe the run up to the checkpoint.
    if (fs::exists(metrics_path)) {
      std::istringstream in(read_text(metrics_path));
      for (std::string line; std::getline(in, line);) {
        if (line.empty()) continue;
        json m = json::parse(line, nullptr, false);
        if (!m.is_discarded() && m.value("step", int64_t(-1)) <= st.step) res.metrics.push_back(m);
      }
    }
    if (!res.metrics.empty()) {  // what a run that stops at once reports
      const auto& l = res.metrics.back();
      res.last_val_loss = num_or_inf(l.value("val_loss", json()));
      res.last_val_mse = num_or_inf(l.value("val_mse", json()));
      res.baseline_val_mse = num_or_inf(l.value("val_baseline_mse", json()));
    }
  } else {
    torch::manual_seed(cfg.seed);
  }

  const int64_t n_train = static_cast<int64_t>(train.size());
  const int64_t n_batches = batches_per_epoch(n_train, cfg.batch);  // the same on every rank
  const int64_t n_params = models::count_parameters(*model);
  if (dist) {  // ranks must agree before the first collective of a step, or they would hang
    dist->check_same(n_train, "the number of training windows");
    dist->check_same(static_cast<int64_t>(val.size()), "the number of validation windows");
    dist->check_same(n_params, "the number of model parameters");
    dist->check_same(st.step, "the step to start from");
    dist->broadcast_parameters(*model);
  }
  const std::string title = model->kind() + " (" + std::to_string(n_params) + " params): loss";

  auto make_meta = [&](double val_loss) {
    json meta = cfg.extra_meta.is_object() ? cfg.extra_meta : json::object();
    meta["model"] = {{"kind", model->kind()}, {"config", model->config_json()}, {"parameters", n_params}};
    meta["train"] = to_json(cfg);
    meta["state"] = to_json(st);
    meta["val_loss"] = num_or_null(val_loss);
    meta["lmm_version"] = "0.1.0";
    return meta;
  };
  auto save = [&](const fs::path& p, double val_loss) {
    Checkpoint ck{make_meta(val_loss), save_module_state(*model), save_optimizer_state(opt),
                  save_torch_rng()};
    write_checkpoint(p, ck);
  };
  auto write_metrics = [&] {
    std::string text;
    for (const auto& m : res.metrics) text += m.dump() + "\n";
    write_text_atomic(metrics_path, text);
    write_loss_plot(cfg.run_dir / "loss.png", res.metrics, title);
  };

  res.stop_reason = "max_epochs";
  bool stop = false;
  if (st.epochs_since_best >= cfg.patience) {
    res.stop_reason = "early_stopping";
    stop = true;
  } else if (cfg.max_steps > 0 && st.step >= cfg.max_steps) {  // a finished run resumed: nothing to do
    res.stop_reason = "max_steps";
    stop = true;
  }
  if (stop && !res.metrics.empty()) {  // report the last validation as it was
    const json& last = res.metrics.back();
    res.last_val_loss = last.value("val_loss", json()).is_number() ? last["val_loss"].get<double>() : res.last_val_loss;
    res.last_val_mse = last.value("val_mse", json()).is_number() ? last["val_mse"].get<double>() : res.last_val_mse;
    res.baseline_val_mse = last.value("val_baseline_mse", json()).is_number() ? last["val_baseline_mse"].get<double>()
                                                                            : res.baseline_val_mse;
  }
  while (!stop && st.epoch < cfg.max_epochs) {
    const auto te = std::chrono::steady_clock::now();
    const double ss = sampling_probability(cfg, st.epoch);
    const auto perm = epoch_permutation(n_train, cfg.seed, st.epoch);
    const auto order = dist ? shard_indices(perm, dist->rank(), world) : perm;  // this rank's windows
    model->train();
    Progress bar("epoch " + std::to_string(st.epoch + 1) + "/" + std::to_string(cfg.max_epochs),
                 n_batches, "batches", progress);
    bar.set(st.batch_in_epoch);
    bool partial = false;
    while (st.batch_in_epoch < n_batches) {
      // This rank's part of global batch k; the last one may be short here or empty.
      const auto lb = local_batch(st.batch_in_epoch, static_cast<int64_t>(order.size()), local_batch_n);
      opt.zero_grad();
      double lv = 0, visible = 0;
      if (lb.end > lb.begin) {
        auto batch = augment_batch(train.batch(std::vector<int64_t>(order.begin() + lb.begin, order.begin() + lb.end)),
                                   cfg.augment, mix64(cfg.seed ^ mix64(static_cast<uint64_t>(st.step) + 1)));
        auto out = model->loss(batch, models::StepOptions{ss});
        lv = out.loss.item<double>();
        out.loss.backward();
        if (dist) visible = (batch.target.slice(2, 2, kFrameDim, 3) > 0).sum().item<double>();  // (B, 30, 25)
      }
      bool time_up = cfg.max_minutes > 0 && seconds_since(t0) >= cfg.max_minutes * 60;
      bool interrupted = cfg.stop_requested && cfg.stop_requested();
      if (dist) {
        // The loss is a mean over visible target joints (forecaster.h), so weighting each
        // rank's gradient by its share of the visible joints of global batch k gives the
        // single-process gradient. Also: mean loss, rank 0's clock, anyone's Ctrl-C.
        auto s = dist->allreduce_sum({visible, lv * visible, main_rank && time_up ? 1.0 : 0.0, interrupted ? 1.0 : 0.0},
                                     "step loss and stop requests");
        dist->allreduce_gradients(*model, s[0] > 0 ? visible / s[0] : 0.0);
        lv = s[0] > 0 ? s[1] / s[0] : 0.0, time_up = s[2] > 0, interrupted = s[3] > 0;
      }
      LMM_CHECK(std::isfinite(lv), "training diverged: loss is " << lv << " at step " << st.step + 1
                                                                 << " (try a lower --lr)");
      if (cfg.grad_clip > 0) torch::nn::utils::clip_grad_norm_(model->parameters(), cfg.grad_clip);
      opt.step();
      ++st.step;
      ++st.batch_in_epoch;
      st.train_loss_sum += lv;
      ++st.train_batches;
      bar.tick(1, "loss " + fmt_num(st.train_loss_sum / st.train_batches));
      if (cfg.max_steps > 0 && st.step >= cfg.max_steps) res.stop_reason = "max_steps";
      else if (time_up) res.stop_reason = "time_budget";
      else if (interrupted) res.stop_reason = "interrupted";
      else continue;
      stop = true;
      partial = st.batch_in_epoch < n_batches;
      break;
    }
    bar.done();

    ValResult v = validate(*model, val, cfg.batch, cfg.val_forecast_windows, cfg.seed, dist);
    res.last_val_loss = v.loss;
    res.last_val_mse = v.mse;
    res.baseline_val_mse = v.baseline_mse;
    const double train_loss = st.train_loss_sum / std::max<int64_t>(1, st.train_batches);
    const double epoch_seconds = seconds_since(te);
    st.elapsed_seconds += epoch_seconds;
    json line = {{"epoch", st.epoch + 1},
                 {"step", st.step},
                 {"train_loss", num_or_null(train_loss)},
                 {"val_loss", num_or_null(v.loss)},
                 {"val_mse", num_or_null(v.mse)},
                 {"val_baseline_mse", num_or_null(v.baseline_mse)},
                 {"sampling_prob", ss},
                 {"lr", cfg.lr},
                 {"seconds", epoch_seconds},
                 {"elapsed_seconds", st.elapsed_seconds}};
    if (partial) {
      line["partial"] = true;
      line["epoch_progress"] = static_cast<double>(st.batch_in_epoch) / n_batches;
    }
    res.metrics.push_back(line);

    // The validation score (cfg.select_on) decides best.ckpt and early stopping (no
    // validation set: train loss).
    const double val_score = cfg.select_on == "val_mse" ? v.mse : v.loss;
    const double score = std::isfinite(val_score) ? val_score : train_loss;
    bool improved = score < st.best_val_loss;
    if (improved) {
      st.best_val_loss = score;
      st.best_epoch = st.epoch + 1;
    }
    if (!partial) {
      st.epochs_since_best = improved ? 0 : st.epochs_since_best + 1;
      ++st.epoch;
      st.batch_in_epoch = 0;
      st.train_loss_sum = 0;
      st.train_batches = 0;
    }
    if (progress)
      std::fprintf(stderr, "epoch %lld%s: train %s  val %s  val_mse %s (zero-velocity %s)%s\n",
                   static_cast<long long>(line["epoch"].get<int64_t>()), partial ? " (partial)" : "",
                   fmt_num(train_loss).c_str(), fmt_num(v.loss).c_str(), fmt_num(v.mse).c_str(),
                   fmt_num(v.baseline_mse).c_str(), improved ? "  *best" : "");
    if (!cfg.run_dir.empty() && main_rank) {
      if (improved) save(best_path, score);
      save(last_path, v.loss);
      write_metrics();
    }
    bool early = !stop && st.epochs_since_best >= cfg.patience;
    if (dist && !stop) early = dist->broadcast_bool(early, "early-stopping decision");  // decided once
    if (early) {
      res.stop_reason = "early_stopping";
      stop = true;
    }
  }
  if (dist) dist->barrier("the end of training (rank 0 writing its files)");
  res.state = st;
  return res;
}

}  // namespace lmm::train
