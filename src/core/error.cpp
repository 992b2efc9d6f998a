#include "lmm/core/error.h"

namespace lmm {

static std::string format_message(const std::string& file, long frame, const std::string& what) {
  std::string m = file;
  if (frame >= 0) m += ": frame " + std::to_string(frame);
  return m + ": " + what;
}

FormatError::FormatError(std::string file, long frame, const std::string& what)
    : Error(format_message(file, frame, what)), file_(std::move(file)), frame_(frame), reason_(what) {}

}  // namespace lmm
