// Checkpoint files: round trip of metadata, weights, optimizer and RNG state; wrong
// magic, version mismatch, truncation, corruption and shape mismatch -> CheckpointError
// naming the file and what was expected.
#include <gtest/gtest.h>

#include <fstream>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/train/checkpoint.h"
#include "test_support.h"
#include "tiny_forecaster.h"

using namespace lmm;
using namespace lmm::train;

namespace {

Checkpoint make_checkpoint(test::TinyForecaster& m) {
  torch::optim::AdamW opt(m->parameters(), torch::optim::AdamWOptions(1e-3));
  auto loss = (m->offset * m->offset).sum() + m->gain.pow(2).sum();
  loss.backward();
  opt.step();
  Checkpoint ck;
  ck.meta = {{"model", {{"kind", "tiny"}, {"config", m->config_json()}}}, {"state", {{"step", 1}}}};
  ck.model_state = save_module_state(*m);
  ck.optimizer_state = save_optimizer_state(opt);
  ck.rng_state = save_torch_rng();
  return ck;
}

// Expects CheckpointError whose message contains each of `parts`.
template <typename F>
void expect_ckpt_error(F&& f, std::initializer_list<std::string> parts) {
  try {
    f();
    FAIL() << "expected CheckpointError";
  } catch (const CheckpointError& e) {
    for (const auto& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos)
        << "message \"" << e.what() << "\" lacks \"" << p << "\"";
  }
}

}  // namespace

TEST(Checkpoint, RoundTripRestoresWeightsOptimizerAndRng) {
  test::TempDir d;
  torch::manual_seed(3);
  test::TinyForecaster a;
  Checkpoint ck = make_checkpoint(a);
  write_checkpoint(d / "x.ckpt", ck);
  Checkpoint back = read_checkpoint(d / "x.ckpt");
  EXPECT_EQ(back.meta, ck.meta);
  EXPECT_EQ(back.model_state, ck.model_state);
  EXPECT_EQ(back.optimizer_state, ck.optimizer_state);
  EXPECT_EQ(back.rng_state, ck.rng_state);

  torch::manual_seed(99);  // different init
  test::TinyForecaster b;
  EXPECT_FALSE(torch::equal(a->offset, b->offset));
  load_module_state(*b, back.model_state, "x.ckpt");
  EXPECT_TRUE(torch::equal(a->offset, b->offset));
  EXPECT_TRUE(torch::equal(a->gain, b->gain));

  // Optimizer state: the same next step from both.
  torch::optim::AdamW oa(a->parameters(), torch::optim::AdamWOptions(1e-3));
  torch::optim::AdamW ob(b->parameters(), torch::optim::AdamWOptions(1e-3));
  load_optimizer_state(oa, ck.optimizer_state, "x.ckpt");
  load_optimizer_state(ob, back.optimizer_state, "x.ckpt");
  oa.zero_grad();
  ob.zero_grad();
  for (auto* p : {&a, &b}) {
    auto loss = ((*p)->offset * (*p)->offset).sum();
    loss.backward();
  }
  oa.step();
  ob.step();
  EXPECT_TRUE(torch::equal(a->offset, b->offset));

  // RNG: restoring gives the same random stream.
  load_torch_rng(back.rng_state, "x.ckpt");
  auto r1 = torch::randn({5});
  load_torch_rng(back.rng_state, "x.ckpt");
  auto r2 = torch::randn({5});
  EXPECT_TRUE(torch::equal(r1, r2));
}

TEST(Checkpoint, WrongMagicIsRejectedNamingTheFile) {
  test::TempDir d;
  write_text_atomic(d / "bad.ckpt", "PK\x03\x04 this is a zip, not a checkpoint");
  expect_ckpt_error([&] { read_checkpoint(d / "bad.ckpt"); }, {"bad.ckpt", "LMMCKPT1"});
  write_text_atomic(d / "empty.ckpt", "");
  expect_ckpt_error([&] { read_checkpoint(d / "empty.ckpt"); }, {"empty.ckpt", "magic"});
  EXPECT_THROW(read_checkpoint(d / "missing.ckpt"), IoError);
}

TEST(Checkpoint, VersionMismatchIsRejected) {
  test::TempDir d;
  test::TinyForecaster m;
  write_checkpoint(d / "v.ckpt", make_checkpoint(m));
  std::string bytes = read_text(d / "v.ckpt");
  bytes[8] = 7;  // u32 version, little-endian
  write_text_atomic(d / "v.ckpt", bytes);
  expect_ckpt_error([&] { read_checkpoint(d / "v.ckpt"); }, {"v.ckpt", "version 7", "version 1"});
}

TEST(Checkpoint, TruncatedOrCorruptIsRejected) {
  test::TempDir d;
  test::TinyForecaster m;
  write_checkpoint(d / "t.ckpt", make_checkpoint(m));
  const std::string bytes = read_text(d / "t.ckpt");
  // Cut at many places: inside the header, the JSON, each blob, the end marker.
  for (size_t cut : {size_t(10), size_t(30), bytes.size() / 2, bytes.size() - 100, bytes.size() - 3}) {
    write_text_atomic(d / "t.ckpt", bytes.substr(0, cut));
    expect_ckpt_error([&] { read_checkpoint(d / "t.ckpt"); }, {"t.ckpt"});
  }
  write_text_atomic(d / "t.ckpt", bytes.substr(0, bytes.size() - 3));
  expect_ckpt_error([&] { read_checkpoint(d / "t.ckpt"); }, {"t.ckpt", "truncated"});
  // One flipped byte inside a blob: checksum mismatch names the section.
  std::string flipped = bytes;
  flipped[bytes.size() - 20] ^= 0x55;
  write_text_atomic(d / "t.ckpt", flipped);
  expect_ckpt_error([&] { read_checkpoint(d / "t.ckpt"); }, {"t.ckpt", "corrupt"});
}

TEST(Checkpoint, ShapeMismatchIsRejected) {
  test::TinyForecaster m;
  std::string state = save_module_state(*m);
  struct Other : torch::nn::Module {
    Other() {
      register_parameter("gain", torch::zeros({1}));
      register_parameter("offset", torch::zeros({10, 75}));
    }
  } other;
  expect_ckpt_error([&] { load_module_state(other, state, "m.ckpt"); }, {"m.ckpt", "offset"});
  struct Missing : torch::nn::Module {
    Missing() { register_parameter("weight", torch::zeros({3})); }
  } missing;
  expect_ckpt_error([&] { load_module_state(missing, state, "m.ckpt"); }, {"m.ckpt"});
}
