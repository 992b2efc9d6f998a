// `lmm eval` end to end (include/lmm/eval/run_eval.h): checkpoint + dataset -> windows
// -> EvalReport -> metrics.json, report.md, error_vs_horizon.png, sample_forecast.png.
#include "lmm/eval/run_eval.h"

#include <fmt/core.h>

#include <algorithm>
#include <map>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/core/progress.h"
#include "lmm/io/dataset.h"
#include "lmm/render/animation.h"
#include "lmm/render/plot.h"
#include "lmm/render/skeleton.h"
#include "lmm/train/training_data.h"
#include "lmm/train/checkpoint.h"
#include "lmm/train/training_data.h"
#include "lmm/train/windows.h"

namespace lmm::eval {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

bool same_path(const fs::path& a, const fs::path& b) {
  std::error_code e1, e2;
  auto ca = fs::weakly_canonical(a, e1), cb = fs::weakly_canonical(b, e2);
  return !e1 && !e2 && ca == cb;
}

// Sample rendering: the last 30 context frames and the true future (left/right colours)
// with the model's forecast overlaid from the first forecast frame; 8 frames as a sheet.
void write_sample_render(models::ForecasterImpl& model, bool stochastic, const EvalWindows& w,
                         const EvalOptions& opt, const fs::path& png) {
  const int64_t n = w.size() / 2;
  const int H = static_cast<int>(w.target.size(1)), tail = std::min<int>(30, w.context.size(1));
  auto ctx = w.context.slice(0, n, n + 1);  // (1, 120, 75)
  torch::Tensor fc;
  {
    torch::NoGradGuard ng;
    torch::manual_seed(opt.seed);
    std::vector<torch::Tensor> draws;
    for (int k = 0; k < (stochastic ? opt.samples : 1); ++k) draws.push_back(model.forecast(ctx, H));
    fc = sample_mean(torch::stack(draws))[0];  // (H, 75)
  }
  auto truth = torch::cat({w.context[n].slice(0, -tail), w.target[n]}).contiguous();  // (tail + H, 75)
  auto vec = [](const torch::Tensor& t) {
    auto c = t.to(torch::kFloat).contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  };
  render::Track tt{"ground truth", vec(truth), static_cast<int>(truth.size(0)), 0, true, {}};
  std::string label = stochastic ? fmt::format("forecast, {} (mean of {})", model.kind(), opt.samples)
                                 : fmt::format("forecast, {} (single rollout)", model.kind());
  render::Track tf{label, vec(fc), H, tail, false, render::Rgb{0, 170, 70}};
  render::RenderOptions ro;
  ro.width = ro.height = 360;
  ro.title = fmt::format("{} (window {} of {})", w.clip_names[w.clip[n].item<int64_t>()], n + 1, w.size());
  render::SkeletonRenderer r({tt, tf}, ro);
  std::vector<int> frames{tail - 20, tail - 10, tail - 1, tail, tail + 4, tail + 9, tail + 19, tail + H - 1};
  frames.erase(std::remove_if(frames.begin(), frames.end(), [&](int t) { return t < 0 || t >= r.timeline(); }),
               frames.end());
  render::write_png(png, r.sheet(frames, 4));
}

}  // namespace

std::string run_name(const fs::path& checkpoint) {
  auto stem = checkpoint.stem().string();
  if ((stem == "best" || stem == "last") && checkpoint.has_parent_path()) {
    auto dir = fs::weakly_canonical(checkpoint).parent_path().filename().string();
    if (!dir.empty()) return dir + (stem == "last" ? " (last)" : "");
  }
  return stem;
}

EvalWindows load_eval_windows(const fs::path& dataset, const std::vector<std::string>& only,
                              const train::WindowSpec& spec, bool include_unusable, bool progress) {
  io::Dataset ds(dataset);
  auto infos = ds.list();
  std::vector<train::ClipFrames> clips;
  std::vector<double> clip_scale;
  std::vector<std::string> units;
  std::map<std::string, std::string> source_of;  // clip name -> source format
  Progress prog("read clips", static_cast<long>(infos.size()), "clips", progress);
  for (const auto& info : infos) {
    prog.tick();
    if (!only.empty() && !std::binary_search(only.begin(), only.end(), info.name)) continue;
    if (info.qc_class == "unreadable" || (!include_unusable && info.qc_class == "unusable")) continue;
    if (train::window_count(info.frames, spec) == 0) continue;
    auto c = ds.read(info.name);
    source_of[info.name] = info.source_format;
    clip_scale.push_back(c.scale);
    units.push_back(c.units);
    clips.push_back(train::clip_frames(c));
  }
  prog.done();
  train::WindowSet set(std::move(clips), spec);
  EvalWindows w;
  for (const auto& c : set.clips()) {
    w.clip_names.push_back(c.name);
    w.clip_sources.push_back(source_of[c.name]);
  }
  if (set.empty()) return w;
  auto batch = set.batch_range(0, static_cast<int64_t>(set.size()));
  w.context = batch.context;
  w.target = batch.target;
  std::vector<int64_t> clip;
  std::vector<double> scale;
  for (const auto& win : set.windows()) {
    clip.push_back(win.clip);
    scale.push_back(clip_scale[win.clip]);
  }
  w.clip = torch::tensor(clip, torch::kLong);
  w.scale = torch::tensor(scale, torch::kFloat64);
  bool same = std::all_of(units.begin(), units.end(), [&](const std::string& u) { return u == units[0]; });
  w.units = same && !units.empty() ? units[0] : "";
  return w;
}

