// Evaluation report <-> JSON, Markdown report and the `lmm compare` tables
// (include/lmm/eval/report.h). Missing numbers (NaN) are JSON null and "–" in Markdown.
#include "lmm/eval/report.h"

#include <fmt/core.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"

namespace lmm::eval {
namespace {

using nlohmann::json;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

json num(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }
double num(const json& j) { return j.is_number() ? j.get<double>() : kNaN; }

json est_json(const Estimate& e) { return {{"value", num(e.value)}, {"lo", num(e.lo)}, {"hi", num(e.hi)}}; }
Estimate est_from(const json& j) {
  if (!j.is_object()) return {};
  return {num(j.value("value", json())), num(j.value("lo", json())), num(j.value("hi", json()))};
}
json curve_json(const std::vector<Estimate>& v) {
  json a = json::array();
  for (const auto& e : v) a.push_back(est_json(e));
  return a;
}
std::vector<Estimate> curve_from(const json& j) {
  std::vector<Estimate> v;
  if (j.is_array())
    for (const auto& e : j) v.push_back(est_from(e));
  return v;
}

json row_json(const Row& r) {
  return {{"model", r.model},           {"mode", r.mode},
          {"oracle", r.oracle},         {"baseline", r.baseline},
          {"mse", curve_json(r.mse)},   {"mse_source", curve_json(r.mse_source)},
          {"velocity_mse", curve_json(r.velocity)},
          {"per_joint_mse", curve_json(r.per_joint)},
          {"mse_vs_zero_velocity", est_json(r.vs_zero_velocity)},
          {"bone_drift", est_json(r.bone_drift)},
          {"seam_jump", est_json(r.seam_jump)},
          {"out_of_range", est_json(r.out_of_range)}};
}
Row row_from(const json& j) {
  Row r;
  r.model = j.value("model", "");
  r.mode = j.value("mode", "");
  r.oracle = j.value("oracle", false);
  r.baseline = j.value("baseline", false);
  r.mse = curve_from(j.value("mse", json()));
  r.mse_source = curve_from(j.value("mse_source", json()));
  r.velocity = curve_from(j.value("velocity_mse", json()));
  r.per_joint = curve_from(j.value("per_joint_mse", json()));
  r.vs_zero_velocity = est_from(j.value("mse_vs_zero_velocity", json()));
  r.bone_drift = est_from(j.value("bone_drift", json()));
  r.seam_jump = est_from(j.value("seam_jump", json()));
  r.out_of_range = est_from(j.value("out_of_range", json()));
  return r;
}

// 3 decimals for ordinary magnitudes, 3 significant digits otherwise.
std::string fnum(double x) {
  if (!std::isfinite(x)) return "–";
  double a = std::fabs(x);
  if (a == 0 || (a >= 0.01 && a < 1000)) return fmt::format("{:.3f}", x);
  if (a >= 1000 && a < 1e7) return fmt::format("{:.0f}", x);
  return fmt::format("{:.3g}", x);
}
std::string fest(const Estimate& e) {
  if (!std::isfinite(e.value)) return "–";
  if (!std::isfinite(e.lo)) return fnum(e.value);
  return fmt::format("{} [{}, {}]", fnum(e.value), fnum(e.lo), fnum(e.hi));
}
std::string fpct(const Estimate& e) {
  if (!std::isfinite(e.value)) return "–";
  auto p = [](double x) { return fmt::format("{:.1f}%", 100 * x); };
  if (!std::isfinite(e.lo)) return p(e.value);
  return fmt::format("{} [{}, {}]", p(e.value), p(e.lo), p(e.hi));
}
std::string fparams(int64_t n) {
  if (n <= 0) return "–";
  if (n >= 1000000) return fmt::format("{:.1f}M", n / 1e6);
  if (n >= 1000) return fmt::format("{:.1f}K", n / 1e3);
  return std::to_string(n);
}

// Frames shown in tables: 1, H/2, H (1, 15, 30 for the spec's horizon).
std::vector<int> key_frames(int H) {
  std::set<int> s{1, std::max(1, H / 2), std::max(1, H)};
  return {s.begin(), s.end()};
}
std::string frame_header(int h, double fps) { return fmt::format("Frame {} ({:.2f} s)", h, h / fps); }

std::string curve_cells(const std::vector<Estimate>& v, const std::vector<int>& frames) {
  std::string s;
  for (int h : frames) s += " " + (h - 1 < static_cast<int>(v.size()) ? fest(v[h - 1]) : "–") + " |";
  s += " " + (v.empty() ? "–" : fest(v.back())) + " |";
  return s;
}

std::string curve_table(const std::vector<const Row*>& rows, int H, double fps,
                        std::vector<Estimate> Row::*field, const char* first_col = "Model") {
  auto frames = key_frames(H);
  std::string s = fmt::format("| {} | Forecast |", first_col);
  std::string rule = "|---|---|";
  for (int h : frames) {
    s += " " + frame_header(h, fps) + " |";
    rule += "---|";
  }
  s += " Overall |\n" + rule + "---|\n";
  for (const Row* r : rows) s += fmt::format("| {} | {} |", r->model, r->mode) + curve_cells(r->*field, frames) + "\n";
  return s;
}

std::string units_sq(const std::string& u) { return u + "²"; }

// Overall position MSE per BODY_25 joint, one column per row (joints never visible in the
// target are left out): shows which joints carry the error, e.g. joints the training data lacks.
std::string per_joint_table(const std::vector<const Row*>& rows) {
  if (rows.empty() || rows.front()->per_joint.size() != static_cast<size_t>(kNumJoints)) return "";
  std::string s = "## Position MSE per joint (overall)\n\nEach joint over the forecast frames where the target shows it.\n\n| Joint |";
  std::string rule = "|---|";
  for (const Row* r : rows) {
    s += fmt::format(" {} ({}) |", r->model, r->mode);
    rule += "---|";
  }
  s += "\n" + rule + "\n";
  for (int j = 0; j < kNumJoints; ++j) {
    if (!std::isfinite(rows.front()->per_joint[j].value)) continue;
    s += fmt::format("| {} |", joint_name(j));
    for (const Row* r : rows) s += " " + (j < static_cast<int>(r->per_joint.size()) ? fnum(r->per_joint[j].value) : "–") + " |";
    s += "\n";
  }
  return s + "\n";
}

// Overall MSE over zero velocity's on the same windows, with the paired interval and what
// it says: below (the whole interval under 1), level (it holds 1) or above.
std::string vs_zero_velocity_table(const std::vector<const Row*>& rows, int bootstrap) {
  std::string body;
  for (const Row* r : rows) {
    const Estimate& e = r->vs_zero_velocity;
    if (!std::isfinite(e.value)) continue;
    const char* verdict = e.hi < 1 ? "below zero velocity" : e.lo > 1 ? "above zero velocity" : "level (interval holds 1)";
    body += fmt::format("| {} | {} | {:.3f} [{:.3f}, {:.3f}] | {} |\n", r->model, r->mode, e.value, e.lo, e.hi, verdict);
  }
  if (body.empty()) return "";
  return fmt::format("### Overall MSE relative to zero velocity\n\n"
                     "Paired: each of the {} bootstrap resamples draws clips once and takes both MSEs from them.\n\n"
                     "| Model | Forecast | MSE / zero velocity | Reading |\n|---|---|---|---|\n",
                     bootstrap) +
         body + "\n";
}

// The overall MSE per source format of a mixed dataset (e.g. kimore vs kinect_gait in a
// Kinect set), each with its paired ratio to zero velocity on that source's windows.
std::string by_source_table(const std::vector<SourceRow>& rows) {
  if (rows.empty()) return "";
  std::string s = "## By source format\n\nEach source's windows alone; the ratio is paired over that source's clips.\n\n"
                  "| Source | Clips | Windows | Model | Forecast | Overall MSE | MSE / zero velocity |\n"
                  "|---|---|---|---|---|---|---|\n";
  for (const auto& r : rows) {
    const Estimate& e = r.vs_zero_velocity;
    s += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", r.source, r.clips, r.windows, r.model, r.mode, fest(r.mse),
                     std::isfinite(e.value) ? fmt::format("{:.3f} [{:.3f}, {:.3f}]", e.value, e.lo, e.hi) : "–");
  }
  return s + "\n";
}

}  // namespace

