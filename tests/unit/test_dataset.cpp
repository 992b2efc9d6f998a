// Dataset store: HDF5 round trip, listing, corrupt files, and the Python one-liner.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/io/dataset.h"
#include "test_support.h"

using namespace lmm;
namespace fs = std::filesystem;

static NormalizedClip make_clip(const std::string& name, int T) {
  NormalizedClip c;
  c.name = name;
  c.source_path = "/data/" + name + ".json";
  c.source_format = "openpose";
  c.units = "px";
  c.source_fps = 29.97;
  c.source_frames = 2 * T;
  c.frames = T;
  c.scale = 123.5f;
  c.pose.resize(T * 75);
  for (size_t i = 0; i < c.pose.size(); ++i) c.pose[i] = 0.001f * static_cast<float>(i) - 1.f;
  c.velocity.assign(T * 50, 0.5f);
  c.acceleration.assign(T * 50, -0.25f);
  c.jerk.assign(T * 50, 2.f);
  c.center.resize(T * 2);
  for (int t = 0; t < T * 2; ++t) c.center[t] = 300.f + t;
  c.qc.conf_mean.fill(0.8f);
  c.qc.conf_min[3] = 0.1f;
  c.qc.missing_frac[7] = 0.25f;
  c.qc.usability = Usability::degraded;
  c.qc.reason = "25% of LWrist missing";
  c.qc.n_jumps = 1;
  c.qc.artifacts.push_back({"jump", 4, RWrist, 17.5f});
  return c;
}

TEST(Dataset, RoundTripIsExact) {
  test::TempDir d;
  io::Dataset ds(d / "ds", true);
  auto c = make_clip("walk_01", 40);
  ds.write(c);
  auto r = ds.read("walk_01");
  EXPECT_EQ(r.name, c.name);
  EXPECT_EQ(r.source_path, c.source_path);
  EXPECT_EQ(r.source_format, "openpose");
  EXPECT_EQ(r.units, "px");
  EXPECT_DOUBLE_EQ(r.source_fps, 29.97);
  EXPECT_EQ(r.source_frames, 80);
  EXPECT_EQ(r.frames, 40);
  EXPECT_FLOAT_EQ(r.scale, 123.5f);
  EXPECT_EQ(r.pose, c.pose);
  EXPECT_EQ(r.velocity, c.velocity);
  EXPECT_EQ(r.acceleration, c.acceleration);
  EXPECT_EQ(r.jerk, c.jerk);
  EXPECT_EQ(r.center, c.center);
  EXPECT_TRUE(r.pose3d.empty());
  EXPECT_EQ(r.qc.conf_mean, c.qc.conf_mean);
  EXPECT_EQ(r.qc.conf_min, c.qc.conf_min);
  EXPECT_EQ(r.qc.missing_frac, c.qc.missing_frac);
  EXPECT_EQ(r.qc.usability, Usability::degraded);
  EXPECT_EQ(r.qc.reason, c.qc.reason);
  ASSERT_EQ(r.qc.artifacts.size(), 1u);
  EXPECT_EQ(r.qc.artifacts[0].kind, "jump");
  EXPECT_EQ(r.qc.artifacts[0].joint, RWrist);
}

TEST(Dataset, Pose3dIsStoredWhenPresent) {
  test::TempDir d;
  io::Dataset ds(d / "ds", true);
  auto c = make_clip("mocap", 3);
  c.pose3d.assign(3 * 100, 7.f);
  ds.write(c);
  EXPECT_EQ(ds.read("mocap").pose3d, c.pose3d);
}

TEST(Dataset, ListSortsAndFlagsUnreadableFilesWithoutFailing) {
  test::TempDir d;
  io::Dataset ds(d / "ds", true);
  ds.write(make_clip("b", 5));
  ds.write(make_clip("a", 7));
  write_text_atomic(ds.clip_path("broken"), "not hdf5 at all");
  auto l = ds.list();
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0].name, "a");
  EXPECT_EQ(l[0].frames, 7);
  EXPECT_EQ(l[0].qc_class, "degraded");
  EXPECT_EQ(l[2].name, "broken");
  EXPECT_EQ(l[2].qc_class, "unreadable");
  try {
    ds.read("broken");
    FAIL() << "expected FormatError";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("broken.h5"), std::string::npos) << e.what();
  }
}

TEST(Dataset, TruncatedFileThrowsFormatError) {
  test::TempDir d;
  io::Dataset ds(d / "ds", true);
  ds.write(make_clip("x", 50));
  auto p = ds.clip_path("x");
  fs::resize_file(p, fs::file_size(p) / 2);
  EXPECT_THROW(ds.read("x"), FormatError);
}

TEST(Dataset, OpeningANonDatasetDirectoryExplains) {
  test::TempDir d;
  try {
    io::Dataset ds(d.path());
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("clips/"), std::string::npos) << e.what();
  }
}

TEST(Dataset, ReadableFromPythonInOneLine) {
  if (std::system("/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "Debian python3-h5py not installed (scripts/install_deps.sh installs it)";
  test::TempDir d;
  io::Dataset ds(d / "ds", true);
  auto c = make_clip("py", 6);
  ds.write(c);
  auto out = d / "out.txt";
  std::string cmd = "/usr/bin/python3 -c \"import h5py; f=h5py.File('" + ds.clip_path("py").string() +
                    "'); print(f['pose'].shape, repr(float(f['pose'][2,3,1])), f.attrs['qc_class'], f.attrs['scale'])\" > " +
                    out.string();
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::string text = read_text(out);
  EXPECT_NE(text.find("(6, 25, 3)"), std::string::npos) << text;
  EXPECT_NE(text.find("degraded"), std::string::npos) << text;
  EXPECT_NE(text.find("123.5"), std::string::npos) << text;
  // the value python reads equals the float32 lmm wrote, to the last bit
  auto pos = text.find(") ");
  ASSERT_NE(pos, std::string::npos) << text;
  EXPECT_EQ(std::stof(text.substr(pos + 2)), c.pose[2 * 75 + 3 * 3 + 1]) << text;
}
