// BVH text parser: HIERARCHY (ROOT/JOINT/End Site blocks with OFFSET and CHANNELS,
// any rotation order, position channels on any joint) and MOTION (Frames, Frame
// Time, then one line of C values per frame) -> BvhData with motion (T, C).
// Joint names are the rest of the ROOT/JOINT line, so names with spaces work. Non-blank
// lines after the T-th frame are counted (BvhData::extra_lines) and otherwise ignored;
// after parsing, bvh_resolve_position_channels() decides how position channels apply.
#include <cctype>
#include <charconv>
#include <cmath>
#include <string_view>

#include "lmm/core/atomic_file.h"
#include "lmm/core/error.h"
#include "lmm/io/bvh.h"

namespace lmm::io {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

// Parses a whole token as a double (a leading '+' is allowed).
bool to_double(std::string_view tok, double& v) {
  if (!tok.empty() && tok[0] == '+') tok.remove_prefix(1);
  if (tok.empty()) return false;
  auto [end, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), v);
  return ec == std::errc() && end == tok.data() + tok.size();
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// Deepest joint nesting accepted (real rigs are < 30 deep; a million-deep file is hostile).
constexpr size_t kMaxDepth = 1000;
// Most frames "Frames:" may declare.
constexpr double kMaxFrames = 1e9;

class Parser {
 public:
  Parser(const std::string& text, const std::string& name) : s_(text), name_(name) {}

  BvhData parse() {
    expect("HIERARCHY");
    parse_hierarchy();
    parse_motion();
    return std::move(d_);
  }

 private:
  [[noreturn]] void fail(const std::string& why, long frame = -1) const {
    throw FormatError(name_, frame, frame < 0 ? "line " + std::to_string(line_) + ": " + why : why);
  }

  std::string_view token() {
    while (pos_ < s_.size() && is_space(s_[pos_])) {
      if (s_[pos_] == '\n') ++line_;
      ++pos_;
    }
    const size_t b = pos_;
    while (pos_ < s_.size() && !is_space(s_[pos_])) ++pos_;
    return std::string_view(s_).substr(b, pos_ - b);
  }

  std::string rest_of_line() {
    const size_t e = s_.find('\n', pos_);
    std::string r = s_.substr(pos_, e == std::string::npos ? std::string::npos : e - pos_);
    pos_ = e == std::string::npos ? s_.size() : e;
    const size_t b = r.find_first_not_of(" \t\r"), l = r.find_last_not_of(" \t\r");
    return b == std::string::npos ? std::string() : r.substr(b, l - b + 1);
  }

  void expect(std::string_view want) {
    std::string_view t = token();
    if (t != want)
      fail("found '" + std::string(t.substr(0, 40)) + "', expected '" + std::string(want) + "'");
  }

  double number(const char* what) {
    std::string_view t = token();
    double v;
    if (!to_double(t, v) || !std::isfinite(v))
      fail(std::string(what) + " '" + std::string(t.substr(0, 40)) + "' is not a finite number");
    return v;
  }

  // Adds a joint under the innermost open block and opens its block.
  void open_joint(std::string name, bool end_site, bool root) {
    bool brace = false;
    if (!name.empty() && name.back() == '{') {
      brace = true;
      name.pop_back();
      while (!name.empty() && is_space(name.back())) name.pop_back();
    }
    if (name.empty()) fail("a joint without a name");
    if (root != stack_.empty()) fail(root ? "ROOT inside another joint" : "JOINT outside a ROOT");
    if (stack_.size() >= kMaxDepth)
      fail("joint " + name.substr(0, 40) + " is nested deeper than " + std::to_string(kMaxDepth) +
           " levels, expected a skeleton (real rigs are < 30 deep)");
    BvhJoint j;
    j.name = std::move(name);
    j.end_site = end_site;
    j.parent = stack_.empty() ? -1 : stack_.back();
    j.first_channel = d_.channels;
    d_.joints.push_back(std::move(j));
    stack_.push_back(static_cast<int>(d_.joints.size()) - 1);
    if (!brace) expect("{");
  }

  void parse_hierarchy() {
    for (;;) {
      std::string_view t = token();
      if (t.empty()) fail("the file ends inside HIERARCHY, expected MOTION");
      if (t == "ROOT" || t == "JOINT") {
        if (!stack_.empty() && d_.joints[stack_.back()].end_site) fail("JOINT inside an End Site");
        open_joint(rest_of_line(), false, t == "ROOT");
      } else if (t == "End") {
        if (stack_.empty() || d_.joints[stack_.back()].end_site) fail("End Site outside a joint");
        std::string rest = rest_of_line();
        if (rest.rfind("Site", 0) != 0) fail("found 'End " + rest.substr(0, 40) + "', expected 'End Site'");
        const std::string parent = d_.joints[stack_.back()].name;
        open_joint(parent + "_End" + (rest.back() == '{' ? " {" : ""), true, false);
      } else if (t == "OFFSET") {
        if (stack_.empty()) fail("OFFSET outside a joint");
        auto& off = d_.joints[stack_.back()].offset;
        for (double& v : off) v = number("OFFSET value");
      } else if (t == "CHANNELS") {
        if (stack_.empty() || d_.joints[stack_.back()].end_site) fail("CHANNELS outside a joint");
        BvhJoint& j = d_.joints[stack_.back()];
        if (!j.channels.empty()) fail("second CHANNELS line for joint " + j.name);
        const double n = number("CHANNELS count");
        if (n < 0 || n > 6 || n != std::floor(n))
          fail("CHANNELS count " + std::to_string(n) + " for joint " + j.name + ", expected 0..6");
        for (int i = 0; i < static_cast<int>(n); ++i) j.channels.push_back(channel(token(), j.name));
        j.first_channel = d_.channels;
        d_.channels += static_cast<int>(n);
      } else if (t == "}" || t == "{}") {
        if (stack_.empty()) fail("unbalanced '}'");
        stack_.pop_back();
      } else if (t == "MOTION") {
        if (!stack_.empty()) fail("MOTION inside joint " + d_.joints[stack_.back()].name + ": missing '}'");
        if (d_.joints.empty()) fail("no ROOT before MOTION");
        return;
      } else {
        fail("unexpected '" + std::string(t.substr(0, 40)) +
             "', expected ROOT, JOINT, End Site, OFFSET, CHANNELS, '}' or MOTION");
      }
    }
  }

