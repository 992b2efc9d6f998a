// A restricted Python pickle reader (protocols 0-5, binary opcodes) for the object arrays
// of numpy .npy/.npz files and pickled lists of numpy arrays (Detectron2 keys.pkl).
// Nothing is ever executed: the only callables a pickle may name are the numpy array
// reconstruction globals (kPickleAllowlist); any other GLOBAL / STACK_GLOBAL (os.system,
// builtins.eval, a class) is a FormatError. Decoded values form a graph owned by a
// PickleDoc (pointers into its pool; cycles are possible and harmless):
//   None, bool, int (int64), float, str (UTF-8), bytes, list, tuple, dict (pairs in
//   order), ndarray (shape, dtype, data bytes in C order, or objects for dtype 'O').
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lmm::io {

// "module name" pairs a pickle may refer to (numpy 1.x and 2.x spellings).
extern const char* const kPickleAllowlist[];
extern const size_t kPickleAllowlistSize;

struct PyValue;

// A numpy array: shape, element type and data (C order; Fortran data is reordered).
struct PyArray {
  std::vector<long long> shape;  // e.g. {T, 17, 2}; {} = 0-d
  char kind = 'f';               // numpy dtype kind: 'f' float, 'i' int, 'u' uint, 'b' bool, 'O' object
  int itemsize = 4;              // bytes per element (8 for 'O')
  bool big_endian = false;
  std::string data;                     // (prod(shape) * itemsize) bytes, C order; empty for 'O'
  std::vector<const PyValue*> objects;  // (prod(shape)) for kind 'O', C order
  size_t size() const;                  // prod(shape)
  // Element i (C order) of a numeric array as a double.
  double number(size_t i) const;
};

struct PyValue {
  enum class Kind { none, boolean, integer, real, str, bytes, list, tuple, dict, array, dtype, global };
  Kind kind = Kind::none;
  bool flag = false;                  // boolean
  long long integer = 0;              // integer
  double real = 0;                    // real
  std::string text;                   // str, bytes, dtype descr ("f4"), global "module name"
  std::vector<const PyValue*> items;  // list, tuple
  std::vector<std::pair<const PyValue*, const PyValue*>> entries;  // dict
  std::unique_ptr<PyArray> array;  // never null for kinds array and dtype (dtype: kind, size only)

  bool is_number() const { return kind == Kind::integer || kind == Kind::real || kind == Kind::boolean; }
  double as_double() const;                        // int/float/bool
  const PyValue* get(std::string_view key) const;  // dict value by str key, nullptr if none
  bool is_sequence() const { return kind == Kind::list || kind == Kind::tuple; }
};

// "list", "ndarray float32 (3, 17, 2)", "dict" ... for error messages.
std::string describe(const PyValue& v);

class PickleDoc {
 public:
  const PyValue& root() const { return *root_; }
  PyValue* make(PyValue::Kind k);  // a new value owned by this document
  void set_root(const PyValue* v) { root_ = v; }

 private:
  std::deque<PyValue> pool_;
  const PyValue* root_ = nullptr;
};

// Limits on hostile input (each a FormatError when exceeded).
constexpr size_t kPickleMaxStack = 1 << 20;   // values on the stack at once
constexpr size_t kPickleMaxMarks = 4096;      // open MARKs (nesting depth)
constexpr size_t kPickleMaxMemo = 1 << 22;    // memo slots
constexpr size_t kPickleMaxValues = 1 << 22;  // values decoded in all (about 120 bytes each)

// Decodes a whole pickle held in memory. `file` names the source in FormatErrors
// (with the byte offset of the failing opcode).
PickleDoc unpickle(std::string_view bytes, const std::string& file);

// Sets kind, itemsize and byte order from a numpy type string ("<f4", "f8", "|O", "O8",
// "i8", "|b1", "?"); false for a type not supported (strings, float16, structured).
bool numpy_dtype(std::string_view descr, PyArray& a);
// Reorders data (or objects) stored in Fortran order (first index fastest) into C order.
void fortran_to_c_order(PyArray& a);

// A numpy array from numeric PyArray data as floats (C order); FormatError naming `what`
// when the array is not numeric.
std::vector<float> array_floats(const PyArray& a, const std::string& file, const std::string& what);

}  // namespace lmm::io
