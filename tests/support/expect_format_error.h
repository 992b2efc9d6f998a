// Test helper: asserts that a call throws lmm::FormatError whose message names the
// file (a substring of it) and the frame ("frame N", or no frame when frame < 0) and
// contains every string in `parts`.
//   EXPECT_TRUE(throws_format_error([&] { read(...); }, "bad.json", 3, {"75"}));
#pragma once
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lmm/core/error.h"

namespace lmm::test {

template <class F>
::testing::AssertionResult throws_format_error(F&& f, const std::string& file, long frame,
                                               const std::vector<std::string>& parts = {}) {
  try {
    f();
  } catch (const FormatError& e) {
    const std::string m = e.what();
    if (m.find(file) == std::string::npos)
      return ::testing::AssertionFailure() << "message does not name '" << file << "': " << m;
    if (frame >= 0 &&
        (e.frame() != frame || m.find("frame " + std::to_string(frame)) == std::string::npos))
      return ::testing::AssertionFailure() << "expected frame " << frame << ": " << m;
    if (frame < 0 && e.frame() >= 0)
      return ::testing::AssertionFailure() << "expected no frame: " << m;
    for (const auto& p : parts)
      if (m.find(p) == std::string::npos)
        return ::testing::AssertionFailure() << "message lacks '" << p << "': " << m;
    return ::testing::AssertionSuccess() << m;
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw another exception: " << e.what();
  }
  return ::testing::AssertionFailure() << "did not throw";
}

}  // namespace lmm::test
