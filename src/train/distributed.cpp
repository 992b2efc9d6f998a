// DistContext on c10d: TCPStore rendezvous + ProcessGroupGloo (or ProcessGroupNCCL when
// libtorch has CUDA), bucketed gradient all-reduce and scalar collectives, with every
// c10d/gloo failure turned into lmm::DistError("rank 1 of 2: allreduce of gradients
// timed out after 30 s: ...").
//   gradient bucket: torch::cat of flattened grads of one dtype, (sum numel,) <= bucket_bytes
// Build: this file is compiled with USE_C10D_GLOO (and USE_C10D_NCCL for a CUDA
// libtorch), which the c10d headers need to declare their process groups.
#include "lmm/train/distributed.h"

#include <fmt/core.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <chrono>
#include <cstdlib>
#include <cstring>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"

#ifndef USE_C10D_GLOO
#error "src/train/distributed.cpp needs USE_C10D_GLOO (set in CMakeLists.txt)"
#endif

namespace lmm::train {
namespace {

using Ms = std::chrono::milliseconds;

// First line of an exception's message, without c10's backtrace.
std::string brief(const std::exception& e) {
  std::string m;
  if (auto* ce = dynamic_cast<const c10::Error*>(&e))
    m = ce->what_without_backtrace();
  else
    m = e.what();
  auto nl = m.find('\n');
  if (nl != std::string::npos) m.resize(nl);
  return m;
}

enum class Collective { sum, max, broadcast };

bool contains(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }

// A backend message saying the other end of a connection went away.
bool peer_closed(const std::string& m) {
  return contains(m, "closed by peer") || contains(m, "reset by peer") || contains(m, "Broken pipe") ||
         contains(m, "Connection refused");
}

bool is_loopback(const std::string& addr) {
  return addr.rfind("127.", 0) == 0 || addr == "localhost" || addr == "::1";
}

// A bucket: tensors of one dtype whose flattened concatenation is reduced at once.
struct Bucket {
  std::vector<torch::Tensor> tensors;
  torch::Tensor flat;  // (sum numel,) on the collective device
  c10::intrusive_ptr<c10d::Work> work;
};

std::vector<Bucket> make_buckets(const std::vector<torch::Tensor>& tensors, int64_t bucket_bytes) {
  std::vector<Bucket> out;
  int64_t bytes = 0;
  for (const auto& t : tensors) {
    int64_t b = t.numel() * static_cast<int64_t>(t.element_size());
    bool fits = !out.empty() && out.back().tensors.front().scalar_type() == t.scalar_type() &&
                out.back().tensors.front().device() == t.device() && bytes + b <= bucket_bytes;
    if (!fits) {
      out.emplace_back();
      bytes = 0;
    }
    out.back().tensors.push_back(t);
    bytes += b;
  }
  return out;
}

}  // namespace

bool nccl_available() {
#ifdef USE_C10D_NCCL
  return torch::cuda::is_available();
#else
  return false;
#endif
}

struct DistContext::Impl {
  const DistConfig& cfg;
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroup> pg;
  torch::Device device = torch::kCPU;

  explicit Impl(const DistConfig& c) : cfg(c) {}

  Ms timeout() const { return Ms(static_cast<int64_t>(cfg.timeout_s * 1000)); }

  std::string who() const { return fmt::format("rank {} of {}", cfg.rank, cfg.world_size); }

  [[noreturn]] void fail(const std::string& op, const std::exception& e) const {
    std::string m = brief(e);
    std::string cause;
    if (contains(m, "imed out") || contains(m, "imeout"))
      cause = fmt::format("timed out after {:g} s: a peer probably died or hung", cfg.timeout_s);
    else if (peer_closed(m))
      cause = "failed: a peer closed its connection (it probably died)";
    else
      cause = "failed";
    throw DistError(fmt::format("{}: {} {} ({})", who(), op, cause, m));
  }

  // Waits for `work`, a little longer than the backend's own timeout so that its more
  // specific error (closed connection, receive timeout) is the one reported.
  void wait(const c10::intrusive_ptr<c10d::Work>& work, const std::string& op) const {
    try {
      work->wait(timeout() + std::max(Ms(1000), timeout() / 10));
    } catch (const std::exception& e) {
      fail(op, e);
    }
  }

