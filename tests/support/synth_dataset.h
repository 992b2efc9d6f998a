// Test fixture: a small dataset store of procedurally synthesized, normalized clips
// (pipeline::synthesize -> normalize -> Dataset::write), e.g. for `lmm train` tests.
//   DATASET/clips/<motion>_<seed>.h5, pose (T, 25, 3) at 15 FPS
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "lmm/io/dataset.h"
#include "lmm/pipeline/normalize.h"
#include "lmm/pipeline/synth.h"

namespace lmm::test {

// Writes n clips of `seconds` seconds of mixed motion (video domain, 30 FPS) to `dir`;
// returns their names.
inline std::vector<std::string> make_synth_dataset(const std::filesystem::path& dir, int n, double seconds,
                                                   uint64_t seed = 1, const std::string& motion = "mixed") {
  io::Dataset ds(dir, true);
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) {
    pipeline::SynthConfig cfg;
    cfg.motion = motion;
    cfg.fps = 30;
    cfg.frames = static_cast<int>(seconds * cfg.fps);
    cfg.seed = seed * 1000 + i;
    NormalizedClip clip = pipeline::normalize(pipeline::synthesize(cfg));
    ds.write(clip);
    names.push_back(clip.name);
  }
  return names;
}

}  // namespace lmm::test
