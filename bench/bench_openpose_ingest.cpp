// OpenPose JSON directory ingest: lmm::io::read_openpose_dir on N frames (default
// 10,000; two people per frame, swapping order, so tracking is exercised) against the
// numpy reference bench/openpose_ingest_ref.py run by /usr/bin/python3 on the same files.
// Reports best-of-R wall times and the speed-up RATIO (target: >= 20x the reference),
// plus the CPU-time ratio (all threads), which is less sensitive to a busy machine.
//   bench_openpose_ingest [frames=10000] [repeats=5]
#include <sys/resource.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "lmm/core/error.h"
#include "lmm/io/openpose_json.h"
#include "lmm/io/reader.h"

namespace fs = std::filesystem;
using lmm::io::PersonKeypoints;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// CPU time (user + system, all threads) of this process so far, in seconds.
double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + 1e-6 * (u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

struct Timing {
  double wall = -1, cpu = -1;  // seconds
};

// Runs the Python reference; returns its best wall time and that run's CPU time.
Timing python_reference(const fs::path& dir, int repeats, const char* mode) {
  const std::string cmd = "/usr/bin/python3 \"" LMM_SOURCE_DIR
                          "/bench/openpose_ingest_ref.py\" \"" +
                          dir.string() + "\" " + std::to_string(repeats) + " " + mode;
  FILE* f = ::popen(cmd.c_str(), "r");
  Timing r;
  if (!f) return r;
  long frames = 0;
  if (std::fscanf(f, "%lf %lf %ld", &r.wall, &r.cpu, &frames) != 3) r = Timing{};
  ::pclose(f);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const int T = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int R = argc > 2 ? std::atoi(argv[2]) : 5;
  const fs::path dir =
      fs::temp_directory_path() / ("lmm_bench_openpose_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  try {
    // Fixture: two people walking, 6-decimal values like OpenPose, order flipping per frame.
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> jitter(-2, 2), conf(0.3f, 0.95f);
    for (int t = 0; t < T; ++t) {
      std::vector<PersonKeypoints> people(2);
      for (int p = 0; p < 2; ++p)
        for (int j = 0; j < lmm::kNumJoints; ++j) {
          people[p][j * 3 + 0] =
              std::round((300 + 700 * p + 0.05f * t + 12 * j + jitter(rng)) * 1000) / 1000;
          people[p][j * 3 + 1] = std::round((200 + 25 * j + jitter(rng)) * 1000) / 1000;
          people[p][j * 3 + 2] = std::round(conf(rng) * 1e6f) / 1e6f;
        }
      if (t % 2) std::swap(people[0], people[1]);
      lmm::io::write_openpose_frame(dir / lmm::io::openpose_frame_filename("bench", t), people);
    }
    lmm::io::read_openpose_dir(dir, 0);  // warm the page cache
    Timing best{1e9, 0};
    for (int r = 0; r < R; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      const double c0 = cpu_seconds();
      const lmm::RawClip c = lmm::io::read_openpose_dir(dir, 0);
      const double wall = seconds_since(t0), cpu = cpu_seconds() - c0;
      if (wall < best.wall) best = {wall, cpu};
      if (c.frames != T) throw std::runtime_error("wrong frame count");
    }
    const Timing ref = python_reference(dir, std::max(1, R / 2), "track");
    const Timing first = python_reference(dir, std::max(1, R / 2), "first");
    std::printf("frames                         %d (2 people each)\n", T);
    std::printf("lmm read_openpose_dir          wall %8.2f ms (%.2f us/frame)  cpu %8.2f ms\n",
                best.wall * 1e3, best.wall * 1e6 / T, best.cpu * 1e3);
    if (ref.wall > 0) {
      std::printf(
          "numpy reference (same work)    wall %8.2f ms  cpu %8.2f ms  -> RATIO wall %.1fx %s, cpu "
          "%.1fx\n",
          ref.wall * 1e3, ref.cpu * 1e3, ref.wall / best.wall,
          ref.wall / best.wall >= 20 ? "(>= 20x: PASS)" : "(< 20x: FAIL)", ref.cpu / best.cpu);
      std::printf(
          "numpy load-only (no tracking)  wall %8.2f ms  cpu %8.2f ms  -> RATIO wall %.1fx, cpu "
          "%.1fx\n",
          first.wall * 1e3, first.cpu * 1e3, first.wall / best.wall, first.cpu / best.cpu);
    } else {
      std::printf("numpy reference unavailable (/usr/bin/python3 with numpy needed)\n");
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_openpose_ingest: %s\n", e.what());
    fs::remove_all(dir);
    return 2;
  }
  fs::remove_all(dir);
  return 0;
}
