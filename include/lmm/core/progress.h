// Progress reporting for long work: a redrawn bar with rate and ETA when stderr is a
// terminal, plain lines (at most one every few seconds, plus the last) when piped.
//   Progress p("ingest", n_files, "files");  for (...) { ...; p.tick(); }  p.done();
#pragma once
#include <chrono>
#include <cstdio>
#include <string>

namespace lmm {

class Progress {
 public:
  Progress(std::string label, long total, std::string unit = "items", bool enabled = true);
  ~Progress();
  void tick(long n = 1, const std::string& note = "");  // n more done; note shown at the end
  void set(long done, const std::string& note = "");
  void done();                                          // final line; idempotent

 private:
  void draw(bool force);
  std::string label_, unit_, note_;
  long total_, done_ = 0, drawn_ = -1;  // drawn_: count shown by the last line
  bool enabled_, tty_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace lmm
