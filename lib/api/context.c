/*
 * context.c — contexts: options and environment (TC_NUM_THREADS, TC_EAGER,
 * TC_DEBUG, TC_BACKEND=interp), the sticky error, eager and debug switches,
 * and stats. A context's thread pool and caching allocator are the
 * runtime's (rt_ctx_init), its node pool the graph's; tc_ctx_free takes
 * them apart in the order they depend on each other.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "api.h"
#include "runtime/gpu.h"

static void *default_alloc(size_t n, void *u) {
  (void)u;
  return malloc(n);
}
static void default_free(void *p, void *u) {
  (void)u;
  free(p);
}

const char *tc_version(void) { return TC_VERSION_STRING; }
int tc_version_number(void) { return TC_VERSION_NUMBER; }

static unsigned parse_debug(const char *s) {
  unsigned f = 0;
  if (!s) return 0;
  static const struct { const char *name; unsigned flag; } names[] = {
      {"ir", TC_DEBUG_IR},       {"fuse", TC_DEBUG_FUSE}, {"kernels", TC_DEBUG_KERNELS},
      {"llvm", TC_DEBUG_LLVM},   {"cache", TC_DEBUG_CACHE}, {"time", TC_DEBUG_TIME},
      {"cuda", TC_DEBUG_CUDA},   {"asm", TC_DEBUG_ASM},     {"dot", TC_DEBUG_DOT},      {"ptx", TC_DEBUG_PTX}, {"plan", TC_DEBUG_PLAN},
      {"all", ~0u}};
  while (*s) {
    size_t n = strcspn(s, ",");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
      if (strlen(names[i].name) == n && !strncmp(s, names[i].name, n)) f |= names[i].flag;
    s += n;
    if (*s == ',') s++;
  }
  return f;
}

tc_ctx *tc_ctx_new(const tc_ctx_options *opts) {
  tc_allocator al = {default_alloc, default_free, NULL};
  if (opts && opts->allocator) al = *opts->allocator;
  tc_ctx *ctx = al.alloc(sizeof *ctx, al.user);
  if (!ctx) return NULL;
  memset(ctx, 0, sizeof *ctx);
  ctx->al = al;
  if (opts) ctx->opts = *opts;
  ctx->opts.allocator = NULL;
  int nt = opts ? opts->num_threads : 0;
  const char *env = getenv("TC_NUM_THREADS");
  if (nt <= 0 && env) nt = atoi(env);
  if (nt <= 0) nt = (int)sysconf(_SC_NPROCESSORS_ONLN);
  if (nt <= 0) nt = 1;
  if (nt > 256) nt = 256;
  ctx->nthreads = nt;
  env = getenv("TC_EAGER");
  ctx->eager = (opts && opts->eager) || (env && atoi(env) > 0);
  ctx->debug = (opts ? opts->debug : 0) | parse_debug(getenv("TC_DEBUG"));
  env = getenv("TC_INTERP_BUDGET");
  ctx->interp_budget = env && *env ? strtoull(env, NULL, 10) : (uint64_t)1 << 18;
  env = getenv("TC_BACKEND");
  ctx->use_interp = env && !strcmp(env, "interp");
  if (rt_ctx_init(ctx) != TC_OK) {
    al.free(ctx, al.user);
    return NULL;
  }
  return ctx;
}

void tc_ctx_free(tc_ctx *ctx) {
  if (!ctx) return;
  rt_gpu_quiesce(ctx); /* queued device work ends before its buffers go */
  api_scopes_free(ctx);
  for (tc_tensor *t = ctx->handles; t; t = t->next) t->base = NULL; /* freed below, in any order */
  while (ctx->handles) {
    tc_tensor *t = ctx->handles;
    t->refs = 1;
    ir_tensor_release(t);
  }
  ir_node_pool_free(ctx);
  rt_ctx_fini(ctx);
  tc_allocator al = ctx->al;
  al.free(ctx, al.user);
}

const char *tc_last_error(const tc_ctx *ctx) { return ctx ? ctx->err : "no context"; }
tc_status tc_last_status(const tc_ctx *ctx) { return ctx ? ctx->status : TC_ERR_ARG; }

static bool starts(const char *s, const char *p) { return !strncmp(s, p, strlen(p)); }

/* The kind of the sticky error, from its status and its words (the words
 * are PyTorch's, and so is the exception each one comes with). */
