// Restricted pickle reader (pickle.h): a stack machine over the binary opcodes of
// protocols 0-5 (plus the text INT/FLOAT/GET/PUT of protocol 0) that builds PyValues and
// never calls anything. REDUCE and BUILD are interpreted only for the allowlisted numpy
// globals: _reconstruct(ndarray, ...) + BUILD (version, shape, dtype, fortran, data),
// dtype(descr, align, copy) + BUILD (version, byteorder, ...), scalar(dtype, bytes).
// Values live in the PickleDoc's pool; the stack, marks and memo hold pointers into it.
#include "lmm/io/pickle.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "lmm/core/error.h"
#include "lmm/io/joint_map.h"
#include "lmm/io/npy.h"

namespace lmm::io {

const char* const kPickleAllowlist[] = {
    "numpy.core.multiarray _reconstruct",
    "numpy._core.multiarray _reconstruct",
    "numpy ndarray",
    "numpy dtype",
    "numpy.core.multiarray scalar",
    "numpy._core.multiarray scalar",
};
const size_t kPickleAllowlistSize = sizeof(kPickleAllowlist) / sizeof(kPickleAllowlist[0]);

size_t PyArray::size() const {
  size_t n = 1;
  for (long long s : shape) n *= static_cast<size_t>(s);
  return n;
}

double PyArray::number(size_t i) const {
  unsigned char b[8] = {};
  std::memcpy(b, data.data() + i * itemsize, itemsize);
  if (big_endian) std::reverse(b, b + itemsize);
  auto get = [&](auto v) {
    std::memcpy(&v, b, sizeof v);
    return static_cast<double>(v);
  };
  switch (kind) {
    case 'f': return itemsize == 4 ? get(float()) : get(double());
    case 'b': return b[0] != 0;
    case 'i':
      switch (itemsize) {
        case 1: return get(int8_t());
        case 2: return get(int16_t());
        case 4: return get(int32_t());
        default: return get(int64_t());
      }
    case 'u':
      switch (itemsize) {
        case 1: return get(uint8_t());
        case 2: return get(uint16_t());
        case 4: return get(uint32_t());
        default: return get(uint64_t());
      }
    default: return std::nan("");
  }
}

double PyValue::as_double() const {
  if (kind == Kind::integer) return static_cast<double>(integer);
  if (kind == Kind::boolean) return flag;
  return real;
}

const PyValue* PyValue::get(std::string_view key) const {
  for (auto it = entries.rbegin(); it != entries.rend(); ++it)
    if (it->first->kind == Kind::str && it->first->text == key) return it->second;
  return nullptr;
}

std::string describe(const PyValue& v) {
  using K = PyValue::Kind;
  switch (v.kind) {
    case K::none: return "None";
    case K::boolean: return "bool";
    case K::integer: return "int";
    case K::real: return "float";
    case K::str: return "str";
    case K::bytes: return "bytes";
    case K::list: return "list of " + std::to_string(v.items.size());
    case K::tuple: return "tuple of " + std::to_string(v.items.size());
    case K::dict: return "dict";
    case K::dtype: return "dtype";
    case K::global: return "global " + v.text;
    case K::array:
      if (!v.array) return "ndarray";
      return "ndarray " + std::string(1, v.array->kind) + std::to_string(v.array->itemsize) + " " +
             npy_shape_string(v.array->shape);
  }
  return "?";
}

PyValue* PickleDoc::make(PyValue::Kind k) {
  pool_.emplace_back();
  pool_.back().kind = k;
  return &pool_.back();
}

std::vector<float> array_floats(const PyArray& a, const std::string& file, const std::string& what) {
  if (a.kind != 'f' && a.kind != 'i' && a.kind != 'u' && a.kind != 'b')
    throw FormatError(
        file, -1, what + " has numpy dtype kind '" + std::string(1, a.kind) + "', expected a numeric array");
  std::vector<float> out(a.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = narrow_to_float(a.number(i));
  return out;
}

bool numpy_dtype(std::string_view descr, PyArray& a) {
  // "f4", "<f8", "O8", "|O", "i8", "u1", "b1", "?" (bool).
  std::string d(descr);
  bool big = false;
  if (!d.empty() && (d[0] == '<' || d[0] == '>' || d[0] == '|' || d[0] == '=')) {
    big = d[0] == '>';
    d.erase(0, 1);
  }
  if (d == "?") d = "b1";
  if (d == "O") d = "O8";
  int size = 0;
  if (d.size() >= 2 && d.size() <= 3)
    for (size_t i = 1; i < d.size(); ++i)
      size = std::isdigit(static_cast<unsigned char>(d[i])) ? size * 10 + (d[i] - '0') : -1000;
  const char k = d.empty() ? 0 : d[0];
  const bool ok = (k == 'f' && (size == 4 || size == 8)) ||
                  ((k == 'i' || k == 'u') && (size == 1 || size == 2 || size == 4 || size == 8)) ||
                  (k == 'b' && size == 1) || (k == 'O' && (size == 8 || size == 4));
  if (!ok) return false;
  a.kind = k;
  a.itemsize = size;
  a.big_endian = big;
  return true;
}

void fortran_to_c_order(PyArray& a) {
  if (a.shape.size() < 2) return;
  const size_t n = a.size(), dims = a.shape.size();
  std::vector<size_t> fstride(dims);
  size_t s = 1;
  for (size_t d = 0; d < dims; ++d) fstride[d] = s, s *= static_cast<size_t>(a.shape[d]);
  std::vector<long long> idx(dims, 0);
  std::string data(a.data.size(), '\0');
  std::vector<const PyValue*> objects(a.objects.size());
  for (size_t c = 0; c < n; ++c) {  // c walks C order; f is the same element in Fortran order
    size_t f = 0;
    for (size_t d = 0; d < dims; ++d) f += static_cast<size_t>(idx[d]) * fstride[d];
    if (a.kind == 'O')
      objects[c] = a.objects[f];
    else
      std::memcpy(&data[c * a.itemsize], &a.data[f * a.itemsize], a.itemsize);
    for (size_t d = dims; d-- > 0;) {
      if (++idx[d] < a.shape[d]) break;
      idx[d] = 0;
    }
  }
  a.data = std::move(data);
  a.objects = std::move(objects);
}

namespace {

using Kind = PyValue::Kind;

class Unpickler {
 public:
  Unpickler(std::string_view bytes, const std::string& file, PickleDoc& doc)
      : in_(bytes), file_(file), doc_(doc) {}

  const PyValue* run() {
    while (pos_ < in_.size()) {
      op_pos_ = pos_;
      const auto op = static_cast<unsigned char>(in_[pos_++]);
      if (op == '.') {
        if (stack_.size() != 1 || !marks_.empty())
          fail("STOP with " + std::to_string(stack_.size()) + " values on the stack, expected 1");
        return stack_.back();
      }
      step(op);
    }
    op_pos_ = pos_;
    fail("truncated pickle: no STOP opcode");
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw FormatError(file_, -1, "pickle byte " + std::to_string(op_pos_) + ": " + what);
  }

  // ---- input ----
  std::string_view take(size_t n) {
    if (n > in_.size() - pos_)
      fail("truncated pickle: an argument of " + std::to_string(n) + " bytes, " +
           std::to_string(in_.size() - pos_) + " left");
    const std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  uint64_t uint_le(size_t n) {
    const std::string_view s = take(n);
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;) v = (v << 8) | static_cast<unsigned char>(s[i]);
    return v;
  }
  std::string_view line() {
    const size_t nl = in_.find('\n', pos_);
    if (nl == std::string_view::npos) fail("truncated pickle: no end of line");
    const std::string_view s = in_.substr(pos_, nl - pos_);
    pos_ = nl + 1;
    return s;
  }

  // ---- stack ----
  void push(PyValue* v) {
    if (stack_.size() >= kPickleMaxStack)
      fail("more than " + std::to_string(kPickleMaxStack) + " values on the stack");
    stack_.push_back(v);
  }
  PyValue* pop() {
    if (stack_.size() <= floor()) fail("stack underflow");
    PyValue* v = stack_.back();
    stack_.pop_back();
    return v;
  }
  PyValue* top() {
    if (stack_.size() <= floor()) fail("stack underflow");
    return stack_.back();
  }
  size_t floor() const { return marks_.empty() ? 0 : marks_.back(); }
  // The values since the last MARK (which is removed).
  std::vector<const PyValue*> pop_mark() {
    if (marks_.empty()) fail("no MARK on the stack");
    const size_t m = marks_.back();
    marks_.pop_back();
    std::vector<const PyValue*> items(stack_.begin() + m, stack_.end());
    stack_.resize(m);
    return items;
  }
  PyValue* make(Kind k) {
    if (++made_ > kPickleMaxValues) fail("more than " + std::to_string(kPickleMaxValues) + " values");
    return doc_.make(k);
  }
  PyValue* make_int(long long v) {
    PyValue* p = make(Kind::integer);
    p->integer = v;
    return p;
  }
  PyValue* make_text(Kind k, std::string_view s) {
    PyValue* p = make(k);
    p->text.assign(s);
    return p;
  }
  PyValue* make_seq(Kind k, std::vector<const PyValue*> items) {
    PyValue* p = make(k);
    p->items = std::move(items);
    return p;
  }

  // ---- memo ----
  void put(uint64_t i) {
    if (memo_.size() >= kPickleMaxMemo && !memo_.count(i)) fail("memo holds too many values");
    memo_[i] = top();
  }
  void get(uint64_t i) {
    auto it = memo_.find(i);
    if (it == memo_.end()) fail("memo slot " + std::to_string(i) + " was never stored");
    push(it->second);
  }

  // ---- containers ----
  void append(PyValue* list, std::vector<const PyValue*> items) {
    if (list->kind != Kind::list) fail("APPEND to a " + describe(*list) + ", expected a list");
    list->items.insert(list->items.end(), items.begin(), items.end());
  }
  // Keys are kept in order (duplicates too: PyValue::get returns the last, as Python would).
  void set_items(PyValue* dict, const std::vector<const PyValue*>& kv) {
    if (dict->kind != Kind::dict) fail("SETITEM on a " + describe(*dict) + ", expected a dict");
    if (kv.size() % 2) fail("SETITEMS with an odd number of values");
    for (size_t i = 0; i < kv.size(); i += 2) dict->entries.emplace_back(kv[i], kv[i + 1]);
  }

  // ---- globals and calls ----
  PyValue* global(std::string module, std::string name) {
    const std::string full = module + " " + name;
    for (size_t i = 0; i < kPickleAllowlistSize; ++i)
      if (full == kPickleAllowlist[i]) return make_text(Kind::global, full);
    fail("refers to the global '" + module + "." + name +
         "'; only numpy array reconstruction is allowed (numpy.core.multiarray._reconstruct, "
         "numpy.ndarray, numpy.dtype, numpy.core.multiarray.scalar): the file may be malicious");
  }
  static bool is_global(const PyValue* v, std::string_view suffix) {
    return v->kind == Kind::global && v->text.size() >= suffix.size() &&
           v->text.compare(v->text.size() - suffix.size(), suffix.size(), suffix) == 0;
  }

  PyValue* reduce(const PyValue* fn, const PyValue* args) {
    if (args->kind != Kind::tuple) fail("REDUCE arguments are a " + describe(*args) + ", expected a tuple");
    const auto& a = args->items;
    if (is_global(fn, " _reconstruct")) {
      if (a.empty() || !is_global(a[0], "numpy ndarray"))
        fail("_reconstruct of something other than numpy.ndarray");
      PyValue* v = make(Kind::array);  // an empty uint8 array (as numpy makes it) until BUILD
      v->array = std::make_unique<PyArray>();
      v->array->shape = {0};
      v->array->kind = 'u';
      v->array->itemsize = 1;
      unbuilt_.insert(v);
      return v;
    }
    if (is_global(fn, "numpy dtype")) {
      if (a.empty() || a[0]->kind != Kind::str) fail("numpy.dtype without a type string");
      return make_dtype(a[0]->text);
    }
    if (is_global(fn, " scalar")) {
      if (a.size() != 2 || a[0]->kind != Kind::dtype) fail("numpy scalar without (dtype, data)");
      const PyArray& dt = *a[0]->array;
      if (dt.kind == 'O') return const_cast<PyValue*>(a[1]);
      if (a[1]->kind != Kind::bytes && a[1]->kind != Kind::str) fail("numpy scalar data is not bytes");
      PyArray tmp = dt;
      tmp.data = a[1]->text;
      if (tmp.data.size() != static_cast<size_t>(dt.itemsize)) fail("numpy scalar data has the wrong size");
      if (dt.kind == 'f') {
        PyValue* v = make(Kind::real);
        v->real = tmp.number(0);
        return v;
      }
      if (dt.kind == 'b') {
        PyValue* v = make(Kind::boolean);
        v->flag = tmp.number(0) != 0;
        return v;
      }
      return make_int(static_cast<long long>(tmp.number(0)));
    }
    fail("REDUCE calls " + describe(*fn) + ", which is not allowed");
  }

  PyValue* make_dtype(const std::string& descr) {
    PyValue* v = make(Kind::dtype);
    v->text = descr;
    v->array = std::make_unique<PyArray>();
    if (!numpy_dtype(descr, *v->array))
      fail("numpy dtype '" + descr + "' is not supported (float32/64, int, uint, bool or object)");
    return v;
  }

  void build(PyValue* obj, const PyValue* state) {
    if (obj->kind == Kind::dtype) {  // (version, byteorder, subarray, names, fields, ...)
      if (state->kind != Kind::tuple || state->items.size() < 2 || state->items[1]->kind != Kind::str)
        fail("dtype state is a " + describe(*state) + ", expected (version, byteorder, ...)");
      obj->array->big_endian = state->items[1]->text == ">";
      return;
    }
    if (obj->kind != Kind::array || unbuilt_.erase(obj) == 0)
      fail("BUILD on a " + describe(*obj) + " is not allowed (only new numpy arrays and dtypes)");
    if (state->kind != Kind::tuple || (state->items.size() != 5 && state->items.size() != 4))
      fail("ndarray state is a " + describe(*state) + ", expected (version, shape, dtype, fortran, data)");
    const auto& s = state->items;
    const size_t o = s.size() == 5 ? 1 : 0;
    const PyValue* shape = s[o];
    const PyValue* dtype = s[o + 1];
    const PyValue* fortran = s[o + 2];
    const PyValue* data = s[o + 3];
    if (shape->kind != Kind::tuple) fail("ndarray shape is a " + describe(*shape) + ", expected a tuple");
    if (dtype->kind != Kind::dtype)
      fail("ndarray dtype is a " + describe(*dtype) + ", expected a numpy dtype");
    auto a = std::make_unique<PyArray>(*dtype->array);
    size_t n = 1;
    for (const PyValue* d : shape->items) {
      if (d->kind != Kind::integer || d->integer < 0)
        fail("ndarray shape holds a " + describe(*d) + ", expected sizes >= 0");
      const auto dim = static_cast<size_t>(d->integer);
      if (dim != 0 && n > (size_t(1) << 40) / dim) fail("ndarray shape is too large");
      n *= dim;
      a->shape.push_back(d->integer);
    }
    const bool f_order =
        fortran->kind == Kind::boolean ? fortran->flag : fortran->is_number() && fortran->as_double() != 0;
    if (a->kind == 'O') {
      if (data->kind != Kind::list || data->items.size() != n)
        fail("object ndarray " + npy_shape_string(a->shape) + " has " + describe(*data) +
             " as data, expected a list of " + std::to_string(n));
      a->objects = data->items;
    } else {
      if (data->kind != Kind::bytes && data->kind != Kind::str)
        fail("ndarray data is a " + describe(*data) + ", expected bytes");
      if (data->text.size() != n * a->itemsize)
        fail("ndarray " + npy_shape_string(a->shape) + " has " + std::to_string(data->text.size()) +
             " data bytes, expected " + std::to_string(n * a->itemsize));
      a->data = data->text;
    }
    if (f_order) fortran_to_c_order(*a);
    obj->array = std::move(a);
  }

  long long text_int(std::string_view s) {
    if (!s.empty() && s.back() == 'L') s.remove_suffix(1);
    long long v = 0;
    bool neg = false;
    size_t i = 0;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    if (i == s.size() || s.size() - i > 18) fail("INT '" + std::string(s) + "' is not a number in range");
    for (; i < s.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i])))
        fail("INT '" + std::string(s) + "' is not a number");
      v = v * 10 + (s[i] - '0');
    }
    return neg ? -v : v;
  }

  // Little-endian two's complement integer of n bytes (LONG1/LONG4), at most 8.
  PyValue* long_bytes(uint64_t n) {
    if (n > 8) fail("integer of " + std::to_string(n) + " bytes is too large");
    const std::string_view s = take(n);
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;) v = (v << 8) | static_cast<unsigned char>(s[i]);
    if (n > 0 && n < 8 && (static_cast<unsigned char>(s[n - 1]) & 0x80)) v |= ~uint64_t(0) << (8 * n);
    return make_int(static_cast<long long>(v));
  }

  void step(unsigned char op) {
    switch (op) {
      case 0x80: take(1); break;  // PROTO
      case 0x95: take(8); break;  // FRAME
      case '(':                   // MARK
        if (marks_.size() >= kPickleMaxMarks)
          fail("more than " + std::to_string(kPickleMaxMarks) + " nested MARKs");
        marks_.push_back(stack_.size());
        break;
      case '0': pop(); break;        // POP
      case '1': pop_mark(); break;   // POP_MARK
      case '2': push(top()); break;  // DUP
      case 'N': push(make(Kind::none)); break;
      case 0x88:
      case 0x89: {  // NEWTRUE, NEWFALSE
        PyValue* v = make(Kind::boolean);
        v->flag = op == 0x88;
        push(v);
        break;
      }
      case 'J': push(make_int(static_cast<int32_t>(uint_le(4)))); break;    // BININT
      case 'K': push(make_int(static_cast<long long>(uint_le(1)))); break;  // BININT1
      case 'M': push(make_int(static_cast<long long>(uint_le(2)))); break;  // BININT2
      case 0x8a: push(long_bytes(uint_le(1))); break;                       // LONG1
      case 0x8b: push(long_bytes(uint_le(4))); break;                       // LONG4
      case 'I': {  // INT (text): also "01"/"00" for True/False
        const std::string_view s = line();
        if (s == "01" || s == "00") {
          PyValue* v = make(Kind::boolean);
          v->flag = s == "01";
          push(v);
        } else {
          push(make_int(text_int(s)));
        }
        break;
      }
      case 'L': push(make_int(text_int(line()))); break;  // LONG (text)
      case 'G': {                                         // BINFLOAT: big-endian double
        const std::string_view s = take(8);
        unsigned char b[8];
        for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(s[7 - i]);
        PyValue* v = make(Kind::real);
        std::memcpy(&v->real, b, 8);
        push(v);
        break;
      }
      case 'F': {  // FLOAT (text)
        const std::string t(line());
        char* end = nullptr;
        PyValue* v = make(Kind::real);
        v->real = std::strtod(t.c_str(), &end);
        if (t.empty() || end != t.c_str() + t.size()) fail("FLOAT '" + t + "' is not a number");
        push(v);
        break;
      }
      case 'X': push(make_text(Kind::str, take(uint_le(4)))); break;    // BINUNICODE
      case 0x8c: push(make_text(Kind::str, take(uint_le(1)))); break;   // SHORT_BINUNICODE
      case 0x8d: push(make_text(Kind::str, take(uint_le(8)))); break;   // BINUNICODE8
      case 'T': push(make_text(Kind::str, take(uint_le(4)))); break;    // BINSTRING (py2 str)
      case 'U': push(make_text(Kind::str, take(uint_le(1)))); break;    // SHORT_BINSTRING
      case 'B': push(make_text(Kind::bytes, take(uint_le(4)))); break;  // BINBYTES
      case 'C': push(make_text(Kind::bytes, take(uint_le(1)))); break;  // SHORT_BINBYTES
      case 0x8e:
      case 0x96: push(make_text(Kind::bytes, take(uint_le(8)))); break;  // BINBYTES8, BYTEARRAY8
      case ']': push(make(Kind::list)); break;                           // EMPTY_LIST
      case 'l': push(make_seq(Kind::list, pop_mark())); break;           // LIST
      case 'a': {                                                        // APPEND
        PyValue* v = pop();
        append(top(), {v});
        break;
      }
      case 'e': {  // APPENDS
        auto items = pop_mark();
        append(top(), std::move(items));
        break;
      }
      case ')': push(make(Kind::tuple)); break;                  // EMPTY_TUPLE
      case 't': push(make_seq(Kind::tuple, pop_mark())); break;  // TUPLE
      case 0x85:
      case 0x86:
      case 0x87: {  // TUPLE1..3
        const size_t n = op - 0x84;
        std::vector<const PyValue*> items(n);
        for (size_t i = n; i-- > 0;) items[i] = pop();
        push(make_seq(Kind::tuple, std::move(items)));
        break;
      }
      case '}': push(make(Kind::dict)); break;  // EMPTY_DICT
      case 'd': {                               // DICT
        auto kv = pop_mark();
        PyValue* d = make(Kind::dict);
        set_items(d, kv);
        push(d);
        break;
      }
      case 's': {  // SETITEM
        PyValue* v = pop();
        PyValue* k = pop();
        set_items(top(), {k, v});
        break;
      }
      case 'u': {  // SETITEMS
        auto kv = pop_mark();
        set_items(top(), kv);
        break;
      }
      case 0x8f: push(make(Kind::list)); break;  // EMPTY_SET (as a list)
      case 0x90: {                               // ADDITEMS
        auto items = pop_mark();
        PyValue* set = top();
        if (set->kind != Kind::list) fail("ADDITEMS to a " + describe(*set) + ", expected a set");
        append(set, std::move(items));
        break;
      }
      case 0x91: push(make_seq(Kind::list, pop_mark())); break;       // FROZENSET (as a list)
      case 'q': put(uint_le(1)); break;                               // BINPUT
      case 'r': put(uint_le(4)); break;                               // LONG_BINPUT
      case 0x94: put(memo_.size()); break;                            // MEMOIZE
      case 'p': put(static_cast<uint64_t>(text_int(line()))); break;  // PUT
      case 'h': get(uint_le(1)); break;                               // BINGET
      case 'j': get(uint_le(4)); break;                               // LONG_BINGET
      case 'g': get(static_cast<uint64_t>(text_int(line()))); break;  // GET
      case 'c': {                                                     // GLOBAL
        std::string module(line());
        push(global(std::move(module), std::string(line())));
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        PyValue* name = pop();
        PyValue* module = pop();
        if (name->kind != Kind::str || module->kind != Kind::str) fail("STACK_GLOBAL of non-strings");
        push(global(module->text, name->text));
        break;
      }
      case 'R': {  // REDUCE
        PyValue* args = pop();
        PyValue* fn = pop();
        push(reduce(fn, args));
        break;
      }
      case 'b': {  // BUILD
        PyValue* state = pop();
        build(top(), state);
        break;
      }
      case 'i': {  // INST: module, name inline
        std::string module(line());
        global(std::move(module), std::string(line()));  // throws for anything not allowlisted
        fail("INST is not allowed");
      }
      case 0x81:
      case 0x92:
      case 'o':
        fail("creates an object (NEWOBJ/OBJ), which is not allowed: only numpy arrays and plain containers");
      case 'P':
      case 'Q': fail("persistent ids are not allowed");
      case 0x82:
      case 0x83:
      case 0x84: fail("extension-registry globals (EXT1/2/4) are not allowed");
      case 0x97:
      case 0x98: fail("out-of-band buffers are not supported");
      default: {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", op);
        fail(std::string("unsupported pickle opcode ") + hex);
      }
    }
  }

  std::string_view in_;
  const std::string& file_;
  PickleDoc& doc_;
  size_t pos_ = 0, op_pos_ = 0, made_ = 0;
  std::vector<PyValue*> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, PyValue*> memo_;
  std::unordered_set<const PyValue*> unbuilt_;  // arrays from _reconstruct awaiting BUILD
};

}  // namespace

PickleDoc unpickle(std::string_view bytes, const std::string& file) {
  PickleDoc doc;
  Unpickler u(bytes, file, doc);
  doc.set_root(u.run());
  return doc;
}

}  // namespace lmm::io
