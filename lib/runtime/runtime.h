/*
 * runtime.h — the runtime's internal interface: kernels compiled and cached,
 * kernels run on the context's threads, buffers from the caching allocator.
 */
#ifndef TC_RUNTIME_H
#define TC_RUNTIME_H
#include "../codegen/kernel.h"
#include "../ir/ir.h"

/* A kernel's code, shared by every context of the process (exec.c): the
 * compiled entry point once there is one. A small kernel is interpreted
 * until the interpreter has spent about what compiling it costs, then
 * compiled (tiers, as JITs do): kernels seen once on small tensors never
 * pay a compile. */
typedef struct rt_code rt_code;
/* The code entry of kernel k (found, or made now; compiled now when the
 * kernel is too big to interpret or TC_DEBUG asks for LLVM IR or assembly).
 * NULL with the context error set on failure. */
rt_code *rt_kernel_get(tc_ctx *ctx, const kernel *k);
/* Its compiled entry point, or NULL while it is interpreted. */
kc_fn rt_code_fn(const rt_code *c);
/* Runs kernel k over its outer space: compiled, or interpreted (compiling
 * it first once its interpreted work reached the budget; c NULL: always
 * interpreted, as under TC_BACKEND=interp). */
tc_status rt_kernel_run(tc_ctx *ctx, const kernel *k, rt_code *c, void *const *bufs);
/* Optimized LLVM IR / assembly of kernel k (malloc'd), for the CLI. */
char *rt_kernel_code(tc_ctx *ctx, const kernel *k, bool assembly);
void rt_kernel_cache_clear(void);

#endif
