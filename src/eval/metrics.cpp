// Forecast evaluation metrics: see include/lmm/eval/metrics.h and docs/evaluation.md.
// All reductions run in float64 on the CPU; positions are (..., 25, 2), visibility
// masks (..., 25), bone tensors (..., 13): the limb bones, lmm::kBones[0..12].
#include "lmm/eval/metrics.h"

#include <cmath>
#include <random>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"

namespace lmm::eval {
namespace {

using torch::indexing::Slice;

torch::Tensor f64(const torch::Tensor& x) { return x.to(torch::kCPU, torch::kFloat64); }

void check_frames(const torch::Tensor& x, const char* what) {
  LMM_CHECK(x.dim() >= 2 && x.size(-1) == kFrameDim,
            what << " must be (..., " << kFrameDim << "), got " << x.sizes());
}

// (num, den) per frame (N, H) -> RatioStat with a total column appended: (N, H + 1).
RatioStat with_total(const torch::Tensor& num, const torch::Tensor& den) {
  return {torch::cat({num, num.sum(1, true)}, 1), torch::cat({den, den.sum(1, true)}, 1)};
}

// (..., 75) frames from positions (..., 25, 2) and confidences (..., 25).
torch::Tensor compose(const torch::Tensor& pos, const torch::Tensor& conf) {
  auto f = torch::cat({pos, conf.unsqueeze(-1)}, -1);  // (..., 25, 3)
  auto sizes = f.sizes().vec();
  sizes.pop_back();
  sizes.back() = kFrameDim;
  return f.reshape(sizes);
}

// (..., 25, 3) view of frames (..., 75).
torch::Tensor joints(const torch::Tensor& frames) {
  auto s = frames.sizes().vec();
  s.back() = kNumJoints;
  s.push_back(kChannels);
  return frames.reshape(s);
}

torch::Tensor confidence(const torch::Tensor& frames) { return joints(frames).select(-1, 2); }

// Plausibility judges the 13 limb and torso bones, kBones[0..12] (Neck-MidHip, shoulders,
// arms, hips, legs); face and foot bones are a few hundredths of a torso long, so detection
// noise alone changes their length by tens of percent.
constexpr int kLimbBones = 13;

// Endpoint indices of the limb bones.
std::pair<torch::Tensor, torch::Tensor> bone_index() {
  std::vector<int64_t> a, b;
  for (int i = 0; i < kLimbBones; ++i) {
    a.push_back(kBones[i].first);
    b.push_back(kBones[i].second);
  }
  return {torch::tensor(a), torch::tensor(b)};
}

struct Bones {
  torch::Tensor length;  // (..., 13)
  torch::Tensor valid;   // (..., 13) bool: both endpoints visible
};

Bones bones(const torch::Tensor& frames) {
  static const auto idx = bone_index();
  auto pos = f64(positions(frames));  // (..., 25, 2)
  auto vis = visible(frames);         // (..., 25)
  int d = pos.dim() - 2;
  auto len = (pos.index_select(d, idx.first) - pos.index_select(d, idx.second)).norm(2, -1);
  auto ok = vis.index_select(d, idx.first) & vis.index_select(d, idx.second);
  return {len, ok};
}

struct Com {
  torch::Tensor xy;     // (..., 2)
  torch::Tensor valid;  // (...) bool
};

Com centre_of_mass(const torch::Tensor& frames) {
  auto pos = f64(positions(frames));
  auto vis = f64(visible(frames));
  auto n = vis.sum(-1);  // (...)
  auto xy = (pos * vis.unsqueeze(-1)).sum(-2) / n.clamp_min(1).unsqueeze(-1);
  return {xy, n > 0};
}

RatioStat column(const torch::Tensor& num, const torch::Tensor& den) {
  return {f64(num).reshape({-1, 1}), f64(den).reshape({-1, 1})};
}

}  // namespace

torch::Tensor RatioStat::value() const { return num.sum(0) / den.sum(0); }

RatioStat RatioStat::group(const torch::Tensor& clip, int64_t n_groups) const {
  LMM_CHECK(clip.dim() == 1 && clip.size(0) == rows(),
            "clip index has shape " << clip.sizes() << ", expected (" << rows() << ")");
  auto idx = clip.to(torch::kCPU, torch::kLong);
  LMM_CHECK(rows() == 0 || (idx.min().item<int64_t>() >= 0 && idx.max().item<int64_t>() < n_groups),
            "clip index out of range [0, " << n_groups << ")");
  auto z = torch::zeros({n_groups, cols()}, torch::kFloat64);
  return {z.clone().index_add_(0, idx, num), z.clone().index_add_(0, idx, den)};
}

RatioStat RatioStat::scaled(const torch::Tensor& factor) const {
  return {num * f64(factor).reshape({-1, 1}), den};
}

torch::Tensor visible(const torch::Tensor& frames) {
  check_frames(frames, "frames");
  return confidence(frames) > 0;
}

torch::Tensor positions(const torch::Tensor& frames) {
  check_frames(frames, "frames");
  return joints(frames).index({"...", Slice(0, 2)});
}

namespace {

// Squared position error of each joint where the target shows it, and that mask:
// pred, target (N, H, 75) -> {se * mask, mask}, both (N, H, 25) float64.
std::pair<torch::Tensor, torch::Tensor> masked_squared_error(const torch::Tensor& pred, const torch::Tensor& target) {
  LMM_CHECK(pred.sizes() == target.sizes() && pred.dim() == 3,
            "prediction " << pred.sizes() << " and target " << target.sizes()
                          << " must both be (N, H, 75)");
  auto mask = f64(visible(target));                                           // (N, H, 25)
  auto se = (f64(positions(pred)) - f64(positions(target))).pow(2).sum(-1);  // (N, H, 25)
  return {se * mask, mask};
}

}  // namespace

RatioStat position_error(const torch::Tensor& pred, const torch::Tensor& target) {
  auto [se, mask] = masked_squared_error(pred, target);  // (N, H, 25) each
  return with_total(se.sum(-1), 2 * mask.sum(-1));
}

RatioStat position_error_per_joint(const torch::Tensor& pred, const torch::Tensor& target) {
  auto [se, mask] = masked_squared_error(pred, target);  // (N, H, 25) each
  return {se.sum(1), 2 * mask.sum(1)};                    // (N, 25)
}

RatioStat velocity_error(const torch::Tensor& pred, const torch::Tensor& target,
                         const torch::Tensor& context) {
  LMM_CHECK(pred.sizes() == target.sizes() && pred.dim() == 3,
            "prediction " << pred.sizes() << " and target " << target.sizes()
                          << " must both be (N, H, 75)");
  LMM_CHECK(context.dim() == 3 && context.size(0) == pred.size(0) && context.size(1) >= 1,
            "context " << context.sizes() << " must be (N, T, 75) with N = " << pred.size(0));
  auto last = context.index({Slice(), Slice(-1)});  // (N, 1, 75)
  auto p = f64(positions(torch::cat({last, pred}, 1)));   // (N, H+1, 25, 2)
  auto t = f64(positions(torch::cat({last, target}, 1)));
  auto vis = visible(torch::cat({last, target}, 1));      // (N, H+1, 25)
  auto vp = p.index({Slice(), Slice(1)}) - p.index({Slice(), Slice(0, -1)});
  auto vt = t.index({Slice(), Slice(1)}) - t.index({Slice(), Slice(0, -1)});
  auto mask = f64(vis.index({Slice(), Slice(1)}) & vis.index({Slice(), Slice(0, -1)}));
  auto se = (vp - vt).pow(2).sum(-1);  // (N, H, 25)
  return with_total((se * mask).sum(-1), 2 * mask.sum(-1));
}

torch::Tensor zero_velocity_forecast(const torch::Tensor& context, int horizon) {
  LMM_CHECK(context.dim() == 3 && context.size(1) >= 1 && horizon >= 1,
            "context " << context.sizes() << " must be (N, T>=1, 75), horizon " << horizon);
  return context.index({Slice(), Slice(-1)}).expand({-1, horizon, -1}).clone();
}

torch::Tensor constant_velocity_forecast(const torch::Tensor& context, int horizon) {
  LMM_CHECK(context.dim() == 3 && context.size(1) >= 2 && horizon >= 1,
            "context " << context.sizes() << " must be (N, T>=2, 75), horizon " << horizon);
  auto x0 = context.index({Slice(), -1});  // (N, 75)
  auto xm = context.index({Slice(), -2});
  auto both = (visible(x0) & visible(xm)).unsqueeze(-1).to(x0.dtype());  // (N, 25, 1)
  auto p0 = positions(x0);                                              // (N, 25, 2)
  auto v = (p0 - positions(xm)) * both;
  auto h = torch::arange(1, horizon + 1, x0.options()).reshape({1, -1, 1, 1});
  auto pos = p0.unsqueeze(1) + h * v.unsqueeze(1);  // (N, H, 25, 2)
  auto conf = confidence(x0).unsqueeze(1).expand({-1, horizon, -1});
  return compose(pos, conf);
}

torch::Tensor sample_mean(const torch::Tensor& samples) {
  LMM_CHECK(samples.dim() == 4 && samples.size(0) >= 1,
            "samples must be (K>=1, N, H, 75), got " << samples.sizes());
  return compose(positions(samples).mean(0), confidence(samples[0]));
}

torch::Tensor best_of_k(const torch::Tensor& samples, const torch::Tensor& target) {
  LMM_CHECK(samples.dim() == 4 && samples.size(0) >= 1 && samples[0].sizes() == target.sizes(),
            "samples " << samples.sizes() << " must be (K, N, H, 75) with target " << target.sizes());
  auto mask = f64(visible(target));  // (N, H, 25)
  auto se = (f64(positions(samples)) - f64(positions(target)).unsqueeze(0)).pow(2).sum(-1);
  auto err = (se * mask).sum({2, 3});  // (K, N); same denominator for every k
  auto k = err.argmin(0);               // (N)
  auto n = torch::arange(samples.size(1), torch::kLong);
  return samples.transpose(0, 1).index({n, k});
}

RatioStat sample_diversity(const torch::Tensor& samples, const torch::Tensor& target) {
  LMM_CHECK(samples.dim() == 4 && samples[0].sizes() == target.sizes(),
            "samples " << samples.sizes() << " must be (K, N, H, 75) with target " << target.sizes());
  const int64_t K = samples.size(0), N = samples.size(1);
  auto mask = f64(visible(target));  // (N, H, 25)
  auto pos = f64(positions(samples));
  auto num = torch::zeros({N}, torch::kFloat64);
  for (int64_t i = 0; i < K; ++i)
    for (int64_t j = i + 1; j < K; ++j)
      num += ((pos[i] - pos[j]).norm(2, -1) * mask).sum({1, 2});
  auto den = mask.sum({1, 2}) * static_cast<double>(K * (K - 1) / 2);
  return column(num, den);
}

Plausibility plausibility(const torch::Tensor& pred, const torch::Tensor& context,
                          const PlausibilityLimits& lim) {
  LMM_CHECK(pred.dim() == 3 && context.dim() == 3 && pred.size(0) == context.size(0) &&
                context.size(1) >= 2,
            "forecast " << pred.sizes() << " and context " << context.sizes()
                        << " must be (N, H, 75) and (N, T>=2, 75)");
  const auto nan = std::numeric_limits<double>::quiet_NaN();
  const int64_t H = pred.size(1);
  Plausibility out;

  // Reference bone lengths from the context.
  auto cb = bones(context);                                            // (N, T, 13)
  auto ref = std::get<0>(torch::where(cb.valid, cb.length, nan).nanmedian(1));  // (N, 13)
  auto ref_max = torch::where(cb.valid, cb.length, 0.0).amax(1);
  auto ref_ok = torch::isfinite(ref) & (ref > lim.min_bone_ref);
  auto ref_safe = torch::where(ref_ok, ref, 1.0);

  auto pb = bones(pred);                              // (N, H, 13)
  auto ok = pb.valid & ref_ok.unsqueeze(1);
  auto drift = (pb.length - ref_safe.unsqueeze(1)).abs() / ref_safe.unsqueeze(1);
  out.bone_drift = column((drift * f64(ok)).sum({1, 2}), f64(ok).sum({1, 2}));

  // Out of range: a bone grown past its longest context length, or a joint out of reach.
  auto grown = ok & (pb.length > lim.bone_growth * ref_max.unsqueeze(1));  // (N, H, 13)
  auto pos = f64(positions(pred));                                          // (N, H, 25, 2)
  auto vis = visible(pred);
  auto hip_vis = vis.index({"...", static_cast<int64_t>(MidHip)}).unsqueeze(-1);  // (N, H, 1)
  auto hip = pos.index({"...", static_cast<int64_t>(MidHip), Slice()}) *
             f64(hip_vis);                                                 // (N, H, 2)
  auto far = vis & ((pos - hip.unsqueeze(2)).norm(2, -1) > lim.max_reach);  // (N, H, 25)
  auto bad = grown.any(-1) | far.any(-1);                                   // (N, H)
  out.out_of_range = column(f64(bad).sum(1), torch::full({pred.size(0)}, double(H)));

  // Centre of mass: seam jump vs typical step in the context.
  auto cc = centre_of_mass(context);                        // (N, T, 2)
  auto pc = centre_of_mass(pred.index({Slice(), 0}));        // (N, 2)
  auto last = cc.xy.index({Slice(), -1});
  auto seam_ok = pc.valid & cc.valid.index({Slice(), -1});
  out.seam_jump = column((pc.xy - last).norm(2, -1) * f64(seam_ok), f64(seam_ok));
  auto step = (cc.xy.index({Slice(), Slice(1)}) - cc.xy.index({Slice(), Slice(0, -1)})).norm(2, -1);
  auto step_ok = f64(cc.valid.index({Slice(), Slice(1)}) & cc.valid.index({Slice(), Slice(0, -1)}));
  out.context_step = column((step * step_ok).sum(1), step_ok.sum(1));
  return out;
}

namespace {

// Resample weights (reps, G) float64: row r counts how often each of G clips was drawn.
torch::Tensor bootstrap_weights(int64_t G, int reps, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int64_t> pick(0, G - 1);
  auto w = torch::zeros({reps, G}, torch::kFloat64);
  auto wa = w.accessor<double, 2>();
  for (int r = 0; r < reps; ++r)
    for (int64_t g = 0; g < G; ++g) wa[r][pick(rng)] += 1;
  return w;
}

// Pooled value of each resample: (reps, G) x (G, M) -> (reps, M), NaN where undefined.
torch::Tensor resampled(const torch::Tensor& w, const RatioStat& per_clip) {
  auto value = w.mm(per_clip.num) / w.mm(per_clip.den);  // (reps, M)
  return torch::where(torch::isfinite(value), value, std::numeric_limits<double>::quiet_NaN());
}

// Percentile interval per column of values (reps, M).
std::vector<Interval> percentiles(const torch::Tensor& values, double level) {
  auto q = torch::tensor({(1 - level) / 2, (1 + level) / 2}, torch::kFloat64);
  auto qs = torch::nanquantile(values, q, 0);  // (2, M)
  std::vector<Interval> out(static_cast<size_t>(values.size(1)));
  for (int64_t m = 0; m < values.size(1); ++m) out[m] = {qs[0][m].item<double>(), qs[1][m].item<double>()};
  return out;
}

void check_bootstrap(int reps, double level) {
  LMM_CHECK(reps >= 1 && level > 0 && level < 1,
            "bootstrap needs reps >= 1 and 0 < level < 1, got " << reps << ", " << level);
}

}  // namespace

std::vector<Interval> bootstrap_ci(const RatioStat& per_clip, int reps, uint64_t seed,
                                   double level) {
  check_bootstrap(reps, level);
  const int64_t G = per_clip.rows();
  if (G == 0) return std::vector<Interval>(static_cast<size_t>(per_clip.cols()));
  return percentiles(resampled(bootstrap_weights(G, reps, seed), per_clip), level);
}

std::vector<Estimate> paired_ratio(const RatioStat& a, const RatioStat& b, const torch::Tensor& clip,
                                   int64_t n_clips, int reps, uint64_t seed, double level) {
  check_bootstrap(reps, level);
  LMM_CHECK(a.rows() == b.rows() && a.cols() == b.cols(),
            "paired_ratio needs the same windows and columns, got " << a.num.sizes() << " and " << b.num.sizes());
  auto ga = a.group(clip, n_clips), gb = b.group(clip, n_clips);
  if (n_clips == 0) return std::vector<Estimate>(static_cast<size_t>(a.cols()));
  auto value = ga.value() / gb.value();  // (M)
  auto w = bootstrap_weights(n_clips, reps, seed);
  auto ratio = resampled(w, ga) / resampled(w, gb);  // (reps, M)
  ratio = torch::where(torch::isfinite(ratio), ratio, std::numeric_limits<double>::quiet_NaN());
  auto ci = percentiles(ratio, level);
  std::vector<Estimate> out;
  for (int64_t m = 0; m < a.cols(); ++m) {
    const double v = value[m].item<double>();
    out.push_back({std::isfinite(v) ? v : std::numeric_limits<double>::quiet_NaN(), ci[m].lo, ci[m].hi});
  }
  return out;
}

std::vector<Estimate> estimate(const RatioStat& per_window, const torch::Tensor& clip,
                               int64_t n_clips, int reps, uint64_t seed) {
  auto g = per_window.group(clip, n_clips);
  auto v = g.value();
  auto ci = bootstrap_ci(g, reps, seed);
  std::vector<Estimate> out;
  for (int64_t m = 0; m < g.cols(); ++m)
    out.push_back({v[m].item<double>(), ci[m].lo, ci[m].hi});
  return out;
}

}  // namespace lmm::eval
