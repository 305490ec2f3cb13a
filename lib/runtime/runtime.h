/*
 * runtime.h — the runtime's internal interface: the context's threads and
 * allocator, buffers from the caching allocator, realization, read-back,
 * kernels compiled and cached and run on the context's threads.
 */
#ifndef TC_RUNTIME_H
#define TC_RUNTIME_H
#include "../codegen/kernel.h"
#include "../ir/ir.h"

/* ---- the context's threads and allocator (context.c) ---- */
/* Makes ctx's thread pool (ctx->nthreads threads) and caching allocator;
 * TC_ERR_OOM (and nothing made) on failure. */
tc_status rt_ctx_init(tc_ctx *ctx);
/* Frees what rt_ctx_init made (after every buffer of ctx is gone). */
void rt_ctx_fini(tc_ctx *ctx);
/* Bytes ctx's allocator obtained from the system (tc_stats). */
uint64_t rt_ctx_bytes_obtained(const tc_ctx *ctx);

/* ---- buffers (context.c) ---- */
rt_buffer *rt_buffer_new(tc_ctx *ctx, size_t bytes);
/* A buffer on `dev` (host memory for the CPU); pinned: page-locked host. */
rt_buffer *rt_buffer_new_on(tc_ctx *ctx, tc_device dev, size_t bytes, bool pinned);
void rt_buffer_release(rt_buffer *b);
/* A buffer over the caller's memory on dev (tc_from_blob): release(user)
 * when it goes, for device memory after the work queued on the device
 * (which may use it) has run. NULL with TC_ERR_OOM set on failure (release
 * is then not called). */
rt_buffer *rt_buffer_external(tc_ctx *ctx, tc_device dev, void *data, size_t bytes, void (*release)(void *),
                              void *user);

/* ---- realization (realize.c) ---- */
/* Computes the nodes (each turns into a BUFFER node). The sticky error, when
 * set, is returned at once. */
tc_status rt_realize_nodes(tc_ctx *ctx, ir_node *const *nodes, int n);

/* ---- read-back (readback.c) ---- */
/* Copies t's elements (t realized) row-major into dst, which has room for
 * them; waits for a device's queued work first. */
tc_status rt_read_host(const tc_tensor *t, void *dst);

/* A kernel's code, shared by every context of the process (exec.c): the
 * compiled entry point once there is one. A small kernel is interpreted
 * until the interpreter has spent about what compiling it costs, then
 * compiled (tiers, as JITs do): kernels seen once on small tensors never
 * pay a compile. */
typedef struct rt_code rt_code;
/* The code entry of kernel k (found, or made now). NULL with the context
 * error set on failure. */
rt_code *rt_kernel_get(tc_ctx *ctx, const kernel *k);
/* Whether c should be compiled before its first run: too big to interpret,
 * or TC_DEBUG asks for its LLVM IR or assembly. */
bool rt_kernel_compile_now(const tc_ctx *ctx, const kernel *k, rt_code *c);
/* Compiles ks[i] into cs[i] (or loads them from the disk cache), in
 * parallel on the context's threads when there are several (and no dumps
 * to keep in order). */
tc_status rt_kernels_compile(tc_ctx *ctx, const kernel *const *ks, rt_code *const *cs, int n);
/* Its compiled entry point, or NULL while it is interpreted. */
kc_fn rt_code_fn(const rt_code *c);
/* Runs kernel k over its outer space: compiled, or interpreted (compiling
 * it first once its interpreted work reached the budget; c NULL: always
 * interpreted, as under TC_BACKEND=interp). */
tc_status rt_kernel_run(tc_ctx *ctx, const kernel *k, rt_code *c, void *const *bufs);
/* KS_MATMUL kernels run on the packed, register-blocked driver of
 * matmul.c (not LLVM code), in kernel.h's order. */
bool rt_matmul_kernel(const kernel *k);
/* Runs a KS_MATMUL kernel; `epi`, the kernel's compiled code (its later
 * stages: an elementwise epilogue; KS_MATMUL compiles to nothing), runs on
 * each finished tile's rows (NULL: the kernel has no later stage). */
void rt_matmul_run(tc_ctx *ctx, const kernel *k, void *const *bufs, kc_fn epi);
/* Optimized LLVM IR / assembly of kernel k (malloc'd), for the CLI. */
char *rt_kernel_code(tc_ctx *ctx, const kernel *k, bool assembly);
void rt_kernel_cache_clear(void);

#endif
