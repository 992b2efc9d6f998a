// Conventions as data (convention.h): label normalization, the recipe parser, binding a
// convention to a file's points, per-frame evaluation, choosing the best convention of a
// family, user JSON files and the Markdown tables of the docs.
#include "lmm/io/convention.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "lmm/core/error.h"
#include "lmm/io/convention_rules.h"

namespace lmm::io {
namespace {

// One parsed recipe alternative: sum of weighted terms; a term is a point or a rule call.
struct Term;
using Alt = std::vector<Term>;
using Recipe = std::vector<Alt>;  // alternatives, first that binds wins
struct Term {
  float weight = 1.f;
  std::string name;              // point name (normalized) when rule is empty
  std::string rule;              // rule name, e.g. "harrington_right"
  std::vector<Recipe> args;      // rule arguments
};

class Parser {
 public:
  Parser(std::string_view s, const std::string& where) : s_(s), where_(where) {}
  Recipe parse() {
    Recipe r = recipe();
    skip();
    if (i_ != s_.size()) fail("unexpected '" + std::string(1, s_[i_]) + "'");
    return r;
  }

 private:
  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool eat(char c) {
    skip();
    if (i_ < s_.size() && s_[i_] == c) return ++i_, true;
    return false;
  }
  [[noreturn]] void fail(const std::string& why) {
    throw ConfigError(where_ + ": cannot parse recipe '" + std::string(s_) + "' at column " +
                      std::to_string(i_ + 1) + ": " + why);
  }
  static bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':' || c == '-' ||
           c == '.' || c == '#';
  }
  Recipe recipe() {
    Recipe r{alt()};
    while (eat('|')) r.push_back(alt());
    return r;
  }
  Alt alt() {
    Alt a{term()};
    while (eat('+')) a.push_back(term());
    return a;
  }
  Term term() {
    Term t;
    skip();
    // An optional "number *" weight.
    size_t j = i_;
    while (j < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[j])) || s_[j] == '.')) ++j;
    if (j > i_) {
      size_t k = j;
      while (k < s_.size() && std::isspace(static_cast<unsigned char>(s_[k]))) ++k;
      if (k < s_.size() && s_[k] == '*') {
        t.weight = std::stof(std::string(s_.substr(i_, j - i_)));
        i_ = k + 1;
        skip();
      }
    }
    if (eat('@')) {
      const size_t b = i_;
      while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_')) ++i_;
      t.rule = std::string(s_.substr(b, i_ - b));
      if (t.rule.empty()) fail("rule name expected after '@'");
      if (!eat('(')) fail("'(' expected after @" + t.rule);
      t.args.push_back(recipe());
      while (eat(',')) t.args.push_back(recipe());
      if (!eat(')')) fail("')' expected");
      return t;
    }
    const size_t b = i_;
    while (i_ < s_.size() && name_char(s_[i_])) ++i_;
    if (i_ == b) fail("point name expected");
    t.name = normalize_label(s_.substr(b, i_ - b));
    return t;
  }

  std::string_view s_;
  std::string where_;
  size_t i_ = 0;
};

// A bound term: weight and either a point index or a rule with bound arguments.
struct BTerm;
using BAlt = std::vector<BTerm>;
struct BTerm {
  float weight = 1.f;
  int point = -1;
  const Rule* rule = nullptr;
  std::vector<BAlt> args;
};

// Binds the first alternative whose points all exist; false when none does.
bool bind_recipe(const Recipe& r, const std::map<std::string, int>& index, BAlt& out);

bool bind_alt(const Alt& a, const std::map<std::string, int>& index, BAlt& out) {
  out.clear();
  for (const Term& t : a) {
    BTerm b;
    b.weight = t.weight;
    if (!t.rule.empty()) {
      b.rule = find_rule(t.rule);
      if (!b.rule || static_cast<int>(t.args.size()) != b.rule->arity) return false;
      for (const Recipe& arg : t.args) {
        BAlt ba;
        if (!bind_recipe(arg, index, ba)) return false;
        b.args.push_back(std::move(ba));
      }
    } else {
      auto it = index.find(t.name);
      if (it == index.end()) return false;
      b.point = it->second;
    }
    out.push_back(std::move(b));
  }
  return true;
}

