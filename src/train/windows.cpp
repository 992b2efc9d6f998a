// Training windows, the clip-level split and the per-epoch shuffle order.
// Everything here is deterministic across platforms: hashing is FNV-1a + splitmix64,
// shuffling is Fisher-Yates over std::mt19937_64 with rejection sampling (no
// std::uniform_int_distribution, whose output differs between standard libraries).
//   pose (T, 75) per clip; batches context (B, 120, 75), target (B, 30, 75)
#include "lmm/train/windows.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <random>

#include "lmm/core/error.h"

namespace lmm::train {

uint64_t mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

static uint64_t fnv1a(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// Uniform integer in [0, n) without modulo bias.
static uint64_t uniform_below(std::mt19937_64& rng, uint64_t n) {
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t r;
  do r = rng();
  while (r >= limit);
  return r % n;
}

ClipFrames clip_frames(const NormalizedClip& clip) {
  LMM_CHECK(clip.pose.size() == static_cast<size_t>(clip.frames) * kFrameDim,
            "clip " << clip.name << ": pose has " << clip.pose.size() << " values, expected "
                    << clip.frames << " x " << kFrameDim);
  return ClipFrames{clip.name, clip.frames, clip.pose};
}

WindowSpec protocol_spec(const std::string& name, WindowSpec spec) {
  if (name == "paper") spec.context = 120, spec.horizon = 30;
  else if (name == "short") spec.context = 30, spec.horizon = 15;
  else throw ConfigError("protocol '" + name + "': expected paper (120 -> 30 frames) | short (30 -> 15)");
  return spec;
}

std::string protocol_name(const WindowSpec& spec) {
  for (const char* name : {"paper", "short"}) {
    WindowSpec p = protocol_spec(name);
    if (p.context == spec.context && p.horizon == spec.horizon) return name;
  }
  return "custom";
}

WindowSpec window_spec_from_json(const nlohmann::json& data) {
  WindowSpec spec;
  if (!data.is_object()) return spec;
  spec.context = data.value("context", spec.context);
  spec.horizon = data.value("horizon", spec.horizon);
  spec.stride = data.value("stride", spec.stride);
  return spec;
}

int64_t window_count(int frames, const WindowSpec& spec) {
  LMM_CHECK(spec.stride >= 1, "window stride is " << spec.stride << ", expected >= 1");
  LMM_CHECK(spec.context >= 1 && spec.horizon >= 1,
            "window needs context >= 1 and horizon >= 1, got " << spec.context << " and "
                                                                << spec.horizon);
  int len = spec.context + spec.horizon;
  if (frames < len) return 0;
  return (frames - len) / spec.stride + 1;
}

WindowSet::WindowSet(std::vector<ClipFrames> clips, const WindowSpec& spec)
    : spec_(spec), clips_(std::move(clips)) {
  for (size_t c = 0; c < clips_.size(); ++c) {
    const auto& clip = clips_[c];
    LMM_CHECK(clip.pose.size() == static_cast<size_t>(clip.frames) * kFrameDim,
              "clip " << clip.name << ": pose has " << clip.pose.size() << " values, expected "
                      << clip.frames << " x " << kFrameDim);
    int64_t n = window_count(clip.frames, spec_);
    for (int64_t i = 0; i < n; ++i)
      windows_.push_back(Window{static_cast<int>(c), static_cast<int>(i * spec_.stride)});
  }
}

models::Batch WindowSet::batch(const std::vector<int64_t>& idx) const {
  const int64_t B = static_cast<int64_t>(idx.size());
  const int C = spec_.context, H = spec_.horizon;
  auto context = torch::empty({B, C, kFrameDim}, torch::kFloat32);  // (B, 120, 75)
  auto target = torch::empty({B, H, kFrameDim}, torch::kFloat32);   // (B, 30, 75)
  float* pc = context.data_ptr<float>();
  float* pt = target.data_ptr<float>();
  for (int64_t b = 0; b < B; ++b) {
    LMM_CHECK(idx[b] >= 0 && idx[b] < static_cast<int64_t>(windows_.size()),
              "window index " << idx[b] << " out of range [0, " << windows_.size() << ")");
    const Window& w = windows_[idx[b]];
    const float* src = clips_[w.clip].pose.data() + static_cast<size_t>(w.start) * kFrameDim;
    std::memcpy(pc + b * C * kFrameDim, src, sizeof(float) * C * kFrameDim);
    std::memcpy(pt + b * H * kFrameDim, src + static_cast<size_t>(C) * kFrameDim,
                sizeof(float) * H * kFrameDim);
  }
  return models::Batch{context, target};
}

models::Batch WindowSet::batch_range(int64_t begin, int64_t end) const {
  std::vector<int64_t> idx;
  for (int64_t i = begin; i < end; ++i) idx.push_back(i);
  return batch(idx);
}

Split split_by_clip(const std::vector<std::string>& names, double val_frac, uint64_t seed) {
  LMM_CHECK(val_frac >= 0 && val_frac < 1, "validation fraction is " << val_frac
                                                                     << ", expected in [0, 1)");
  std::vector<std::string> clips = names;
  std::sort(clips.begin(), clips.end());
  LMM_CHECK(std::adjacent_find(clips.begin(), clips.end()) == clips.end(),
            "clip names must be unique for a split by clip");
  // The views of one recording ("walk@yaw0", "walk@yaw30") are split as one name.
  std::map<std::string, std::vector<std::string>> views;
  for (const auto& c : clips) views[recording_name(c)].push_back(c);
  std::vector<std::string> sorted;
  for (const auto& v : views) sorted.push_back(v.first);
  const size_t n = sorted.size();
  size_t n_val = static_cast<size_t>(std::llround(val_frac * static_cast<double>(n)));
  if (val_frac > 0 && n >= 2) n_val = std::max<size_t>(n_val, 1);
  if (n_val >= n && n > 0) n_val = n - 1;
  if (n < 2) n_val = 0;

  std::vector<std::pair<uint64_t, std::string>> keyed;
  keyed.reserve(n);
  for (const auto& s : sorted) keyed.emplace_back(mix64(fnv1a(s) ^ mix64(seed)), s);
  std::sort(keyed.begin(), keyed.end());
  Split out;
  for (size_t i = 0; i < n; ++i)
    for (const auto& c : views[keyed[i].second]) (i < n_val ? out.val : out.train).push_back(c);
  std::sort(out.train.begin(), out.train.end());
  std::sort(out.val.begin(), out.val.end());
  return out;
}

std::vector<int64_t> epoch_permutation(int64_t n, uint64_t seed, int64_t epoch) {
  std::vector<int64_t> p(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) p[i] = i;
  std::mt19937_64 rng(mix64(seed ^ mix64(static_cast<uint64_t>(epoch) + 0x5151)));
  for (int64_t i = n - 1; i > 0; --i)
    std::swap(p[i], p[uniform_below(rng, static_cast<uint64_t>(i) + 1)]);
  return p;
}

}  // namespace lmm::train
