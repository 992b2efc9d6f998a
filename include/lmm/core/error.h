// Typed errors thrown by the lmm library.
// Library code never exits: it throws one of these, and only apps/ turns them into
// messages and exit codes. Every message names what was being read (file, frame)
// and what was expected, so a user can fix the input without a debugger.
#pragma once
#include <stdexcept>
#include <string>

namespace lmm {

// Base of every error lmm throws on purpose.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Input that cannot be read as the format it claims to be: truncated, NaN, wrong
// joint count, missing markers. Carries the file and (when known, else -1) the frame.
class FormatError : public Error {
 public:
  FormatError(std::string file, long frame, const std::string& what);
  const std::string& file() const { return file_; }
  long frame() const { return frame_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string file_;
  long frame_;
  std::string reason_;
};

// The operating system refused: missing file, permission, disk full, rename failed.
class IoError : public Error {
 public:
  using Error::Error;
};

// A configuration or command-line value out of range or inconsistent.
class ConfigError : public Error {
 public:
  using Error::Error;
};

// A checkpoint or dataset file with the wrong magic, version or shapes.
class CheckpointError : public Error {
 public:
  using Error::Error;
};

// A distributed-training failure: a peer died, timed out or disagreed.
class DistError : public Error {
 public:
  using Error::Error;
};

}  // namespace lmm

// Throws lmm::ConfigError with the streamed message when cond is false, e.g.
//   LMM_CHECK(T >= 1, "clip has " << T << " frames, expected >= 1");
#include <sstream>
#define LMM_CHECK(cond, msg)                                   \
  do {                                                         \
    if (!(cond)) {                                             \
      std::ostringstream lmm_check_os_;                        \
      lmm_check_os_ << msg;                                    \
      throw ::lmm::ConfigError(lmm_check_os_.str());           \
    }                                                          \
  } while (0)
