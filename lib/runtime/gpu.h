/*
 * gpu.h — CUDA devices for the runtime: memory, transfers, kernel launches.
 *
 * Two implementations behind one interface, chosen once per process:
 *   driver    libcuda.so.1 opened with dlopen (never linked): primary
 *             contexts, one stream per device, cuMemAlloc, cuMemcpy*Async,
 *             PTX from NVRTC loaded with cuModuleLoadData, cuLaunchKernel.
 *             PTX is kept in a disk cache ($TC_CACHE_DIR, else
 *             $XDG_CACHE_HOME/tensorc, else ~/.cache/tensorc) keyed by the
 *             source, the options, the NVRTC version and the architecture,
 *             so a second process compiles nothing.
 *   emulated  TC_CUDA_EMULATE=1, in a process that carries the test-only
 *             emulator (tensorc_cuda_emu_compile below): one device "cuda:0"
 *             whose memory is host memory and whose kernels are the same
 *             generated CUDA C built by the host C++ compiler with
 *             test/cuda_emu.h (blocks and threads as fibers). Its stream is
 *             a queue that runs only when the host waits, so tests catch a
 *             missing synchronization. It exists so CI, which has no GPU,
 *             runs the CUDA code path's indexing, reductions and ordering
 *             end to end.
 * Without either (or with TC_CUDA_DISABLE=1), every call fails with
 * "CUDA is not available: <reason>".
 *
 * Execution is asynchronous and stream-ordered (PyTorch's model): kernel
 * launches and copies into device memory are queued on the device's one
 * stream and return at once; the host waits only for a device->host copy,
 * a host->device copy that is not non_blocking from pinned memory, a copy
 * between devices, rt_gpu_sync (tc_synchronize), rt_gpu_quiesce (context
 * teardown), before a fenced pinned buffer is freed or overwritten, and
 * before device memory goes back to the driver. Device memory is cached
 * per device and reused in stream order. Errors of queued work are
 * reported by the next wait ("CUDA error: ..."), on the context that waits.
 * gpu.c's header has the details.
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
/* Device memory of at least bytes (NULL with the context error set on
 * failure), from the device's cache when a block of its class is there:
 * work queued on it earlier by its previous owner runs first. */
void *rt_gpu_alloc(tc_ctx *ctx, int dev, size_t bytes);
/* Gives back p from rt_gpu_alloc(.., bytes) at once, even while queued work
 * still uses it: it is reused in stream order, and handed to cuMemFree only
 * after a wait that covers that work. */
void rt_gpu_free(int dev, void *p, size_t bytes);
/* Page-locked host memory (falls back to plain host memory when emulated). */
void *rt_gpu_host_alloc(tc_ctx *ctx, size_t bytes);
/* Frees pinned memory of that size, after the queued copies reading it. */
void rt_gpu_host_free(void *p, size_t bytes);
/* Waits for the queued copies that read host bytes [p, p+n) (pinned
 * sources of non_blocking copies), so the caller may overwrite them. An
 * error of the queued work goes on ctx (when not NULL). */
tc_status rt_gpu_host_fence(tc_ctx *ctx, const void *p, size_t n);
/* Copies n bytes between host (dev type CPU) and device memory, or between
 * device buffers. Device->device copies on one device are queued; host->
 * device copies are queued and waited for, unless async (the caller's
 * non_blocking, for a pinned host source only): then the source is fenced
 * and must stay alive until rt_gpu_host_free, which waits. Device->host
 * copies are always waited for (async is ignored): the destination may be
 * read when this returns. */
tc_status rt_gpu_copy(tc_ctx *ctx, void *dst, tc_device ddev, const void *src, tc_device sdev,
                      size_t n, bool async);
/* Waits for every queued copy and kernel on dev; reports their error. */
tc_status rt_gpu_sync(tc_ctx *ctx, int dev);
/* Waits for every queued copy and kernel on dev; an error stays with the
 * device for the next rt_gpu_sync (for memory going back to its owner). */
