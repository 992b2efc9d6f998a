// The table of input formats: each reader registers a name, its extensions, a content probe
// and a decode function (src/io/format_registry.cpp holds the one table). Discovery asks
// every format whose extension matches (or every format, for a directory) to probe; the
// highest score wins, so content decides where formats share an extension (.json, .txt,
// .csv, .npy, .npz). A file no format claims is skipped with a note.
#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "lmm/io/source_motion.h"

namespace lmm::io {

struct ReadOptions;

struct FormatSpec {
  std::string name;                     // "c3d", used by --format
  std::vector<std::string> aliases;     // other --format spellings, e.g. {"kinect"}
  std::string description;              // one line for --help and docs
  std::vector<std::string> extensions;  // lower case with the dot, e.g. {".c3d"}; {} = any
  bool directory = false;               // reads a directory (per-frame files) instead of a file
  // Score for a file (its first bytes in `head`, at most kProbeBytes) or, for a directory
  // format, for a directory (head empty): 0 = not mine, 1..99 plausible, 100 = certain.
  std::function<int(const std::filesystem::path&, std::string_view head)> probe;
  // Directory formats: files inside a claimed directory that the format consumes (are not
  // discovered on their own). Called for every file of the directory: keep it cheap.
  std::function<bool(const std::filesystem::path&)> member;
  // Decodes one file or directory into one or more sub-clips.
  std::function<std::vector<SourceMotion>(const std::filesystem::path&, const ReadOptions&)> read;
};

constexpr size_t kProbeBytes = 64 * 1024;

const std::vector<FormatSpec>& formats();
// By name or alias (case-insensitive), nullptr when unknown.
const FormatSpec* find_format(std::string_view name);
// The first kProbeBytes of a file ("" when it cannot be read).
std::string read_head(const std::filesystem::path& file);
// Best-scoring file format for a file, nullptr when none claims it.
const FormatSpec* probe_file(const std::filesystem::path& file);

}  // namespace lmm::io
