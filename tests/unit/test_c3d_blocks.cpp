// The block path of long recordings (io/c3d_blocks.h, pipeline/normalize_blocks.h) must store
// exactly what read_clips + normalize store for the same file: every array bit for bit, the
// scale, the QC record, the warnings. Fixtures are small (a few thousand frames, written by
// write_c3d from a synthetic Plug-in Gait walk) and cut into blocks of odd sizes so that block
// boundaries fall on and between 15 FPS frames; LMM_C3D_BLOCKS=1 forces the block path of
// ingest on them. BlockNormalizer is also checked alone on 2D clips and partial bodies.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>

#include "expect_format_error.h"
#include "lmm/io/c3d.h"
#include "lmm/io/c3d_blocks.h"
#include "lmm/io/dataset.h"
#include "lmm/io/reader.h"
#include "lmm/pipeline/ingest.h"
#include "lmm/pipeline/normalize_blocks.h"
#include "lmm/pipeline/synth.h"
#include "test_support.h"

using namespace lmm;
namespace fs = std::filesystem;

namespace {

// Sets LMM_C3D_BLOCKS for the scope of the object.
struct BlocksEnv {
  explicit BlocksEnv(const char* value) {
    if (const char* v = std::getenv("LMM_C3D_BLOCKS")) had = true, old = v;
    setenv("LMM_C3D_BLOCKS", value, 1);
  }
  ~BlocksEnv() { had ? setenv("LMM_C3D_BLOCKS", old.c_str(), 1) : unsetenv("LMM_C3D_BLOCKS"); }
  bool had = false;
  std::string old;
};

// Plug-in Gait markers (T, M, 4) of a synthetic walk at `rate`, every 97th point a gap.
pipeline::MarkerSet walk_markers(double rate, int frames, uint64_t seed = 1) {
  pipeline::SynthConfig cfg;
  cfg.motion = "walk";
  cfg.domain = pipeline::SynthDomain::mocap;
  cfg.fps = rate;
  cfg.frames = frames;
  cfg.seed = seed;
  pipeline::MarkerSet m = pipeline::plugin_gait_markers(pipeline::synthesize(cfg));
  for (size_t i = 0; i < m.points.size() / 4; i += 97) m.points[i * 4 + 3] = -1;
  return m;
}

std::vector<std::string> prefixed(const std::vector<std::string>& labels, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& l : labels) out.push_back(prefix + l);
  return out;
}

void expect_same_qc(const QcRecord& a, const QcRecord& b) {
  EXPECT_EQ(a.conf_mean, b.conf_mean);
  EXPECT_EQ(a.conf_min, b.conf_min);
  EXPECT_EQ(a.missing_frac, b.missing_frac);
  EXPECT_EQ(a.frame_missing_frac, b.frame_missing_frac);
  EXPECT_EQ(a.n_jumps, b.n_jumps);
  EXPECT_EQ(a.n_frozen, b.n_frozen);
  EXPECT_EQ(a.n_bone_outliers, b.n_bone_outliers);
  EXPECT_EQ(a.n_lr_swaps, b.n_lr_swaps);
  ASSERT_EQ(a.artifacts.size(), b.artifacts.size());
  for (size_t i = 0; i < a.artifacts.size(); ++i) {
    EXPECT_EQ(a.artifacts[i].kind, b.artifacts[i].kind);
    EXPECT_EQ(a.artifacts[i].frame, b.artifacts[i].frame);
    EXPECT_EQ(a.artifacts[i].joint, b.artifacts[i].joint);
    EXPECT_EQ(a.artifacts[i].value, b.artifacts[i].value);
  }
  EXPECT_EQ(a.usability, b.usability);
  EXPECT_EQ(a.reason, b.reason);
}

// Bit for bit: == on float vectors (no NaN in normalized clips).
void expect_same_clip(const NormalizedClip& got, const NormalizedClip& want) {
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.source_path, want.source_path);
  EXPECT_EQ(got.source_format, want.source_format);
  EXPECT_EQ(got.units, want.units);
  EXPECT_EQ(got.source_fps, want.source_fps);
  EXPECT_EQ(got.source_frames, want.source_frames);
  EXPECT_EQ(got.fps, want.fps);
  ASSERT_EQ(got.frames, want.frames);
  EXPECT_TRUE(got.pose == want.pose) << got.name << ": pose differs";
  EXPECT_TRUE(got.pose3d == want.pose3d) << got.name << ": pose3d differs";
  EXPECT_TRUE(got.velocity == want.velocity) << got.name << ": velocity differs";
  EXPECT_TRUE(got.acceleration == want.acceleration) << got.name << ": acceleration differs";
  EXPECT_TRUE(got.jerk == want.jerk) << got.name << ": jerk differs";
  EXPECT_TRUE(got.center == want.center) << got.name << ": center differs";
  EXPECT_EQ(got.scale, want.scale);
  expect_same_qc(got.qc, want.qc);
}

