/*
 * gpu.h — CUDA devices for the runtime: memory, transfers, kernel launches.
 *
 * Two implementations behind one interface, chosen once per process:
 *   driver    libcuda.so.1 opened with dlopen (never linked): primary
 *             contexts, cuMemAlloc, cuMemcpy*, PTX from NVRTC loaded with
 *             cuModuleLoadData, cuLaunchKernel. PTX is kept in a disk cache
 *             ($TC_CACHE_DIR, else $XDG_CACHE_HOME/tensorc, else
 *             ~/.cache/tensorc) keyed by the source, the options, the NVRTC
 *             version and the architecture, so a second process compiles
 *             nothing.
 *   emulated  TC_CUDA_EMULATE=1: one device "cuda:0" whose memory is host
 *             memory and whose kernels are the same generated CUDA C built
 *             by the host C++ compiler with test/cuda_emu.h (blocks and
 *             threads as fibers). It exists so CI, which has no GPU, runs
 *             the CUDA code path's indexing and reductions end to end.
 * Without either (or with TC_CUDA_DISABLE=1), every call fails with
 * "CUDA is not available: <reason>".
 * Kernels run synchronously with respect to the caller (a realization
 * waits for its kernels); non_blocking copies from pinned memory are
 * asynchronous on a stream and synchronized at the next realization or
 * read-back.
 */
#ifndef TC_RUNTIME_GPU_H
#define TC_RUNTIME_GPU_H
#include <stdbool.h>
#include <stddef.h>
#include "../codegen/kernel.h"
#include "../ir/ir.h"

/* True when a CUDA device can be used; else false with the reason. */
bool rt_gpu_available(char *why, size_t cap);
int rt_gpu_count(void);
/* Device memory (NULL with the context error set on failure). */
void *rt_gpu_alloc(tc_ctx *ctx, int dev, size_t bytes);
void rt_gpu_free(int dev, void *p);
/* Page-locked host memory (falls back to plain host memory when emulated). */
void *rt_gpu_host_alloc(tc_ctx *ctx, size_t bytes);
void rt_gpu_host_free(void *p);
/* Copies n bytes between host (dev NULL / CPU) and device memory; async
 * only when asked and the host side is pinned. */
tc_status rt_gpu_copy(tc_ctx *ctx, void *dst, tc_device ddev, const void *src, tc_device sdev,
                      size_t n, bool async);
/* Waits for every queued copy and kernel on dev. */
tc_status rt_gpu_sync(tc_ctx *ctx, int dev);
/* Compiles (or finds in the cache) and runs kernel k on dev over its whole
 * outer space; bufs are device addresses. */
tc_status rt_gpu_run(tc_ctx *ctx, int dev, const kernel *k, void *const *bufs);
/* Device name, compute capability, multiprocessors and memory. */
tc_status rt_gpu_props(int dev, char *name, size_t cap, int *major, int *minor, int *sms,
                       size_t *mem);

#endif
