// Batch ingest driver (see include/lmm/pipeline/ingest.h).
#include "lmm/pipeline/ingest.h"

#include <chrono>

#include "lmm/core/error.h"
#include "lmm/core/progress.h"
#include "lmm/io/dataset.h"

namespace lmm::pipeline {

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
      for (const RawClip& raw : io::read_clips(item, cfg.read)) {
        try {
          for (const auto& w : raw.warnings) rep.warnings.push_back({raw.source_path, -1, w});
          NormalizedClip clip = normalize(raw, cfg.normalize);
          ds.write(clip);
          ++rep.written;
          rep.source_frames += raw.frames;
          rep.frames += clip.frames;
          ++rep.by_class[usability_name(clip.qc.usability)];
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