std::optional<LinearBaseline> fit_run_linear_baseline(const json& meta, int k, bool progress, std::string& why) {
  train::DataConfig dc = train::data_config_from_json(meta.value("data", json::object()));
  std::error_code ec;
  if (dc.dataset.empty() || !fs::is_directory(dc.dataset, ec)) {
    why = dc.dataset.empty() ? "the checkpoint names no training dataset"
                             : "training dataset " + dc.dataset.string() + " is not available";
    return std::nullopt;
  }
  dc.progress = progress;
  auto data = train::load_training_data(dc);
  LinearBaselineOptions opt;
  opt.k = std::min(k, dc.windows.context);  // a short protocol's context may be shorter than k
  return fit_linear_baseline(data.train, opt);
}

EvalReport run_eval(const EvalConfig& cfg) {
  auto loaded = train::load_model(cfg.checkpoint);
  const json& meta = loaded.meta;
  const json data = meta.value("data", json::object());
  const std::string trained_on = data.value("dataset", "");
  const bool stochastic = loaded.model->kind() == "diffusion";
  if (cfg.mirror_average) loaded.model->set_mirror_average(true);

  // Validation clips of the training split, or the whole (held-out) dataset.
  std::vector<std::string> only;
  std::string split = "all";
  if (!cfg.all && !trained_on.empty() && same_path(trained_on, cfg.dataset)) {
    LMM_CHECK(data.contains("val_clips") && data["val_clips"].is_array() && !data["val_clips"].empty(),
              cfg.checkpoint.string() << ": " << cfg.dataset.string()
                                      << " is the training dataset but the checkpoint lists no validation "
                                         "clips; pass --all to evaluate on every clip");
    for (const auto& n : data["val_clips"]) only.push_back(n.get<std::string>());
    std::sort(only.begin(), only.end());
    split = "validation";
  }
  // The task protocol (context -> horizon) of the run, as its checkpoint records it.
  train::WindowSpec spec = train::data_config_from_json(data).windows;
  if (cfg.stride > 0) spec.stride = cfg.stride;
  const bool include_unusable = cfg.include_unusable || !data.value("skip_unusable", true);
  auto w = load_eval_windows(cfg.dataset, only, spec, include_unusable, cfg.options.progress);
  LMM_CHECK(w.size() > 0, cfg.dataset.string() << ": no evaluation windows (" << w.clip_names.size()
                                                << " clips of >= " << spec.context + spec.horizon
                                                << " frames among the selected "
                                                << (split == "validation" ? "validation " : "") << "clips)");

  std::optional<LinearBaseline> linear;
  std::string why;
  if (cfg.linear_k > 0) linear = fit_run_linear_baseline(meta, cfg.linear_k, cfg.options.progress, why);
  EvalReport r = evaluate_model(*loaded.model, stochastic, w, cfg.options, linear ? &*linear : nullptr);
  if (!why.empty()) r.linear_fit = {{"skipped", why}};
  r.checkpoint = cfg.checkpoint.string();
  r.run = run_name(cfg.checkpoint);
  r.trained_on = trained_on;
  r.dataset = cfg.dataset.string();
  r.split = split;
  if (!cfg.json_out.empty()) write_text_atomic(cfg.json_out, r.to_json().dump(2) + "\n");
  if (!cfg.report_dir.empty()) {
    write_report_dir(r, cfg.report_dir);
    write_sample_render(*loaded.model, stochastic, w, cfg.options, cfg.report_dir / "sample_forecast.png");
  }
  return r;
}

void write_report_dir(const EvalReport& r, const fs::path& dir) {
  fs::create_directories(dir);
  write_text_atomic(dir / "metrics.json", r.to_json().dump(2) + "\n");
  write_text_atomic(dir / "report.md", r.to_markdown());
  std::vector<render::Series> series;
  for (const auto& row : r.rows) {
    render::Series s;
    s.name = row.baseline ? row.model : row.model + ", " + row.mode;
    s.dashed = row.oracle || row.baseline;
    s.markers = !row.baseline;
    for (size_t h = 0; h + 1 < row.mse.size(); ++h) {
      s.x.push_back(static_cast<double>(h + 1));
      s.y.push_back(row.mse[h].value);
    }
    series.push_back(std::move(s));
  }
  render::PlotOptions po;
  po.title = fmt::format("Position MSE by forecast frame: {} on {}", r.run.empty() ? "baselines" : r.run,
                         dataset_label(r.dataset));
  po.x_label = fmt::format("forecast frame ({:g} FPS)", r.fps);
  po.y_label = "MSE (normalized units^2, log scale)";
  po.log_y = true;  // baselines such as constant velocity grow 100x over the horizon
  render::write_plot_png(dir / "error_vs_horizon.png", series, po);
}

EvalReport load_or_eval_run(const fs::path& run, const EvalConfig& base) {
  fs::path json_file = fs::is_directory(run) ? run / "metrics.json" : run;
  if (json_file.extension() == ".json") {
    json j;
    try {
      j = json::parse(read_text(json_file));
    } catch (const json::parse_error& e) {
      throw FormatError(json_file.string(), -1, std::string("not valid JSON: ") + e.what());
    }
    try {
      return EvalReport::from_json(j);
    } catch (const FormatError& e) {
      throw FormatError(json_file.string(), -1, e.reason());
    }
  }
  LMM_CHECK(!base.dataset.empty(), run.string() << ": a checkpoint needs --dataset to be evaluated on "
                                                   "(or pass the metrics.json of an `lmm eval` run)");
  EvalConfig cfg = base;
  cfg.checkpoint = run;
  cfg.json_out.clear();
  cfg.report_dir.clear();
  return run_eval(cfg);
}

}  // namespace lmm::eval
