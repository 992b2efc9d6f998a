// Long C3D recordings read block by block, so that memory stays bounded (docs/reliability.md,
// "Scale"): the file is mapped, its header and parameters parsed once, and each sub-clip
// (subject) is decoded, converted to mm and Y up, mapped to BODY_25 and projected one block
// of source frames at a time. Every whole-clip decision of read_c3d_motions is made before
// the first block, from the same data, so the blocks are exactly the frames read_clips gives:
//   subjects, prefixes, marker set   the labels (no frames needed)
//   "markers are gaps in every frame" the frames from the first on, until one is seen
//   up axis (body, else floor)       the same sampled frames (every T/500th, every T/200th)
// A block is the RawClip to_raw_clip makes of a SourceMotion holding only those frames:
//   RawClip::pose3d (B, 25, 4) X, Y(up), Z mm, confidence;  pose (B, 25, 3) the 2D view
// The first block carries the clip's warnings and qc_flags; later blocks none.
#pragma once
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "lmm/core/clip.h"
#include "lmm/io/reader.h"

namespace lmm::io {

// Decoded point bytes (frames x markers x 4 floats) above which ingest reads a C3D in blocks.
constexpr size_t kC3dBlockPathBytes = size_t{200} << 20;
// Source frames per block: 60 s at 120 Hz (~9 MB of 80 decoded markers).
constexpr int kC3dBlockFrames = 7200;

// Whether ingest should read `file` in blocks: the environment variable LMM_C3D_BLOCKS = "1"
// forces it (tests on small files), "0" turns it off; otherwise when the decoded points
// would exceed kC3dBlockPathBytes. False for a file that cannot be parsed (the ordinary
// path then reports it).
bool c3d_block_path(const std::filesystem::path& file);

class C3dBlocks {
 public:
  // Maps and parses `file` and makes the whole-clip decisions (see above). Throws what
  // read_c3d_motions throws for the file (FormatError, IoError), in the same order.
  C3dBlocks(const std::filesystem::path& file, const ReadOptions& opt);
  ~C3dBlocks();
  C3dBlocks(const C3dBlocks&) = delete;
  C3dBlocks& operator=(const C3dBlocks&) = delete;

  size_t parts() const;                    // sub-clips, as read_c3d_motions gives them
  const std::string& part(size_t i) const; // its name: "" or the subject prefix
  int frames() const;                      // source frames of every part

  // Reads part i in consecutive blocks of up to block_frames source frames: fn(block, first)
  // with block = frames [first, first + block.frames) of the clip read_clips would return
  // (name not set). Mapped pages are dropped behind each block.
  void read(size_t i, int block_frames, const std::function<void(RawClip&& block, int first)>& fn) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lmm::io