// RawClip frames [t0, t1) of a clip (both arrays), named like it.
RawClip slice(const RawClip& c, int t0, int t1) {
  RawClip b = c;
  b.frames = t1 - t0;
  b.pose.assign(c.pose.begin() + size_t(t0) * kFrameDim, c.pose.begin() + size_t(t1) * kFrameDim);
  if (!c.pose3d.empty())
    b.pose3d.assign(c.pose3d.begin() + size_t(t0) * kNumJoints * 4, c.pose3d.begin() + size_t(t1) * kNumJoints * 4);
  return b;
}

// normalize() of a clip through BlockNormalizer in blocks of `block` frames.
NormalizedClip normalize_in_blocks(const RawClip& c, int block, const pipeline::NormalizeConfig& cfg = {}) {
  pipeline::BlockNormalizer n(cfg, c.frames);
  for (int t0 = 0; t0 < c.frames; t0 += block) n.add(slice(c, t0, std::min(c.frames, t0 + block)));
  return n.finish();
}

// The clips the block path gives for a file: one per part, blocks of `block` frames.
std::vector<std::pair<NormalizedClip, std::vector<std::string>>> read_in_blocks(const fs::path& file, int block,
                                                                                 const io::ReadOptions& opt = {}) {
  std::vector<std::pair<NormalizedClip, std::vector<std::string>>> out;
  const io::C3dBlocks blocks(file, opt);
  for (size_t i = 0; i < blocks.parts(); ++i) {
    pipeline::BlockNormalizer n({}, blocks.frames());
    std::vector<std::string> warnings;
    int next = 0;
    blocks.read(i, block, [&](RawClip&& b, int first) {
      EXPECT_EQ(first, next);
      next += b.frames;
      b.name = file.stem().string() + (blocks.part(i).empty() ? "" : "_" + blocks.part(i));
      warnings.insert(warnings.end(), b.warnings.begin(), b.warnings.end());
      n.add(b);
    });
    EXPECT_EQ(next, blocks.frames());
    out.push_back({n.finish(), warnings});
  }
  return out;
}

// Block path == read_clips + normalize for every part of `file`, for several block sizes.
void expect_blocks_equal_in_memory(const fs::path& file, const io::ReadOptions& opt = {}) {
  io::InputItem item{file, "c3d", file.stem().string()};
  const std::vector<RawClip> raws = io::read_clips(item, opt);
  for (int block : {997, 1024, 4001}) {
    SCOPED_TRACE(file.filename().string() + ", blocks of " + std::to_string(block));
    const auto got = read_in_blocks(file, block, opt);
    ASSERT_EQ(got.size(), raws.size());
    for (size_t i = 0; i < raws.size(); ++i) {
      EXPECT_EQ(got[i].second, raws[i].warnings);
      expect_same_clip(got[i].first, pipeline::normalize(raws[i]));
    }
  }
}

}  // namespace

// 100 Hz: 15 FPS frames fall between source frames (interpolated across block boundaries).
// Float storage with a Y_SCREEN sign the body overrules (a warning); int16 with analog samples.
TEST(C3dBlocks, EqualsInMemoryPathBitForBit) {
  const pipeline::MarkerSet m = walk_markers(100, 6000);
  const auto labels = prefixed(m.labels, "Sub01:");
  test::TempDir d;
  io::C3dWriteOptions screen;
  screen.y_screen = "-Z";
  io::write_c3d(d / "float.c3d", labels, m.points, 100, -0.1, 0, screen);
  io::write_c3d(d / "int16.c3d", labels, m.points, 100, 0.1, 2);
  io::write_c3d(d / "fractional.c3d", labels, m.points, 29.97, -0.1, 0);
  expect_blocks_equal_in_memory(d / "float.c3d");
  expect_blocks_equal_in_memory(d / "int16.c3d");
  expect_blocks_equal_in_memory(d / "fractional.c3d");
  // Another view, and a rate override.
  io::ReadOptions side;
  side.view = View::side;
  side.fps_in = 120;
  expect_blocks_equal_in_memory(d / "int16.c3d", side);
  const auto w = read_in_blocks(d / "float.c3d", 1000);
  ASSERT_EQ(w.size(), 1u);
  ASSERT_EQ(w[0].second.size(), 1u);
  EXPECT_EQ(w[0].second[0],
            "POINT:Y_SCREEN says -Z is up but the body (plugin_gait: hips and head above the feet) says +Z; using +Z");
  EXPECT_EQ(w[0].first.frames, 900);  // floor(5999 * 15 / 100) + 1
}

