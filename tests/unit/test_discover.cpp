// Input discovery and dispatch: recursive expansion of files and directories into
// clips (OpenPose directories, files by extension or explicit format), unique clip
// names, format names, and read_clip() on each kind.
#include <gtest/gtest.h>

#include <algorithm>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/io/coco17.h"
#include "lmm/io/ntu_skeleton.h"
#include "lmm/io/openpose_json.h"
#include "lmm/io/reader.h"
#include "test_support.h"

using namespace lmm;
using namespace lmm::io;
namespace fs = std::filesystem;

namespace {

RawClip small_clip(const std::string& name, int T) {
  RawClip c;
  c.name = name;
  c.frames = T;
  c.pose.assign(T * kFrameDim, 0.f);
  c.pose3d.assign(T * kNumJoints * 4, 0.f);
  for (int t = 0; t < T; ++t)
    for (int j = 0; j < kNumJoints; ++j) {
      c.frame(t)[j * 3 + 0] = 10.f * j + t;
      c.frame(t)[j * 3 + 1] = 5.f * j;
      c.frame(t)[j * 3 + 2] = 1.f;
      float* q = &c.pose3d[(t * kNumJoints + j) * 4];
      q[0] = 10.f * j, q[1] = 20.f * t, q[2] = 3000, q[3] = 1;
    }
  return c;
}

// root/
//   clips/walk/            walk_0000000000{00,01,02}_keypoints.json   (OpenPose clip "walk")
//   clips/walk/notes.txt   (a .txt beside the frames: read as a COCO-17 array by extension)
//   b.npy                  COCO-17 array (name clash with sub/b.csv)
//   sub/b.csv, sub/run.skeleton, sub/README.md (unknown: skipped), sub/.hidden.npy (skipped)
struct Tree {
  test::TempDir tmp;
  fs::path root() const { return tmp / "root"; }
  Tree() {
    write_openpose_dir(small_clip("walk", 3), root() / "clips/walk");
    std::string txt;
    for (int i = 0; i < kCocoFrameDim; ++i) txt += i ? " 1" : "1";
    write_text_atomic(root() / "clips/walk/notes.txt", txt + "\n");
    write_coco17_npy(root() / "b.npy", std::vector<float>(2 * kCocoFrameDim, 0.5f), 2);
    write_text_atomic(root() / "sub/b.csv", txt + "\n" + txt + "\n" + txt + "\n");
    write_ntu_skeleton(root() / "sub/run.skeleton", small_clip("run", 4));
    write_text_atomic(root() / "sub/README.md", "# data\n");
    write_coco17_npy(root() / "sub/.hidden.npy", std::vector<float>(kCocoFrameDim, 0.5f), 1);
  }
};

std::vector<std::string> names(const std::vector<InputItem>& items) {
  std::vector<std::string> n;
  for (const auto& i : items) n.push_back(i.name);
  return n;
}

}  // namespace

TEST(Discover, ExpandsDirectoriesRecursivelyWithUniqueNames) {
  Tree tree;
  const auto items = discover_inputs({tree.root()}, Format::auto_detect);
  ASSERT_EQ(items.size(), 5u);
  // Files of a directory first (sorted), then its subdirectories (sorted).
  EXPECT_EQ(items[0].path, tree.root() / "b.npy");
  EXPECT_EQ(items[0].format, Format::coco17);
  EXPECT_EQ(items[1].path, tree.root() / "clips/walk");
  EXPECT_EQ(items[1].format, Format::openpose);
  EXPECT_EQ(items[2].path, tree.root() / "clips/walk/notes.txt");
  EXPECT_EQ(items[2].format, Format::coco17);
  EXPECT_EQ(items[3].path, tree.root() / "sub/b.csv");
  EXPECT_EQ(items[4].path, tree.root() / "sub/run.skeleton");
  EXPECT_EQ(items[4].format, Format::ntu);
  EXPECT_EQ(names(items), (std::vector<std::string>{"root_b", "walk", "notes", "sub_b", "run"}));

  // Every item reads, and carries its unique name.
  const std::vector<int> frames{2, 3, 1, 3, 4};
  for (size_t i = 0; i < items.size(); ++i) {
    const RawClip c = read_clip(items[i], {});
    EXPECT_EQ(c.name, items[i].name);
    EXPECT_EQ(c.frames, frames[i]) << items[i].path;
    EXPECT_EQ(c.source_format, format_name(items[i].format));
  }
}

