// Concurrency on one dataset: two `lmm ingest` processes writing into it at once, and a
// reader listing and reading it while an ingest writes. Clips are written to a temporary
// file and renamed into place, so a reader sees a clip whole or not at all, and two writers
// of the same clip name leave one whole clip (the last rename).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include "lmm/core/error.h"
#include "lmm/io/dataset.h"
#include "test_support.h"

using namespace lmm;
namespace fs = std::filesystem;

namespace {

pid_t spawn(const std::string& args) {
  const pid_t pid = fork();
  if (pid == 0) {
    const std::string cmd = "exec \"" + std::string(LMM_CLI) + "\" " + args + " >/dev/null 2>&1";
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST(CliConcurrency, TwoIngestsIntoOneDatasetAndAReaderMeanwhile) {
  test::TempDir d;
  std::string out;
  ASSERT_EQ(test::run_cli("synth -q --clips 8 --frames 120 -o " + (d / "a").string(), &out), 0) << out;
  ASSERT_EQ(test::run_cli("synth -q --clips 8 --frames 120 --seed 5 -o " + (d / "b").string(), &out), 0) << out;
  const std::string ds = (d / "ds").string();
  // Both inputs name some clips alike (seeds 5..8 overlap): those are written twice.
  std::set<std::string> expect;
  for (const auto& dir : {"a", "b"})
    for (const auto& e : fs::directory_iterator(d / dir))
      if (e.is_directory()) expect.insert(e.path().filename().string());

  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, errors{0};
  std::string first_error;
  std::thread reader([&] {
    while (!done) {
      if (!fs::exists(d / "ds/clips")) continue;
      try {
        io::Dataset view(d / "ds");
        for (const auto& c : view.list()) {
          if (c.qc_class == "unreadable") throw IoError(c.file.string() + " listed but unreadable");
          if (view.read(c.name).frames <= 0) throw IoError(c.file.string() + " has no frames");
          ++reads;
        }
      } catch (const std::exception& e) {
        if (errors++ == 0) first_error = e.what();
      }
    }
  });
  const pid_t p1 = spawn("ingest -q " + (d / "a").string() + " -o " + ds);
  const pid_t p2 = spawn("ingest -q " + (d / "b").string() + " -o " + ds);
  EXPECT_EQ(wait_exit(p1), 0);
  EXPECT_EQ(wait_exit(p2), 0);
  done = true;
  reader.join();
  EXPECT_EQ(errors.load(), 0) << first_error;
  EXPECT_GT(reads.load(), 0);

  io::Dataset after(d / "ds");
  std::set<std::string> names;
  for (const auto& c : after.list()) {
    names.insert(c.name);
    EXPECT_GT(after.read(c.name).frames, 0) << c.file;
  }
  EXPECT_EQ(names, expect);
  for (const auto& e : fs::directory_iterator(d / "ds/clips")) EXPECT_EQ(e.path().extension(), ".h5") << e.path();
}
