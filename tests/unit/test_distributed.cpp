// Distributed training on c10d/Gloo over loopback: config resolution from the
// launcher's environment, the distributed sampler, and DistContext with 2 ranks (as
// threads, or a forked process that dies): gradient averaging reproduces a
// single-process run, and a dead or hung peer turns into DistError within the timeout.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "lmm/core/error.h"
#include "lmm/train/dist_config.h"
#include "lmm/train/dist_sampler.h"
#include "lmm/train/distributed.h"
#include "lmm/train/windows.h"
#include "test_support.h"

using namespace lmm;
using namespace lmm::train;

namespace {

DistConfig loopback(int rank, int world, int port, double timeout_s = 20) {
  DistConfig c;
  c.backend = "gloo";
  c.rank = rank;
  c.world_size = world;
  c.master_addr = "127.0.0.1";
  c.master_port = port;
  c.timeout_s = timeout_s;
  c.bucket_bytes = 1024;  // several buckets even for a tiny model
  return c;
}

EnvLookup env_of(std::map<std::string, std::string> m) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(m));
  return [shared](const char* n) -> const char* {
    auto it = shared->find(n);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}

std::string config_error(const DistFlags& f, const EnvLookup& env) {
  try {
    dist_config_from_env(f, env);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

// Runs fn(rank) for ranks 0..world-1 concurrently (each joins the group itself).
template <class F>
auto run_ranks(int world, F fn) {
  std::vector<std::future<decltype(fn(0))>> fs;
  for (int r = 0; r < world; ++r) fs.push_back(std::async(std::launch::async, fn, r));
  std::vector<decltype(fn(0))> out;
  for (auto& f : fs) out.push_back(f.get());
  return out;
}

torch::nn::Sequential tiny_model() {
  return torch::nn::Sequential(torch::nn::Linear(6, 16), torch::nn::Tanh(), torch::nn::Linear(16, 3));
}

// SGD-with-momentum steps of MSE on (x, y); with a DistContext, each rank's gradient is
// weighted by its share of global batch s (global[s] rows) and summed across ranks.
// Returns the parameters, flattened.
torch::Tensor train_steps(torch::nn::Sequential model, const std::vector<torch::Tensor>& xs,
                          const std::vector<torch::Tensor>& ys, DistContext* dist, const std::vector<int>& global) {
  torch::optim::SGD opt(model->parameters(), torch::optim::SGDOptions(0.1).momentum(0.9));
  for (size_t s = 0; s < xs.size(); ++s) {
    opt.zero_grad();
    torch::mse_loss(model->forward(xs[s]), ys[s]).backward();
    if (dist) dist->allreduce_gradients(*model, static_cast<double>(xs[s].size(0)) / global[s]);
    opt.step();
  }
  std::vector<torch::Tensor> ps;
  for (auto& p : model->parameters()) ps.push_back(p.detach().reshape({-1}));
  return torch::cat(ps);
}

}  // namespace

// ---- configuration ------------------------------------------------------------------

TEST(DistConfig, ReadsTorchrunEnvironmentAndFlagsOverrideIt) {
  auto env = env_of({{"RANK", "1"}, {"WORLD_SIZE", "4"}, {"LOCAL_RANK", "1"}, {"MASTER_ADDR", "node7"},
                     {"MASTER_PORT", "29411"}});
  DistFlags f;
  f.backend = "gloo";
  auto c = dist_config_from_env(f, env);
  EXPECT_EQ(c.rank, 1);
  EXPECT_EQ(c.world_size, 4);
  EXPECT_EQ(c.local_rank, 1);
  EXPECT_EQ(c.master_addr, "node7");
  EXPECT_EQ(c.master_port, 29411);
  f.rank = 3;
  f.master_port = 1234;
  f.timeout_s = 7;
  c = dist_config_from_env(f, env);
  EXPECT_EQ(c.rank, 3);
  EXPECT_EQ(c.master_port, 1234);
  EXPECT_EQ(c.timeout_s, 7);
}

TEST(DistConfig, SlurmVariablesAreFallbacksOnlyWhenABackendIsAsked) {
  auto env = env_of({{"SLURM_PROCID", "2"}, {"SLURM_NTASKS", "3"}, {"SLURM_LOCALID", "0"}, {"MASTER_ADDR", "n1"}});
  DistFlags f;
  f.backend = "gloo";
  auto c = dist_config_from_env(f, env);
  EXPECT_EQ(c.rank, 2);
  EXPECT_EQ(c.world_size, 3);
  c = dist_config_from_env({}, env);  // single-process run inside an allocation
  EXPECT_FALSE(c.enabled());
  EXPECT_EQ(c.rank, 0);
  EXPECT_EQ(c.world_size, 1);
  // torchrun's RANK wins over Slurm's.
  auto both = env_of({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"SLURM_PROCID", "5"}, {"SLURM_NTASKS", "8"}});
  c = dist_config_from_env(f, both);
  EXPECT_EQ(c.rank, 0);
  EXPECT_EQ(c.world_size, 2);
}

