// Forecast evaluation metrics (spec 4, 5, 6.1): per-frame position and velocity MSE,
// zero- and constant-velocity baselines, multi-sample summaries (single sample, mean of
// K, best of K, diversity APD), plausibility (bone-length drift, centre-of-mass seam jump,
// out-of-range frames) and clip-level bootstrap confidence intervals.
//   context (N, 120, 75)   pred / target (N, H, 75)   samples (K, N, H, 75)
//   clip    (N) int64: index (0..G-1) of the clip each window was cut from
// Every metric is a ratio of sums (RatioStat: numerator and denominator per window and
// column), so pooling windows, grouping by clip and bootstrapping treat all metrics alike;
// pooled over windows, position MSE equals models::position_mse on the same tensors.
// Definitions and limits are documented in docs/evaluation.md.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <limits>
#include <vector>

namespace lmm::eval {

// A metric as per-row numerator and denominator columns: the value of column m over
// a set of rows is sum(num[:, m]) / sum(den[:, m]). Rows are windows or clips.
struct RatioStat {
  torch::Tensor num;  // (N, M) float64
  torch::Tensor den;  // (N, M) float64

  int64_t rows() const { return num.size(0); }
  int64_t cols() const { return num.size(1); }
  // (M) pooled value; NaN where the denominator sums to 0.
  torch::Tensor value() const;
  // Sums rows that share a clip: clip (N) int64 in [0, n_groups) -> (n_groups, M).
  RatioStat group(const torch::Tensor& clip, int64_t n_groups) const;
  // Multiplies row n's numerator by factor[n] (N), e.g. scale^2 to get source units.
  RatioStat scaled(const torch::Tensor& factor) const;
};

// (..., 25) bool: joints with confidence > 0 in frames (..., 75).
torch::Tensor visible(const torch::Tensor& frames);
// (..., 25, 2) positions of frames (..., 75).
torch::Tensor positions(const torch::Tensor& frames);

// Position MSE per forecast frame over x, y of joints visible in the target:
// columns 0..H-1 are frames 1..H (the error AT that frame), column H is all frames.
RatioStat position_error(const torch::Tensor& pred, const torch::Tensor& target);
// The same per BODY_25 joint over all forecast frames: column j is joint j (25 columns),
// pooled over the frames where joint j is visible in the target.
RatioStat position_error_per_joint(const torch::Tensor& pred, const torch::Tensor& target);

// Velocity MSE: v_h = x_h - x_{h-1} (normalized units per frame), with x_0 the last
// context frame, so the seam counts; over joints visible in both target frames (the
// context frame for h = 1). Columns as in position_error.
RatioStat velocity_error(const torch::Tensor& pred, const torch::Tensor& target,
                         const torch::Tensor& context);

// Baselines (N, H, 75); confidence channels copy the last context frame.
// Zero velocity: every forecast frame repeats the last context frame.
torch::Tensor zero_velocity_forecast(const torch::Tensor& context, int horizon);
// Constant velocity: x_h = x_0 + h * (x_0 - x_{-1}) from the last two context frames;
// joints not visible in both of them keep zero velocity.
torch::Tensor constant_velocity_forecast(const torch::Tensor& context, int horizon);

// Multi-sample summaries of samples (K, N, H, 75).
// Mean of K: positions averaged over samples, confidence from sample 0.  -> (N, H, 75)
torch::Tensor sample_mean(const torch::Tensor& samples);
// Best of K (oracle: needs the target): per window, the sample with the lowest position
// MSE over all H frames.  -> (N, H, 75)
torch::Tensor best_of_k(const torch::Tensor& samples, const torch::Tensor& target);
// Diversity (APD): per window, mean over sample pairs i != j, frames and joints visible
// in the target of the Euclidean distance |xy_i - xy_j| (normalized units). 1 column;
// rows with K < 2 have denominator 0.
RatioStat sample_diversity(const torch::Tensor& samples, const torch::Tensor& target);

// Thresholds for "outside anatomical range" (docs/evaluation.md explains the choice).
struct PlausibilityLimits {
  float bone_growth = 1.25f;    // a bone longer than 1.25 x its longest length in the context
  float max_reach = 3.0f;       // a joint farther than 3 torso lengths from MidHip
  float min_bone_ref = 0.02f;   // bones shorter than this in the context are not judged
};

// Plausibility of a forecast (or of the ground truth, as a reference), 1 column each.
// Bones are the 13 limb and torso bones kBones[0..12] (face and foot bones are too short
// for their length to be judged against detection noise).
struct Plausibility {
  RatioStat bone_drift;     // mean |L - L_ref| / L_ref; L_ref = median length in the context
  RatioStat seam_jump;      // |com(first forecast frame) - com(last context frame)|
  RatioStat context_step;   // mean |com(t) - com(t-1)| over the context (typical motion)
  RatioStat out_of_range;   // share of forecast frames with any joint outside the limits
};
// com(frame) = mean position of the frame's visible joints (relative to MidHip, since
// normalized clips are hip-centred).
Plausibility plausibility(const torch::Tensor& pred, const torch::Tensor& context,
                          const PlausibilityLimits& limits = {});

// Percentile bootstrap over rows (clips): resample rows with replacement `reps` times
// (fixed seed), take the pooled value per resample, return the (1-level)/2 and
// (1+level)/2 quantiles per column. NaN bounds for columns without data.
struct Interval {
  double lo = std::numeric_limits<double>::quiet_NaN();
  double hi = std::numeric_limits<double>::quiet_NaN();
};
std::vector<Interval> bootstrap_ci(const RatioStat& per_clip, int reps = 1000,
                                   uint64_t seed = 1, double level = 0.95);

// A pooled value with its bootstrap interval.
struct Estimate {
  double value = std::numeric_limits<double>::quiet_NaN();
  double lo = std::numeric_limits<double>::quiet_NaN();
  double hi = std::numeric_limits<double>::quiet_NaN();
};
// Groups per-window stats by clip, then pools and bootstraps: one Estimate per column.
std::vector<Estimate> estimate(const RatioStat& per_window, const torch::Tensor& clip,
                               int64_t n_clips, int reps = 1000, uint64_t seed = 1);

// Column m of a over column m of b, both pooled over the same windows (e.g. a model's
// position MSE over zero velocity's), with a paired percentile bootstrap: each resample
// draws clips once and pools both from them, so what a and b share (hard clips, easy
// clips) cancels and the interval says whether a is below b on these windows.
// a, b (N, M) per window -> M Estimates of value(a) / value(b).
std::vector<Estimate> paired_ratio(const RatioStat& a, const RatioStat& b, const torch::Tensor& clip,
                                   int64_t n_clips, int reps = 1000, uint64_t seed = 1, double level = 0.95);

}  // namespace lmm::eval