json EvalReport::to_json() const {
  json rj = json::array();
  for (const auto& r : rows) rj.push_back(row_json(r));
  json sj = json::array();
  for (const auto& r : by_source)
    sj.push_back({{"source", r.source}, {"clips", r.clips}, {"windows", r.windows}, {"model", r.model},
                  {"mode", r.mode}, {"mse", est_json(r.mse)}, {"mse_vs_zero_velocity", est_json(r.vs_zero_velocity)}});
  return {{"lmm_report", 1},
          {"checkpoint", checkpoint},
          {"run", run},
          {"model_kind", model_kind},
          {"params", params},
          {"trained_on", trained_on},
          {"dataset", dataset},
          {"split", split},
          {"units", units},
          {"clips", clips},
          {"windows", windows},
          {"horizon", horizon},
          {"context", context},
          {"samples", samples},
          {"bootstrap", bootstrap},
          {"fps", fps},
          {"rows", rj},
          {"by_source", sj},
          {"teacher_forced_mse", curve_json(teacher_forced)},
          {"diversity_apd", est_json(diversity)},
          {"ground_truth", row_json(ground_truth)},
          {"context_com_step", est_json(context_step)},
          {"linear_fit", linear_fit}};
}

EvalReport EvalReport::from_json(const json& j) {
  if (!j.is_object() || !j.contains("lmm_report") || !j.contains("rows"))
    throw FormatError("report", -1, "not an lmm eval report (expected keys lmm_report, rows)");
  EvalReport r;
  try {
    r.checkpoint = j.value("checkpoint", "");
    r.run = j.value("run", "");
    r.model_kind = j.value("model_kind", "");
    r.params = j.value("params", int64_t{0});
    r.trained_on = j.value("trained_on", "");
    r.dataset = j.value("dataset", "");
    r.split = j.value("split", "");
    r.units = j.value("units", "");
    r.clips = j.value("clips", 0);
    r.windows = j.value("windows", 0);
    r.horizon = j.value("horizon", 0);
    r.context = j.value("context", 0);
    r.samples = j.value("samples", 0);
    r.bootstrap = j.value("bootstrap", 0);
    r.fps = j.value("fps", 15.0);
    for (const auto& row : j.at("rows")) r.rows.push_back(row_from(row));
    for (const auto& sr : j.value("by_source", json::array())) {
      SourceRow x;
      x.source = sr.value("source", "");
      x.clips = sr.value("clips", 0);
      x.windows = sr.value("windows", 0);
      x.model = sr.value("model", "");
      x.mode = sr.value("mode", "");
      x.mse = est_from(sr.value("mse", json()));
      x.vs_zero_velocity = est_from(sr.value("mse_vs_zero_velocity", json()));
      r.by_source.push_back(x);
    }
    r.teacher_forced = curve_from(j.value("teacher_forced_mse", json()));
    r.diversity = est_from(j.value("diversity_apd", json()));
    r.ground_truth = row_from(j.value("ground_truth", json::object()));
    r.context_step = est_from(j.value("context_com_step", json()));
    r.linear_fit = j.value("linear_fit", json());
  } catch (const json::exception& e) {
    throw FormatError("report", -1, std::string("malformed eval report: ") + e.what());
  }
  return r;
}

