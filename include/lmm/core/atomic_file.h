// Atomic file writes: write to "<path>.tmp.<pid>", flush, then rename over <path>,
// so readers see either the old file or the complete new one, never a partial one.
#pragma once
#include <filesystem>
#include <functional>
#include <string>

namespace lmm {

// Calls write(tmp_path) and renames tmp_path to path; removes the temp file and
// rethrows if write throws. Throws IoError when the rename fails.
void write_atomic(const std::filesystem::path& path,
                  const std::function<void(const std::filesystem::path&)>& write);

// Writes `text` to `path` atomically.
void write_text_atomic(const std::filesystem::path& path, const std::string& text);

// Reads a whole file; throws IoError naming the path when it cannot.
std::string read_text(const std::filesystem::path& path);

}  // namespace lmm
