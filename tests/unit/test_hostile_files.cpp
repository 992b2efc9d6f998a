// Hostile inputs for every reader: tiny files that declare huge counts (C3D 65535 points and
// 2^31 frames, BVH "Frames: 2147483648", NTU frame count 2^31, .npy shape (2147483648, 17, 3),
// pickle strings of 2^62 bytes, zip members of 2^31 bytes), a BVH nested a million joints
// deep, and JSON nested a million levels ([[[...]]] and {"a":{"a":...}}) for every JSON
// reader. Each must fail with lmm::FormatError naming the file (declared vs found where a
// count was declared; the BVH parser refuses joints nested deeper than 1000), and fail
// before allocating:
// every read runs in a forked child whose address space is capped at what the test process
// already maps plus 1 GiB (RLIMIT_AS), so a crash, a stack overflow or a huge allocation
// shows up as a failed test with the signal or std::bad_alloc, not as a dead test binary.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <csignal>
#include <fstream>
#include <functional>

#include "lmm/core/error.h"
#include "lmm/io/bvh.h"
#include "lmm/io/convention.h"
#include "lmm/io/format_registry.h"
#include "lmm/io/npy.h"
#include "lmm/io/openpose_json.h"
#include "lmm/io/reader.h"
#include "test_support.h"

using namespace lmm;
using namespace lmm::io;
namespace fs = std::filesystem;