std::string EvalReport::to_markdown() const {
  std::string s = fmt::format("# Forecast evaluation: {}\n\n", !run.empty() ? run : !model_kind.empty() ? model_kind : "baselines");
  s += "| | |\n|---|---|\n";
  if (!checkpoint.empty()) s += fmt::format("| checkpoint | `{}` |\n", checkpoint);
  if (!model_kind.empty()) s += fmt::format("| model | {} ({} parameters) |\n", model_kind, fparams(params));
  if (!trained_on.empty()) s += fmt::format("| trained on | `{}` |\n", trained_on);
  s += fmt::format("| evaluated on | `{}` ({}) |\n", dataset,
                   split == "validation" ? "validation clips of the training split" : "all clips");
  s += fmt::format("| windows | {} windows of {} context + {} forecast frames, from {} clips |\n", windows, context,
                   horizon, clips);
  if (samples > 1) s += fmt::format("| samples | K = {} per window |\n", samples);
  if (linear_fit.contains("k"))
    s += fmt::format("| linear baseline | ridge on the last {} context frames, lambda {:g}, fitted on {} training windows{} |\n",
                     linear_fit["k"].get<int>(), linear_fit.value("lambda", 0.0),
                     linear_fit.value("train_windows", int64_t{0}),
                     linear_fit.value("held_out_windows", int64_t{0}) > 0
                         ? fmt::format(" (lambda chosen on {} held-out windows)", linear_fit["held_out_windows"].get<int64_t>())
                         : std::string(" (fixed lambda)"));
  else if (linear_fit.contains("skipped"))
    s += fmt::format("| linear baseline | not fitted: {} |\n", linear_fit["skipped"].get<std::string>());
  s += fmt::format("| intervals | 95% percentile bootstrap over clips, {} resamples |\n\n", bootstrap);

  std::vector<const Row*> main_rows, oracle_rows;
  for (const auto& r : rows) (r.oracle ? oracle_rows : main_rows).push_back(&r);

  s += "## Position MSE (normalized units, torso length = 1)\n\n"
       "The error at each frame (not averaged up to it); overall = mean over all forecast frames.\n\n";
  s += curve_table(main_rows, horizon, fps, &Row::mse) + "\n";
  s += vs_zero_velocity_table(main_rows, bootstrap);
  if (!units.empty()) {
    s += fmt::format("## Position MSE in source units ({})\n\n", units_sq(units));
    s += curve_table(main_rows, horizon, fps, &Row::mse_source) + "\n";
  }
  s += "## Velocity MSE ((normalized units / frame)², spec 6.1)\n\n"
       "Frame-to-frame displacement error; frame 1 includes the step from the last context frame.\n\n";
  s += curve_table(main_rows, horizon, fps, &Row::velocity) + "\n";
  if (!teacher_forced.empty()) {
    Row tf;
    tf.model = model_kind;
    tf.mode = model_kind == "diffusion" ? "sample (no teacher forcing)" : "teacher-forced, one step";
    tf.mse = teacher_forced;
    s += "## Teacher-forced error (spec 6.2)\n\nEach frame predicted from the true frames before it.\n\n";
    s += curve_table({&tf}, horizon, fps, &Row::mse) + "\n";
  }
  if (!oracle_rows.empty()) {
    s += "## Oracle: best of K (not comparable with the tables above)\n\n"
         "Per window, the sample closest to the truth: it needs the answer to choose, so it bounds what\n"
         "the sampler can reach and must not be compared with single forecasts or baselines.\n\n";
    s += curve_table(oracle_rows, horizon, fps, &Row::mse) + "\n";
  }
  if (std::isfinite(diversity.value))
    s += fmt::format("## Sample diversity\n\nAPD (mean distance between two of the K samples, per joint and "
                     "frame, normalized units): {}\n\n", fest(diversity));

  s += per_joint_table(main_rows);
  s += by_source_table(by_source);
  s += "## Plausibility\n\n"
       "Bone drift: mean |length - context median| / context median over the 13 limb and torso bones. Seam jump: centre-of-mass jump from the\n"
       "last context frame to forecast frame 1 (normalized units). Out of range: share of forecast frames with a\n"
       "bone > 1.25x its longest context length or a joint > 3 torso lengths from MidHip (docs/evaluation.md).\n\n"
       "| Model | Forecast | Bone-length drift | CoM seam jump | Frames out of range |\n|---|---|---|---|---|\n";
  auto prow = [&](const Row& r) {
    s += fmt::format("| {} | {} | {} | {} | {} |\n", r.model, r.mode, fpct(r.bone_drift), fest(r.seam_jump),
                     fpct(r.out_of_range));
  };
  for (const Row* r : main_rows) prow(*r);
  for (const Row* r : oracle_rows) prow(*r);
  prow(ground_truth);
  s += fmt::format("\nTypical centre-of-mass step between context frames: {}\n", fest(context_step));
  return s;
}