  // Starts a collective on `io` (in place): sum or max across ranks, or rank 0's values.
  c10::intrusive_ptr<c10d::Work> launch(std::vector<torch::Tensor>& io, const std::string& op, Collective kind) {
    try {
      if (kind == Collective::broadcast) {
        c10d::BroadcastOptions o;
        o.rootRank = 0;
        o.timeout = timeout();
        return pg->broadcast(io, o);
      }
      c10d::AllreduceOptions o;
      o.reduceOp = kind == Collective::max ? c10d::ReduceOp::MAX : c10d::ReduceOp::SUM;
      o.timeout = timeout();
      return pg->allreduce(io, o);
    } catch (const std::exception& e) {
      fail(op, e);
    }
  }

  void run(std::vector<torch::Tensor>& io, const std::string& op, Collective kind) { wait(launch(io, op, kind), op); }

  // Sums (after multiplying by `scale`) or broadcasts `tensors` in buckets, overlapping
  // the buckets' collectives, then copies the results back.
  void bucketed(const std::vector<torch::Tensor>& tensors, const std::string& op, Collective kind, double scale) {
    torch::NoGradGuard no_grad;
    auto buckets = make_buckets(tensors, cfg.bucket_bytes);
    for (auto& b : buckets) {
      std::vector<torch::Tensor> flat;
      for (auto& t : b.tensors) flat.push_back(t.reshape({-1}));
      b.flat = torch::cat(flat).to(device).contiguous();  // (sum numel,)
      if (scale != 1.0) b.flat.mul_(scale);
      std::vector<torch::Tensor> io{b.flat};
      b.work = launch(io, op, kind);
    }
    for (auto& b : buckets) {
      wait(b.work, op);
      int64_t off = 0;
      for (auto& t : b.tensors) {
        t.copy_(b.flat.narrow(0, off, t.numel()).view_as(t));
        off += t.numel();
      }
    }
  }
};

DistContext::DistContext(const DistConfig& config) : config_(config) {
  config_.validate();
  LMM_CHECK(config_.enabled(), "DistContext needs a backend (gloo or nccl), got '" << config_.backend << "'");
  impl_ = std::make_unique<Impl>(config_);
  auto& im = *impl_;
  const std::string where = fmt::format("{}:{}", config_.master_addr, config_.master_port);

  if (config_.backend == "nccl") {
#ifdef USE_C10D_NCCL
    LMM_CHECK(torch::cuda::is_available(), "--dist nccl needs a CUDA GPU, but this machine has none visible "
                                               "(torch::cuda::is_available() is false); use --dist gloo");
    LMM_CHECK(config_.local_rank < static_cast<int>(torch::cuda::device_count()),
              "local rank " << config_.local_rank << " has no GPU: this machine shows "
                            << torch::cuda::device_count() << " CUDA device(s)");
    im.device = torch::Device(torch::kCUDA, config_.local_rank);
#else
    throw ConfigError(
        "--dist nccl: this lmm was built against a libtorch without CUDA (c10d's ProcessGroupNCCL is "
        "missing); rebuild against a CUDA libtorch (cmake -DTorch_DIR=<libtorch>/share/cmake/Torch) "
        "or use --dist gloo");
#endif
  }

  // Both the store connection and the process group's full mesh of connections wait for
  // every rank; either failing means the group did not form.
  auto rendezvous_failed = [&](const std::exception& e) {
    const std::string m = brief(e);
    // A connection closed mid-rendezvous means a rank got there and went away.
    const bool closed = peer_closed(m) && !contains(m, "Connection refused");  // refused: nobody listening yet
    return DistError(fmt::format(
        "{}: rendezvous at {} failed within {:g} s ({}); {}", im.who(), where, config_.timeout_s, m,
        closed ? "a peer closed its connection during the rendezvous (it probably died)"
        : config_.rank == 0 ? "is the port free and did every other rank start?"
                            : "is rank 0 running, and is MASTER_ADDR:MASTER_PORT reachable from this host?"));
  };
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<std::uint16_t>(config_.master_port);
    so.isServer = config_.rank == 0;
    so.numWorkers = static_cast<std::size_t>(config_.world_size);
    so.waitWorkers = true;
    so.timeout = im.timeout();
    im.store = c10::make_intrusive<c10d::TCPStore>(config_.master_addr, so);
  } catch (const std::exception& e) {
    throw rendezvous_failed(e);
  }