void rt_gpu_wait(int dev);
/* Waits for every device that was opened (opens none) and forgets ctx's
 * timing; errors stay with the devices. For context teardown. */
void rt_gpu_quiesce(tc_ctx *ctx);
/* Ends the current realization's timing span of ctx on every device: the
 * device time from before its first queued kernel to after its last is
 * added to ctx's run_seconds when ctx next waits for that device (or
 * earlier, once finished, for a context that queues many). */
void rt_gpu_span_close(tc_ctx *ctx);
/* Compiles (or finds in the cache) kernel k and queues it on dev's stream
 * over its whole outer space; bufs are device addresses. Returns once it is
 * queued: an error of the launch call is reported here, one of the running
 * kernel at the next wait. */
tc_status rt_gpu_run(tc_ctx *ctx, int dev, const kernel *k, void *const *bufs);
/* The two halves of rt_gpu_run: the compiled function of k on dev (NULL
 * with the context error set), and a launch of it (a schedule keeps the
 * function, so a cached realization only launches). */
void *rt_gpu_function(tc_ctx *ctx, int dev, const kernel *k);
tc_status rt_gpu_launch(tc_ctx *ctx, int dev, const kernel *k, void *fn, void *const *bufs);
/* Gives every device's cached blocks (not held by a buffer) back to the
 * driver, after waiting for the work queued before (torch.cuda.empty_cache). */
void rt_gpu_empty_cache(void);
/* Bytes of dev's blocks held by buffers, and obtained from the driver (held
 * + cached + waiting to be freed); both in allocator size classes. */
tc_status rt_gpu_memory(tc_ctx *ctx, int dev, size_t *in_use, size_t *reserved);
/* Device name, compute capability, multiprocessors and memory. */
tc_status rt_gpu_props(int dev, char *name, size_t cap, int *major, int *minor, int *sms,
                       size_t *mem);

/* Between gpu.c and gpu_kernels.c: the compiled function for kernel k on
 * dev for arch ("sm_90"), from the process-wide table or compiled now: a
 * CUfunction made by load() from the PTX, or, emulated, an emu_entry that
 * runs the whole grid on the calling thread. NULL with the context error
 * set. Thread-safe. */
typedef void (*emu_entry)(void *const *bufs, long long begin, long long end, unsigned grid,
                          unsigned block);
typedef void *(*rt_gpu_loader)(tc_ctx *ctx, const char *ptx, const char *name);
/* The emulated device's compiler (src's kernel `name` takes call_args, then
 * its range; NULL with a message in err). Not part of the library, which
 * runs no program: test/cuda_emu_compile.c defines it, linked into the
 * tests or preloaded (libtensorc_cuda_emu.so). A weak reference: NULL in a
 * process without it, where TC_CUDA_EMULATE=1 finds no device. */
emu_entry tensorc_cuda_emu_compile(const char *src, const char *name, const char *call_args, char *err,
                                   size_t cap) __attribute__((weak));
void *rt_gpu_kernel_get(tc_ctx *ctx, int dev, const kernel *k, const char *arch, bool emulated,
                        rt_gpu_loader load);

/* The PTX (malloc'd) of kernel k for arch ("sm_90") as a real device loads
 * it, with the kernel's name in name: from the disk cache, or compiled by
 * NVRTC and stored there. The name (tc_k<16 hex digits>) is a hash of the
 * kernel and the target, so it is the same in every process. NULL with the
 * context error set. Needs NVRTC, not a GPU. */
char *rt_gpu_ptx(tc_ctx *ctx, const kernel *k, const char *arch, char *name, size_t cap);

/* For tests, emulated device only: commands queued on dev's stream and not
 * yet run (-1 when not emulated), and making dev's next kernel launch fault
 * when it runs (an illegal address, reported by the next wait). */
long rt_gpu_queued(int dev);
void rt_gpu_emu_fault_next_launch(int dev);

#endif
