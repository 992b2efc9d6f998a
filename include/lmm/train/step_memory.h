// Allocator setting for training. Every step allocates and frees the same large activation
// and gradient buffers (MBs each). glibc serves blocks above its mmap threshold with fresh
// mmap()s and unmaps them on free, so each step page-faults and zero-fills them again:
// ~10% of a small-preset flat training step on the CPU. keep_step_memory() raises the
// mmap threshold to its maximum (32 MiB) and the trim threshold to 1 GiB, so freed buffers
// stay in the heap for the next step; peak memory is unchanged. Process-wide and idempotent.
#pragma once

namespace lmm::train {

void keep_step_memory();

}  // namespace lmm::train
