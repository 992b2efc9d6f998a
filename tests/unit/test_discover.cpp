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
  const auto items = discover_inputs({tree.root()}, "auto");
  ASSERT_EQ(items.size(), 5u);
  // Files of a directory first (sorted), then its subdirectories (sorted).
  EXPECT_EQ(items[0].path, tree.root() / "b.npy");
  EXPECT_EQ(items[0].format, "coco17");
  EXPECT_EQ(items[1].path, tree.root() / "clips/walk");
  EXPECT_EQ(items[1].format, "openpose");
  EXPECT_EQ(items[2].path, tree.root() / "clips/walk/notes.txt");
  EXPECT_EQ(items[2].format, "coco17");
  EXPECT_EQ(items[3].path, tree.root() / "sub/b.csv");
  EXPECT_EQ(items[4].path, tree.root() / "sub/run.skeleton");
  EXPECT_EQ(items[4].format, "ntu");
  EXPECT_EQ(names(items), (std::vector<std::string>{"root_b", "walk", "notes", "sub_b", "run"}));

  // Every item reads, and carries its unique name.
  const std::vector<int> frames{2, 3, 1, 3, 4};
  for (size_t i = 0; i < items.size(); ++i) {
    const RawClip c = read_clip(items[i], {});
    EXPECT_EQ(c.name, items[i].name);
    EXPECT_EQ(c.frames, frames[i]) << items[i].path;
    EXPECT_EQ(c.source_format, items[i].format);
  }
}

TEST(Discover, ExplicitFormatTakesAllRegularFiles) {
  Tree tree;
  const auto coco = discover_inputs({tree.root() / "sub"}, "coco17");
  std::vector<std::string> files;
  for (const auto& i : coco) {
    files.push_back(i.path.filename().string());
    EXPECT_EQ(i.format, "coco17");
  }
  EXPECT_EQ(files, (std::vector<std::string>{"README.md", "b.csv", "run.skeleton"}));
  // Explicit openpose: only OpenPose directories.
  const auto op = discover_inputs({tree.root()}, "openpose");
  ASSERT_EQ(op.size(), 1u);
  EXPECT_EQ(op[0].path, tree.root() / "clips/walk");
}

TEST(Discover, FrameFilesStandForTheirDirectoryAndDuplicatesCollapse) {
  Tree tree;
  const fs::path d = tree.root() / "clips/walk";
  const auto items = discover_inputs(
      {d / "walk_000000000000_keypoints.json", d / "walk_000000000001_keypoints.json", d},
      "auto");
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
  const auto items = discover_inputs({tmp / "a", tmp / "b"}, "auto");
  EXPECT_EQ(names(items), (std::vector<std::string>{"x_take", "x_take_2", "x_take_3"}));
}

TEST(Discover, UnknownAndMissingInputs) {
  test::TempDir tmp;
  EXPECT_THROW(discover_inputs({tmp / "nope"}, "auto"), IoError);
  write_text_atomic(tmp / "clip.xyz", "?");
  const auto items =
      discover_inputs({tmp / "clip.xyz"}, "auto");  // explicit file kept
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].format, "");
  try {
    read_clip(items[0], {});
    FAIL() << "no error";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("clip.xyz"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("--format"), std::string::npos);
  }
  EXPECT_TRUE(
      discover_inputs({tmp.path()}, "auto").empty());  // .xyz skipped in a directory
}

TEST(Discover, FormatNamesAndProbes) {
  for (const auto& f : formats()) {
    EXPECT_EQ(find_format(f.name), &f);
    for (const auto& a : f.aliases) EXPECT_EQ(find_format(a), &f) << a;
  }
  EXPECT_EQ(find_format("COCO"), find_format("coco17"));
  EXPECT_EQ(find_format("vicon"), find_format("c3d"));
  EXPECT_EQ(find_format("mp4"), nullptr);
  test::TempDir tmp;
  write_text_atomic(tmp / "x.BVH", "HIERARCHY\nROOT Hips\n");
  write_text_atomic(tmp / "README.md", "# notes\n");
  write_text_atomic(tmp / "labels.json", "{\"labels\": [\"walk\", \"run\"]}");
  ASSERT_NE(probe_file(tmp / "x.BVH"), nullptr);
  EXPECT_EQ(probe_file(tmp / "x.BVH")->name, "bvh");
  EXPECT_EQ(probe_file(tmp / "README.md"), nullptr);
  EXPECT_EQ(probe_file(tmp / "labels.json"), nullptr);  // JSON, but no keypoints
  // In a directory they are skipped with a note, not failed.
  const Discovery d = discover({tmp.path()});
  ASSERT_EQ(d.items.size(), 1u);
  ASSERT_EQ(d.skipped.size(), 2u);
  EXPECT_EQ(d.skipped[0].path.filename(), "README.md");
  EXPECT_NE(d.skipped[0].reason.find("not a recording"), std::string::npos);
  EXPECT_THROW(discover({tmp.path()}, "vhs"), ConfigError);
}

TEST(Discover, ReadOptionsOverrideFpsAndView) {
  test::TempDir tmp;
  write_ntu_skeleton(tmp / "k.skeleton", small_clip("k", 2));
  ReadOptions opt;
  opt.fps_in = 15;
  opt.view = View::top;
  const auto items = discover_inputs({tmp.path()}, "auto");
  ASSERT_EQ(items.size(), 1u);
  const RawClip c = read_clip(items[0], opt);
  EXPECT_EQ(c.fps, 15.0);
  EXPECT_FLOAT_EQ(c.frame(1)[Neck * 3 + 1], 3000);  // top view: (X, Z)
}

TEST(Discover, SymlinkLoopsAndBrokenLinksAreHarmless) {
  Tree tree;
  fs::create_directory_symlink(tree.root(), tree.root() / "sub/loop");
  fs::create_symlink(tree.root() / "gone.npy", tree.root() / "dangling.npy");
  const auto items = discover_inputs({tree.root()}, "auto");
  EXPECT_EQ(names(items), (std::vector<std::string>{"root_b", "walk", "notes", "sub_b", "run"}));
}