namespace {

constexpr size_t kHeadroom = size_t(1) << 30;  // address space the child may add (1 GiB)

// How a bounded call ended: 'F' FormatError, 'E' another exception, 'N' returned normally.
struct Outcome {
  char kind = '?';
  long frame = -1;
  std::string what;
};

size_t mapped_bytes() {
  std::ifstream in("/proc/self/statm");
  size_t pages = 0;
  in >> pages;
  return pages * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

// Runs f in a forked child limited to the current address space + kHeadroom; a signal or
// an exit without an outcome fails the test with what happened.
::testing::AssertionResult run_bounded(const std::function<void()>& f, Outcome& out) {
  int fd[2];
  if (pipe(fd) != 0) return ::testing::AssertionFailure() << "pipe failed";
  const size_t limit = mapped_bytes() + kHeadroom;
  const pid_t pid = fork();
  if (pid < 0) return ::testing::AssertionFailure() << "fork failed";
  if (pid == 0) {
    close(fd[0]);
    const rlimit rl{limit, limit};
    setrlimit(RLIMIT_AS, &rl);
    std::string msg;
    try {
      f();
      msg = "N\n-1\n";
    } catch (const FormatError& e) {
      msg = "F\n" + std::to_string(e.frame()) + "\n" + e.what();
    } catch (const std::exception& e) {
      msg = std::string("E\n-1\n") + typeid(e).name() + ": " + e.what();
    }
    for (size_t at = 0; at < msg.size();) {
      const ssize_t w = write(fd[1], msg.data() + at, msg.size() - at);
      if (w <= 0) break;
      at += static_cast<size_t>(w);
    }
    _exit(0);
  }
  close(fd[1]);
  std::string msg;
  char buf[4096];
  for (ssize_t r; (r = read(fd[0], buf, sizeof buf)) > 0;) msg.append(buf, static_cast<size_t>(r));
  close(fd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status))
    return ::testing::AssertionFailure() << "the reader was killed by signal " << WTERMSIG(status) << " ("
                                         << strsignal(WTERMSIG(status)) << ")";
  const size_t a = msg.find('\n'), b = a == std::string::npos ? a : msg.find('\n', a + 1);
  if (b == std::string::npos) return ::testing::AssertionFailure() << "the child reported nothing";
  out.kind = msg[0];
  out.frame = std::stol(msg.substr(a + 1, b - a - 1));
  out.what = msg.substr(b + 1);
  return ::testing::AssertionSuccess();
}

// f must throw FormatError naming `file` and containing every part; frame >= 0 checks it too.
::testing::AssertionResult fails_bounded(const std::function<void()>& f, const std::string& file,
                                         const std::vector<std::string>& parts = {}, long frame = -2) {
  Outcome o;
  if (auto r = run_bounded(f, o); !r) return r;
  if (o.kind == 'N') return ::testing::AssertionFailure() << "did not throw";
  if (o.kind != 'F') return ::testing::AssertionFailure() << "threw another exception: " << o.what;
  if (o.what.find(file) == std::string::npos)
    return ::testing::AssertionFailure() << "message does not name '" << file << "': " << o.what;
  if (frame != -2 && o.frame != frame)
    return ::testing::AssertionFailure() << "expected frame " << frame << ", got " << o.frame << ": " << o.what;
  for (const auto& p : parts)
    if (o.what.find(p) == std::string::npos)
      return ::testing::AssertionFailure() << "message lacks '" << p << "': " << o.what;
  return ::testing::AssertionSuccess() << o.what;
}

void write_file(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

std::vector<SourceMotion> read_as(const std::string& format, const fs::path& p) {
  const FormatSpec* f = find_format(format);
  if (!f) throw std::runtime_error("no format " + format);
  return f->read(p, ReadOptions{});
}

// ---- byte builders ----------------------------------------------------------------------

void put_le(std::string& s, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) s += static_cast<char>((v >> (8 * i)) & 0xff);
}

std::string le_bytes(uint64_t v, int bytes) {
  std::string s;
  put_le(s, v, bytes);
  return s;
}

// C3D parameter items (Intel): a group, or a parameter of a group with int16 or float data.
struct C3dParams {
  std::string bytes;
  void item(const std::string& name, int id, const std::string& body) {
    bytes += static_cast<char>(name.size());
    bytes += static_cast<char>(static_cast<int8_t>(id));
    bytes += name;
    put_le(bytes, 2 + body.size() + 1, 2);  // offset to the next item, from this field
    bytes += body;
    bytes += '\0';  // description length
  }
  void group(const std::string& name, int id) { item(name, -id, ""); }
  void int16s(const std::string& name, int group, const std::vector<uint16_t>& v) {
    std::string body{char(2), char(v.size() > 1 ? 1 : 0)};
    if (v.size() > 1) body += static_cast<char>(v.size());
    for (uint16_t x : v) put_le(body, x, 2);
    item(name, group, body);
  }
  void real(const std::string& name, int group, float v) {
    std::string body{char(4), char(0)};
    uint32_t u;
    std::memcpy(&u, &v, 4);
    put_le(body, u, 4);
    item(name, group, body);
  }
};

// A 3-block C3D (header, parameters, one block of zero point data) whose header and
// parameters declare the largest counts C3D can hold.
std::string c3d_max_counts() {
  std::string h(512, '\0');
  auto word = [&](int w, uint16_t v) { h[2 * (w - 1)] = char(v & 0xff), h[2 * (w - 1) + 1] = char(v >> 8); };
  h[0] = 2, h[1] = 0x50;
  word(2, 65535);  // points
  word(3, 65535);  // analog samples per frame
  word(4, 1);      // first frame
  word(5, 65535);  // last frame
  word(9, 3);      // data start block
  word(10, 65535);
  const float scale = -1.f, rate = 100.f;
  std::memcpy(&h[12], &scale, 4);
  std::memcpy(&h[20], &rate, 4);
  C3dParams p;
  p.group("POINT", 1);
  p.int16s("USED", 1, {65535});
  p.int16s("FRAMES", 1, {65535});
  p.int16s("DATA_START", 1, {3});
  p.real("SCALE", 1, -1.f);
  p.real("RATE", 1, 100.f);
  p.group("ANALOG", 2);
  p.int16s("USED", 2, {65535});
  p.real("RATE", 2, 100.f * 65535);
  p.group("TRIAL", 3);
  p.int16s("ACTUAL_START_FIELD", 3, {1, 0});
  p.int16s("ACTUAL_END_FIELD", 3, {0, 0x8000});  // 2^31
  std::string params{char(1), char(0x50), char(1), char(84)};
  params += p.bytes;
  params.resize(512, '\0');
  return h + params + std::string(512, '\0');
}

std::string nested_arrays(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string nested_objects(size_t depth) {
  std::string s;
  s.reserve(depth * 6 + 2);
  for (size_t i = 0; i < depth; ++i) s += "{\"a\":";
  s += "1";
  s.append(depth, '}');
  return s;
}

constexpr size_t kDeep = 1000000;

// BVH: ROOT then `depth` nested JOINT blocks, one frame of the root's 6 channels.
std::string deep_bvh(size_t depth) {
  std::string s = "HIERARCHY\nROOT Hips\n{\nOFFSET 0 0 0\nCHANNELS 6 Xposition Yposition Zposition "
                  "Zrotation Xrotation Yrotation\n";
  for (size_t i = 0; i < depth; ++i) s += "JOINT j" + std::to_string(i) + "\n{\nOFFSET 0 1 0\n";
  s += "End Site\n{\nOFFSET 0 1 0\n}\n";
  for (size_t i = 0; i <= depth; ++i) s += "}\n";
  return s + "MOTION\nFrames: 1\nFrame Time: 0.01\n0 0 0 0 0 0\n";
}

std::string tiny_bvh(const std::string& frames) {
  return "HIERARCHY\nROOT Hips\n{\nOFFSET 0 0 0\nCHANNELS 6 Xposition Yposition Zposition "
         "Zrotation Xrotation Yrotation\nEnd Site\n{\nOFFSET 0 1 0\n}\n}\nMOTION\nFrames: " +
         frames + "\nFrame Time: 0.01\n0 0 0 0 0 0\n";
}

std::string npy_with_shape(const std::string& shape, size_t payload_floats) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
  header.append(63 - (10 + header.size()) % 64, ' ');
  header += '\n';
  std::string s("\x93NUMPY\x01\x00", 8);
  put_le(s, header.size(), 2);
  return s + header + std::string(payload_floats * 4, '\0');
}

uint32_t crc32_of(const std::string& s) {
  uint32_t c = 0xffffffffu;
  for (unsigned char b : s) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return ~c;
}

// A zip of stored members; `usize` overrides a member's declared uncompressed size (0 = true size).
std::string zip_of(const std::vector<std::pair<std::string, std::string>>& members, uint64_t usize = 0) {
  std::string out, dir;
  for (const auto& [name, data] : members) {
    const uint32_t crc = crc32_of(data);
    const uint64_t local = out.size(), us = usize ? usize : data.size();
    out += le_bytes(0x04034b50, 4) + le_bytes(20, 2) + le_bytes(0, 2) + le_bytes(0, 2) + le_bytes(0, 4) +
           le_bytes(crc, 4) + le_bytes(data.size(), 4) + le_bytes(us, 4) + le_bytes(name.size(), 2) +
           le_bytes(0, 2) + name + data;
    dir += le_bytes(0x02014b50, 4) + le_bytes(20, 2) + le_bytes(20, 2) + le_bytes(0, 2) + le_bytes(0, 2) +
           le_bytes(0, 4) + le_bytes(crc, 4) + le_bytes(data.size(), 4) + le_bytes(us, 4) +
           le_bytes(name.size(), 2) + le_bytes(0, 2) + le_bytes(0, 2) + le_bytes(0, 2) + le_bytes(0, 2) +
           le_bytes(0, 4) + le_bytes(local, 4) + name;
  }
  const size_t at = out.size();
  out += dir;
  out += le_bytes(0x06054b50, 4) + le_bytes(0, 2) + le_bytes(0, 2) + le_bytes(members.size(), 2) +
         le_bytes(members.size(), 2) + le_bytes(dir.size(), 4) + le_bytes(at, 4) + le_bytes(0, 2);
  return out;
}

}  // namespace

