// Checkpoint file format (see include/lmm/train/checkpoint.h): header with magic,
// version and JSON metadata, then model / optimizer archives and RNG bytes, each
// with its length and FNV-1a checksum in the metadata, then an end marker.
#include "lmm/train/checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>

#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"

namespace lmm::train {
namespace fs = std::filesystem;

namespace {

std::string fnv1a_hex(const std::string& bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ULL;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

template <typename T>
void put_le(std::string& out, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

template <typename T>
T get_le(const std::string& in, size_t pos) {
  T v = 0;
  for (size_t i = 0; i < sizeof(T); ++i)
    v |= static_cast<T>(static_cast<unsigned char>(in[pos + i])) << (8 * i);
  return v;
}

[[noreturn]] void fail(const fs::path& path, const std::string& what) {
  throw CheckpointError(path.string() + ": " + what);
}

}  // namespace

void write_checkpoint(const fs::path& path, const Checkpoint& ckpt) {
  nlohmann::json meta = ckpt.meta;
  const std::pair<const char*, const std::string*> blobs[] = {
      {"model", &ckpt.model_state}, {"optimizer", &ckpt.optimizer_state}, {"rng", &ckpt.rng_state}};
  meta["sections"] = nlohmann::json::array();
  for (auto& [name, bytes] : blobs)
    meta["sections"].push_back({{"name", name}, {"bytes", bytes->size()}, {"fnv1a", fnv1a_hex(*bytes)}});
  std::string js = meta.dump();
  std::string head(kCheckpointMagic, 8);
  put_le<uint32_t>(head, kCheckpointVersion);
  put_le<uint64_t>(head, js.size());
  write_atomic(path, [&](const fs::path& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    out.write(head.data(), head.size());
    out.write(js.data(), js.size());
    for (auto& [name, bytes] : blobs) out.write(bytes->data(), bytes->size());
    out.write(kCheckpointEnd, 8);
    out.flush();
    if (!out) throw IoError(path.string() + ": write failed (disk full, file-size limit or no permission?)");
  });
}

Checkpoint read_checkpoint(const fs::path& path) { return parse_checkpoint(read_text(path), path); }

Checkpoint parse_checkpoint(const std::string& data, const fs::path& path) {
  const size_t head = 8 + 4 + 8;
  if (data.size() < 8 || std::memcmp(data.data(), kCheckpointMagic, 8) != 0)
    fail(path, std::string("not an lmm checkpoint: expected magic \"") + kCheckpointMagic +
                   "\" at the start of the file");
  if (data.size() < head)
    fail(path, "truncated: " + std::to_string(data.size()) + " bytes, expected at least " +
                   std::to_string(head) + " for the header");
  uint32_t version = get_le<uint32_t>(data, 8);
  if (version != kCheckpointVersion)
    fail(path, "checkpoint format version " + std::to_string(version) +
                   ", this lmm reads version " + std::to_string(kCheckpointVersion));
  uint64_t js_len = get_le<uint64_t>(data, 12);
  if (js_len > data.size() - head)
    fail(path, "truncated: metadata of " + std::to_string(js_len) + " bytes announced, only " +
                   std::to_string(data.size() - head) + " bytes follow the header");
  Checkpoint ck;
  try {
    ck.meta = nlohmann::json::parse(data.begin() + head, data.begin() + head + js_len);
  } catch (const nlohmann::json::exception& e) {
    fail(path, std::string("metadata is not valid JSON: ") + e.what());
  }
  if (!ck.meta.contains("sections") || !ck.meta["sections"].is_array())
    fail(path, "metadata has no \"sections\" list");
  size_t pos = head + js_len;
  for (const auto& sec : ck.meta["sections"]) {
    std::string name = sec.value("name", "");
    uint64_t bytes = sec.value("bytes", uint64_t(0));
    if (bytes > data.size() - pos)
      fail(path, "truncated: section \"" + name + "\" needs " + std::to_string(bytes) +
                     " bytes at offset " + std::to_string(pos) + ", file has " +
                     std::to_string(data.size()) + " bytes");
    std::string blob = data.substr(pos, bytes);
    pos += bytes;
    if (fnv1a_hex(blob) != sec.value("fnv1a", ""))
      fail(path, "section \"" + name + "\" is corrupt: checksum " + fnv1a_hex(blob) +
                     ", expected " + sec.value("fnv1a", std::string("?")));
    if (name == "model") ck.model_state = std::move(blob);
    else if (name == "optimizer") ck.optimizer_state = std::move(blob);
    else if (name == "rng") ck.rng_state = std::move(blob);
  }
  if (data.size() - pos != 8 || std::memcmp(data.data() + pos, kCheckpointEnd, 8) != 0)
    fail(path, "expected end marker \"" + std::string(kCheckpointEnd) + "\" at offset " +
                   std::to_string(pos) + " and file size " + std::to_string(pos + 8) +
                   ", file has " + std::to_string(data.size()) + " bytes (truncated or appended to)");
  ck.meta.erase("sections");
  return ck;
}

namespace {

// Bytes of a torch archive that `obj.save(archive)` fills (module or optimizer).
template <class T>
std::string archive_bytes(const T& obj) {
  torch::serialize::OutputArchive ar;
  obj.save(ar);
  std::ostringstream os;
  ar.save_to(os);
  return os.str();
}

// `obj.load(archive)` from bytes; torch errors become CheckpointError naming `what`.
template <class T>
void load_archive(T& obj, const std::string& bytes, const std::string& what, const char* label) {
  try {
    torch::serialize::InputArchive ar;
    ar.load_from(bytes.data(), bytes.size());
    obj.load(ar);
  } catch (const c10::Error& e) {
    throw CheckpointError(what + ": " + label + " state does not match the model: " + e.what_without_backtrace());
  }
}

}  // namespace

std::string save_module_state(const torch::nn::Module& m) { return archive_bytes(m); }

void load_module_state(torch::nn::Module& m, const std::string& bytes, const std::string& what) {
  // Module::load replaces tensors without checking shapes, so compare them ourselves.
  std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;
  for (const auto& p : m.named_parameters()) shapes.emplace_back(p.key(), p.value().sizes().vec());
  for (const auto& b : m.named_buffers()) shapes.emplace_back(b.key(), b.value().sizes().vec());
  load_archive(m, bytes, what, "model");
  size_t i = 0;
  auto check = [&](const std::string& key, const torch::Tensor& t) {
    const auto& want = shapes.at(i++);
    if (want.first != key || want.second != t.sizes().vec())
      throw CheckpointError(what + ": tensor " + key + " has shape " + c10::str(t.sizes()) +
                            ", the model expects " + c10::str(c10::IntArrayRef(want.second)));
  };
  for (const auto& p : m.named_parameters()) check(p.key(), p.value());
  for (const auto& b : m.named_buffers()) check(b.key(), b.value());
}

std::string save_optimizer_state(const torch::optim::Optimizer& opt) { return archive_bytes(opt); }

void load_optimizer_state(torch::optim::Optimizer& opt, const std::string& bytes, const std::string& what) {
  load_archive(opt, bytes, what, "optimizer");
}

std::string save_torch_rng() {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  torch::Tensor s = gen.get_state().contiguous();  // (N,) uint8
  return std::string(reinterpret_cast<const char*>(s.data_ptr<uint8_t>()), s.numel());
}

void load_torch_rng(const std::string& bytes, const std::string& what) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  auto s = torch::empty({static_cast<int64_t>(bytes.size())}, torch::kUInt8);
  std::memcpy(s.data_ptr<uint8_t>(), bytes.data(), bytes.size());
  try {
    gen.set_state(s);
  } catch (const c10::Error& e) {
    throw CheckpointError(what + ": RNG state of " + std::to_string(bytes.size()) +
                          " bytes is not a CPU generator state: " + e.what_without_backtrace());
  }
}

}  // namespace lmm::train
