// Markdown of the format registry and the conventions (format_docs.h).
#include "lmm/io/format_docs.h"

#include "lmm/io/convention.h"
#include "lmm/io/convention_rules.h"
#include "lmm/io/format_registry.h"

namespace lmm::io {
namespace {
std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}
}  // namespace

std::string formats_markdown() {
  std::string md = "| format | aliases | extensions | reads |\n|---|---|---|---|\n";
  for (const FormatSpec& f : formats())
    md += "| `" + f.name + "` | " + join(f.aliases, ", ") + " | " +
          (f.directory ? std::string("a directory") : join(f.extensions, " ")) + " | " + f.description + " |\n";
  return md;
}

std::string conventions_markdown(const std::string& family) {
  std::string md;
  bool uses_rules = false;
  for (const Convention& c : conventions()) {
    if (!family.empty() && c.family != family) continue;
    md += "#### " + c.title + " (`" + c.id + "`)\n\n" + convention_markdown(c) + "\n";
    for (const auto& r : c.recipe) uses_rules = uses_rules || r.find('@') != std::string::npos;
  }
  if (uses_rules) {
    md += "Rules (`@name(...)` in a recipe):\n\n";
    for (const Rule& r : rules()) md += "- `@" + r.name + "` (" + std::to_string(r.arity) + " points): " + r.doc + "\n";
  }
  return md;
}

}  // namespace lmm::io
