// Dataset store -> train/val WindowSets: filter by QC and length, split by clip,
// read the poses (with a progress bar) and cut windows.
//   pose (T, 25, 3) per clip -> ClipFrames (T, 75)
#include "lmm/train/training_data.h"

#include <algorithm>
#include <array>
#include <regex>
#include <set>
#include <sstream>

#include "lmm/core/body25.h"
#include "lmm/core/error.h"
#include "lmm/core/progress.h"
#include "lmm/io/dataset.h"

namespace lmm::train {
namespace fs = std::filesystem;

namespace {

// Split of the eligible clip names: a forced validation list, else the clips matching
// val_match (on the recording name: every view of it goes to the same side), else a seeded share by clip.
Split split_names(const std::vector<std::string>& names, const DataConfig& cfg) {
  Split s;
  if (!cfg.val_clips.empty()) {
    std::set<std::string> forced(cfg.val_clips.begin(), cfg.val_clips.end());
    for (const auto& n : names) (forced.count(n) ? s.val : s.train).push_back(n);
  } else if (!cfg.val_match.empty()) {
    std::regex re;
    try {
      re = std::regex(cfg.val_match);
    } catch (const std::regex_error& e) {
      throw ConfigError("validation pattern '" + cfg.val_match + "' is not a valid regex: " + e.what());
    }
    for (const auto& n : names) (std::regex_search(recording_name(n), re) ? s.val : s.train).push_back(n);
    LMM_CHECK(!s.val.empty() && !s.train.empty(),
              "validation pattern '" << cfg.val_match << "' matches " << s.val.size() << " of " << names.size()
                                     << " clips; expected some but not all");
  } else {
    return split_by_clip(names, cfg.val_frac, cfg.split_seed);
  }
  std::sort(s.train.begin(), s.train.end());
  std::sort(s.val.begin(), s.val.end());
  return s;
}

}  // namespace

nlohmann::json TrainingData::describe(const DataConfig& cfg) const {
  return {{"dataset", cfg.dataset.empty() ? std::string() : fs::absolute(cfg.dataset).lexically_normal().string()},
          {"split_seed", cfg.split_seed},
          {"val_frac", cfg.val_frac},
          {"val_match", cfg.val_match},
          {"stride", cfg.windows.stride},
          {"context", cfg.windows.context},
          {"horizon", cfg.windows.horizon},
          {"skip_unusable", cfg.skip_unusable},
          {"skip_partial", cfg.skip_partial},
          {"val_clips", split.val},
          {"train_clips", split.train.size()},
          {"train_windows", train.size()},
          {"val_windows", val.size()},
          {"trained_joints", joint_names_json(trained_joints)}};
}

DataConfig data_config_from_json(const nlohmann::json& d) {
  DataConfig c;
  c.dataset = d.value("dataset", std::string());
  c.split_seed = d.value("split_seed", c.split_seed);
  c.val_frac = d.value("val_frac", c.val_frac);
  c.windows = window_spec_from_json(d);
  c.skip_unusable = d.value("skip_unusable", c.skip_unusable);
  c.skip_partial = d.value("skip_partial", c.skip_partial);
  c.val_clips = d.value("val_clips", std::vector<std::string>());
  c.val_match = d.value("val_match", std::string());
  return c;
}

std::vector<int> trained_joints(const WindowSet& set, double min_share) {
  std::array<int64_t, kNumJoints> seen{};
  int64_t frames = 0;
  for (const auto& clip : set.clips()) {
    frames += clip.frames;
    for (int t = 0; t < clip.frames; ++t)
      for (int j = 0; j < kNumJoints; ++j) seen[j] += clip.pose[static_cast<size_t>(t) * kFrameDim + 3 * j + 2] > 0;
  }
  std::vector<int> out;
  for (int j = 0; j < kNumJoints; ++j)
    if (frames > 0 && seen[j] >= min_share * static_cast<double>(frames)) out.push_back(j);
  return out;
}

nlohmann::json joint_names_json(const std::vector<int>& joints) {
  nlohmann::json a = nlohmann::json::array();
  for (int j : joints) a.push_back(std::string(joint_name(j)));
  return a;
}

std::vector<int> joints_from_json(const nlohmann::json& names) {
  LMM_CHECK(names.is_array(), "trained joints must be a list of BODY_25 joint names, got " << names.dump());
  std::vector<int> out;
  for (const auto& n : names) {
    const int j = n.is_string() ? joint_index(n.get<std::string>()) : -1;
    LMM_CHECK(j >= 0, "trained joint " << n.dump() << " is not a BODY_25 joint name (e.g. \"RWrist\")");
    out.push_back(j);
  }
  return out;
}

std::string TrainingData::summary() const {
  std::ostringstream os;
  os << n_listed << " clips: " << split.train.size() << " train (" << train.size() << " windows), "
     << split.val.size() << " val (" << val.size() << " windows)";
  if (n_unusable) os << "; skipped " << n_unusable << " unusable (QC)";
  if (n_partial) os << "; skipped " << n_partial << " partial bodies (QC: lower/upper body only)";
  if (n_unreadable) os << "; skipped " << n_unreadable << " unreadable";
  if (n_short) os << "; skipped " << n_short << " shorter than one window";
  return os.str();
}

namespace {

// Splits the eligible clips by name and cuts the windows of each side.
void assemble(TrainingData& d, std::vector<ClipFrames> keep, const DataConfig& cfg) {
  std::vector<std::string> names;
  for (const auto& c : keep) names.push_back(c.name);
  d.split = split_names(names, cfg);
  std::set<std::string> val_set(d.split.val.begin(), d.split.val.end());
  std::vector<ClipFrames> tr, va;
  for (auto& c : keep) (val_set.count(c.name) ? va : tr).push_back(std::move(c));
  auto by_name = [](const ClipFrames& a, const ClipFrames& b) { return a.name < b.name; };
  std::sort(tr.begin(), tr.end(), by_name);
  std::sort(va.begin(), va.end(), by_name);
  d.train = WindowSet(std::move(tr), cfg.windows);
  d.val = WindowSet(std::move(va), cfg.windows);
  d.trained_joints = trained_joints(d.train);
}

}  // namespace

bool is_partial_body(const std::string& qc_reason) {
  return qc_reason.find("lower body only") != std::string::npos ||
         qc_reason.find("upper body only") != std::string::npos;
}

TrainingData make_training_data(std::vector<ClipFrames> clips, const std::vector<std::string>& qc_class,
                                const DataConfig& cfg) {
  LMM_CHECK(qc_class.empty() || qc_class.size() == clips.size(),
            qc_class.size() << " QC classes for " << clips.size() << " clips");
  TrainingData d;
  d.n_listed = static_cast<int>(clips.size());
  std::vector<ClipFrames> keep;
  for (size_t i = 0; i < clips.size(); ++i) {
    if (cfg.skip_unusable && !qc_class.empty() && qc_class[i] == "unusable") ++d.n_unusable;
    else if (window_count(clips[i].frames, cfg.windows) == 0) ++d.n_short;
    else keep.push_back(std::move(clips[i]));
  }
  LMM_CHECK(!keep.empty(), "no clip left for training (" << d.summary() << ")");
  assemble(d, std::move(keep), cfg);
  return d;
}

TrainingData load_training_data(const DataConfig& cfg) {
  io::Dataset ds(cfg.dataset);
  auto infos = ds.list();
  TrainingData d;
  d.n_listed = static_cast<int>(infos.size());
  std::vector<io::ClipInfo> eligible;
  for (const auto& info : infos) {
    if (info.qc_class == "unreadable") ++d.n_unreadable;
    else if (cfg.skip_unusable && info.qc_class == "unusable") ++d.n_unusable;
    else if (cfg.skip_partial && is_partial_body(info.qc_reason)) ++d.n_partial;
    else if (window_count(info.frames, cfg.windows) == 0) ++d.n_short;
    else eligible.push_back(info);
  }
  LMM_CHECK(!eligible.empty(), cfg.dataset.string() << ": no clip left for training (" << d.summary() << ")");
  std::vector<ClipFrames> keep;
  Progress bar("reading clips", static_cast<long>(eligible.size()), "clips", cfg.progress);
  for (const auto& info : eligible) {
    keep.push_back(clip_frames(io::read_clip_file(info.file)));
    bar.tick();
  }
  bar.done();
  assemble(d, std::move(keep), cfg);
  return d;
}

}  // namespace lmm::train
