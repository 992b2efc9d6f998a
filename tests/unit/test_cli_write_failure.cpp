// Write failures: the real `lmm ingest`, `train`, `eval`, `pose` and `render` in a child
// whose file-size limit (RLIMIT_FSIZE, with SIGXFSZ ignored, so writes fail with EFBIG as on
// a full disk) stops their writes. Each fails with an error naming the path (no crash, no
// "internal error"), keeps what was written before byte for byte, and leaves no partial or
// temporary file. Exit codes: 1 for ingest and pose (per-input failures, the rest go on),
// 2 for train, eval and render (one output: a fatal error, apps/lmm/main.cpp).
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/io/dataset.h"
#include "lmm/io/openpose_json.h"
#include "lmm/pose/video_pose.h"
#include "lmm/render/video.h"
#include "lmm/train/checkpoint.h"
#include "synth_dataset.h"
#include "test_support.h"

using namespace lmm;
namespace fs = std::filesystem;

namespace {

// Runs `lmm args...` with the file-size limit `bytes`; returns its exit code (-signal when
// it died of one), output in *out. The output goes through a pipe, which the limit does not
// cover, so even a limit of a few bytes keeps the whole error message.
int run_limited(const std::vector<std::string>& args, rlim_t bytes, std::string* out) {
  int fds[2];
  if (pipe(fds) != 0) return -1000;
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], 1), dup2(fds[1], 2);
    signal(SIGXFSZ, SIG_IGN);
    const rlimit lim{bytes, bytes};
    setrlimit(RLIMIT_FSIZE, &lim);
    std::vector<char*> argv{const_cast<char*>(LMM_CLI)};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(LMM_CLI, argv.data());
    _exit(127);
  }
  close(fds[1]);
  out->clear();
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out->append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

// Every regular file under `dir` (relative path -> bytes).
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> m;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) m[fs::relative(e.path(), dir).string()] = read_text(e.path());
  return m;
}

// Names of the temp files/folders (".tmp.") under `dir`, one per line; "" when none.
std::string temp_files(const fs::path& dir) {
  std::string s;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().filename().string().find(".tmp.") != std::string::npos) s += e.path().string() + "\n";
  return s;
}

