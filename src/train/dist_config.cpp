// DistConfig resolution (flags > environment > defaults) and validation.
// Environment names follow torchrun; Slurm's per-task variables are fallbacks so that
// `srun lmm train --dist gloo ...` works with only MASTER_ADDR/MASTER_PORT exported.
#include "lmm/train/dist_config.h"

#include <cstdlib>
#include <type_traits>
#include <vector>

#include "lmm/core/error.h"

namespace lmm::train {
namespace {

// First set variable among `names`, with the name it came from.
struct EnvValue {
  const char* name = nullptr;
  std::string value;
};

std::optional<EnvValue> lookup(const EnvLookup& env, const std::vector<const char*>& names) {
  for (const char* n : names) {
    const char* v = env(n);
    if (v && *v) return EnvValue{n, v};
  }
  return std::nullopt;
}

// The variable's value as an integer (T = int) or number (T = double), all of it.
template <class T>
T parse_number(const EnvValue& e) {
  size_t used = 0;
  T v{};
  try {
    v = std::is_same_v<T, int> ? static_cast<T>(std::stoi(e.value, &used)) : static_cast<T>(std::stod(e.value, &used));
  } catch (const std::exception&) {
    used = 0;
  }
  LMM_CHECK(used == e.value.size() && used > 0, "environment " << e.name << "='" << e.value << "' is not "
                                                               << (std::is_same_v<T, int> ? "an integer" : "a number"));
  return v;
}

}  // namespace

void DistConfig::validate() const {
  LMM_CHECK(backend == "none" || backend == "gloo" || backend == "nccl",
            "--dist '" << backend << "' is not a backend; expected gloo, nccl or none");
  LMM_CHECK(world_size >= 1, "world size " << world_size << " (WORLD_SIZE / --world-size) must be >= 1");
  LMM_CHECK(rank >= 0 && rank < world_size, "rank " << rank << " (RANK / --rank) is out of range for world size "
                                                    << world_size << ": expected 0.." << world_size - 1);
  LMM_CHECK(local_rank >= 0, "local rank " << local_rank << " (LOCAL_RANK / --local-rank) must be >= 0");
  LMM_CHECK(!master_addr.empty(), "master address (MASTER_ADDR / --master-addr) is empty");
  LMM_CHECK(master_port >= 1 && master_port <= 65535,
            "master port " << master_port << " (MASTER_PORT / --master-port) must be in 1..65535");
  LMM_CHECK(enabled() || world_size == 1,
            "world size " << world_size << " (WORLD_SIZE / --world-size) needs a backend: pass --dist gloo "
                          << "(or nccl); without one every process would train alone and overwrite the others' files");
  LMM_CHECK(timeout_s > 0, "distributed timeout " << timeout_s << " s (--dist-timeout) must be > 0");
  LMM_CHECK(bucket_bytes >= 1024, "gradient bucket of " << bucket_bytes << " bytes is too small (>= 1024)");
}

DistConfig dist_config_from_env(const DistFlags& flags, const EnvLookup& env_in) {
  EnvLookup env = env_in ? env_in : EnvLookup([](const char* n) { return std::getenv(n); });
  DistConfig c;
  if (auto e = lookup(env, {"LMM_DIST"})) c.backend = e->value;
  if (flags.backend) c.backend = *flags.backend;
  // Slurm's variables describe the allocation even for a single-process job, so they
  // are only read when a backend was asked for; torchrun's are always meaningful.
  bool dist = c.backend != "none";
  auto names = [dist](const char* torchrun, const char* slurm) {
    return dist ? std::vector<const char*>{torchrun, slurm} : std::vector<const char*>{torchrun};
  };
  if (auto e = lookup(env, names("RANK", "SLURM_PROCID"))) c.rank = parse_number<int>(*e);
  if (auto e = lookup(env, names("WORLD_SIZE", "SLURM_NTASKS"))) c.world_size = parse_number<int>(*e);
  if (auto e = lookup(env, names("LOCAL_RANK", "SLURM_LOCALID"))) c.local_rank = parse_number<int>(*e);
  if (auto e = lookup(env, {"MASTER_ADDR"})) c.master_addr = e->value;
  if (auto e = lookup(env, {"MASTER_PORT"})) c.master_port = parse_number<int>(*e);
  if (auto e = lookup(env, {"LMM_DIST_TIMEOUT"})) c.timeout_s = parse_number<double>(*e);

  if (flags.rank) c.rank = *flags.rank;
  if (flags.world_size) c.world_size = *flags.world_size;
  if (flags.local_rank) c.local_rank = *flags.local_rank;
  if (flags.master_addr) c.master_addr = *flags.master_addr;
  if (flags.master_port) c.master_port = *flags.master_port;
  if (flags.timeout_s) c.timeout_s = *flags.timeout_s;
  c.validate();
  return c;
}

}  // namespace lmm::train
