// The restricted unpickler (include/lmm/io/pickle.h): numpy arrays and plain containers as
// numpy writes them (fixtures built in C++, pickle_fixtures.h), the real keys.pkl, and
// hostile payloads (os.system, builtins.eval, INST, NEWOBJ, deep nesting, huge lengths,
// cycles) that must end in a FormatError naming the file, never in a call or a crash.
#include <gtest/gtest.h>

#include "expect_format_error.h"
#include "lmm/core/atomic_file.h"
#include "lmm/io/pickle.h"
#include "pickle_fixtures.h"
#include "test_support.h"

using namespace lmm;
using namespace lmm::io;
using lmm::test::Pickle;

namespace {

std::string bin(const char* s, size_t n) { return std::string(s, n); }

}  // namespace

TEST(Pickle, PlainContainersAndScalars) {
  Pickle p;
  p.op('}').op('(').str("w").integer(1080).str("h").integer(-5).str("list");
  p.op(']').op('(').op('N').op('\x88').raw("G").raw(bin("\x3f\xf8\0\0\0\0\0\0", 8)).op('e');  // [None,
                                                                                              // True, 1.5]
  p.str("t").integer(7).integer(8).op('\x86').op('u').stop();
  const PickleDoc doc = unpickle(p.b, "plain.pkl");
  const PyValue& d = doc.root();
  ASSERT_EQ(d.kind, PyValue::Kind::dict);
  EXPECT_EQ(d.get("w")->integer, 1080);
  EXPECT_EQ(d.get("h")->integer, -5);
  const PyValue& l = *d.get("list");
  ASSERT_EQ(l.items.size(), 3u);
  EXPECT_EQ(l.items[0]->kind, PyValue::Kind::none);
  EXPECT_TRUE(l.items[1]->flag);
  EXPECT_EQ(l.items[2]->real, 1.5);
  EXPECT_EQ(d.get("t")->kind, PyValue::Kind::tuple);
  EXPECT_EQ(d.get("t")->items[1]->integer, 8);
  EXPECT_EQ(d.get("missing"), nullptr);
}

TEST(Pickle, NumpyArraysInCAndFortranOrder) {
  // (2, 3) float32 0..5 in C order, and the same array stored in Fortran order.
  const std::vector<float> c = {0, 1, 2, 3, 4, 5}, f = {0, 3, 1, 4, 2, 5};
  Pickle p;
  p.op(']').op('(');
  p.float_array({2, 3}, c).float_array({2, 3}, f, /*fortran=*/true);
  // An object array (2,) holding a list and None.
  p.ndarray({2}, "O8", false, [](Pickle& q) { q.op(']').op('(').op(']').op('N').op('e'); });
  p.op('e').stop();
  const PickleDoc doc = unpickle(p.b, "arrays.pkl");
  const auto& items = doc.root().items;
  ASSERT_EQ(items.size(), 3u);
  for (int k = 0; k < 2; ++k) {
    const PyArray& a = *items[k]->array;
    EXPECT_EQ(a.shape, (std::vector<long long>{2, 3})) << k;
    EXPECT_EQ(a.kind, 'f');
    EXPECT_EQ(array_floats(a, "arrays.pkl", "a"), c) << k;
  }
  const PyArray& o = *items[2]->array;
  EXPECT_EQ(o.kind, 'O');
  ASSERT_EQ(o.objects.size(), 2u);
  EXPECT_EQ(o.objects[0]->kind, PyValue::Kind::list);
  EXPECT_EQ(o.objects[1]->kind, PyValue::Kind::none);
  EXPECT_TRUE(test::throws_format_error([&] { array_floats(o, "arrays.pkl", "the objects"); }, "arrays.pkl",
                                        -1, {"the objects", "expected a numeric array"}));
}

