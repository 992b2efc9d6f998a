// Where lmm looks for files it ships beside its sources (models/mediapipe, models/pretrained):
// the current directory, then every directory above the running executable (build/lmm,
// build/tests/lmm_tests, <prefix>/bin/lmm all find the tree they were built from).
#pragma once
#include <filesystem>
#include <vector>

namespace lmm {

// ./rel, then <dir>/rel for each ancestor <dir> of /proc/self/exe, nearest first.
std::vector<std::filesystem::path> install_candidates(const std::filesystem::path& rel);

}  // namespace lmm
