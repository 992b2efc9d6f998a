#include "lmm/core/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace lmm {

static std::string fmt_secs(double s) {
  if (!std::isfinite(s) || s < 0) return "--:--";
  long t = static_cast<long>(s + 0.5);
  char buf[32];
  if (t >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%02ld:%02ld", t / 60, t % 60);
  return buf;
}

Progress::Progress(std::string label, long total, std::string unit, bool enabled)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), enabled_(enabled),
      tty_(::isatty(STDERR_FILENO) != 0), start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() { done(); }

void Progress::tick(long n, const std::string& note) { set(done_ + n, note); }

void Progress::set(long d, const std::string& note) {
  done_ = d;
  if (!note.empty()) note_ = note;
  draw(false);
}

void Progress::done() {
  if (finished_) return;
  draw(true);
  finished_ = true;
  if (enabled_ && tty_) std::fputc('\n', stderr);
}

void Progress::draw(bool force) {
  if (!enabled_ || finished_) return;
  auto now = std::chrono::steady_clock::now();
  double since = std::chrono::duration<double>(now - last_draw_).count();
  bool last = total_ > 0 && done_ >= total_;
  if (!force && !last && since < (tty_ ? 0.1 : 5.0)) return;
  if (!tty_ && done_ == drawn_) return;  // piped: never the same line twice
  drawn_ = done_;
  last_draw_ = now;
  double el = std::chrono::duration<double>(now - start_).count();
  double rate = el > 0 ? done_ / el : 0;
  double eta = (rate > 0 && total_ > 0) ? (total_ - done_) / rate : NAN;
  char line[512];
  if (tty_) {
    int width = 28;
    int filled = total_ > 0 ? static_cast<int>(width * std::min(1.0, double(done_) / total_)) : 0;
    std::string bar(filled, '#');
    bar.resize(width, '.');
    std::snprintf(line, sizeof line, "\r%s [%s] %ld/%ld %s  %.1f %s/s  ETA %s  %s\x1b[K",
                  label_.c_str(), bar.c_str(), done_, total_, unit_.c_str(), rate, unit_.c_str(),
                  fmt_secs(eta).c_str(), note_.c_str());
  } else {
    std::snprintf(line, sizeof line, "%s: %ld/%ld %s (%.1f %s/s, ETA %s) %s\n", label_.c_str(),
                  done_, total_, unit_.c_str(), rate, unit_.c_str(), fmt_secs(eta).c_str(),
                  note_.c_str());
  }
  std::fputs(line, stderr);
  std::fflush(stderr);
}

}  // namespace lmm