tc_status tc_set_index_check(tc_ctx *ctx, tc_index_check mode) {
  if (!ctx) return TC_ERR_ARG;
  if (mode != TC_INDEX_CHECK_AUTO && mode != TC_INDEX_CHECK_AT_CALL && mode != TC_INDEX_CHECK_DEFERRED)
    return ir_error(ctx, TC_ERR_ARG, "tc_set_index_check: invalid mode %d", (int)mode), TC_ERR_ARG;
  ctx->index_check = mode;
  return TC_OK;
}

tc_index_check tc_get_index_check(const tc_ctx *ctx) {
  return ctx ? (tc_index_check)ctx->index_check : TC_INDEX_CHECK_AUTO;
}

tc_error_kind tc_last_error_kind(const tc_ctx *ctx) {
  if (!ctx || ctx->status == TC_OK) return TC_KIND_NONE;
  if (ctx->status == TC_ERR_OOM) return TC_KIND_MEMORY;
  const char *m = ctx->err, *call = ctx->err;
  if (starts(m, "tc_")) { /* "tc_add: " names the call; the words follow */
    const char *colon = strstr(m, ": ");
    if (colon) m = colon + 2;
  }
  /* gather and scatter raise RuntimeError with indexing's IndexError words */
  if (starts(m, "index ") && strstr(m, "out of bounds") &&
      (starts(call, "tc_gather:") || starts(call, "tc_scatter") || starts(call, "tc_take_along_dim:")))
    return TC_KIND_RUNTIME;
  if (starts(m, "step must be greater than zero") || starts(m, "'shape' cannot have ") || starts(m, "torch.cat(): expected a non-empty list of Tensors"))
    return TC_KIND_VALUE;
  if (starts(m, "tensors used as indices must be") || starts(m, "shape mismatch: indexing tensors") ||
      starts(m, "out of range: tried to access index") || starts(m, "index out of range in self") ||
      starts(m, "put_(): Expected source and index to have the same number") ||
      starts(m, "index_copy_(): index ") || starts(m, "index_copy_(): Number of indices") ||
      starts(m, "index_copy_(): When source and destination are not scalars") ||
      starts(m, "index_fill_(): Expected dtype int64 for index"))
    return TC_KIND_INDEX;
  /* unbind of a 0-d tensor, and a reduction over an empty dim (max, mode,
   * median: "max(): Expected reduction dim 1 to have non-zero size.") */
  if (starts(m, "Dimension specified as") ||
      (strstr(m, "(): Expected reduction dim ") && strstr(m, " to have non-zero size")))
    return TC_KIND_INDEX;
  if ((starts(m, "index ") && strstr(m, "out of bounds")) || starts(m, "Dimension out of range") ||
      starts(m, "too many indices") || starts(m, "invalid index of a 0-dim tensor") ||
      starts(m, "index_select(): Index is supposed to be a vector") || starts(m, "start out of range") ||
      starts(m, "The shape of the mask"))
    return TC_KIND_INDEX;
  if (starts(m, "Negation, the `-`") || starts(m, "Subtraction, the `-`") ||
      strstr(m, "could not infer output dtype") || strstr(m, " not implemented for ") ||
      starts(m, "Boolean inputs not supported") || starts(m, "std and var only support") ||
      strstr(m, "does not support bool input"))
    return TC_KIND_NOT_IMPLEMENTED;
  if (strstr(m, "At least one stride in the given numpy array is negative")) return TC_KIND_VALUE;
  if (starts(m, "expected 'indices' to be integer dtype")) return TC_KIND_TYPE; /* unravel_index */
  return TC_KIND_RUNTIME;
}
void tc_clear_error(tc_ctx *ctx) {
  if (!ctx) return;
  ctx->status = TC_OK;
  ctx->err[0] = 0;
}
void tc_set_eager(tc_ctx *ctx, int eager) {
  if (ctx) ctx->eager = eager != 0;
}
void tc_set_debug(tc_ctx *ctx, unsigned flags) {
  if (ctx) ctx->debug = flags;
}
int tc_num_threads(const tc_ctx *ctx) { return ctx ? ctx->nthreads : 0; }

tc_stats tc_get_stats(const tc_ctx *ctx) {
  tc_stats s = {0};
  if (!ctx) return s;
  s = ctx->stats;
  s.bytes_allocated = rt_ctx_bytes_obtained(ctx);
  return s;
}
int64_t tc_ctx_live_tensors(const tc_ctx *ctx) { return ctx ? ctx->live_handles : 0; }
int64_t tc_ctx_live_nodes(const tc_ctx *ctx) { return ctx ? ctx->live_nodes : 0; }

void tc_reset_stats(tc_ctx *ctx) {
  if (ctx) memset(&ctx->stats, 0, sizeof ctx->stats);
}

void tc_free_string(char *s) { free(s); }