// ---- declared counts ---------------------------------------------------------------------

TEST(HostileFiles, C3dMaximumCountsInATinyFile) {
  test::TempDir dir;
  const fs::path f = dir / "max_counts.c3d";
  write_file(f, c3d_max_counts());
  EXPECT_TRUE(fails_bounded([&] { read_as("c3d", f); }, "max_counts.c3d",
                            {"point data ends early", "0 of", "declared frames", "65535 points"}, 0));
}

TEST(HostileFiles, BvhDeclaresTwoToThe31Frames) {
  test::TempDir dir;
  const fs::path f = dir / "frames.bvh";
  write_file(f, tiny_bvh("2147483648"));
  EXPECT_TRUE(fails_bounded([&] { read_as("bvh", f); }, "frames.bvh", {"Frames: 2147483648, expected at most"}));
  write_file(f, tiny_bvh("999999999"));  // within the accepted range: the data ends after 1 frame
  EXPECT_TRUE(fails_bounded([&] { read_as("bvh", f); }, "frames.bvh", {"after 1 frames", "999999999"}, 1));
}

TEST(HostileFiles, NtuDeclaresTwoToThe31Frames) {
  test::TempDir dir;
  const fs::path f = dir / "S001C001P001R001A001.skeleton";
  write_file(f, "2147483648\n0\n");
  EXPECT_TRUE(fails_bounded([&] { read_as("ntu", f); }, "S001C001P001R001A001.skeleton",
                            {"frame count 2147483648", "0..1000000000"}, -1));
  write_file(f, "1000000000\n0\n");  // within range: the data ends after frame 0
  EXPECT_TRUE(fails_bounded([&] { read_as("ntu", f); }, "S001C001P001R001A001.skeleton", {"body count"}, 1));
}

