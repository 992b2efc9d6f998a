// Shared helpers for tests: temporary directories, real-data lookup (skips with a
// clear message when ../shared/data is absent), and small generated fixtures.
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "lmm/core/clip.h"

namespace lmm::test {

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& s) const { return path_ / s; }

 private:
  std::filesystem::path path_;
};

// ../shared/data/<rel>, or "" when absent (callers GTEST_SKIP with the returned message).
std::filesystem::path shared_data(const std::string& rel);

// Runs the real `lmm` CLI with `args`; returns its exit code and fills `out` with
// stdout+stderr.
int run_cli(const std::string& args, std::string* out = nullptr);

// A TCP port on 127.0.0.1 that was free a moment ago (for rendezvous in distributed tests).
int free_tcp_port();

// One BODY_25 frame (75 values: x, y, confidence 1) of a standing person in image axes
// (y down), MidHip at the origin, torso (Neck-MidHip) length 1, arms out sideways.
std::vector<float> standing_pose();

}  // namespace lmm::test