// Two subjects and a prop: one clip per subject, the prop left out with a warning.
TEST(C3dBlocks, SeveralSubjectsEqualInMemory) {
  const pipeline::MarkerSet a = walk_markers(120, 3000, 1), b = walk_markers(120, 3000, 2);
  const size_t T = 3000, Ma = a.labels.size(), Mb = b.labels.size();
  std::vector<std::string> labels = prefixed(a.labels, "Anna:");
  for (const auto& l : prefixed(b.labels, "Ben:")) labels.push_back(l);
  for (const char* l : {"Racket:R1", "Racket:R2", "Racket:R3", "Racket:R4"}) labels.push_back(l);
  const size_t M = labels.size();
  std::vector<float> pts(T * M * 4);  // (T, M, 4)
  for (size_t t = 0; t < T; ++t) {
    std::copy_n(&a.points[t * Ma * 4], Ma * 4, &pts[t * M * 4]);
    std::copy_n(&b.points[t * Mb * 4], Mb * 4, &pts[(t * M + Ma) * 4]);
    for (size_t k = 0; k < 4; ++k) {
      float* q = &pts[(t * M + Ma + Mb + k) * 4];
      q[0] = 100.f * k + t, q[1] = 50.f, q[2] = 1000.f, q[3] = 1.f;
    }
  }
  test::TempDir d;
  io::write_c3d(d / "pair.c3d", labels, pts, 120, -0.1, 0);
  const io::C3dBlocks blocks(d / "pair.c3d", {});
  ASSERT_EQ(blocks.parts(), 2u);
  EXPECT_EQ(blocks.part(0), "Anna");
  EXPECT_EQ(blocks.part(1), "Ben");
  expect_blocks_equal_in_memory(d / "pair.c3d");
  EXPECT_EQ(read_in_blocks(d / "pair.c3d", 1000)[1].second.back(),
            "subject Racket (4 points) matches no marker set: left out");
}

// The file's own errors come from the C3dBlocks constructor, as read_clips throws them.
TEST(C3dBlocks, FileErrorsAsReadClips) {
  const pipeline::MarkerSet m = walk_markers(120, 500);
  std::vector<float> gaps = m.points;
  for (size_t i = 0; i < gaps.size(); i += 4) gaps[i + 3] = -1;
  std::vector<std::string> labels = prefixed(m.labels, "Sub01:");
  test::TempDir d;
  io::write_c3d(d / "gaps.c3d", labels, gaps, 120, -0.1, 0);
  std::vector<std::string> other;
  for (size_t i = 0; i < labels.size(); ++i) other.push_back("Marker_" + std::to_string(i + 1));
  io::write_c3d(d / "unknown.c3d", other, m.points, 120, -0.1, 0);
  for (const char* f : {"gaps.c3d", "unknown.c3d"}) {
    SCOPED_TRACE(f);
    std::string want;
    try {
      io::read_clips({d / f, "c3d", "x"}, {});
    } catch (const FormatError& e) {
      want = e.what();
    }
    ASSERT_FALSE(want.empty());
    try {
      io::C3dBlocks blocks(d / f, {});
      ADD_FAILURE() << "no FormatError";
    } catch (const FormatError& e) {
      EXPECT_EQ(std::string(e.what()), want);
    }
  }
}