bool bind_recipe(const Recipe& r, const std::map<std::string, int>& index, BAlt& out) {
  for (const Alt& a : r)
    if (bind_alt(a, index, out)) return true;
  out.clear();
  return false;
}

// Evaluates a bound sum for one person: coordinates into xyz[0..dims), returns confidence.
float eval(const BAlt& a, const float* pts, int dims, float* xyz) {
  const int stride = dims + 1;
  float conf = 1.f;
  for (int k = 0; k < dims; ++k) xyz[k] = 0.f;
  for (const BTerm& t : a) {
    float v[3] = {0, 0, 0};
    float c;
    if (t.rule) {
      std::vector<std::array<float, 3>> args(t.args.size());
      c = 1.f;
      for (size_t i = 0; i < t.args.size(); ++i) {
        float p[3] = {0, 0, 0};
        c = std::min(c, eval(t.args[i], pts, dims, p));
        args[i] = {p[0], p[1], p[2]};
      }
      if (c > 0) {
        if (dims != 3) return 0.f;  // rules are 3D geometry
        std::array<float, 3> r;
        try {
          r = t.rule->fn(args);
        } catch (const ConfigError&) {  // degenerate input in this frame (e.g. a flat pelvis)
          return 0.f;
        }
        if (!std::isfinite(r[0]) || !std::isfinite(r[1]) || !std::isfinite(r[2])) return 0.f;
        v[0] = r[0], v[1] = r[1], v[2] = r[2];
      }
    } else {
      const float* p = pts + t.point * stride;
      c = p[dims];
      for (int k = 0; k < dims; ++k) v[k] = p[k];
    }
    if (!(c > 0)) return 0.f;
    conf = std::min(conf, c);
    for (int k = 0; k < dims; ++k) xyz[k] += t.weight * v[k];
  }
  return conf;
}

}  // namespace

std::string normalize_label(std::string_view label) {
  const size_t colon = label.rfind(':');
  if (colon != std::string_view::npos) label = label.substr(colon + 1);
  std::string out;
  out.reserve(label.size());
  for (char ch : label) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == '_' || c == '-' || c == '.' || c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : ch;
  }
  return out;
}

struct BoundConvention::Impl {
  std::array<BAlt, kNumJoints> joint;  // empty = unavailable
};

BoundConvention::BoundConvention(const Convention& c, const std::vector<std::string>& points)
    : conv_(&c), impl_(std::make_unique<Impl>()) {
  std::map<std::string, int> index;
  for (size_t i = 0; i < points.size(); ++i) index.emplace(normalize_label(points[i]), static_cast<int>(i));
  for (int j = 0; j < kNumJoints; ++j) {
    if (c.recipe[j].empty()) continue;
    const Recipe r = Parser(c.recipe[j], "convention '" + c.id + "', joint " + std::string(joint_name(j))).parse();
    bind_recipe(r, index, impl_->joint[j]);
  }
}
BoundConvention::~BoundConvention() = default;
BoundConvention::BoundConvention(BoundConvention&&) noexcept = default;
BoundConvention& BoundConvention::operator=(BoundConvention&&) noexcept = default;

bool BoundConvention::has(int joint) const { return !impl_->joint[joint].empty(); }

int BoundConvention::coverage() const {
  int n = 0;
  for (int j = 0; j < kNumJoints; ++j) n += has(j);
  return n;
}

void BoundConvention::apply(const float* points, int dims, float* out) const {
  const int stride = dims + 1;
  for (int j = 0; j < kNumJoints; ++j) {
    float* o = out + j * stride;
    std::fill(o, o + stride, 0.f);
    if (!has(j)) continue;
    const float c = eval(impl_->joint[j], points, dims, o);
    if (c > 0)
      o[dims] = std::min(c, 1.f);
    else
      std::fill(o, o + stride, 0.f);
  }
}

std::vector<float> BoundConvention::retarget(const SourceMotion& m, int person) const {
  const int stride = m.stride();
  std::vector<float> out(static_cast<size_t>(m.frames) * kNumJoints * stride);  // (T, 25, D + 1)
  for (int t = 0; t < m.frames; ++t)
    apply(m.at(t, person, 0), m.dims, out.data() + static_cast<size_t>(t) * kNumJoints * stride);
  return out;
}

