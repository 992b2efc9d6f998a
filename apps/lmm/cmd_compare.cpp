// `lmm compare RUN... [--dataset DS] [--json OUT] [-o OUT.md]`: the spec's Table 1
// (model, params, frame 1 / 15 / 30, overall) for several runs side by side. A RUN is
// the metrics.json of `lmm eval` (or its --report directory), or a checkpoint that is
// then evaluated on --dataset.
#include <fmt/core.h>

#include <memory>

#include "commands.h"
#include "lmm/core/atomic_file.h"
#include "lmm/eval/run_eval.h"

namespace {

struct Opts {
  lmm::eval::EvalConfig cfg;
  std::vector<std::string> runs;
  std::string dataset, json_out, md_out;
};

lmm::cli::Registrar reg([](CLI::App& app, int& exit_code) {
  auto o = std::make_shared<Opts>();
  auto* sub = app.add_subcommand("compare", "Table 1 of several evaluated runs or checkpoints");
  sub->add_option("runs", o->runs, "metrics.json files, report directories or checkpoints")->required();
  sub->add_option("--dataset", o->dataset, "Dataset to evaluate checkpoint RUNs on");
  sub->add_option("--samples", o->cfg.options.samples, "Samples per window for diffusion checkpoints")
      ->capture_default_str();
  sub->add_option("--json", o->json_out, "Write all runs' metrics as JSON here");
  sub->add_option("-o,--markdown", o->md_out, "Write the Markdown tables here");
  sub->callback([o, &exit_code] {
    o->cfg.dataset = o->dataset;
    o->cfg.options.progress = false;
    std::vector<lmm::eval::EvalReport> reports;
    for (const auto& run : o->runs) reports.push_back(lmm::eval::load_or_eval_run(run, o->cfg));
    const std::string md = lmm::eval::compare_markdown(reports);
    fmt::print("{}", md);
    if (!o->md_out.empty()) lmm::write_text_atomic(o->md_out, md);
    if (!o->json_out.empty()) lmm::write_text_atomic(o->json_out, lmm::eval::compare_json(reports).dump(2) + "\n");
    exit_code = 0;
  });
});

}  // namespace
