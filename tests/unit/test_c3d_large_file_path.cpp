// The C3D file path that keeps long recordings' memory down (src/io/c3d_reader.cpp,
// c3d_motion.cpp): read_c3d_data maps the file and drops decoded pages every 4 MB, and
// read_c3d_motions lets a single subject take over the decoded points instead of copying
// them. Both must give exactly what the in-memory path gives: parse_c3d on the file's bytes,
// then c3d_source_motions (copying). Fixtures: synthetic Plug-in Gait walks (26 markers,
// 24,000 frames at 120 Hz, 10 MB float / 5 MB int16, with gaps) written by write_c3d.
#include <gtest/gtest.h>

#include "lmm/core/atomic_file.h"
#include "lmm/io/c3d.h"
#include "lmm/io/reader.h"
#include "lmm/pipeline/synth.h"
#include "test_support.h"

using namespace lmm;
namespace fs = std::filesystem;

namespace {

void expect_same_as_in_memory(const fs::path& file) {
  const io::ReadOptions opt;
  const io::C3dData mem = io::parse_c3d(read_text(file), file.string());
  const io::C3dData mapped = io::read_c3d_data(file);
  ASSERT_EQ(mapped.frames, mem.frames);
  ASSERT_EQ(mapped.labels, mem.labels);
  EXPECT_TRUE(mapped.points == mem.points) << "mapped decode differs from the in-memory one";

  const auto want = io::c3d_source_motions(mem, file.string(), opt);
  const auto got = io::read_c3d_motions(file, opt);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].points, want[i].points);
    EXPECT_EQ(got[i].frames, want[i].frames);
    EXPECT_EQ(got[i].fps, want[i].fps);
    EXPECT_EQ(got[i].warnings, want[i].warnings);
    EXPECT_TRUE(got[i].data == want[i].data) << "part " << i << ": taken-over points differ from copied ones";
  }
}

}  // namespace

TEST(C3dLargeFilePath, MappedAndTakenOverEqualsInMemoryAndCopied) {
  pipeline::SynthConfig cfg;
  cfg.motion = "walk";
  cfg.domain = pipeline::SynthDomain::mocap;
  cfg.fps = 120;
  cfg.frames = 24000;
  const pipeline::MarkerSet m = pipeline::plugin_gait_markers(pipeline::synthesize(cfg));
  std::vector<float> pts = m.points;  // (T, M, 4); every 97th point a gap
  for (size_t i = 0; i < pts.size() / 4; i += 97) pts[i * 4 + 3] = -1;
  std::vector<std::string> labels;
  for (const auto& l : m.labels) labels.push_back("Sub01:" + l);
  test::TempDir d;
  io::write_c3d(d / "float.c3d", labels, pts, 120, -0.1, 0);
  io::write_c3d(d / "int16.c3d", labels, pts, 120, 0.1, 2);
  ASSERT_GT(fs::file_size(d / "float.c3d"), size_t{8} << 20);  // several 4 MB release steps
  expect_same_as_in_memory(d / "float.c3d");
  expect_same_as_in_memory(d / "int16.c3d");
}
