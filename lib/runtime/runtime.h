/*
 * runtime.h — the runtime's internal interface: kernels compiled and cached,
 * kernels run on the context's threads, buffers from the caching allocator.
 */
#ifndef TC_RUNTIME_H
#define TC_RUNTIME_H
#include "../codegen/kernel.h"
#include "../ir/ir.h"

/* The compiled entry point for kernel k (from the process-wide cache, or
 * compiled now). NULL with the context error set on failure. */
kc_fn rt_kernel_get(tc_ctx *ctx, const kernel *k);
/* Runs kernel k (compiled as fn, or interpreted when fn is NULL and the
 * context asks for the interpreter) over its outer space. */
void rt_kernel_run(tc_ctx *ctx, const kernel *k, kc_fn fn, void *const *bufs);
/* Optimized LLVM IR / assembly of kernel k (malloc'd), for the CLI. */
char *rt_kernel_code(tc_ctx *ctx, const kernel *k, bool assembly);
void rt_kernel_cache_clear(void);

#endif
