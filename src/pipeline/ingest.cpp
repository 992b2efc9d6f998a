// Batch ingest driver (see include/lmm/pipeline/ingest.h). A long C3D goes through the block
// path (io/c3d_blocks.h + normalize_blocks.h: one block of source frames in memory at a
// time), which stores the same clips as read_clips + normalize. With several yaw angles a
// 3D clip is read once and projected once per angle (RawClip::pose3d is kept), in the
// block path by one BlockNormalizer per angle fed the same blocks.
#include "lmm/pipeline/ingest.h"

#include <fmt/core.h>

#include <chrono>
#include <memory>

#include "lmm/core/error.h"
#include "lmm/core/progress.h"
#include "lmm/io/c3d_blocks.h"
#include "lmm/io/dataset.h"
#include "lmm/pipeline/normalize_blocks.h"

namespace lmm::pipeline {
namespace {

void store(io::Dataset& ds, const NormalizedClip& clip, IngestReport& rep) {
  ds.write(clip);
  ++rep.written;
  rep.source_frames += clip.source_frames;
  rep.frames += clip.frames;
  ++rep.by_class[usability_name(clip.qc.usability)];
}

// Whether 3D clips are stored at several angles (named with "@yaw<a>") rather than once.
bool several_yaws(const IngestConfig& cfg) {
  return !(cfg.yaws.empty() || (cfg.yaws.size() == 1 && cfg.yaws[0] == 0));
}

// Projects raw (which has pose3d) to yaw angle k of cfg and names it after `recording`.
void turn_to(RawClip& raw, const IngestConfig& cfg, size_t k, const std::string& recording) {
  project_orthographic(raw, cfg.read.view, cfg.yaws[k]);
  raw.name = yaw_clip_name(recording, cfg.yaws[k]);
}

// Normalizes and stores one clip; its FormatError fails that clip only.
void store_clip(io::Dataset& ds, const RawClip& raw, const io::InputItem& item, const IngestConfig& cfg,
                IngestReport& rep) {
  try {
    store(ds, normalize(raw, cfg.normalize), rep);
  } catch (const FormatError& e) {  // one bad sub-clip (or view) never loses its siblings
    rep.failures.push_back({e.file().empty() ? item.path.string() : e.file(), e.frame(), raw.name + ": " + e.reason()});
  }
}

// The clips read_clips gives for item, each stored once, or once per yaw angle for 3D clips.
// Returns the number of 2D clips among them.
int ingest_clips(const io::InputItem& item, const IngestConfig& cfg, io::Dataset& ds, IngestReport& rep) {
  int flat = 0;
  for (RawClip& raw : io::read_clips(item, cfg.read)) {
    for (const auto& w : raw.warnings) rep.warnings.push_back({raw.source_path, -1, w});
    if (raw.pose3d.empty()) ++flat;
    if (raw.pose3d.empty() || !several_yaws(cfg)) {
      store_clip(ds, raw, item, cfg, rep);
      continue;
    }
    const std::string recording = raw.name;
    for (size_t k = 0; k < cfg.yaws.size(); ++k) {
      turn_to(raw, cfg, k, recording);
      store_clip(ds, raw, item, cfg, rep);
    }
  }
  return flat;
}

// The clips of a long C3D, each read and normalized block by block (one normalizer per yaw
// angle). The file's own errors (FormatError from C3dBlocks) fail the item as read_clips'
// do; a part's, that part only (every angle of it).
void ingest_c3d_blocks(const io::InputItem& item, const IngestConfig& cfg, io::Dataset& ds, IngestReport& rep) {
  const io::C3dBlocks blocks(item.path, cfg.read);
  const std::string name = item.name.empty() ? item.path.stem().string() : item.name;
  const size_t views = several_yaws(cfg) ? cfg.yaws.size() : 1;
  for (size_t i = 0; i < blocks.parts(); ++i) {
    const std::string clip_name = blocks.part(i).empty() ? name : name + "_" + blocks.part(i);
    try {
      std::vector<std::unique_ptr<BlockNormalizer>> n;
      for (size_t k = 0; k < views; ++k) n.push_back(std::make_unique<BlockNormalizer>(cfg.normalize, blocks.frames()));
      blocks.read(i, io::kC3dBlockFrames, [&](RawClip&& block, int) {
        block.name = clip_name;
        for (const auto& w : block.warnings) rep.warnings.push_back({block.source_path, -1, w});
        for (size_t k = 0; k < views; ++k) {
          if (views > 1) turn_to(block, cfg, k, clip_name);
          n[k]->add(block);
        }
      });
      for (auto& v : n) store(ds, v->finish(), rep);
    } catch (const FormatError& e) {
      rep.failures.push_back({e.file().empty() ? item.path.string() : e.file(), e.frame(), clip_name + ": " + e.reason()});
    }
  }
}

}  // namespace

IngestReport ingest(const IngestConfig& cfg) {
  auto t0 = std::chrono::steady_clock::now();
  IngestReport rep;
  io::Dataset ds(cfg.dataset, /*create=*/true);
  io::Discovery found = io::discover(cfg.inputs, cfg.read.format);
  const std::vector<io::InputItem>& items = found.items;
  for (const auto& s : found.skipped) rep.skipped.push_back({s.path.string(), -1, s.reason});
  rep.inputs = static_cast<int>(items.size());
  Progress bar("ingest", rep.inputs, "clips", cfg.progress);
  int flat = 0;  // 2D clips (stored once whatever the yaw angles)
  for (const auto& item : items) {
    try {
      const int before = rep.written;
      if (item.format == "c3d" && io::c3d_block_path(item.path)) ingest_c3d_blocks(item, cfg, ds, rep);
      else flat += ingest_clips(item, cfg, ds, rep);
      if (rep.written > before) ++rep.inputs_ok;
    } catch (const FormatError& e) {
      rep.failures.push_back({e.file().empty() ? item.path.string() : e.file(), e.frame(), e.reason()});
    } catch (const std::exception& e) {  // lmm::Error or a library's exception: still one clip
      rep.failures.push_back({item.path.string(), -1, e.what()});
    }
    bar.tick();
  }
  bar.done();
  if (flat > 0 && several_yaws(cfg))
    rep.notes.push_back(fmt::format("--yaw turns 3D sources only: {} 2D clip{} stored once, without a view suffix",
                                    flat, flat == 1 ? " was" : "s were"));
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return rep;
}

}  // namespace lmm::pipeline