// BlockNormalizer in blocks == normalize() (the whole clip as one block) on 2D clips with dropouts, partial bodies (lower: no
// Neck; upper: no MidHip), a MidHip seen only between 15 FPS frames (the centre falls back to
// source frames), and an upside-down 3D clip (a geometry finding).
TEST(C3dBlocks, BlockNormalizerEqualsNormalize) {
  pipeline::SynthConfig cfg;
  cfg.motion = "walk";
  cfg.fps = 29.97;
  cfg.frames = 2000;
  cfg.dropout = 0.05f;
  const RawClip video = pipeline::synthesize(cfg);
  auto without = [](RawClip c, int joint) {
    for (int t = 0; t < c.frames; ++t) {
      float* p = c.frame(t) + joint * kChannels;
      p[0] = p[1] = p[2] = 0;
    }
    return c;
  };
  RawClip rare_hip = video;  // MidHip only in odd source frames: no 15 FPS frame at 30 FPS sees it
  rare_hip.fps = 30;
  for (int t = 0; t < rare_hip.frames; t += 2) {
    float* p = rare_hip.frame(t) + MidHip * kChannels;
    p[0] = p[1] = p[2] = 0;
  }
  cfg.domain = pipeline::SynthDomain::mocap;
  cfg.fps = 120;
  RawClip mocap = pipeline::synthesize(cfg);
  RawClip flipped = mocap;
  for (size_t i = 0; i < flipped.pose3d.size(); i += 4) flipped.pose3d[i + 1] = -flipped.pose3d[i + 1];
  project_orthographic(flipped, View::front);
  const std::pair<const char*, RawClip> clips[] = {{"video", video},
                                                   {"lower", without(video, Neck)},
                                                   {"upper", without(video, MidHip)},
                                                   {"rare hip", rare_hip},
                                                   {"mocap", mocap},
                                                   {"flipped", flipped}};
  for (const auto& [what, c] : clips) {
    SCOPED_TRACE(what);
    const NormalizedClip want = pipeline::normalize(c);
    for (int block : {1, 7, 333, 5000}) expect_same_clip(normalize_in_blocks(c, block), want);
  }
  const NormalizedClip rare = pipeline::normalize(rare_hip);  // the fallback was taken
  for (int k = 0; k < rare.frames; ++k) ASSERT_EQ(rare.pose[k * kFrameDim + MidHip * kChannels + 2], 0.f);
  EXPECT_NE(pipeline::normalize(flipped).qc.reason.find("upside down?"), std::string::npos);
}

// Errors: a non-finite value names the same source frame and joint; nothing to scale by.
TEST(C3dBlocks, BlockNormalizerErrorsAsNormalize) {
  pipeline::SynthConfig cfg;
  cfg.frames = 300;
  RawClip c = pipeline::synthesize(cfg);
  c.source_path = "clip.json";
  c.frame(250)[RKnee * kChannels + 1] = std::numeric_limits<float>::quiet_NaN();
  const std::vector<std::string> nan = {"non-finite y of joint RKnee (10) in pose"};
  EXPECT_TRUE(test::throws_format_error([&] { normalize_in_blocks(c, 100); }, "clip.json", 250, nan));
  EXPECT_TRUE(test::throws_format_error([&] { pipeline::normalize(c); }, "clip.json", 250, nan));
  RawClip empty = pipeline::synthesize(cfg);
  empty.source_path = "empty.json";
  std::fill(empty.pose.begin(), empty.pose.end(), 0.f);
  EXPECT_TRUE(test::throws_format_error([&] { normalize_in_blocks(empty, 64); }, "empty.json", -1, {"cannot scale"}));
}

// The input checks in the order of docs/normalization.md step 1, whole or in blocks: a non-finite
// pose3d value before a wrong frame rate (same block) and after every pose value; the size
// message; an empty clip, and an empty block after 100 frames.
TEST(C3dBlocks, BlockNormalizerCheckOrder) {
  pipeline::SynthConfig cfg;
  cfg.domain = pipeline::SynthDomain::mocap;
  cfg.fps = 120;
  cfg.frames = 300;
  RawClip c = pipeline::synthesize(cfg);
  c.source_path = "walk.c3d";
  c.pose3d[(7 * kNumJoints + LAnkle) * 4 + 2] = std::numeric_limits<float>::infinity();
  const std::vector<std::string> z = {"non-finite Z of joint LAnkle (14) in pose3d"};
  for (double fps : {0.0, 120.0}) {
    c.fps = fps;
    EXPECT_TRUE(test::throws_format_error([&] { pipeline::normalize(c); }, "walk.c3d", 7, z));
    EXPECT_TRUE(test::throws_format_error([&] { normalize_in_blocks(c, 100); }, "walk.c3d", 7, z));
  }
  c = pipeline::synthesize(cfg);
  c.source_path = "walk.c3d";
  RawClip short_pose = slice(c, 0, 10);
  short_pose.pose.resize(9 * kFrameDim);
  EXPECT_TRUE(test::throws_format_error([&] { pipeline::normalize(short_pose); }, "walk.c3d", -1,
                                        {"pose has 675 values, expected T*75 = 10*75 = 750"}));
  RawClip none = slice(c, 0, 0);
  EXPECT_TRUE(test::throws_format_error([&] { pipeline::normalize(none); }, "walk.c3d", -1, {"clip has no frames"}));
  pipeline::BlockNormalizer n;
  n.add(slice(c, 0, 100));
  EXPECT_TRUE(test::throws_format_error([&] { n.add(none); }, "walk.c3d", 100, {"block has no frames"}));
}

