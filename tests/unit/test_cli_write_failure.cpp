// Write failures: the real `lmm ingest` in a child whose file-size limit (RLIMIT_FSIZE, with
// SIGXFSZ ignored, as a full disk would) stops every clip write. Each clip fails with an
// error naming the path, the dataset keeps the clips written before, and no partial or
// temporary file is left in it.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lmm/core/atomic_file.h"
#include "lmm/io/dataset.h"
#include "test_support.h"

using namespace lmm;
namespace fs = std::filesystem;

namespace {

// Runs `lmm args...` with the file-size limit `bytes`; returns its exit code, output in *out.
int run_limited(const std::vector<std::string>& args, rlim_t bytes, const fs::path& log, std::string* out) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1), dup2(fd, 2);
    signal(SIGXFSZ, SIG_IGN);
    const rlimit lim{bytes, bytes};
    setrlimit(RLIMIT_FSIZE, &lim);
    std::vector<char*> argv{const_cast<char*>(LMM_CLI)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(LMM_CLI, argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  *out = read_text(log);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST(CliWriteFailure, IngestUnderAFileSizeLimitKeepsWhatWasWritten) {
  test::TempDir d;
  std::string out;
  ASSERT_EQ(test::run_cli("synth -q --clips 2 --frames 90 -o " + (d / "a").string(), &out), 0) << out;
  ASSERT_EQ(test::run_cli("synth -q --clips 2 --frames 90 --seed 7 -o " + (d / "b").string(), &out), 0) << out;
  const std::string ds = (d / "ds").string();
  ASSERT_EQ(test::run_cli("ingest -q " + (d / "a").string() + " -o " + ds, &out), 0) << out;
  io::Dataset before(d / "ds");
  ASSERT_EQ(before.list().size(), 2u);

  const int rc = run_limited({"ingest", "-q", (d / "b").string(), "-o", ds}, 4096, d / "log.txt", &out);
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("FAILED"), std::string::npos) << out;
  EXPECT_NE(out.find((d / "ds/clips").string()), std::string::npos) << "the error names the path: " << out;
  EXPECT_NE(out.find("0 clips"), std::string::npos) << out;

  // The two clips written before are intact; nothing else is in clips/.
  io::Dataset after(d / "ds");
  const auto clips = after.list();
  ASSERT_EQ(clips.size(), 2u);
  for (const auto& c : clips) {
    EXPECT_NE(c.qc_class, "unreadable") << c.file;
    EXPECT_GT(after.read(c.name).frames, 0);
  }
  int files = 0;
  for (const auto& e : fs::directory_iterator(d / "ds/clips")) {
    ++files;
    EXPECT_EQ(e.path().extension(), ".h5") << e.path();
  }
  EXPECT_EQ(files, 2);
}
