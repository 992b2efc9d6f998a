// normalize() for a clip that arrives as consecutive blocks of source frames (a long
// recording read in blocks, io/c3d_blocks.h), so that only one block of source-rate data is
// in memory: each block is resampled to 15 FPS as it comes (the last source frame of the
// previous block is kept for the interpolation across the boundary), and the whole-clip
// statistics normalize() takes over the source frames are gathered as per-frame values:
//   torso scale and body coverage   2D Neck-MidHip (else thigh, shoulder) lengths per frame
//   centre fallback                 source frames with the centre joint, kept only while no
//                                   15 FPS frame has it
//   geometry findings (qc.h)        3D thigh and Neck-MidHip lengths, "above/below" counts
//   non-finite values               the first one of pose (thrown at once) and of pose3d
// Medians of the same values are the same numbers, so the clip does not depend on how it is
// cut into blocks (tests/unit/test_c3d_blocks.cpp); normalize() is this class fed the whole
// clip as one block, so there is one implementation of normalization. Memory: the
// 15 FPS arrays plus one double per source frame and length kind (~7 MB per kind for
// 2 h at 120 Hz).
//   block: RawClip pose (B, 25, 3), pose3d (B, 25, 4) or empty, all blocks alike
#pragma once
#include <memory>

#include "lmm/core/clip.h"
#include "lmm/pipeline/normalize.h"

namespace lmm::pipeline {

class BlockNormalizer {
 public:
  // expected_frames: source frames the clip will have, to size the 15 FPS arrays once
  // (0 = unknown). Throws ConfigError for an invalid cfg, as normalize() does.
  explicit BlockNormalizer(const NormalizeConfig& cfg = {}, int expected_frames = 0);
  ~BlockNormalizer();
  BlockNormalizer(const BlockNormalizer&) = delete;
  BlockNormalizer& operator=(const BlockNormalizer&) = delete;

  // The next source frames. The first block gives the clip's name, source path and format,
  // units, fps and qc_flags; later blocks' are ignored. Throws FormatError as normalize()
  // would for a wrong size, a rate <= 0 or a non-finite pose value (frame = source frame).
  void add(const RawClip& block);
  // The normalized clip of all blocks added (normalize()'s FormatErrors otherwise).
  NormalizedClip finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lmm::pipeline