// ingest: the forced block path stores the same clips and report as the ordinary path.
TEST(C3dBlocks, IngestForcedBlockPathStoresSameClips) {
  const pipeline::MarkerSet m = walk_markers(100, 3000);
  test::TempDir d;
  fs::create_directories(d / "in");
  io::write_c3d(d / "in" / "walk.c3d", prefixed(m.labels, "Sub01:"), m.points, 100, 0.1, 0);
  pipeline::IngestConfig cfg;
  cfg.inputs = {d / "in"};
  cfg.progress = false;
  auto run = [&](const char* env, const char* ds) {
    BlocksEnv e(env);
    EXPECT_EQ(io::c3d_block_path(d / "in" / "walk.c3d"), std::string(env) == "1");
    cfg.dataset = d / ds;
    return pipeline::ingest(cfg);
  };
  const pipeline::IngestReport mem = run("0", "ds_mem"), blk = run("1", "ds_blocks");
  EXPECT_EQ(blk.written, 1);
  EXPECT_EQ(blk.written, mem.written);
  EXPECT_EQ(blk.frames, mem.frames);
  EXPECT_EQ(blk.source_frames, mem.source_frames);
  EXPECT_EQ(blk.by_class, mem.by_class);
  EXPECT_EQ(blk.failures.size(), mem.failures.size());
  EXPECT_EQ(blk.warnings.size(), mem.warnings.size());
  expect_same_clip(io::Dataset(d / "ds_blocks").read("walk"), io::Dataset(d / "ds_mem").read("walk"));
  // Without the variable a small file takes the ordinary path.
  BlocksEnv unset("");
  EXPECT_FALSE(io::c3d_block_path(d / "in" / "walk.c3d"));
}

// Every real C3D file (DEC and MIPS files, truncated data, Y_SCREEN overruled, two players and
// a racket, a Qualisys subject rolling on the floor, ...) in blocks of 97 frames: the same
// clips, warnings and errors as read_clips + normalize.
TEST(C3dBlocksReal, EveryRealFileEqualsInMemory) {
  const fs::path root = test::shared_data("c3d");
  if (root.empty()) GTEST_SKIP() << "c3d/ is absent (no shared real data)";
  int files = 0, clips = 0, read_errors = 0, normalize_errors = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.path().extension() != ".c3d" && e.path().extension() != ".C3D") continue;
    SCOPED_TRACE(e.path().string());
    ++files;
    std::vector<RawClip> raws;
    std::string read_error;
    try {
      raws = io::read_clips({e.path(), "c3d", e.path().stem().string()}, {});
    } catch (const Error& err) {
      read_error = err.what();
    }
    if (!read_error.empty()) {
      ++read_errors;
      try {
        io::C3dBlocks blocks(e.path(), {});
        ADD_FAILURE() << "the block path reads what read_clips refuses: " << read_error;
      } catch (const Error& err) {
        EXPECT_EQ(std::string(err.what()), read_error);
      }
      continue;
    }
    const io::C3dBlocks blocks(e.path(), {});
    ASSERT_EQ(blocks.parts(), raws.size());
    for (size_t i = 0; i < raws.size(); ++i) {
      std::string want_error, got_error;
      NormalizedClip want, got;
      try {
        want = pipeline::normalize(raws[i]);
      } catch (const FormatError& err) {
        want_error = err.what();
      }
      std::vector<std::string> warnings;
      try {
        pipeline::BlockNormalizer n({}, blocks.frames());
        blocks.read(i, 97, [&](RawClip&& b, int) {
          b.name = raws[i].name;
          warnings.insert(warnings.end(), b.warnings.begin(), b.warnings.end());
          n.add(b);
        });
        got = n.finish();
      } catch (const FormatError& err) {
        got_error = err.what();
      }
      EXPECT_EQ(warnings, raws[i].warnings);
      EXPECT_EQ(got_error, want_error);
      if (!want_error.empty()) {
        ++normalize_errors;
        continue;
      }
      ++clips;
      expect_same_clip(got, want);
    }
  }
  // The 40 files of c3d/ (SOURCES.md): 31 clips from 30 files (the tennis file has two
  // players), 10 files refused alike (no marker set, model outputs only, ...).
  EXPECT_EQ(files, 40);
  EXPECT_EQ(clips, 31);
  EXPECT_EQ(read_errors, 10);
  EXPECT_EQ(normalize_errors, 0);
}
