// The docs hold the code's own tables (scripts/gen_format_docs.py writes them): every
// convention's correspondence table and the format registry, so they cannot drift.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "lmm/io/convention.h"
#include "lmm/io/format_docs.h"

using namespace lmm::io;

namespace {
std::string slurp(const std::string& rel) {
  std::ifstream in(std::string(LMM_SOURCE_DIR) + "/" + rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST(FormatDocs, EveryConventionTableIsInTheDocs) {
  const std::string docs = slurp("docs/formats.md") + slurp("docs/formats_mocap.md");
  ASSERT_FALSE(docs.empty());
  for (const Convention& c : conventions())
    EXPECT_NE(docs.find(convention_markdown(c)), std::string::npos)
        << "docs lack the table of convention '" << c.id << "': run scripts/gen_format_docs.py";
}

TEST(FormatDocs, FormatRegistryIsInTheDocs) {
  EXPECT_NE(slurp("docs/formats.md").find(formats_markdown()), std::string::npos)
      << "docs/formats.md lacks the format registry: run scripts/gen_format_docs.py";
}
