// The real `lmm train` killed with SIGKILL part-way and continued with `--resume`: the run
// keeps the stopping rules it was started with (--max-steps here) instead of the command
// line's defaults, and ends with the same parameters as an uninterrupted run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "lmm/train/checkpoint.h"
#include "synth_dataset.h"
#include "test_support.h"

using namespace lmm;
namespace fs = std::filesystem;

namespace {

// Largest absolute difference between the parameters of two checkpoints' models.
double max_param_diff(const fs::path& a, const fs::path& b) {
  auto ma = train::load_model(a).model, mb = train::load_model(b).model;
  auto pa = ma->named_parameters(), pb = mb->named_parameters();
  double d = 0;
  for (const auto& p : pa) d = std::max(d, (p.value() - pb[p.key()]).abs().max().item<double>());
  return d;
}

}  // namespace

TEST(CliResumeKill, SigkillThenResumeKeepsTheRunsStoppingRules) {
  test::TempDir d;
  test::make_synth_dataset(d / "ds", 5, 13.0);
  const std::string args = "train " + (d / "ds").string() +
                           " --model flat --preset small --threads 1 --stride 15 --val-frac 0.2 --batch 4 "
                           "--max-steps 14 -q -o ";
  std::string out;
  ASSERT_EQ(test::run_cli(args + (d / "full").string(), &out), 0) << out;
  EXPECT_NE(out.find("(14 steps"), std::string::npos) << out;

  // The same run, killed once its first checkpoint exists.
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string cmd = std::string(LMM_CLI) + " " + args + (d / "killed").string() + " >/dev/null 2>&1";
    execl("/bin/sh", "sh", "-c", ("exec " + cmd).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  while (!fs::exists(d / "killed/last.ckpt") && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(fs::exists(d / "killed/last.ckpt")) << "no checkpoint within 3 minutes";
  const int killed_at = train::read_checkpoint(d / "killed/last.ckpt").meta["state"]["step"];
  if (WIFEXITED(status)) GTEST_SKIP() << "the run finished before it could be killed (step " << killed_at << ")";
  EXPECT_LT(killed_at, 14);

  // Resumed with no stopping rule on the command line: it stops at the run's 14 steps.
  ASSERT_EQ(test::run_cli("train --resume --threads 1 -q -o " + (d / "killed").string(), &out), 0) << out;
  EXPECT_NE(out.find("stopped: max_steps"), std::string::npos) << out;
  EXPECT_NE(out.find("(14 steps"), std::string::npos) << out;
  EXPECT_EQ(train::read_checkpoint(d / "killed/last.ckpt").meta["state"]["step"], 14);
  EXPECT_LT(max_param_diff(d / "full/last.ckpt", d / "killed/last.ckpt"), 1e-6);
}
