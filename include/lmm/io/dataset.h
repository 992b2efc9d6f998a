// The dataset store: a directory with one HDF5 file per normalized clip,
//   DATASET/clips/<name>.h5  written atomically (temp file, then rename),
// so a crash or a bad clip never damages clips already written. Each file holds
//   pose (T,25,3)  velocity/acceleration/jerk (T,25,2)  center (T,2)  [pose3d (T,25,4)]
//   qc/conf_mean, qc/conf_min, qc/missing_frac (25,)
// and attributes name, source_path, source_format, source_fps, source_frames, fps,
// units, scale, qc_class, qc_reason, qc_json. Python: h5py.File(p)["pose"][:].
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "lmm/core/clip.h"

namespace lmm::io {

// Summary of one stored clip, read from attributes only (cheap).
struct ClipInfo {
  std::string name;
  std::string source_format;
  std::string source_path;
  double source_fps = 0;
  int frames = 0;          // at 15 FPS
  std::string qc_class;    // "usable" | "degraded" | "unusable"
  std::string qc_reason;   // why not usable, e.g. "lower body only"; "" when usable
  std::filesystem::path file;
};

class Dataset {
 public:
  // Opens DATASET, creating DATASET/clips when `create` is true.
  explicit Dataset(std::filesystem::path root, bool create = false);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path clip_path(const std::string& name) const;

  void write(const NormalizedClip& clip) const;   // atomic; replaces a clip of that name
  NormalizedClip read(const std::string& name) const;
  std::vector<ClipInfo> list() const;             // sorted by name
  bool contains(const std::string& name) const;

 private:
  std::filesystem::path root_;
};

// Reads one clip file directly.
NormalizedClip read_clip_file(const std::filesystem::path& file);

}  // namespace lmm::io
