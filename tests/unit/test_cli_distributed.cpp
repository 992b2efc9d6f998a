// The real `lmm train --dist gloo` as 2 processes over loopback on a tiny synthesized
// dataset: from the same seed and global batch it ends (after a resume of the whole
// group) with the weights of a single-process run, rank 0 alone writes the run
// directory; launch mistakes and a missing rank fail with exit code 2 and a clear message.
#include <gtest/gtest.h>

#include <future>

#include "lmm/train/checkpoint.h"
#include "synth_dataset.h"
#include "test_support.h"

using namespace lmm;
namespace fs = std::filesystem;

namespace {

struct CliRun {
  int rc = -1;
  std::string out;
};

// `lmm <args(rank)> --dist gloo --world-size 2 --rank r --master-port P` for r = 0, 1 at once.
std::vector<CliRun> run_two_ranks(const std::function<std::string(int)>& args) {
  const int port = test::free_tcp_port();
  auto launch = [&](int r) {
    CliRun c;
    c.rc = test::run_cli(args(r) + " --dist gloo --world-size 2 --rank " + std::to_string(r) + " --master-port " +
                             std::to_string(port) + " --dist-timeout 60",
                         &c.out);
    return c;
  };
  auto f1 = std::async(std::launch::async, launch, 1);
  CliRun r0 = launch(0);
  return {r0, f1.get()};
}

double max_param_diff(const fs::path& a, const fs::path& b) {
  auto ma = train::load_model(a).model, mb = train::load_model(b).model;
  auto pa = ma->parameters(), pb = mb->parameters();
  EXPECT_EQ(pa.size(), pb.size());
  double d = 0;
  for (size_t i = 0; i < pa.size() && i < pb.size(); ++i) d = std::max(d, (pa[i] - pb[i]).abs().max().item<double>());
  return d;
}

}  // namespace

TEST(CliDistributed, TwoRanksAndGroupResumeMatchOneProcess) {
  test::TempDir d;
  test::make_synth_dataset(d / "ds", 5, 13.0);  // 4 training clips x 4 windows at stride 15
  const std::string common = "train " + (d / "ds").string() +
                             " --model flat --preset small --threads 1 --stride 15 --val-frac 0.2 --batch 6 "
                             "--val-forecast-windows 2 -q";
  std::string out;
  ASSERT_EQ(test::run_cli(common + " --epochs 3 -o " + (d / "single").string(), &out), 0) << out;

  // 2 epochs on 2 ranks (3 windows each per step), then the group resumes for a third.
  auto runs = run_two_ranks([&](int r) { return common + " --epochs 2 -o " + (d / ("rank" + std::to_string(r))).string(); });
  for (int r = 0; r < 2; ++r) ASSERT_EQ(runs[r].rc, 0) << "rank " << r << ":\n" << runs[r].out;
  EXPECT_NE(runs[0].out.find("stopped: max_epochs after 2 epochs"), std::string::npos) << runs[0].out;
  EXPECT_EQ(runs[1].out.find("stopped:"), std::string::npos) << "rank 1 reports too:\n" << runs[1].out;
  EXPECT_TRUE(fs::exists(d / "rank0" / "last.ckpt"));
  EXPECT_FALSE(fs::exists(d / "rank1")) << "rank 1 wrote files";
  auto meta = train::read_checkpoint(d / "rank0" / "last.ckpt").meta;
  EXPECT_EQ(meta["distributed"]["world_size"], 2);

  runs = run_two_ranks([&](int r) {
    return "train --resume --epochs 3 --threads 1 -q -o " + (d / ("rank" + std::to_string(r))).string();
  });
  for (int r = 0; r < 2; ++r) ASSERT_EQ(runs[r].rc, 0) << "rank " << r << ":\n" << runs[r].out;
  EXPECT_FALSE(fs::exists(d / "rank1")) << "rank 1 needs no copy of the run directory";
  EXPECT_EQ(train::read_checkpoint(d / "rank0" / "last.ckpt").meta["state"]["step"],
            train::read_checkpoint(d / "single" / "last.ckpt").meta["state"]["step"]);
  EXPECT_LT(max_param_diff(d / "rank0" / "last.ckpt", d / "single" / "last.ckpt"), 1e-5);
}

TEST(CliDistributed, LaunchMistakesAndAMissingRankFailClearly) {
  test::TempDir d;
  test::make_synth_dataset(d / "ds", 2, 11.0);
  const std::string common = "train " + (d / "ds").string() + " --model flat --preset small -q -o " + (d / "run").string();
  std::string out;
  EXPECT_EQ(test::run_cli(common + " --dist nccl", &out), 2);
  EXPECT_NE(out.find("--dist nccl"), std::string::npos) << out;
  EXPECT_EQ(test::run_cli(common + " --dist gloo --rank 2 --world-size 2", &out), 2);
  EXPECT_NE(out.find("rank 2 (RANK / --rank) is out of range for world size 2"), std::string::npos) << out;
  EXPECT_EQ(test::run_cli("train --help", &out), 0);
  EXPECT_NE(out.find("--master-port"), std::string::npos) << out;
  // Rank 0 of 2 alone: the rendezvous gives up after the timeout.
  const int port = test::free_tcp_port();
  EXPECT_EQ(test::run_cli(common + " --dist gloo --world-size 2 --master-port " + std::to_string(port) +
                              " --dist-timeout 1",
                          &out),
            2);
  EXPECT_NE(out.find("rank 0 of 2: rendezvous at 127.0.0.1:" + std::to_string(port) + " failed within 1 s"),
            std::string::npos)
      << out;
  EXPECT_FALSE(fs::exists(d / "run" / "last.ckpt"));
}