TEST(Pickle, RealDetectron2KeysPkl) {
  const auto file = test::shared_data("coco17/detectron2_yoga_swaroop/keys.pkl");
  if (file.empty()) GTEST_SKIP() << "../shared/data/coco17 is absent: no real pickle to test";
  const PickleDoc doc = unpickle(read_text(file), file.string());
  ASSERT_EQ(doc.root().kind, PyValue::Kind::list);
  ASSERT_EQ(doc.root().items.size(), 927u);  // frames, each [[], float32 (1, 4, 17)]
  const PyValue& f0 = *doc.root().items[0];
  ASSERT_EQ(f0.items.size(), 2u);
  EXPECT_TRUE(f0.items[0]->items.empty());
  const PyArray& a = *f0.items[1]->array;
  EXPECT_EQ(a.shape, (std::vector<long long>{1, 4, 17}));
  const auto v = array_floats(a, file.string(), "frame 0");  // rows x, y, logit, score (C order now)
  EXPECT_EQ(v[0], 761.9581298828125f);                       // nose x
  EXPECT_EQ(v[17], 244.7816619873047f);                      // nose y
  EXPECT_EQ(v[3 * 17], 1.179282546043396f);                  // nose score
}

TEST(Pickle, HostileGlobalsAreRejected) {
  // os.system("ls") through GLOBAL + REDUCE (protocol 2).
  const std::string os_system =
      bin("\x80\x02"
          "cos\nsystem\n"
          "X\x02\0\0\0ls"
          "\x85R.",
          23);
  EXPECT_TRUE(test::throws_format_error([&] { unpickle(os_system, "evil.pkl"); }, "evil.pkl", -1,
                                        {"os.system", "only numpy array reconstruction is allowed"}));
  // builtins.eval("1+1") through STACK_GLOBAL (protocol 4).
  const std::string eval =
      bin("\x80\x04\x8c\x08"
          "builtins"
          "\x8c\x04"
          "eval"
          "\x93\x8c\x03"
          "1+1"
          "\x85R.",
          27);
  EXPECT_TRUE(
      test::throws_format_error([&] { unpickle(eval, "eval.pkl"); }, "eval.pkl", -1, {"builtins.eval"}));
  // An arbitrary class, a numpy function that is not on the list, and INST.
  EXPECT_TRUE(test::throws_format_error(
      [&] {
        unpickle(
            "\x80\x02"
            "c__main__\nExploit\n)R.",
            "cls.pkl");
      },
      "cls.pkl", -1, {"__main__.Exploit"}));
  EXPECT_TRUE(test::throws_format_error([&] { unpickle("cnumpy\nload\n.", "np.pkl"); }, "np.pkl", -1,
                                        {"numpy.load"}));
  EXPECT_TRUE(
      test::throws_format_error([&] { unpickle(bin("(X\x02\0\0\0lsiposix\nsystem\n.", 23), "inst.pkl"); },
                                "inst.pkl", -1, {"posix.system"}));
  // Object creation, persistent ids and extension codes need no global name but are refused too.
  EXPECT_TRUE(test::throws_format_error([&] { unpickle("\x80\x02N)\x81.", "newobj.pkl"); }, "newobj.pkl", -1,
                                        {"NEWOBJ", "not allowed"}));
  EXPECT_TRUE(
      test::throws_format_error([&] { unpickle("\x80\x02NQ.", "pid.pkl"); }, "pid.pkl", -1, {"persistent"}));
  EXPECT_TRUE(test::throws_format_error([&] { unpickle("\x80\x02\x82\x01.", "ext.pkl"); }, "ext.pkl", -1,
                                        {"extension"}));
  // Allowlisted names used the wrong way: calling ndarray or dtype directly, BUILD on a dict.
  Pickle nd;
  nd.global("numpy", "ndarray").op(')').op('R').stop();
  EXPECT_TRUE(test::throws_format_error([&] { unpickle(nd.b, "nd.pkl"); }, "nd.pkl", -1,
                                        {"REDUCE calls global numpy ndarray"}));
  Pickle dt;
  dt.global("numpy", "dtype").str("U8").op('\x85').op('R').stop();
  EXPECT_TRUE(
      test::throws_format_error([&] { unpickle(dt.b, "dt.pkl"); }, "dt.pkl", -1, {"'U8' is not supported"}));
  EXPECT_TRUE(test::throws_format_error([&] { unpickle("\x80\x02})b.", "build.pkl"); }, "build.pkl", -1,
                                        {"BUILD on a dict"}));
}

