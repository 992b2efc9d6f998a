// Model and baseline evaluation over batches of windows (include/lmm/eval/evaluate.h).
// Per batch, every forecast mode is turned into per-window RatioStats; at the end they
// are concatenated, grouped by clip and bootstrapped (eval/metrics.h).
#include "lmm/eval/evaluate.h"

#include <fmt/core.h>

#include <algorithm>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"
#include "lmm/core/progress.h"

namespace lmm::eval {
namespace {

RatioStat cat(const std::vector<RatioStat>& parts) {
  std::vector<torch::Tensor> n, d;
  for (const auto& p : parts) {
    n.push_back(p.num);
    d.push_back(p.den);
  }
  return {torch::cat(n), torch::cat(d)};
}

// The overall column (the last one) of a position error: (N, H + 1) -> (N, 1).
RatioStat overall_column(const RatioStat& r) {
  return {r.num.narrow(1, r.cols() - 1, 1), r.den.narrow(1, r.cols() - 1, 1)};
}

// Everything needed to summarize one kind of forecast.
struct Summary {
  const EvalWindows& w;
  const EvalOptions& opt;
  std::vector<Estimate> operator()(const std::vector<RatioStat>& parts) const {
    if (parts.empty()) return {};
    return estimate(cat(parts), w.clip, static_cast<int64_t>(w.clip_names.size()), opt.bootstrap, opt.seed);
  }
  Estimate one(const std::vector<RatioStat>& parts) const {
    auto v = (*this)(parts);
    return v.empty() ? Estimate{} : v[0];
  }
  // Overall position MSE of `a` over that of `b` (last column), paired over the same clips.
  Estimate ratio(const std::vector<RatioStat>& a, const std::vector<RatioStat>& b) const {
    if (a.empty() || b.empty()) return {};
    return paired_ratio(overall_column(cat(a)), overall_column(cat(b)), w.clip, static_cast<int64_t>(w.clip_names.size()), opt.bootstrap,
                        opt.seed)[0];
  }
};

struct RowAcc {
  Row row;
  std::vector<RatioStat> pos, src, vel, joint, bone, seam, oor;

  void add(const torch::Tensor& pred, const torch::Tensor& target, const torch::Tensor& context,
           const torch::Tensor& scale2, bool source_units, bool errors = true) {
    if (errors) {
      auto p = position_error(pred, target);
      pos.push_back(p);
      if (source_units) src.push_back(p.scaled(scale2));
      vel.push_back(velocity_error(pred, target, context));
      joint.push_back(position_error_per_joint(pred, target));
    }
    auto pl = plausibility(pred, context);
    bone.push_back(pl.bone_drift);
    seam.push_back(pl.seam_jump);
    oor.push_back(pl.out_of_range);
  }

