// Distributed training throughput: training windows/s of the real `lmm train` (flat model,
// small preset, global batch 32) for 1 rank x 1 thread, 1 rank x 2 threads (spinning and
// passive OpenMP wait) and 2 ranks x 1 thread (Gloo over loopback), on a synthesized dataset. Each setting runs twice with
// different --max-steps and the rate is (extra steps x batch) / (extra wall time), so
// start-up, data loading and the final validation cancel out. As a reference measured in
// the same run, PyTorch's own DistributedDataParallel trains the same flat model
// (bench/distributed_reference.py, Gloo) with 1 and 2 ranks; the table reports each
// setting relative to 1 rank x 1 thread. Settings alternate for --rounds rounds and each
// keeps its best rate, so load from other processes on a shared machine skews less. Plain main:
//   bench_distributed [--lmm build/lmm] [--short 6] [--long 30] [--batch 32] [--rounds 2] [--no-python]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lmm/core/atomic_file.h"
#include "lmm/io/dataset.h"
#include "lmm/models/forecaster.h"
#include "lmm/pipeline/normalize.h"
#include "lmm/pipeline/synth.h"

namespace fs = std::filesystem;

namespace {

struct Options {
  std::string lmm;            // the lmm binary, default: next to this benchmark's build dir
  int short_steps = 6;        // optimizer steps of the short run, e.g. 6
  int long_steps = 30;        // optimizer steps of the long run, e.g. 30
  int batch = 32;             // global batch, e.g. 32
  int rounds = 2;             // alternating rounds over all settings, e.g. 2
  bool python = true;         // also time the PyTorch DDP reference
};

struct Setting {
  std::string name;
  int ranks, threads;
  std::string env;  // prefix of the command, e.g. "OMP_WAIT_POLICY=PASSIVE "
};

int g_port = 29611;

// Runs cmd(rank) for every rank at once; returns the wall time in seconds (all ranks done).
double run_group(int ranks, const std::function<std::string(int)>& cmd) {
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::future<int>> fs;
  for (int r = 0; r < ranks; ++r)
    fs.push_back(std::async(std::launch::async, [&, r] { return std::system(cmd(r).c_str()); }));
  for (int r = 0; r < ranks; ++r)
    if (fs[r].get() != 0) {
      std::fprintf(stderr, "rank %d failed: %s\n", r, cmd(r).c_str());
      std::exit(1);
    }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double lmm_windows_per_s(const Options& o, const fs::path& ds, const fs::path& work, const Setting& s) {
  auto run = [&](int steps) {
    const fs::path out = work / (s.name + "_" + std::to_string(steps));
    fs::remove_all(out);
    const int port = g_port++;
    return run_group(s.ranks, [&, steps, port](int r) {
      std::string c = s.env + o.lmm + " train " + ds.string() + " --model flat --preset small --batch " +
                      std::to_string(o.batch) + " --max-steps " + std::to_string(steps) +
                      " --epochs 1000 --val-frac 0.1 --val-forecast-windows 4 -q --threads " +
                      std::to_string(s.threads) + " -o " + (out.string() + (r ? "_r" + std::to_string(r) : ""));
      if (s.ranks > 1)
        c += " --dist gloo --world-size " + std::to_string(s.ranks) + " --rank " + std::to_string(r) +
             " --master-port " + std::to_string(port);
      return c + " > /dev/null";
    });
  };
  double t_short = run(o.short_steps), t_long = run(o.long_steps);
  return (o.long_steps - o.short_steps) * o.batch / (t_long - t_short);
}

double python_windows_per_s(const Options& o, const fs::path& work, int ranks, int steps) {
  const fs::path cfg = work / "flat_small.json", out = work / "py.json";
  lmm::write_text_atomic(cfg, lmm::models::make_model("flat", "small")->config_json().dump());
  const int port = g_port++;
  run_group(ranks, [&](int r) {
    return "RANK=" + std::to_string(r) + " WORLD_SIZE=" + std::to_string(ranks) +
           " MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(port) + " /usr/bin/python3 " +
           std::string(LMM_SOURCE_DIR) + "/bench/distributed_reference.py --config " + cfg.string() +
           " --threads 1 --batch " + std::to_string(o.batch) + " --steps " + std::to_string(steps) + " --out " +
           out.string();
  });
  return nlohmann::json::parse(lmm::read_text(out))["windows_per_s"].get<double>();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  o.lmm = (fs::canonical("/proc/self/exe").parent_path().parent_path() / "lmm").string();
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--lmm") o.lmm = next();
    else if (a == "--short") o.short_steps = std::stoi(next());
    else if (a == "--long") o.long_steps = std::stoi(next());
    else if (a == "--batch") o.batch = std::stoi(next());
    else if (a == "--rounds") o.rounds = std::stoi(next());
    else if (a == "--no-python") o.python = false;
    else {
      std::fprintf(stderr, "usage: bench_distributed [--lmm PATH] [--short 6] [--long 30] [--batch 32] [--rounds 2] "
                           "[--no-python]\n");
      return 2;
    }
  }
  const fs::path work = fs::temp_directory_path() / ("lmm_bench_dist_" + std::to_string(::getpid()));
  const fs::path ds = work / "ds";
  {  // 12 clips x 60 s of synthesized motion: ~70 windows each, more than one epoch of long steps
    lmm::io::Dataset d(ds, true);
    for (int i = 0; i < 12; ++i) {
      lmm::pipeline::SynthConfig c;
      c.frames = 60 * 30;
      c.seed = 100 + i;
      d.write(lmm::pipeline::normalize(lmm::pipeline::synthesize(c)));
    }
  }
  std::printf("lmm train, flat/small, global batch %d, %d cores on this machine (nproc)\n", o.batch,
              static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN)));
  // OpenMP threads spin while waiting (libgomp's default); on a loaded machine that can
  // cost more than the second thread gains, so 2 threads are also timed with a passive wait.
  const std::vector<Setting> settings = {{"1rank_1thread", 1, 1, ""},
                                         {"1rank_2threads", 1, 2, ""},
                                         {"1rank_2thr_passive", 1, 2, "OMP_WAIT_POLICY=PASSIVE "},
                                         {"2ranks_1thread", 2, 1, ""}};
  std::vector<double> rate(settings.size(), 0.0);
  double py1 = 0, py2 = 0;
  for (int round = 0; round < o.rounds; ++round) {
    for (size_t i = 0; i < settings.size(); ++i) rate[i] = std::max(rate[i], lmm_windows_per_s(o, ds, work, settings[i]));
    if (o.python) {
      py1 = std::max(py1, python_windows_per_s(o, work, 1, o.long_steps - o.short_steps));
      py2 = std::max(py2, python_windows_per_s(o, work, 2, o.long_steps - o.short_steps));
    }
  }
  std::printf("%-18s %12s %10s\n", "setting", "windows/s", "vs 1x1");
  for (size_t i = 0; i < settings.size(); ++i)
    std::printf("%-18s %12.1f %9.2fx\n", settings[i].name.c_str(), rate[i], rate[i] / rate[0]);
  if (o.python) {
    std::printf("PyTorch DDP reference (same flat model, Gloo, 1 thread per rank):\n");
    std::printf("%-18s %12.1f %9.2fx\n", "1rank_1thread", py1, 1.0);
    std::printf("%-18s %12.1f %9.2fx\n", "2ranks_1thread", py2, py2 / py1);
    std::printf("lmm / PyTorch at 2 ranks: %.2fx\n", rate[3] / py2);
  }
  fs::remove_all(work);
  return 0;
}
