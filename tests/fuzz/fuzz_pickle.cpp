// libFuzzer target: the restricted unpickler and the numpy archive path. Input starting
// with "PK" is an .npz (zip -> .npy members -> pickles), with "\x93NUMPY" a .npy, anything
// else a bare pickle; the decoded graph is walked like the Detectron2 / VideoPose3D readers
// do. Only lmm::Error may escape the library; anything else aborts the fuzzer.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "lmm/core/error.h"
#include "lmm/io/npz.h"
#include "lmm/io/pickle.h"
#include "lmm/io/videopose3d.h"

namespace {

// Visits every reachable value once (the graph may share values or hold cycles).
void walk(const lmm::io::PyValue& root) {
  using K = lmm::io::PyValue::Kind;
  std::unordered_set<const lmm::io::PyValue*> seen;
  std::vector<const lmm::io::PyValue*> todo{&root};
  while (!todo.empty()) {
    const lmm::io::PyValue* v = todo.back();
    todo.pop_back();
    if (!seen.insert(v).second) continue;
    (void)lmm::io::describe(*v);
    for (const auto* x : v->items) todo.push_back(x);
    for (const auto& [k, x] : v->entries) todo.push_back(k), todo.push_back(x);
    if (v->kind != K::array || !v->array) continue;
    const lmm::io::PyArray& a = *v->array;
    if (a.kind == 'O') {
      if (a.objects.size() != a.size()) __builtin_trap();
      for (const auto* x : a.objects) todo.push_back(x);
    } else {
      if (a.data.size() != a.size() * a.itemsize) __builtin_trap();
      for (size_t i = 0; i < a.size(); ++i) (void)a.number(i);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace lmm::io;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    if (bytes.substr(0, 2) == "PK") {
      for (const auto& [name, doc] : read_npz(bytes, "fuzz.npz")) walk(doc.root());
      try {
        (void)parse_detectron2(bytes, "fuzz.npz");
      } catch (const lmm::Error&) {
      }
      (void)parse_videopose3d_2d(bytes, "fuzz.npz");
    } else if (bytes.substr(0, 6) == std::string_view("\x93NUMPY", 6)) {
      walk(npy_document(bytes, "fuzz.npy").root());
    } else {
      const PickleDoc doc = unpickle(bytes, "fuzz.pkl");
      walk(doc.root());
      (void)decode_detectron2(doc.root(), "fuzz.pkl");
    }
  } catch (const lmm::Error&) {
  }
  return 0;
}