  try {
    if (config_.backend == "gloo") {
      auto opts = c10d::ProcessGroupGloo::Options::create(im.timeout());
      if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
        opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
      else if (is_loopback(config_.master_addr))
        opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
      else
        opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      opts->threads = 2;
      im.pg = c10::make_intrusive<c10d::ProcessGroupGloo>(im.store, config_.rank, config_.world_size, opts);
    }
#ifdef USE_C10D_NCCL
    else {
      ::setenv("NCCL_BLOCKING_WAIT", "1", 0);  // make NCCL collectives honour the timeout
      auto opts = c10d::ProcessGroupNCCL::Options::create();
      opts->timeout = im.timeout();
      im.pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(im.store, config_.rank, config_.world_size, opts);
    }
#endif
  } catch (const std::exception& e) {
    throw rendezvous_failed(e);
  }
}

DistContext::~DistContext() = default;

torch::Device DistContext::device() const { return impl_->device; }

void DistContext::allreduce_gradients(torch::nn::Module& module, std::optional<double> weight) {
  std::vector<torch::Tensor> grads;
  for (auto& p : module.parameters()) {
    if (!p.requires_grad()) continue;
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    grads.push_back(p.grad());
  }
  impl_->bucketed(grads, "allreduce of gradients", Collective::sum, weight.value_or(1.0 / world_size()));
}

void DistContext::broadcast_parameters(torch::nn::Module& module) {
  std::vector<torch::Tensor> ts;
  for (auto& p : module.parameters()) ts.push_back(p);
  for (auto& b : module.buffers()) ts.push_back(b);
  impl_->bucketed(ts, "broadcast of parameters from rank 0", Collective::broadcast, 1.0);
}

std::vector<double> DistContext::allreduce_sum(const std::vector<double>& values, const std::string& what) {
  if (values.empty()) return {};
  auto t = torch::tensor(values, torch::kFloat64).to(impl_->device);  // (n,)
  std::vector<torch::Tensor> io{t};
  impl_->run(io, "allreduce of " + what, Collective::sum);
  t = t.cpu();
  return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

double DistContext::allreduce_sum(double value, const std::string& what) {
  return allreduce_sum(std::vector<double>{value}, what)[0];
}

double DistContext::allreduce_mean(double value, const std::string& what) {
  return allreduce_sum(value, what) / world_size();
}

int64_t DistContext::broadcast_int(int64_t value, const std::string& what) {
  auto t = torch::tensor({value}, torch::kInt64).to(impl_->device);  // (1,)
  std::vector<torch::Tensor> io{t};
  impl_->run(io, "broadcast of " + what + " from rank 0", Collective::broadcast);
  return t.cpu().item<int64_t>();
}

std::string DistContext::broadcast_bytes(const std::string& bytes, const std::string& what) {
  const int64_t n = broadcast_int(static_cast<int64_t>(bytes.size()), "size of " + what);
  auto t = torch::empty({n}, torch::kUInt8);  // (n,) raw bytes
  if (is_main() && n > 0) std::memcpy(t.data_ptr<uint8_t>(), bytes.data(), n);
  t = t.to(impl_->device);
  std::vector<torch::Tensor> io{t};
  impl_->run(io, "broadcast of " + what + " from rank 0", Collective::broadcast);
  t = t.cpu();
  return std::string(reinterpret_cast<const char*>(t.data_ptr<uint8_t>()), n);
}

bool DistContext::broadcast_bool(bool value, const std::string& what) {
  return broadcast_int(value ? 1 : 0, what) != 0;
}

void DistContext::check_same(int64_t value, const std::string& what) {
  auto t = torch::tensor({value, -value}, torch::kInt64).to(impl_->device);  // (2,) -> max(v), -min(v)
  std::vector<torch::Tensor> io{t};
  impl_->run(io, "check of " + what, Collective::max);
  t = t.cpu();
  int64_t hi = t[0].item<int64_t>(), lo = -t[1].item<int64_t>();
  if (hi != lo)
    throw DistError(fmt::format("{}: ranks disagree on {}: values range from {} to {} (this rank: {})", impl_->who(),
                                what, lo, hi, value));
}

void DistContext::barrier(const std::string& what) {
  c10d::BarrierOptions o;
  o.timeout = impl_->timeout();
  c10::intrusive_ptr<c10d::Work> work;
  try {
    work = impl_->pg->barrier(o);
  } catch (const std::exception& e) {
    impl_->fail(what, e);
  }
  impl_->wait(work, what);
}

Checkpoint read_checkpoint_on_rank0(const std::filesystem::path& path, DistContext* dist) {
  if (!dist) return read_checkpoint(path);
  std::string bytes = dist->is_main() ? read_text(path) : std::string();
  return parse_checkpoint(dist->broadcast_bytes(bytes, "checkpoint " + path.string()), path);
}

}  // namespace lmm::train