TEST(DistConfig, BadValuesNameTheVariableAndValue) {
  DistFlags gloo;
  gloo.backend = "gloo";
  EXPECT_NE(config_error(gloo, env_of({{"RANK", "one"}})).find("environment RANK='one' is not an integer"),
            std::string::npos);
  std::string m = config_error(gloo, env_of({{"RANK", "2"}, {"WORLD_SIZE", "2"}}));
  EXPECT_NE(m.find("rank 2 (RANK / --rank) is out of range for world size 2: expected 0..1"), std::string::npos) << m;
  m = config_error(gloo, env_of({{"MASTER_PORT", "70000"}}));
  EXPECT_NE(m.find("master port 70000"), std::string::npos) << m;
  DistFlags bad;
  bad.backend = "mpi";
  m = config_error(bad, env_of({}));
  EXPECT_NE(m.find("--dist 'mpi' is not a backend; expected gloo, nccl or none"), std::string::npos) << m;
  // torchrun launched us, but --dist was forgotten: refuse rather than train W times alone.
  m = config_error({}, env_of({{"RANK", "0"}, {"WORLD_SIZE", "2"}}));
  EXPECT_NE(m.find("world size 2 (WORLD_SIZE / --world-size) needs a backend"), std::string::npos) << m;
}

TEST(DistConfig, NcclWithoutCudaIsAClearConfigError) {
  if (nccl_available()) GTEST_SKIP() << "this libtorch has CUDA and NCCL";
  DistConfig c = loopback(0, 1, test::free_tcp_port());
  c.backend = "nccl";
  try {
    DistContext ctx(c);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("--dist nccl"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("use --dist gloo"), std::string::npos) << e.what();
  }
}

// ---- sampler ----------------------------------------------------------------------

TEST(DistSampler, ShardsAreDisjointAndCoverTheOrder) {
  std::vector<int64_t> order = {7, 3, 9, 0, 5, 1, 8, 2, 6, 4};  // n = 10, W = 2
  auto a = shard_indices(order, 0, 2), b = shard_indices(order, 1, 2);
  EXPECT_EQ(a, (std::vector<int64_t>{7, 9, 5, 8, 6}));
  EXPECT_EQ(b, (std::vector<int64_t>{3, 0, 1, 2, 4}));
  std::set<int64_t> all(a.begin(), a.end());
  all.insert(b.begin(), b.end());
  EXPECT_EQ(all.size(), 10u);
}

