// OpenPose's other keypoint models as conventions (point names as OpenPose spells them,
// openpose_models.h): BODY_25B (Pose2Sim, OpenPose's experimental model: 25 points in COCO
// order + UpperNeck, HeadTop and the feet) and COCO-18 (OpenPose's COCO model, also the
// ST-GCN / Kinetics-skeleton layout). BODY_25 itself is the identity (body25.cpp).
// Each table lists, per BODY_25 joint in BODY_25 order, the recipe over the model's points.
#include "conventions.h"

namespace lmm::io::convention_tables {
namespace {

const std::array<std::string, kNumJoints> kBody25b{
    "Nose",                          // 0 Nose
    "0.5*LShoulder + 0.5*RShoulder",  // 1 Neck (UpperNeck sits above the shoulders)
    "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist",
    "0.5*LHip + 0.5*RHip",           // 8 MidHip
    "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle",
    "REye", "LEye", "REar", "LEar",
    "LBigToe", "LSmallToe", "LHeel", "RBigToe", "RSmallToe", "RHeel"};

const std::array<std::string, kNumJoints> kCoco18{
    "Nose", "Neck",
    "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow", "LWrist",
    "0.5*RHip + 0.5*LHip",  // 8 MidHip
    "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle",
    "REye", "LEye", "REar", "LEar",
    "", "", "", "", "", ""};  // no feet

}  // namespace

void add_openpose(std::vector<Convention>& out) {
  out.push_back({"body25b", "OpenPose BODY_25B", "keypoints", kBody25b,
                 "BODY_25B lists its points in COCO order (Nose, LEye, REye, LEar, REar, "
                 "LShoulder, RShoulder, ...) followed by UpperNeck, HeadTop and the six foot "
                 "points, so a BODY_25 reader takes it silently with wrong joints: read it with "
                 "`--keypoints body25b`. UpperNeck and HeadTop are not used: UpperNeck lies "
                 "above the shoulders (about 20 % of shoulder width off their midpoint in the "
                 "Pose2Sim demo), while BODY_25's Neck lies between them, so Neck is the "
                 "shoulders' midpoint."});
  out.push_back({"coco18", "OpenPose COCO-18", "keypoints", kCoco18,
                 "OpenPose's COCO model (54 numbers per person) and the ST-GCN / "
                 "Kinetics-skeleton JSON use this order. It has no feet: toes and heels are "
                 "missing (confidence 0)."});
}

}  // namespace lmm::io::convention_tables