  Row finish(const Summary& sum) {
    row.mse = sum(pos);
    row.mse_source = sum(src);
    row.velocity = sum(vel);
    row.per_joint = sum(joint);
    row.bone_drift = sum.one(bone);
    row.seam_jump = sum.one(seam);
    row.out_of_range = sum.one(oor);
    return row;
  }
};

// Rows n of r: (N, M) -> (n, M).
RatioStat take(const RatioStat& r, const torch::Tensor& n) { return {r.num.index_select(0, n), r.den.index_select(0, n)}; }

// Overall position MSE of every non-oracle row, and its paired ratio to zero velocity
// (rows[zv]), on the windows of each source format when the clips come from >= 2.
std::vector<SourceRow> by_source(const EvalWindows& w, const EvalOptions& opt, const std::vector<const RowAcc*>& rows,
                                 size_t zv) {
  std::vector<SourceRow> out;
  if (w.clip_sources.size() != w.clip_names.size()) return out;
  std::vector<std::string> sources = w.clip_sources;
  std::sort(sources.begin(), sources.end());
  sources.erase(std::unique(sources.begin(), sources.end()), sources.end());
  if (sources.size() < 2) return out;
  std::vector<RatioStat> overall;  // (N, 1) per row
  for (const RowAcc* r : rows) overall.push_back(overall_column(cat(r->pos)));
  for (const auto& src : sources) {
    std::vector<int64_t> windows;
    auto clip = w.clip.accessor<int64_t, 1>();
    for (int64_t n = 0; n < w.size(); ++n)
      if (w.clip_sources[clip[n]] == src) windows.push_back(n);
    if (windows.empty()) continue;
    auto idx = torch::tensor(windows, torch::kLong);                            // (n)
    auto [ids, local] = at::_unique(w.clip.index_select(0, idx), true, true);  // clips of this source, renumbered
    const int64_t G = ids.size(0);
    for (size_t i = 0; i < rows.size(); ++i) {
      SourceRow s;
      s.source = src;
      s.clips = static_cast<int>(G);
      s.windows = static_cast<int>(windows.size());
      s.model = rows[i]->row.model;
      s.mode = rows[i]->row.mode;
      auto mine = take(overall[i], idx);
      s.mse = estimate(mine, local, G, opt.bootstrap, opt.seed)[0];
      if (i != zv) s.vs_zero_velocity = paired_ratio(mine, take(overall[zv], idx), local, G, opt.bootstrap, opt.seed)[0];
      out.push_back(s);
    }
  }
  return out;
}

RowAcc make_row(std::string model, std::string mode, bool oracle = false, bool baseline = false) {
  RowAcc a;
  a.row.model = std::move(model);
  a.row.mode = std::move(mode);
  a.row.oracle = oracle;
  a.row.baseline = baseline;
  return a;
}

void check_windows(const EvalWindows& w) {
  LMM_CHECK(w.size() > 0, "nothing to evaluate: no windows (clips shorter than context + horizon?)");
  LMM_CHECK(w.context.dim() == 3 && w.target.dim() == 3 && w.target.size(0) == w.size() &&
                w.context.size(2) == kFrameDim && w.target.size(2) == kFrameDim && w.context.size(1) >= 2,
            "windows must be context (N, T>=2, 75) and target (N, H, 75), got " << w.context.sizes() << " and "
                                                                              << w.target.sizes());
  LMM_CHECK(w.clip.dim() == 1 && w.clip.size(0) == w.size() && w.scale.dim() == 1 && w.scale.size(0) == w.size(),
            "clip index and scale need one entry per window (" << w.size() << ")");
}

EvalReport run(models::ForecasterImpl* model, bool stochastic, const EvalWindows& w, const EvalOptions& opt,
               const LinearBaseline* linear) {
  check_windows(w);
  LMM_CHECK(opt.samples >= 1 && opt.batch_size >= 1 && opt.bootstrap >= 1,
            "eval needs samples, batch size and bootstrap reps >= 1, got " << opt.samples << ", " << opt.batch_size
                                                                            << ", " << opt.bootstrap);
  const int64_t N = w.size();
  const int H = static_cast<int>(w.target.size(1));
  const int K = stochastic ? opt.samples : 1;
  const bool source_units = !w.units.empty();
  torch::NoGradGuard no_grad;
  if (model) {
    model->eval();
    torch::manual_seed(opt.seed);
  }

  std::vector<RowAcc> model_rows, oracle_rows;
  if (model && stochastic) {
    model_rows.push_back(make_row(model->kind(), "single sample"));
    model_rows.push_back(make_row(model->kind(), fmt::format("mean of {}", K)));
    oracle_rows.push_back(make_row(model->kind(), fmt::format("best of {} (oracle)", K), true));
  } else if (model) {
    model_rows.push_back(make_row(model->kind(), model->mirror_average() ? "mirror-averaged rollout" : "single rollout"));
  }
  std::vector<RowAcc> baselines{make_row("zero-velocity", "baseline", false, true),
                                make_row("constant-velocity", "baseline", false, true)};
  if (linear) {
    LMM_CHECK(linear->horizon == H && linear->k <= w.context.size(1),
              "linear baseline fitted for k = " << linear->k << ", horizon " << linear->horizon << " but the windows are "
                                                << w.context.size(1) << " -> " << H << " frames");
    baselines.push_back(make_row(linear->name(), "baseline", false, true));
  }
  RowAcc truth = make_row("ground truth", "reference");
  std::vector<RatioStat> teacher, diversity, context_step;

  Progress progress("eval", N, "windows", opt.progress);
  for (int64_t b = 0; b < N; b += opt.batch_size) {
    const int64_t e = std::min(N, b + opt.batch_size);
    auto ctx = w.context.slice(0, b, e);  // (B, 120, 75)
    auto tgt = w.target.slice(0, b, e);   // (B, 30, 75)
    auto s2 = w.scale.slice(0, b, e).to(torch::kFloat64).square();  // (B)
    if (model) {
      if (stochastic) {
        std::vector<torch::Tensor> draws;
        for (int k = 0; k < K; ++k) draws.push_back(model->forecast(ctx, H));
        auto samples = torch::stack(draws);  // (K, B, H, 75)
        model_rows[0].add(samples[0], tgt, ctx, s2, source_units);
        model_rows[1].add(sample_mean(samples), tgt, ctx, s2, source_units);
        oracle_rows[0].add(best_of_k(samples, tgt), tgt, ctx, s2, source_units);
        diversity.push_back(sample_diversity(samples, tgt));
      } else {
        model_rows[0].add(model->forecast(ctx, H), tgt, ctx, s2, source_units);
      }
      teacher.push_back(position_error(model->teacher_forced({ctx, tgt}), tgt));
    }
    baselines[0].add(zero_velocity_forecast(ctx, H), tgt, ctx, s2, source_units);
    baselines[1].add(constant_velocity_forecast(ctx, H), tgt, ctx, s2, source_units);
    if (linear) baselines[2].add(linear->forecast(ctx), tgt, ctx, s2, source_units);
    truth.add(tgt, tgt, ctx, s2, false, false);
    context_step.push_back(plausibility(tgt.slice(1, 0, 1), ctx).context_step);
    progress.set(e);
  }
  progress.done();

  Summary sum{w, opt};
  EvalReport r;
  if (model) r.model_kind = model->kind();
  if (model) r.params = models::count_parameters(*model);
  r.units = w.units;
  r.clips = static_cast<int>(w.clip_names.size());
  r.windows = static_cast<int>(N);
  r.horizon = H;
  r.context = static_cast<int>(w.context.size(1));
  r.samples = K;
  if (linear) r.linear_fit = linear->describe();
  r.bootstrap = opt.bootstrap;
  for (auto* group : {&model_rows, &baselines, &oracle_rows})
    for (auto& acc : *group) {
      r.rows.push_back(acc.finish(sum));
      if (&acc != &baselines[0]) r.rows.back().vs_zero_velocity = sum.ratio(acc.pos, baselines[0].pos);
    }
  std::vector<const RowAcc*> plain;
  for (const auto& acc : model_rows) plain.push_back(&acc);
  for (const auto& acc : baselines) plain.push_back(&acc);
  r.by_source = by_source(w, opt, plain, model_rows.size());
  r.teacher_forced = sum(teacher);
  if (!diversity.empty()) r.diversity = sum.one(diversity);
  r.ground_truth = truth.finish(sum);
  r.context_step = sum.one(context_step);
  return r;
}

}  // namespace

EvalReport evaluate_baselines(const EvalWindows& w, const EvalOptions& opt, const LinearBaseline* linear) {
  return run(nullptr, false, w, opt, linear);
}

EvalReport evaluate_model(models::ForecasterImpl& model, bool stochastic, const EvalWindows& w,
                          const EvalOptions& opt, const LinearBaseline* linear) {
  return run(&model, stochastic, w, opt, linear);
}

}  // namespace lmm::eval