TEST(Discover, ExplicitFormatTakesAllRegularFiles) {
  Tree tree;
  const auto coco = discover_inputs({tree.root() / "sub"}, Format::coco17);
  std::vector<std::string> files;
  for (const auto& i : coco) {
    files.push_back(i.path.filename().string());
    EXPECT_EQ(i.format, Format::coco17);
  }
  EXPECT_EQ(files, (std::vector<std::string>{"README.md", "b.csv", "run.skeleton"}));
  // Explicit openpose: only OpenPose directories.
  const auto op = discover_inputs({tree.root()}, Format::openpose);
  ASSERT_EQ(op.size(), 1u);
  EXPECT_EQ(op[0].path, tree.root() / "clips/walk");
}

TEST(Discover, FrameFilesStandForTheirDirectoryAndDuplicatesCollapse) {
  Tree tree;
  const fs::path d = tree.root() / "clips/walk";
  const auto items = discover_inputs(
      {d / "walk_000000000000_keypoints.json", d / "walk_000000000001_keypoints.json", d},
      Format::auto_detect);
  ASSERT_EQ(items.size(), 2u);  // the directory once, plus notes.txt from listing it
  EXPECT_EQ(items[0].path, d);
  EXPECT_EQ(items[0].name, "walk");
  EXPECT_EQ(read_clip(items[0], {}).frames, 3);
}

TEST(Discover, SameStemTwiceGetsSuffix) {
  test::TempDir tmp;
  std::string txt;
  for (int i = 0; i < kCocoFrameDim; ++i) txt += i ? ",1" : "1";
  write_text_atomic(tmp / "a/x/take.csv", txt);
  write_text_atomic(tmp / "b/x/take.csv", txt);
  write_text_atomic(tmp / "b/x/take.txt", txt);
  const auto items = discover_inputs({tmp / "a", tmp / "b"}, Format::auto_detect);
  EXPECT_EQ(names(items), (std::vector<std::string>{"x_take", "x_take_2", "x_take_3"}));
}

TEST(Discover, UnknownAndMissingInputs) {
  test::TempDir tmp;
  EXPECT_THROW(discover_inputs({tmp / "nope"}, Format::auto_detect), IoError);
  write_text_atomic(tmp / "clip.xyz", "?");
  const auto items =
      discover_inputs({tmp / "clip.xyz"}, Format::auto_detect);  // explicit file kept
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].format, Format::auto_detect);
  try {
    read_clip(items[0], {});
    FAIL() << "no error";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("clip.xyz"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("--format"), std::string::npos);
  }
  EXPECT_TRUE(
      discover_inputs({tmp.path()}, Format::auto_detect).empty());  // .xyz skipped in a directory
}

TEST(Discover, FormatNamesAndDetection) {
  for (Format f : {Format::auto_detect, Format::openpose, Format::coco17, Format::ntu, Format::c3d,
                   Format::bvh})
    EXPECT_EQ(parse_format(format_name(f)), f);
  EXPECT_EQ(parse_format("COCO"), Format::coco17);
  EXPECT_EQ(parse_format("kinect"), Format::ntu);
  EXPECT_THROW(parse_format("vicon"), ConfigError);
  EXPECT_EQ(detect_format("a/b.JSON"), Format::coco17);
  EXPECT_EQ(detect_format("a/x_000000000001_keypoints.json"), Format::openpose);
  EXPECT_EQ(detect_format("a/b.npy"), Format::coco17);
  EXPECT_EQ(detect_format("a/b.csv"), Format::coco17);
  EXPECT_EQ(detect_format("a/b.txt"), Format::coco17);
  EXPECT_EQ(detect_format("S001.skeleton"), Format::ntu);
  EXPECT_EQ(detect_format("x.c3d"), Format::c3d);
  EXPECT_EQ(detect_format("x.BVH"), Format::bvh);
  EXPECT_EQ(detect_format("x.mp4"), Format::auto_detect);
}

TEST(Discover, ReadOptionsOverrideFpsAndView) {
  test::TempDir tmp;
  write_ntu_skeleton(tmp / "k.skeleton", small_clip("k", 2));
  ReadOptions opt;
  opt.fps_in = 15;
  opt.view = View::top;
  const auto items = discover_inputs({tmp.path()}, Format::auto_detect);
  ASSERT_EQ(items.size(), 1u);
  const RawClip c = read_clip(items[0], opt);
  EXPECT_EQ(c.fps, 15.0);
  EXPECT_FLOAT_EQ(c.frame(1)[Neck * 3 + 1], 3000);  // top view: (X, Z)
}

TEST(Discover, SymlinkLoopsAndBrokenLinksAreHarmless) {
  Tree tree;
  fs::create_directory_symlink(tree.root(), tree.root() / "sub/loop");
  fs::create_symlink(tree.root() / "gone.npy", tree.root() / "dangling.npy");
  const auto items = discover_inputs({tree.root()}, Format::auto_detect);
  EXPECT_EQ(names(items), (std::vector<std::string>{"root_b", "walk", "notes", "sub_b", "run"}));
}