TEST(Pickle, HostileStructureIsBounded) {
  // Deep MARK nesting.
  EXPECT_TRUE(test::throws_format_error([&] { unpickle(std::string(5000, '(') + ".", "marks.pkl"); },
                                        "marks.pkl", -1, {"nested MARKs"}));
  // 100000 lists each inside the previous one: decoded without recursion.
  const int depth = 100000;
  const std::string deep = "\x80\x02" + std::string(depth, ']') + std::string(depth - 1, 'a') + ".";
  const PickleDoc doc = unpickle(deep, "deep.pkl");
  int levels = 1;
  for (const PyValue* v = &doc.root(); !v->items.empty(); v = v->items[0]) ++levels;
  EXPECT_EQ(levels, depth);
  // A list that contains itself (memo): fine, and freed without recursion.
  const PickleDoc cyc = unpickle(bin("\x80\x02]q\x00h\x00"
                                     "a.",
                                     9),
                                 "cycle.pkl");
  EXPECT_EQ(cyc.root().items[0], &cyc.root());
  // Huge declared lengths: no allocation, a truncation error.
  EXPECT_TRUE(test::throws_format_error([&] { unpickle(bin("\x80\x02X\xff\xff\xff\xff", 7), "len.pkl"); },
                                        "len.pkl", -1, {"truncated pickle", "4294967295 bytes"}));
  EXPECT_TRUE(test::throws_format_error(
      [&] { unpickle(bin("\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\x7f", 11), "len8.pkl"); }, "len8.pkl", -1,
      {"truncated pickle"}));
  EXPECT_TRUE(test::throws_format_error([&] { unpickle(bin("\x80\x02\x8b\0\0\0\x80", 7), "long.pkl"); },
                                        "long.pkl", -1, {"too large"}));
  // An array whose shape multiplies to more than 2^40 elements, or disagrees with its data.
  Pickle big;
  big.float_array({1 << 30, 1 << 30, 16}, {1.f}).stop();
  EXPECT_TRUE(test::throws_format_error([&] { unpickle(big.b, "big.pkl"); }, "big.pkl", -1, {"too large"}));
  Pickle short_data;
  short_data.float_array({4, 17}, {1.f, 2.f}).stop();
  EXPECT_TRUE(test::throws_format_error([&] { unpickle(short_data.b, "short.pkl"); }, "short.pkl", -1,
                                        {"(4, 17)", "8 data bytes, expected 272"}));
  Pickle objs;
  objs.ndarray({3}, "O8", false, [](Pickle& q) { q.op(']').op('N').op('a'); }).stop();
  EXPECT_TRUE(test::throws_format_error([&] { unpickle(objs.b, "objs.pkl"); }, "objs.pkl", -1,
                                        {"expected a list of 3"}));
  // An array never BUILT is numpy's empty placeholder; BUILD twice is refused.
  Pickle bare;
  bare.global("numpy.core.multiarray", "_reconstruct").global("numpy", "ndarray");
  bare.integer(0).op('\x85').op('C').le(1, 1).raw("b").op('\x87').op('R').stop();
  const PickleDoc placeholder = unpickle(bare.b, "bare.pkl");
  ASSERT_NE(placeholder.root().array, nullptr);
  EXPECT_EQ(placeholder.root().array->size(), 0u);
  Pickle twice;
  twice.float_array({1}, {1.f});
  twice.b += twice.b.substr(twice.b.find("(K\x01")) + ".";  // its state tuple and BUILD again
  EXPECT_TRUE(test::throws_format_error([&] { unpickle(twice.b, "twice.pkl"); }, "twice.pkl", -1,
                                        {"BUILD on a ndarray"}));
  // Truncated, underflow, unknown memo slot, text opcodes not supported.
  EXPECT_TRUE(
      test::throws_format_error([&] { unpickle("\x80\x02]", "nostop.pkl"); }, "nostop.pkl", -1, {"no STOP"}));
  EXPECT_TRUE(test::throws_format_error(
      [&] {
        unpickle(
            "\x80\x02"
            "a.",
            "under.pkl");
      },
      "under.pkl", -1, {"byte 2", "stack underflow"}));
  EXPECT_TRUE(test::throws_format_error([&] { unpickle("\x80\x02h\x05.", "memo.pkl"); }, "memo.pkl", -1,
                                        {"memo slot 5"}));
  EXPECT_TRUE(test::throws_format_error([&] { unpickle("S'abc'\n.", "text.pkl"); }, "text.pkl", -1,
                                        {"unsupported pickle opcode 0x53"}));
  EXPECT_TRUE(test::throws_format_error([&] { unpickle("\x80\x02NN.", "two.pkl"); }, "two.pkl", -1,
                                        {"2 values on the stack"}));
}
