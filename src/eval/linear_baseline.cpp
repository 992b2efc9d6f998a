// Ridge-regression baseline (include/lmm/eval/linear_baseline.h): accumulate the normal
// equations X^T X (D+1, D+1), X^T Y (D+1, O) and Y^T Y over training windows in batches
// (float64), choose lambda on held-out training clips from the same statistics, then
// solve once more on all training windows.
//   D = k*50 offset features, O = H*50 offset targets
#include "lmm/eval/linear_baseline.h"

#include <fmt/core.h>

#include <algorithm>
#include <limits>
#include <set>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"
#include "lmm/eval/metrics.h"

namespace lmm::eval {
namespace {

using torch::indexing::Slice;

// x, y offsets of frames (N, F, 75) from `last` (N, 1, 75); 0 where either is invisible.
torch::Tensor offsets(const torch::Tensor& frames, const torch::Tensor& last) {
  auto both = (visible(frames) & visible(last)).unsqueeze(-1);                     // (N, F, 25, 1)
  auto off = (positions(frames) - positions(last)).to(torch::kFloat64) * both;     // (N, F, 25, 2)
  return off.reshape({frames.size(0), -1});                                         // (N, F*50)
}

// Sufficient statistics of a least-squares problem.
struct Normal {
  torch::Tensor xtx, xty;  // (D+1, D+1), (D+1, O) float64
  double yy = 0;           // sum of squared targets
  int64_t n = 0;           // windows

  void add(const torch::Tensor& x, const torch::Tensor& y) {
    auto a = x.t().mm(x), b = x.t().mm(y);
    xtx = xtx.defined() ? xtx + a : a;
    xty = xty.defined() ? xty + b : b;
    yy += y.square().sum().item<double>();
    n += x.size(0);
  }
  Normal operator+(const Normal& o) const {
    if (o.n == 0) return *this;
    if (n == 0) return o;
    return {xtx + o.xtx, xty + o.xty, yy + o.yy, n + o.n};
  }
  // argmin |Y - XW|^2 + lambda * n * |W without the intercept row|^2
  torch::Tensor solve(double lambda) const {
    auto pen = torch::ones({xtx.size(0)}, torch::kFloat64);
    pen[-1] = 0;
    return torch::linalg_solve(xtx + torch::diag(pen * (lambda * static_cast<double>(n))), xty);
  }
  // Mean squared error per target coordinate of W on these windows.
  double mse(const torch::Tensor& w) const {
    double sse = yy - 2 * (w * xty).sum().item<double>() + (w * xtx.mm(w)).sum().item<double>();
    return std::max(0.0, sse) / (static_cast<double>(n) * xty.size(1));
  }
};

}  // namespace

torch::Tensor linear_features(const torch::Tensor& context, int k) {
  LMM_CHECK(context.dim() == 3 && context.size(2) == kFrameDim && k >= 1 && context.size(1) >= k,
            "linear baseline: context " << context.sizes() << " must be (N, T >= k, 75), k = " << k);
  auto last = context.slice(1, -1);  // (N, 1, 75)
  auto x = offsets(context.slice(1, context.size(1) - k), last);
  return torch::cat({x, torch::ones({context.size(0), 1}, torch::kFloat64)}, 1);  // (N, k*50 + 1)
}

torch::Tensor linear_targets(const torch::Tensor& context, const torch::Tensor& target) {
  LMM_CHECK(target.dim() == 3 && target.size(2) == kFrameDim && context.dim() == 3 &&
                context.size(0) == target.size(0),
            "linear baseline: target " << target.sizes() << " must be (N, H, 75) beside context " << context.sizes());
  return offsets(target, context.slice(1, -1));  // (N, H*50)
}

torch::Tensor LinearBaseline::forecast(const torch::Tensor& context) const {
  LMM_CHECK(weights.defined(), "linear baseline used before it was fitted");
  auto off = linear_features(context, k).mm(weights);                              // (N, H*50)
  auto last_vis = visible(context.slice(1, -1)).unsqueeze(-1);                     // (N, 1, 25, 1)
  off = off.reshape({context.size(0), horizon, kNumJoints, 2}) * last_vis;         // (N, H, 25, 2)
  auto out = zero_velocity_forecast(context, horizon);                             // (N, H, 75)
  auto joints = out.view({context.size(0), horizon, kNumJoints, 3});
  joints.index({"...", Slice(0, 2)}) += off.to(out.dtype());
  return out;
}

std::string LinearBaseline::name() const { return fmt::format("linear ridge (k={})", k); }

nlohmann::json LinearBaseline::describe() const {
  return {{"k", k},
          {"lambda", lambda},
          {"train_windows", train_windows},
          {"held_out_windows", held_out_windows},
          {"lambda_grid", lambda_grid},
          {"held_out_mse", held_out_mse}};
}

LinearBaseline fit_linear_baseline(const train::WindowSet& train, const LinearBaselineOptions& opt) {
  const auto& spec = train.spec();
  LMM_CHECK(!train.empty(), "linear baseline: no training windows to fit on");
  LMM_CHECK(opt.k >= 1 && opt.k <= spec.context,
            "linear baseline: k = " << opt.k << " must be in [1, context = " << spec.context << "]");
  LMM_CHECK(!opt.lambdas.empty() && opt.batch >= 1, "linear baseline: empty lambda grid or batch < 1");

  // Held-out training clips (by clip, like the validation split) choose lambda.
  std::vector<std::string> names;
  for (const auto& c : train.clips()) names.push_back(c.name);
  auto hold = train::split_by_clip(names, opt.held_out_frac, opt.seed).val;
  std::set<int> hold_idx;
  for (size_t c = 0; c < names.size(); ++c)
    if (std::binary_search(hold.begin(), hold.end(), names[c])) hold_idx.insert(static_cast<int>(c));
  std::vector<int64_t> fit_w, hold_w;
  for (size_t i = 0; i < train.size(); ++i)
    (hold_idx.count(train.windows()[i].clip) ? hold_w : fit_w).push_back(static_cast<int64_t>(i));

  auto accumulate = [&](const std::vector<int64_t>& idx) {
    Normal s;
    for (size_t b = 0; b < idx.size(); b += opt.batch) {
      std::vector<int64_t> part(idx.begin() + b, idx.begin() + std::min(idx.size(), b + opt.batch));
      auto batch = train.batch(part);  // context (B, C, 75), target (B, H, 75)
      s.add(linear_features(batch.context, opt.k), linear_targets(batch.context, batch.target));
    }
    return s;
  };
  Normal fit = accumulate(fit_w), held = accumulate(hold_w);

  LinearBaseline m;
  m.k = opt.k;
  m.horizon = spec.horizon;
  m.lambda = opt.fixed_lambda;
  if (held.n > 0 && fit.n > 0) {
    m.held_out_windows = held.n;
    m.lambda_grid = opt.lambdas;
    double best = std::numeric_limits<double>::infinity();
    for (double lam : opt.lambdas) {
      double e = held.mse(fit.solve(lam));
      m.held_out_mse.push_back(e);
      if (e < best) best = e, m.lambda = lam;
    }
  }
  Normal all = fit + held;
  m.train_windows = all.n;
  m.weights = all.solve(m.lambda);
  return m;
}

}  // namespace lmm::eval
