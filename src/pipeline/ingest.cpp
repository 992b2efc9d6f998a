// Batch ingest driver (see include/lmm/pipeline/ingest.h). A long C3D goes through the block
// path (io/c3d_blocks.h + normalize_blocks.h: one block of source frames in memory at a
// time), which stores the same clips as read_clips + normalize.
#include "lmm/pipeline/ingest.h"

#include <chrono>

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

// The clips of a long C3D, each read and normalized block by block. The file's own errors
// (FormatError from C3dBlocks) fail the item as read_clips' do; a part's, that part only.
void ingest_c3d_blocks(const io::InputItem& item, const IngestConfig& cfg, io::Dataset& ds, IngestReport& rep) {
  const io::C3dBlocks blocks(item.path, cfg.read);
  const std::string name = item.name.empty() ? item.path.stem().string() : item.name;
  for (size_t i = 0; i < blocks.parts(); ++i) {
    const std::string clip_name = blocks.part(i).empty() ? name : name + "_" + blocks.part(i);
    try {
      BlockNormalizer n(cfg.normalize, blocks.frames());
      blocks.read(i, io::kC3dBlockFrames, [&](RawClip&& block, int) {
        block.name = clip_name;
        for (const auto& w : block.warnings) rep.warnings.push_back({block.source_path, -1, w});
        n.add(block);
      });
      store(ds, n.finish(), rep);
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
  for (const auto& item : items) {
    try {
      const int before = rep.written;
      if (item.format == "c3d" && io::c3d_block_path(item.path)) ingest_c3d_blocks(item, cfg, ds, rep);
      else for (const RawClip& raw : io::read_clips(item, cfg.read)) {
        try {
          for (const auto& w : raw.warnings) rep.warnings.push_back({raw.source_path, -1, w});
          store(ds, normalize(raw, cfg.normalize), rep);
        } catch (const FormatError& e) {  // one bad sub-clip never loses its siblings
          rep.failures.push_back({e.file().empty() ? item.path.string() : e.file(), e.frame(),
                                  raw.name + ": " + e.reason()});
        }
      }
      if (rep.written > before) ++rep.inputs_ok;
    } catch (const FormatError& e) {
      rep.failures.push_back({e.file().empty() ? item.path.string() : e.file(), e.frame(), e.reason()});
    } catch (const std::exception& e) {  // lmm::Error or a library's exception: still one clip
      rep.failures.push_back({item.path.string(), -1, e.what()});
    }
    bar.tick();
  }
  bar.done();
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return rep;
}

}  // namespace lmm::pipeline
