// Rebuilds a forecasting model from a checkpoint: kind + config from the metadata
// (models::model_from_config), then the stored weights and the joints it was trained on;
// the model is left in eval mode.
#include "lmm/core/error.h"
#include "lmm/train/checkpoint.h"
#include "lmm/train/training_data.h"

namespace lmm::train {

LoadedModel load_model(const std::filesystem::path& path) {
  Checkpoint ck = read_checkpoint(path);
  const auto& m = ck.meta;
  if (!m.contains("model") || !m["model"].contains("kind") || !m["model"].contains("config"))
    throw CheckpointError(path.string() +
                          ": metadata has no model description, expected {\"model\": {\"kind\": "
                          "..., \"config\": {...}}}");
  LoadedModel out;
  try {
    out.model = models::model_from_config(m["model"]["kind"].get<std::string>(), m["model"]["config"]);
  } catch (const ConfigError& e) {
    throw CheckpointError(path.string() + ": cannot rebuild the model: " + e.what());
  }
  // Exported checkpoints may store float16 weights (pretrained.h): load them as stored
  // (the archive replaces tensors in place, dtype included), then compute in float32.
  const bool half = m.contains("export") && m["export"].value("dtype", "") == "float16";
  if (half) out.model->to(torch::kHalf);
  load_module_state(*out.model, ck.model_state, path.string());
  if (half) out.model->to(torch::kFloat);
  out.model->eval();
  if (m.contains("data") && m["data"].contains("trained_joints")) {
    try {
      out.model->set_known_joints(joints_from_json(m["data"]["trained_joints"]));
    } catch (const ConfigError& e) {
      throw CheckpointError(path.string() + ": " + e.what());
    }
  }
  if (m.contains("inference") && m["inference"].is_object()) {
    try {
      out.model->set_mirror_average(m["inference"].value("mirror_average", false));
    } catch (const std::exception& e) {
      throw CheckpointError(path.string() + ": inference settings: " + e.what());
    }
  }
  out.meta = std::move(ck.meta);
  return out;
}

}  // namespace lmm::train