const Convention* find_convention(std::string_view id) {
  for (const Convention& c : conventions())
    if (c.id == id) return &c;
  return nullptr;
}

Convention load_convention_json(const std::filesystem::path& file, const std::string& family) {
  std::ifstream in(file);
  if (!in) throw FormatError(file.string(), -1, "cannot open the convention file");
  nlohmann::json j;
  try {
    in >> j;
  } catch (const std::exception& e) {
    throw FormatError(file.string(), -1, std::string("not valid JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains("joints") || !j["joints"].is_object())
    throw FormatError(file.string(), -1,
                      "expected {\"id\": ..., \"joints\": {\"<BODY_25 joint>\": \"<recipe>\", ...}}");
  Convention c;
  c.id = j.value("id", file.stem().string());
  c.title = j.value("title", c.id + " (" + file.filename().string() + ")");
  c.family = family;
  for (auto& [k, v] : j["joints"].items()) {
    const int idx = joint_index(k);
    if (idx < 0)
      throw FormatError(file.string(), -1,
                        "unknown BODY_25 joint '" + k + "' (expected OpenPose names such as RShoulder, MidHip)");
    if (!v.is_string()) throw FormatError(file.string(), -1, "recipe of " + k + " must be a string");
    c.recipe[idx] = v.get<std::string>();
    try {
      Parser(c.recipe[idx], k).parse();
    } catch (const ConfigError& e) {
      throw FormatError(file.string(), -1, e.what());
    }
  }
  return c;
}

namespace {
// Body coverage that makes a usable clip: both hips, or both shoulders (upper body).
bool usable_coverage(const BoundConvention& b) {
  return (b.has(RHip) && b.has(LHip)) || (b.has(MidHip) && (b.has(RKnee) || b.has(LKnee))) ||
         (b.has(RShoulder) && b.has(LShoulder));
}

std::string how_to_write(const std::string& family) {
  const char* opt = family == "bvh" ? "--joints" : "--markers";
  return std::string("write your own table as JSON and pass ") + opt +
         " FILE.json: {\"id\": \"my_set\", \"joints\": {\"RHip\": \"RGT\", \"Neck\": \"0.5*LSHO + "
         "0.5*RSHO\", ...}} (BODY_25 joint -> recipe over your labels; see docs/formats_mocap.md)";
}
}  // namespace

BoundConvention choose_convention(const std::vector<std::string>& points, const std::string& family,
                                  const std::string& file) {
  const Convention* best = nullptr;
  int best_cov = -1;
  bool best_ok = false;
  for (const Convention& c : conventions()) {
    if (c.family != family) continue;
    BoundConvention b(c, points);
    const bool ok = usable_coverage(b);
    const int cov = b.coverage();
    if ((ok && !best_ok) || (ok == best_ok && cov > best_cov)) best = &c, best_cov = cov, best_ok = ok;
  }
  if (best && best_ok) return BoundConvention(*best, points);
  std::string seen;
  const size_t show = std::min<size_t>(points.size(), 60);
  for (size_t i = 0; i < show; ++i) seen += (i ? " " : "") + points[i];
  if (points.size() > show) seen += " ... (" + std::to_string(points.size()) + " in all)";
  if (points.empty()) seen = "(none)";
  throw FormatError(file, -1,
                    "no known " + family + " convention covers these labels" +
                        (best && best_cov > 0 ? " (closest: " + best->title + ", " + std::to_string(best_cov) +
                                                    " of 25 joints, no hips or shoulders)"
                                              : std::string()) +
                        "; labels seen: " + seen + "; " + how_to_write(family));
}

std::string convention_markdown(const Convention& c) {
  std::string md = "| BODY_25 | " + c.title + " |\n|---|---|\n";
  for (int j = 0; j < kNumJoints; ++j) {
    std::string esc;
    for (char ch : c.recipe[j]) esc += ch == '|' ? std::string("\\|") : std::string(1, ch);
    md += "| " + std::to_string(j) + " " + std::string(joint_name(j)) + " | " +
          (esc.empty() ? std::string("missing (confidence 0)") : "`" + esc + "`") + " |\n";
  }
  if (!c.notes.empty()) md += "\n" + c.notes + "\n";
  return md;
}

}  // namespace lmm::io
