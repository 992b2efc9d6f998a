// Model speed: training windows/s (forward + backward + AdamW, batch 32, 120 -> 30, teacher
// forcing) and 30-frame forecast latency at batch 1, for flat / HTT / diffusion at the paper
// and small presets; the flat model is also timed in Python PyTorch (bench/models_reference.py,
// same architecture and config, prefix re-run decoding) in the same run, and the table
// reports C++/Python ratios. Every figure is the best (fastest) single iteration, and the flat
// comparison alternates C++ and Python for --rounds rounds, so load from other processes on a
// shared machine skews both sides less. Plain main:
//   bench_models [--iters 3] [--forecast-iters 3] [--rounds 2] [--threads 1]
//                [--presets paper,small] [--kinds flat,htt,diffusion] [--no-python]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "lmm/models/forecaster.h"
#include "lmm/train/step_memory.h"

using namespace lmm::models;

namespace {

struct Options {
  int iters = 3;           // timed training steps per model, e.g. 3
  int forecast_iters = 3;  // timed forecasts per model, e.g. 3
  int rounds = 2;          // alternating C++ / Python rounds for the flat model, e.g. 2
  int threads = 1;         // intra-op threads for both C++ and Python, e.g. 1
  std::vector<std::string> presets{"paper", "small"};
  std::vector<std::string> kinds{"flat", "htt", "diffusion"};
  bool python = true;      // also time the Python flat reference
};

struct Timing {
  double train_windows_per_s = 0;  // training throughput (best step)
  double forecast_ms = 0;          // 30-frame forecast, batch 1 (best run)

  void keep_best(const Timing& o) {
    train_windows_per_s = std::max(train_windows_per_s, o.train_windows_per_s);
    if (o.forecast_ms > 0 && (forecast_ms == 0 || o.forecast_ms < forecast_ms)) forecast_ms = o.forecast_ms;
  }
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

// Fastest of n runs of f, in seconds.
template <class F>
double best_seconds(int n, F&& f) {
  double best = 1e30;
  for (int i = 0; i < n; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

Timing time_cpp(ForecasterImpl& model, const Options& o) {
  const int64_t B = 32;
  Batch batch{torch::randn({B, kContextFrames, 75}), torch::randn({B, kForecastFrames, 75})};
  torch::optim::AdamW opt(model.parameters(), torch::optim::AdamWOptions(1e-4));
  model.train();
  auto step = [&] {
    auto out = model.loss(batch, StepOptions{});
    opt.zero_grad();
    out.loss.backward();
    opt.step();
  };
  step();  // warm-up
  Timing t;
  t.train_windows_per_s = B / best_seconds(o.iters, step);

  model.eval();
  torch::NoGradGuard no_grad;
  auto one = batch.context.narrow(0, 0, 1);
  model.forecast(one, kForecastFrames);  // warm-up
  t.forecast_ms = 1e3 * best_seconds(o.forecast_iters, [&] { model.forecast(one, kForecastFrames); });
  return t;
}

Timing time_python(const nlohmann::json& config, const Options& o) {
  const std::string dir = std::filesystem::temp_directory_path().string();
  const std::string cfg = dir + "/lmm_bench_models_cfg.json", out = dir + "/lmm_bench_models_out.json";
  std::ofstream(cfg) << config.dump();
  const std::string cmd = "/usr/bin/python3 " + std::string(LMM_SOURCE_DIR) + "/bench/models_reference.py --config " +
                          cfg + " --iters " + std::to_string(o.iters) + " --forecast-iters " +
                          std::to_string(o.forecast_iters) + " --threads " + std::to_string(o.threads) +
                          " --out " + out;
  if (std::system(cmd.c_str()) != 0) {
    std::fprintf(stderr, "python reference failed: %s\n", cmd.c_str());
    return {};
  }
  auto j = nlohmann::json::parse(std::ifstream(out));
  return {j.at("train_windows_per_s").get<double>(), j.at("forecast_ms").get<double>()};
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--iters") o.iters = std::stoi(next());
    else if (a == "--forecast-iters") o.forecast_iters = std::stoi(next());
    else if (a == "--rounds") o.rounds = std::stoi(next());
    else if (a == "--threads") o.threads = std::stoi(next());
    else if (a == "--presets") o.presets = split(next());
    else if (a == "--kinds") o.kinds = split(next());
    else if (a == "--no-python") o.python = false;
    else {
      std::fprintf(stderr, "usage: bench_models [--iters N] [--forecast-iters N] [--rounds N] [--threads N] "
                           "[--presets paper,small] [--kinds flat,htt,diffusion] [--no-python]\n");
      return 2;
    }
  }
  torch::set_num_threads(o.threads);
  lmm::train::keep_step_memory();  // as lmm train does
  std::printf("threads %d; best of %d training steps (batch 32) and %d forecasts (batch 1, 30 frames); "
              "flat: best of %d alternating C++/Python rounds\n",
              o.threads, o.iters, o.forecast_iters, o.rounds);
  std::printf("%-10s %-6s %11s %14s %11s %9s %12s %12s %9s\n", "model", "preset", "params", "train win/s",
              "py win/s", "ratio", "forecast ms", "py ms", "speedup");
  for (const auto& preset : o.presets)
    for (const auto& kind : o.kinds) {
      torch::manual_seed(0);
      auto model = make_model(kind, preset);
      const bool compare = o.python && kind == "flat";
      Timing c, py;
      for (int r = 0; r < (compare ? o.rounds : 1); ++r) {
        c.keep_best(time_cpp(*model, o));
        if (compare) py.keep_best(time_python(model->config_json(), o));
      }
      std::printf("%-10s %-6s %11lld %14.2f", kind.c_str(), preset.c_str(),
                  static_cast<long long>(count_parameters(*model)), c.train_windows_per_s);
      if (py.train_windows_per_s > 0)
        std::printf(" %11.2f %8.2fx %12.1f %12.1f %8.2fx\n", py.train_windows_per_s,
                    c.train_windows_per_s / py.train_windows_per_s, c.forecast_ms, py.forecast_ms,
                    py.forecast_ms / c.forecast_ms);
      else
        std::printf(" %11s %9s %12.1f %12s %9s\n", "-", "-", c.forecast_ms, "-", "-");
      std::fflush(stdout);
    }
  return 0;
}
