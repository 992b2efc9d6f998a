// glibc malloc thresholds for training (see include/lmm/train/step_memory.h).
#include "lmm/train/step_memory.h"

#include <malloc.h>

namespace lmm::train {

void keep_step_memory() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's largest: 4 * 1024 * 1024 * sizeof(long)
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace lmm::train