std::string dataset_label(const std::string& path) {
  std::filesystem::path p(path);
  if (p.filename().empty()) p = p.parent_path();
  return p.filename().string();
}

std::string compare_markdown(const std::vector<EvalReport>& runs) {
  // Table 1: one block of rows per run; baselines once per evaluated window set. Columns:
  // frames 1, H/2 and H of the runs' horizon (1, 15, 30 for the paper protocol; the middle
  // and last frame of each row when the runs' horizons differ).
  int H = runs.empty() ? 30 : runs.front().horizon;
  for (const auto& rep : runs)
    if (rep.horizon != H) H = 0;
  const int mid = H > 0 ? (H + 1) / 2 : 0;
  const std::string head =
      H > 0 ? fmt::format("| Run | Model | Params | Forecast | Trained on | Evaluated on | Frame 1 | Frame {} | Frame {} | "
                          "Overall |\n|---|---|---|---|---|---|---|---|---|---|\n",
                          mid, H)
            : std::string("| Run | Model | Params | Forecast | Trained on | Evaluated on | Frame 1 | Middle frame | "
                          "Last frame | Overall |\n|---|---|---|---|---|---|---|---|---|---|\n");
  std::string table, oracle, extra;
  std::vector<std::string> baseline_rows, baseline_extra;
  std::set<std::string> baseline_done;
  auto cells = [](const Row& r) {  // r.mse: frames 1..H, then overall
    const int h_row = static_cast<int>(r.mse.size()) - 1;
    auto at = [&](int h) { return h >= 1 && h <= h_row ? fest(r.mse[h - 1]) : "–"; };
    return fmt::format("{} | {} | {} | {}", at(1), at((h_row + 1) / 2), at(h_row),
                       r.mse.empty() ? "–" : fest(r.mse.back()));
  };
  auto overall = [](const std::vector<Estimate>& v) { return v.empty() ? kNaN : v.back().value; };
  auto fratio = [](double x) { return std::isfinite(x) ? fmt::format("{:.3f}", x) : std::string("–"); };
  for (const auto& rep : runs) {
    const std::string where = dataset_label(rep.dataset) + (rep.split == "validation" ? " (val)" : " (all)");
    const std::string trained = rep.trained_on.empty() ? "–" : dataset_label(rep.trained_on);
    double zv = kNaN;
    for (const auto& r : rep.rows)
      if (r.baseline && r.model == "zero-velocity") zv = overall(r.mse);
    for (const auto& r : rep.rows) {
      const double ratio = overall(r.mse) / zv;
      if (r.baseline) {
        auto key = rep.dataset + "|" + rep.split + "|" + std::to_string(rep.windows) + "|" + r.model;
        if (!baseline_done.insert(key).second) continue;
        baseline_rows.push_back(fmt::format("| – | {} | 0 | baseline | – | {} | {} |\n", r.model, where, cells(r)));
        baseline_extra.push_back(fmt::format("| – | {} | – | {} | {} | {} | – | {} | {} |\n", r.model, where,
                                             fratio(ratio), fest(r.velocity.empty() ? Estimate{} : r.velocity.back()),
                                             fpct(r.bone_drift), fpct(r.out_of_range)));
        continue;
      }
      auto line = fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", rep.run, r.model, fparams(rep.params), r.mode,
                              trained, where, cells(r));
      if (r.oracle) {
        oracle += line;
        continue;
      }
      table += line;
      const bool first_row = &r == &rep.rows.front();
      extra += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", rep.run, r.mode, trained, where,
                           fratio(ratio), fest(r.velocity.empty() ? Estimate{} : r.velocity.back()),
                           first_row && !rep.teacher_forced.empty() ? fest(rep.teacher_forced.back()) : "–",
                           fpct(r.bone_drift), fpct(r.out_of_range));
    }
  }
  for (const auto& b : baseline_rows) table += b;
  for (const auto& b : baseline_extra) extra += b;
  std::string s = fmt::format("### Position MSE (normalized units; error at frame h, overall = mean of frames 1-{}; "
                              "95% clip-bootstrap intervals)\n\n",
                              H > 0 ? std::to_string(H) : std::string("H")) +
                  head + table;
  s += "\n### Relative to zero velocity, velocity, teacher-forced error and plausibility (overall)\n\n"
       "MSE / zero-velocity: the row's overall position MSE divided by the zero-velocity baseline's on the\n"
       "same windows (below 1 = better than standing still).\n\n"
       "| Run | Forecast | Trained on | Evaluated on | MSE / zero-velocity | Velocity MSE | Teacher-forced MSE | "
       "Bone drift | Out of range |\n|---|---|---|---|---|---|---|---|---|\n" + extra;
  if (!oracle.empty())
    s += "\n### Oracle best of K (chosen with the target: not comparable with the tables above)\n\n" + head + oracle;
  return s;
}

json compare_json(const std::vector<EvalReport>& runs) {
  json a = json::array();
  for (const auto& r : runs) a.push_back(r.to_json());
  return {{"lmm_compare", 1}, {"runs", a}};
}

}  // namespace lmm::eval