TEST(HostileFiles, NpyShapeOfTwoToThe31FramesWithATinyPayload) {
  test::TempDir dir;
  const fs::path f = dir / "huge.npy";
  write_file(f, npy_with_shape("(2147483648, 17, 3)", 51));
  EXPECT_TRUE(fails_bounded([&] { read_as("coco17", f); }, "huge.npy", {"1 complete rows of 2147483648"}));
  EXPECT_TRUE(fails_bounded([&] { read_as("h36m17", f); }, "huge.npy"));  // refused by its content check
  // Dimensions whose product overflows size_t.
  const std::string overflow = npy_with_shape("(1, 4611686018427387904, 4611686018427387904)", 1);
  EXPECT_TRUE(fails_bounded([&] { parse_npy(overflow, "huge.npy"); }, "huge.npy", {"too large"}));
}

TEST(HostileFiles, PickleWithHugeLengths) {
  test::TempDir dir;
  const fs::path f = dir / "keys.pkl";
  const std::string proto("\x80\x04", 2);
  const std::vector<std::string> bodies = {
      std::string("\x8d", 1) + le_bytes(uint64_t(1) << 62, 8) + "abc",  // BINUNICODE8
      "B" + le_bytes(0xffffffffu, 4) + "abc",                           // BINBYTES
      std::string("\x8b", 1) + le_bytes(0x80000000u, 4) + "abc",        // LONG4
      std::string("\x95", 1) + le_bytes(uint64_t(1) << 40, 8) + "N.",   // FRAME then a tiny pickle
  };
  for (const std::string& b : bodies) {
    write_file(f, proto + b);
    Outcome o;
    ASSERT_TRUE(run_bounded([&] { read_as("detectron2", f); }, o));
    EXPECT_EQ(o.kind, 'F') << o.what;
    EXPECT_NE(o.what.find("keys.pkl"), std::string::npos) << o.what;
  }
}

TEST(HostileFiles, NpzWithHugeMembers) {
  test::TempDir dir;
  const fs::path f = dir / "data_2d_custom_x.npz";
  write_file(f, zip_of({{"positions_2d.npy", "tiny"}}, uint64_t(1) << 31));
  for (const char* format : {"videopose3d", "detectron2"})
    EXPECT_TRUE(fails_bounded([&] { read_as(format, f); }, "data_2d_custom_x.npz",
                              {"declares 2147483648 bytes from 4 compressed"}))
        << format;
  // A well-formed archive whose member is an .npy declaring (2^31, 17, 2) with 34 floats.
  write_file(f, zip_of({{"keypoints.npy", npy_with_shape("(2147483648, 17, 2)", 34)},
                        {"positions_2d.npy", npy_with_shape("(2147483648, 17, 2)", 34)}}));
  for (const char* format : {"videopose3d", "detectron2"})
    EXPECT_TRUE(fails_bounded([&] { read_as(format, f); }, "data_2d_custom_x.npz")) << format;
}

// ---- deep nesting ------------------------------------------------------------------------

TEST(HostileFiles, BvhAMillionJointsDeep) {
  test::TempDir dir;
  const fs::path f = dir / "deep.bvh";
  write_file(f, deep_bvh(kDeep));
  EXPECT_TRUE(fails_bounded([&] { read_as("bvh", f); }, "deep.bvh", {"joint j999 is nested deeper than 1000 levels"}));
}

// Every JSON reader, on [[[...]]] and {"a":{"a":...}} a million levels deep.
TEST(HostileFiles, JsonAMillionLevelsDeep) {
  test::TempDir dir;
  for (const std::string& text : {nested_arrays(kDeep), nested_objects(kDeep)}) {
    const std::string kind = text[0] == '[' ? "arrays" : "objects";
    const fs::path op = dir / ("op_" + kind);
    fs::create_directories(op);
    write_file(op / "deep_000000000000_keypoints.json", text);
    EXPECT_TRUE(fails_bounded([&] { read_as("openpose", op); }, "deep_000000000000_keypoints.json")) << kind;

    const fs::path coco = dir / ("alphapose-results_" + kind + ".json");
    write_file(coco, text);
    EXPECT_TRUE(fails_bounded([&] { read_as("coco17", coco); }, coco.filename().string())) << kind;

    const fs::path stgcn = dir / ("kinetics_" + kind + ".json");
    write_file(stgcn, text);
    EXPECT_TRUE(fails_bounded([&] { read_as("stgcn", stgcn); }, stgcn.filename().string())) << kind;

    const fs::path markers = dir / ("markers_" + kind + ".json");
    write_file(markers, text);
    EXPECT_TRUE(fails_bounded([&] { load_convention_json(markers, "c3d"); }, markers.filename().string()))
        << kind;
  }
}
