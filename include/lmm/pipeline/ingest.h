// Batch ingest: inputs (files and directories) -> readers -> normalize -> dataset store.
// One bad clip never stops the batch: each failure is recorded (file, frame, reason)
// and the rest go on; every clip is written atomically as soon as it is ready, so
// nothing already written is lost if a later clip (or the process) fails.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "lmm/io/reader.h"
#include "lmm/pipeline/normalize.h"

namespace lmm::pipeline {

struct IngestConfig {
  std::vector<std::filesystem::path> inputs;  // files and/or directories, e.g. {"data/openpose"}
  std::filesystem::path dataset;              // output store, e.g. "ds"
  io::ReadOptions read;                       // format (auto), fps override, 3D view
  // --yaw: every 3D clip is stored once per angle (degrees, core/clip.h), named
  // "<clip>@yaw<a>", e.g. {0, 30, -30}; 2D clips once, unchanged (one note). Empty or {0}:
  // one view at read.yaw, no suffix (the dataset of an ingest without --yaw).
  std::vector<double> yaws;
  NormalizeConfig normalize;                  // 15 FPS, torso 1
  bool progress = true;                       // progress bar / lines on stderr
};

struct IngestFailure {
  std::string file;  // the input that failed
  long frame = -1;   // frame where it failed, -1 when not known
  std::string reason;
};

struct IngestReport {
  int inputs = 0;            // items discovered (a file or frame directory; may hold several clips)
  int inputs_ok = 0;         // items that gave at least one stored clip
  int written = 0;           // clips stored
  long source_frames = 0;    // frames read (at source rates)
  long frames = 0;           // frames stored (15 FPS)
  double seconds = 0;        // wall time
  std::map<std::string, int> by_class;  // usability class -> clips
  std::vector<IngestFailure> failures;
  std::vector<IngestFailure> skipped;   // files no format claims (README, labels.json): a note each
  std::vector<IngestFailure> warnings;  // clips stored, with something the user should know
  std::vector<std::string> notes;       // about the whole batch, e.g. 2D clips --yaw cannot turn
};

IngestReport ingest(const IngestConfig& cfg);

}  // namespace lmm::pipeline