  BvhChannel channel(std::string_view t, const std::string& joint) {
    static const char* const names[] = {"Xposition", "Yposition", "Zposition",
                                        "Xrotation", "Yrotation", "Zrotation"};
    for (int i = 0; i < 6; ++i)
      if (iequals(t, names[i])) return static_cast<BvhChannel>(i);
    fail("joint " + joint + " has channel '" + std::string(t.substr(0, 40)) +
         "', expected X/Y/Z position or rotation");
  }

  void parse_motion() {
    if (d_.channels == 0) fail("no CHANNELS in the hierarchy: nothing moves");
    expect("Frames:");
    const double frames = number("Frames");
    if (frames < 0 || frames != std::floor(frames))
      fail("Frames: " + std::to_string(frames) + ", expected a whole number of frames");
    if (frames > kMaxFrames)
      fail("Frames: " + std::to_string(static_cast<long long>(std::min(frames, 9e18))) + ", expected at most " +
           std::to_string(static_cast<long long>(kMaxFrames)) + " frames");
    d_.frames = static_cast<int>(frames);
    expect("Frame");
    expect("Time:");
    d_.frame_time = number("Frame Time");
    if (d_.frame_time < 0) fail("Frame Time is negative");
    rest_of_line();
    const size_t C = static_cast<size_t>(d_.channels);
    for (int t = 0; t < d_.frames; ++t) {
      // Next non-blank line.
      std::string_view line;
      while (pos_ < s_.size() && line.find_first_not_of(" \t\r") == std::string_view::npos) {
        if (s_[pos_] == '\n') ++pos_;
        const size_t e = s_.find('\n', pos_);
        line = std::string_view(s_).substr(pos_, (e == std::string::npos ? s_.size() : e) - pos_);
        pos_ = e == std::string::npos ? s_.size() : e;
      }
      if (line.find_first_not_of(" \t\r") == std::string_view::npos)
        fail("MOTION section ends after " + std::to_string(t) + " frames, 'Frames:' says " +
                 std::to_string(d_.frames),
             t);
      size_t count = 0, i = 0;
      while (i < line.size()) {
        while (i < line.size() && is_space(line[i])) ++i;
        if (i >= line.size()) break;
        size_t e = i;
        while (e < line.size() && !is_space(line[e])) ++e;
        double v;
        if (!to_double(line.substr(i, e - i), v) || !std::isfinite(v))
          fail("value " + std::to_string(count + 1) + " '" + std::string(line.substr(i, std::min<size_t>(e - i, 40))) +
                   "' is not a finite number",
               t);
        if (count < C) d_.motion.push_back(v);
        ++count;
        i = e;
      }
      if (count != C)
        fail("has " + std::to_string(count) + " values, expected " + std::to_string(C) +
                 " (the sum of the CHANNELS counts)",
             t);
    }
    count_extra_lines();
  }

  // Non-blank lines after the last frame "Frames:" announces.
  void count_extra_lines() {
    while (pos_ < s_.size()) {
      size_t e = s_.find('\n', pos_);
      if (e == std::string::npos) e = s_.size();
      if (std::string_view(s_).substr(pos_, e - pos_).find_first_not_of(" \t\r\n") != std::string_view::npos)
        ++d_.extra_lines;
      pos_ = e + 1;
    }
  }

  const std::string& s_;
  std::string name_;
  size_t pos_ = 0;
  int line_ = 1;
  BvhData d_;
  std::vector<int> stack_;
};

}  // namespace

const char* bvh_channel_name(BvhChannel c) {
  switch (c) {
    case BvhChannel::Xposition: return "Xposition";
    case BvhChannel::Yposition: return "Yposition";
    case BvhChannel::Zposition: return "Zposition";
    case BvhChannel::Xrotation: return "Xrotation";
    case BvhChannel::Yrotation: return "Yrotation";
    case BvhChannel::Zrotation: return "Zrotation";
  }
  return "?";
}

BvhData parse_bvh(const std::string& text, const std::string& name) {
  BvhData d = Parser(text, name).parse();
  bvh_resolve_position_channels(d);
  return d;
}

BvhData read_bvh_data(const std::filesystem::path& file) {
  return parse_bvh(read_text(file), file.string());
}

}  // namespace lmm::io