TEST(DistSampler, UnevenShardsDifferByAtMostOneWindow) {
  std::vector<int64_t> order = {4, 0, 3, 1, 2};  // n = 5, W = 3
  EXPECT_EQ(shard_indices(order, 0, 3), (std::vector<int64_t>{4, 1}));
  EXPECT_EQ(shard_indices(order, 1, 3), (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(shard_indices(order, 2, 3), (std::vector<int64_t>{3}));
  EXPECT_TRUE(shard_indices({5, 6}, 3, 4).empty());  // more ranks than windows
  EXPECT_THROW(shard_indices(order, 3, 3), ConfigError);
}

TEST(DistSampler, LocalBatchesOfAllRanksTogetherAreTheGlobalBatch) {
  const int W = 4;
  const int64_t B = 8, n = 58;  // 8 global batches, the last of 2 windows
  std::vector<int64_t> order(n);
  for (int64_t i = 0; i < n; ++i) order[i] = (i * 37) % n;  // some permutation
  const int64_t b = local_batch_size(B, W);
  ASSERT_EQ(b, 2);
  ASSERT_EQ(batches_per_epoch(n, B), 8);
  for (int64_t k = 0; k < 8; ++k) {
    std::multiset<int64_t> got, want(order.begin() + k * B, order.begin() + std::min(n, (k + 1) * B));
    for (int r = 0; r < W; ++r) {
      auto s = shard_indices(order, r, W);
      auto lb = local_batch(k, s.size(), b);
      got.insert(s.begin() + lb.begin, s.begin() + lb.end);
    }
    EXPECT_EQ(got, want) << "batch " << k;
  }
  // Last batch (positions 56, 57): ranks 0 and 1 hold one window each, ranks 2 and 3 none.
  auto last = [&](int r) {
    auto lb = local_batch(7, shard_indices(order, r, W).size(), b);
    return lb.end - lb.begin;
  };
  EXPECT_EQ(last(0), 1);
  EXPECT_EQ(last(1), 1);
  EXPECT_EQ(last(2), 0);
  EXPECT_EQ(last(3), 0);
  try {
    local_batch_size(6, 4);
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("batch 6 (the global batch) must be a positive multiple of the world size 4"),
              std::string::npos);
  }
}

TEST(DistSampler, EpochOrdersAreSharedByRanksAndReshuffledPerEpoch) {
  // Every rank derives the order from (seed, epoch) alone, so ranks agree without talking.
  auto e0 = epoch_permutation(40, 9, 0), e0_again = epoch_permutation(40, 9, 0), e1 = epoch_permutation(40, 9, 1);
  EXPECT_EQ(e0, e0_again);
  EXPECT_NE(e0, e1);
  EXPECT_NE(shard_indices(e0, 1, 2), shard_indices(e1, 1, 2));
  std::set<int64_t> cover;
  for (int r = 0; r < 3; ++r)
    for (auto i : shard_indices(e1, r, 3)) EXPECT_TRUE(cover.insert(i).second) << "window " << i << " twice";
  EXPECT_EQ(cover.size(), 40u);
}

// ---- collectives over loopback ----------------------------------------------------------

TEST(DistContext, TwoRanksReproduceASingleProcessRunOnTheGlobalBatch) {
  const std::vector<int> B = {8, 8, 8, 5};  // the last global batch splits 3 + 2
  const int steps = static_cast<int>(B.size());
  torch::manual_seed(3);
  auto init = tiny_model();
  std::vector<torch::Tensor> xs, ys;  // global batches (B, 6), (B, 3)
  for (int s = 0; s < steps; ++s) {
    xs.push_back(torch::randn({B[s], 6}));
    ys.push_back(torch::randn({B[s], 3}));
  }
  auto copy_of = [&] {
    auto m = tiny_model();
    torch::NoGradGuard g;
    for (size_t i = 0; i < m->parameters().size(); ++i) m->parameters()[i].copy_(init->parameters()[i]);
    return m;
  };
  torch::Tensor single = train_steps(copy_of(), xs, ys, nullptr, B);

  const int port = test::free_tcp_port();
  auto finals = run_ranks(2, [&](int rank) {
    DistContext ctx(loopback(rank, 2, port));
    // Rank 1 starts from other weights: broadcast_parameters must make them rank 0's.
    auto model = rank == 0 ? copy_of() : tiny_model();
    ctx.broadcast_parameters(*model);
    std::vector<torch::Tensor> lx, ly;  // this rank's half of each global batch (B/2, ...)
    for (int s = 0; s < steps; ++s) {
      auto rows = torch::arange(rank, B[s], 2);
      lx.push_back(xs[s].index_select(0, rows));
      ly.push_back(ys[s].index_select(0, rows));
    }
    return train_steps(model, lx, ly, &ctx, B);
  });
  std::vector<torch::Tensor> p0;
  for (auto& p : init->parameters()) p0.push_back(p.detach().reshape({-1}));
  EXPECT_GT((single - torch::cat(p0)).abs().max().item<float>(), 1e-3) << "training did not move the weights";
  EXPECT_LT((finals[0] - single).abs().max().item<float>(), 1e-5);
  EXPECT_LT((finals[1] - single).abs().max().item<float>(), 1e-5);
  EXPECT_TRUE(torch::equal(finals[0], finals[1]));
}

TEST(DistContext, ScalarCollectivesAndDisagreement) {
  const int port = test::free_tcp_port();
  auto out = run_ranks(2, [&](int rank) {
    DistContext ctx(loopback(rank, 2, port));
    EXPECT_EQ(ctx.is_main(), rank == 0);
    auto sums = ctx.allreduce_sum({1.0 + rank, 10.0 * rank}, "validation loss");
    EXPECT_EQ(sums, (std::vector<double>{3.0, 10.0}));
    EXPECT_DOUBLE_EQ(ctx.allreduce_mean(rank == 0 ? 2.0 : 4.0, "x"), 3.0);
    EXPECT_EQ(ctx.broadcast_bool(rank == 0, "early stop"), true);
    EXPECT_EQ(ctx.broadcast_int(rank == 0 ? 41 : 7, "resume epoch"), 41);
    std::string blob(300000, '\0');
    for (size_t i = 0; i < blob.size(); ++i) blob[i] = static_cast<char>(i * 7 + 1);
    EXPECT_EQ(ctx.broadcast_bytes(rank == 0 ? blob : "", "checkpoint"), blob);
    EXPECT_EQ(ctx.broadcast_bytes(rank == 0 ? "" : "junk", "empty"), "");
    ctx.check_same(12, "batches per epoch");
    std::string err;
    try {
      ctx.check_same(rank == 0 ? 12 : 13, "batches per epoch");
    } catch (const DistError& e) {
      err = e.what();
    }
    ctx.barrier();
    return err;
  });
  EXPECT_NE(out[0].find("rank 0 of 2: ranks disagree on batches per epoch: values range from 12 to 13"),
            std::string::npos) << out[0];
  EXPECT_NE(out[1].find("rank 1 of 2: ranks disagree on batches per epoch"), std::string::npos) << out[1];
}

TEST(DistContext, HungPeerMakesTheOtherFailWithinTheTimeout) {
  const int port = test::free_tcp_port();
  std::promise<void> rank0_done;
  auto done = rank0_done.get_future().share();
  auto out = run_ranks(2, [&](int rank) -> std::string {
    DistContext ctx(loopback(rank, 2, port, 2.0));
    if (rank == 1) {  // joins, then never takes part in the all-reduce
      done.wait();
      return "";
    }
    auto model = tiny_model();
    for (auto& p : model->parameters()) p.mutable_grad() = torch::ones_like(p);
    std::string err;
    try {
      ctx.allreduce_gradients(*model);
    } catch (const DistError& e) {
      err = e.what();
    }
    rank0_done.set_value();
    return err;
  });
  EXPECT_NE(out[0].find("rank 0 of 2: allreduce of gradients timed out after 2 s: a peer probably died or hung"),
            std::string::npos) << out[0];
}

TEST(DistContext, PeerProcessThatDiesMakesTheOtherFail) {
  const int port = test::free_tcp_port();
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {  // rank 1: join the group, then die without a word
    try {
      DistContext ctx(loopback(1, 2, port, 5.0));
    } catch (...) {
      ::_exit(3);
    }
    ::_exit(0);
  }
  std::string err;
  try {
    DistContext ctx(loopback(0, 2, port, 5.0));
    auto model = tiny_model();
    for (auto& p : model->parameters()) p.mutable_grad() = torch::ones_like(p);
    ctx.allreduce_gradients(*model);
  } catch (const DistError& e) {
    err = e.what();
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child rank failed to join";
  EXPECT_NE(err.find("rank 0 of 2: "), std::string::npos) << err;
  EXPECT_NE(err.find("a peer"), std::string::npos) << err;
}

TEST(DistContext, RankZeroMayStartAfterTheOthers) {
  const int port = test::free_tcp_port();
  auto ok = run_ranks(2, [&](int rank) {
    if (rank == 0) std::this_thread::sleep_for(std::chrono::milliseconds(700));
    DistContext ctx(loopback(rank, 2, port, 10.0));
    return ctx.allreduce_sum(1.0, "ranks");
  });
  EXPECT_EQ(ok, (std::vector<double>{2.0, 2.0}));
}

TEST(DistContext, MissingRankZeroFailsRendezvousWithAHint) {
  const int port = test::free_tcp_port();
  try {
    DistContext ctx(loopback(1, 2, port, 1.0));
    FAIL() << "expected DistError";
  } catch (const DistError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("rank 1 of 2: rendezvous at 127.0.0.1:" + std::to_string(port) + " failed within 1 s"),
              std::string::npos) << m;
    EXPECT_NE(m.find("is rank 0 running"), std::string::npos) << m;
  }
}