// The failure every command must show: a clear error naming `path`, no crash.
void expect_clean_failure(int rc, int want_rc, const std::string& out, const fs::path& path) {
  EXPECT_EQ(rc, want_rc) << out;
  EXPECT_NE(out.find(path.string()), std::string::npos) << "the error names " << path << ": " << out;
  EXPECT_EQ(out.find("internal error"), std::string::npos) << out;
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

  const int rc = run_limited({"ingest", "-q", (d / "b").string(), "-o", ds}, 4096, &out);
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

// io::write_openpose_dir (lmm forecast -o, lmm synth) under a limit that lets small frame
// files through and stops the first large one: the folder keeps the earlier clip, unmixed.
TEST(CliWriteFailure, OpenPoseFramesUnderAFileSizeLimitLeaveTheFolderAsItWas) {
  test::TempDir d;
  auto make = [](float x, int empty_frames) {
    RawClip c;
    c.name = "walk";
    c.fps = 30;
    c.frames = 10;
    c.pose.assign(10 * kFrameDim, 0.0f);
    for (int t = empty_frames; t < 10; ++t)
      for (int j = 0; j < kNumJoints; ++j) c.frame(t)[3 * j] = x + j, c.frame(t)[3 * j + 1] = 100.0f + t, c.frame(t)[3 * j + 2] = 0.9f;
    return c;
  };
  const fs::path dir = d / "out";
  io::write_openpose_dir(make(5, 0), dir);
  const auto before = snapshot(dir);
  ASSERT_EQ(before.size(), 11u);  // 10 frames + pose_meta.json
  // A person-less frame is 28 bytes, one with a person about 780: the limit passes the first
  // four (empty) frames and stops the fifth.
  const pid_t pid = fork();
  if (pid == 0) {
    signal(SIGXFSZ, SIG_IGN);
    const rlimit lim{400, 400};
    setrlimit(RLIMIT_FSIZE, &lim);
    try {
      io::write_openpose_dir(make(7, 4), dir);
      _exit(0);
    } catch (const IoError& e) {
      _exit(std::string(e.what()).find(dir.string()) != std::string::npos ? 3 : 4);
    } catch (...) {
      _exit(5);
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3) << "an IoError naming the folder";
  EXPECT_EQ(snapshot(dir), before);
  EXPECT_EQ(temp_files(dir), "");
  // Without the limit the new clip replaces the old one whole.
  io::write_openpose_dir(make(7, 4), dir);
  EXPECT_NE(snapshot(dir), before);
}

TEST(CliWriteFailure, TrainUnderAFileSizeLimitKeepsTheLastCheckpoint) {
  test::TempDir d;
  test::make_synth_dataset(d / "ds", 5, 13.0);
  const std::vector<std::string> args{"--model", "flat", "--preset", "small", "--threads", "1", "--stride", "15",
                                      "--val-frac", "0.2", "--batch", "4", "-q"};
  std::string out;
  const fs::path run = d / "run";
  std::string cmd = "train " + (d / "ds").string() + " --max-steps 6 -o " + run.string();
  for (const auto& a : args) cmd += " " + a;
  ASSERT_EQ(test::run_cli(cmd, &out), 0) << out;
  const auto before = snapshot(run);
  ASSERT_EQ(before.count("last.ckpt"), 1u) << out;

  // Resumed for more steps: its checkpoints (3 MB) cannot be written.
  int rc = run_limited({"train", "--resume", "--max-steps", "12", "--threads", "1", "-q", "-o", run.string()},
                       4096, &out);
  expect_clean_failure(rc, 2, out, run);
  EXPECT_NE(out.find("write failed"), std::string::npos) << out;
  EXPECT_EQ(temp_files(run), "");
  const auto after = snapshot(run);
  for (const char* f : {"last.ckpt", "best.ckpt", "loss.png"})
    EXPECT_TRUE(after.count(f) && after.at(f) == before.at(f)) << f << " changed or vanished";
  EXPECT_EQ(train::read_checkpoint(run / "last.ckpt").meta["state"]["step"], 6);
  // metrics.jsonl may have been replaced (it is small), but whole: one JSON object a line.
  std::istringstream metrics(after.at("metrics.jsonl"));
  for (std::string line; std::getline(metrics, line);) EXPECT_NO_THROW((void)nlohmann::json::parse(line)) << line;

  // A new run under the limit: no checkpoint and no temp file.
  std::vector<std::string> fresh{"train", (d / "ds").string(), "--max-steps", "6", "-o", (d / "run2").string()};
  fresh.insert(fresh.end(), args.begin(), args.end());
  rc = run_limited(fresh, 4096, &out);
  expect_clean_failure(rc, 2, out, d / "run2");
  EXPECT_FALSE(fs::exists(d / "run2/last.ckpt"));
  EXPECT_FALSE(fs::exists(d / "run2/best.ckpt"));
  if (fs::exists(d / "run2")) EXPECT_EQ(temp_files(d / "run2"), "");
}

TEST(CliWriteFailure, EvalReportUnderAFileSizeLimitKeepsTheEarlierReport) {
  test::TempDir d;
  test::make_synth_dataset(d / "ds", 5, 13.0);
  const std::string ds = (d / "ds").string(), run = (d / "run").string(), rep = (d / "report").string();
  std::string out;
  ASSERT_EQ(test::run_cli("train " + ds + " --model flat --preset small --threads 1 --stride 15 --val-frac 0.2 "
                          "--batch 4 --max-steps 2 -q -o " + run, &out), 0) << out;
  ASSERT_EQ(test::run_cli("eval " + run + "/best.ckpt " + ds + " -q --bootstrap 20 --report " + rep, &out), 0)
      << out;
  const auto before = snapshot(rep);
  ASSERT_EQ(before.count("metrics.json"), 1u);
  ASSERT_EQ(before.count("report.md"), 1u);

  const int rc = run_limited({"eval", run + "/best.ckpt", ds, "-q", "--bootstrap", "20", "--report", rep}, 4096, &out);
  expect_clean_failure(rc, 2, out, rep);
  EXPECT_EQ(temp_files(rep), "");
  EXPECT_TRUE(snapshot(rep) == before) << "the earlier report changed";
}

TEST(CliWriteFailure, PoseUnderAFileSizeLimitKeepsTheEarlierOutput) {
  const fs::path models = pose::find_models_dir();
  if (models.empty() || !pose::models_present(models, pose::LandmarkModel::lite))
    GTEST_SKIP() << "MediaPipe models absent: run scripts/fetch_models.sh";
  test::TempDir d;
  // A tiny generated video: 6 noisy 160x120 frames (no person: each JSON frame is small).
  cv::RNG rng(3);
  render::write_mp4(d / "v.mp4", 6, [&](int) {
    cv::Mat img(120, 160, CV_8UC3);
    rng.fill(img, cv::RNG::UNIFORM, 0, 255);
    return img;
  }, 10);
  const std::vector<std::string> base{"pose", (d / "v.mp4").string(), "-o", (d / "out").string(), "-q",
                                      "--model", "lite", "--models", models.string()};
  std::string out;
  ASSERT_EQ(run_limited(base, RLIM_INFINITY, &out), 0) << out;
  const auto before = snapshot(d / "out");
  ASSERT_EQ(before.count("v/pose_meta.json"), 1u) << out;
  ASSERT_EQ(before.size(), 7u) << out;  // 6 frames + pose_meta.json

  // 16 bytes: no JSON frame fits. The input fails, the earlier output stays whole.
  int rc = run_limited(base, 16, &out);
  expect_clean_failure(rc, 1, out, d / "out/v");
  EXPECT_EQ(temp_files(d / "out"), "");
  EXPECT_TRUE(snapshot(d / "out") == before) << "the earlier output changed";

  // The overlay video (tens of KB) under 4 KB: the encoder's truncated file is caught.
  std::vector<std::string> ov = base;
  ov.insert(ov.end(), {"--overlay", (d / "ov.mp4").string()});
  rc = run_limited(ov, 4096, &out);
  expect_clean_failure(rc, 1, out, d / "ov.mp4");
  EXPECT_FALSE(fs::exists(d / "ov.mp4"));
  EXPECT_EQ(temp_files(d.path()), "");
}

TEST(CliWriteFailure, RenderUnderAFileSizeLimitKeepsTheEarlierFile) {
  test::TempDir d;
  const auto names = test::make_synth_dataset(d / "ds", 1, 4.0);
  const std::string clip = io::Dataset(d / "ds").clip_path(names[0]).string();
  std::string out;
  for (const char* name : {"a.gif", "a.mp4"}) {
    const fs::path file = d / name;
    ASSERT_EQ(test::run_cli("render " + clip + " -o " + file.string() + " --size 128x96", &out), 0) << out;
    const std::string before = read_text(file);
    ASSERT_GT(before.size(), 4096u);
    int rc = run_limited({"render", clip, "-o", file.string(), "--size", "128x96"}, 4096, &out);
    expect_clean_failure(rc, 2, out, file);
    EXPECT_EQ(read_text(file), before) << name << " was replaced";
    // A new file under the limit: not created.
    const fs::path fresh = d / (std::string("b") + fs::path(name).extension().string());
    rc = run_limited({"render", clip, "-o", fresh.string(), "--size", "128x96"}, 4096, &out);
    expect_clean_failure(rc, 2, out, fresh);
    EXPECT_FALSE(fs::exists(fresh)) << out;
    EXPECT_EQ(temp_files(d.path()), "");
  }
}
