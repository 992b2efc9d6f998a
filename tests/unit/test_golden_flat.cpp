// Golden test: the C++ flat transformer against the PyTorch reference tests/ref/flat_reference.py
// with the same weights. C++ saves a tiny seeded model's parameters and a fixed batch
// (torch::pickle_save, read by torch.load), the script writes its teacher-forced output, loss
// and prefix re-run forecast (torch.save, read by torch::pickle_load), and C++ compares within
// 1e-5. Skipped when /usr/bin/python3 has no torch.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

#include "lmm/core/body25.h"
#include "lmm/models/flat_transformer.h"
#include "test_support.h"

using namespace lmm;
using namespace lmm::models;

namespace {

void write_bytes(const std::filesystem::path& p, const std::vector<char>& bytes) {
  std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::vector<char> read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

float max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<float>(); }

}  // namespace

TEST(GoldenFlat, MatchesPyTorchReferenceWithSameWeights) {
  if (std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "/usr/bin/python3 with torch (Debian python3-torch) not available";
  const std::string script = std::string(LMM_SOURCE_DIR) + "/tests/ref/flat_reference.py";

  torch::manual_seed(11);
  FlatConfig cfg = FlatConfig::small();
  cfg.d_model = 32;
  cfg.heads = 4;
  cfg.ffn = 48;
  FlatTransformer model(cfg);
  model->eval();
  auto context = torch::randn({2, kContextFrames, kFrameDim}) * 0.5;   // (2, 120, 75)
  auto target = torch::randn({2, kForecastFrames, kFrameDim}) * 0.5;   // (2, 30, 75)
  target.select(-1, 3 * RWrist + 2).fill_(0);                          // an invisible joint

  c10::Dict<std::string, torch::Tensor> saved;
  for (const auto& p : model->named_parameters()) saved.insert(p.key(), p.value().detach());
  saved.insert("input.context", context);
  saved.insert("input.target", target);

  test::TempDir dir;
  write_bytes(dir / "inputs.pt", torch::pickle_save(saved));
  std::ofstream(dir / "config.json") << model->config_json().dump();
  const std::string cmd = "/usr/bin/python3 " + script + " --config " + (dir / "config.json").string() +
                          " --inputs " + (dir / "inputs.pt").string() + " --out " + (dir / "expected.pt").string();
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto expected = torch::pickle_load(read_bytes(dir / "expected.pt")).toGenericDict();

  torch::NoGradGuard no_grad;
  Batch batch{context, target};
  auto tf = model->teacher_forced(batch);
  EXPECT_LT(max_abs_diff(tf, expected.at("teacher_forced").toTensor()), 1e-5f);
  EXPECT_NEAR(model->loss(batch, {}).loss.item<float>(), expected.at("loss").toTensor().item<float>(), 1e-5);
  EXPECT_LT(max_abs_diff(model->forecast(context, kForecastFrames), expected.at("forecast").toTensor()), 1e-5f);
}
