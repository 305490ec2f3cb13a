/*
 * tensorc.h — the whole public C API of tensorc, a lazy tensor expression
 * compiler with PyTorch semantics.
 *
 * Model. Every operation records a node in a graph owned by a context and
 * returns a new tensor handle at once; nothing is computed until a result is
 * needed (tc_realize, tc_item, tc_copy_to_host, tc_format, ...). Then the
 * pending graph is fused into as few kernels as possible, compiled through
 * LLVM for the host CPU (and cached), and run on the context's threads.
 *
 * Ownership. Every function that returns a tc_tensor* returns a NEW handle
 * with one reference. Outside any scope that reference is the caller's:
 * release it with tc_tensor_release (releasing NULL is a no-op). Inside
 * tc_scope_begin/tc_scope_end it is the innermost scope's: tc_scope_end
 * releases it unless it was passed to tc_keep — so `tc_relu(tc_add(a, b))`
 * needs no manual release of the temporary — and the caller may give it
 * back earlier with tc_tensor_release (see the scopes section).
 * tc_tensor_retain adds a reference that is always the caller's. Functions
 * never take ownership of their tensor arguments. Strings returned as
 * `char *` are malloc'd and freed by the caller with tc_free_string.
 *
 * Errors. Nothing aborts. An op given a bad argument returns NULL and sets a
 * sticky error message on its context (tc_last_error); an op given a NULL
 * tensor returns NULL without a new message, so a whole expression can be
 * checked once at the end. Functions that do not return a tensor return a
 * tc_status. tc_clear_error resets the sticky error.
 *
 * Threads. A context (and every tensor made in it) is used by one thread at
 * a time. Separate contexts may be used concurrently from separate threads;
 * compiled kernels are shared between them through a process-wide cache that
 * is safe to use concurrently.
 */
#ifndef TENSORC_H
#define TENSORC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of this header. tc_version() gives the library's own, so a
 * program can check that the library it loaded agrees with the header it
 * was compiled against: a library of the same major version and a minor
 * version at least the header's has every function and type the header
 * declares, with the same ABI (README.md, "Installing and linking"). */
#define TC_VERSION_MAJOR 0
#define TC_VERSION_MINOR 1
#define TC_VERSION_PATCH 0
#define TC_VERSION_STRING "0.1.0"
/* MAJOR * 10000 + MINOR * 100 + PATCH, for #if comparisons */
#define TC_VERSION_NUMBER (TC_VERSION_MAJOR * 10000 + TC_VERSION_MINOR * 100 + TC_VERSION_PATCH)

/* Marks the exported functions: the library is built with hidden
 * visibility, so only what this header declares is exported (and only
 * names starting with tc_). Define TC_API before including this header to
 * override it (e.g. empty, for a static build on a non-GNU compiler). */
#ifndef TC_API
#if defined(__GNUC__)
#define TC_API __attribute__((visibility("default")))
#else
#define TC_API
#endif
#endif

#define TC_MAX_DIMS 16 /* largest rank a tensor may have */

typedef struct tc_ctx tc_ctx;       /* a context: graph, threads, caches */
typedef struct tc_tensor tc_tensor; /* a reference-counted tensor handle */
typedef struct tc_generator tc_generator; /* a random number generator (torch.Generator) */

/* Element types, in PyTorch's promotion order within each category. */
typedef enum tc_dtype {
  TC_BOOL,
  TC_U8,
  TC_I8,
  TC_I16,
  TC_I32,
  TC_I64,
  TC_F16,  /* stored as IEEE half, computed in float32 */
  TC_BF16, /* stored as bfloat16, computed in float32 */
  TC_F32,
  TC_F64,
  TC_NUM_DTYPES
} tc_dtype;

typedef enum tc_status {
  TC_OK = 0,
  TC_ERR_ARG,         /* a bad argument: see tc_last_error */
  TC_ERR_OOM,         /* an allocation failed */
  TC_ERR_UNSUPPORTED, /* valid, but not supported by this build/device */
  TC_ERR_COMPILE,     /* a kernel failed to compile (a library bug) */
  TC_ERR_RUNTIME      /* a device or runtime failure */
} tc_status;

typedef enum tc_device_type { TC_CPU = 0, TC_CUDA = 1 } tc_device_type;
typedef struct tc_device {
  tc_device_type type;
  int index; /* device ordinal; 0 for the CPU */
} tc_device;

/* Allocation hook: every byte the context allocates goes through these.
 * `alloc` returns NULL on failure (tensorc then reports TC_ERR_OOM). */
typedef struct tc_allocator {
  void *(*alloc)(size_t size, void *user);
  void (*free)(void *ptr, void *user);
  void *user;
} tc_allocator;

/* Debug dump flags (also read from TC_DEBUG=ir,fuse,plan,kernels,llvm,cache,time,...). */
enum {
  TC_DEBUG_IR = 1 << 0,      /* graph IR after each pass */
  TC_DEBUG_FUSE = 1 << 1,    /* fusion decisions and kernel boundaries */
  TC_DEBUG_KERNELS = 1 << 2, /* kernel IR */
  TC_DEBUG_LLVM = 1 << 3,    /* optimized LLVM IR */
  TC_DEBUG_CACHE = 1 << 4,   /* kernel cache hits and misses */
  TC_DEBUG_TIME = 1 << 5,    /* timings of passes, compiles and runs */
  TC_DEBUG_CUDA = 1 << 6,    /* CUDA C and NVRTC logs */
  TC_DEBUG_ASM = 1 << 7,     /* host assembly of each compiled kernel */
  TC_DEBUG_DOT = 1 << 8,     /* Graphviz source of each realization's graph,
                                one cluster per kernel */
  TC_DEBUG_PTX = 1 << 9,     /* PTX (NVRTC, sm_90) of each kernel; with
                                TC_DEBUG_CUDA, CPU kernels also show the CUDA
                                C they would run as on a GPU */
  TC_DEBUG_PLAN = 1 << 10    /* the plan's decisions with their reasons:
                                boundaries, store or recompute, in place or
                                copy, splits for a kernel limit */
};

/* Options for tc_ctx_new. Zero-initialize, then set what you need. */
typedef struct tc_ctx_options {
  const tc_allocator *allocator; /* NULL: malloc/free */
  int num_threads;  /* 0: TC_NUM_THREADS or the number of CPUs */
  int eager;        /* 1: realize after every op (also TC_EAGER=1) */
  unsigned debug;   /* TC_DEBUG_* flags, or'ed with TC_DEBUG */
  void (*debug_sink)(const char *text, void *user); /* NULL: stderr */
  void *debug_user;
} tc_ctx_options;

/* ---- version ---------------------------------------------------------- */

/* The library's version, "MAJOR.MINOR.PATCH" (a static string; compare it
 * with TC_VERSION_STRING), and the same as TC_VERSION_NUMBER computes it. */
TC_API const char *tc_version(void);
TC_API int tc_version_number(void);

/* ---- context ---------------------------------------------------------- */

/* A new context (owned by the caller; free with tc_ctx_free). `opts` may be
 * NULL. Returns NULL only when allocation fails. */
TC_API tc_ctx *tc_ctx_new(const tc_ctx_options *opts);
/* Frees the context and every tensor, buffer and node it still owns. Tensor
 * handles of this context must not be used afterwards. NULL is a no-op. */
TC_API void tc_ctx_free(tc_ctx *ctx);
/* The sticky error message ("" when none). Owned by the context; valid until
 * the next call on it. */
TC_API const char *tc_last_error(const tc_ctx *ctx);
/* The status of the sticky error (TC_OK when none). */
TC_API tc_status tc_last_status(const tc_ctx *ctx);
/* What kind of mistake the sticky error is, in the terms of the exception
 * PyTorch raises for it, so a binding can raise the same one: an index or
 * dim out of range (IndexError), a bad type of argument (TypeError), a bad
 * value (ValueError), something PyTorch does not implement for these
 * arguments (NotImplementedError), out of memory (MemoryError), anything
 * else (RuntimeError). TC_KIND_NONE when there is no error. */
typedef enum tc_error_kind {
  TC_KIND_NONE,
  TC_KIND_RUNTIME,
  TC_KIND_INDEX,
  TC_KIND_TYPE,
  TC_KIND_VALUE,
  TC_KIND_NOT_IMPLEMENTED,
  TC_KIND_MEMORY
} tc_error_kind;
TC_API tc_error_kind tc_last_error_kind(const tc_ctx *ctx);
TC_API void tc_clear_error(tc_ctx *ctx);

/* When the indices of an indexing op are checked against their bounds
 * (advanced indexing, index_put_, gather, scatter*, index_select, take,
 * take_along_dim, put_, index_add_/copy_/fill_):
 * - TC_INDEX_CHECK_AT_CALL: at the call, as PyTorch's CPU ops raise. The
 *   call computes the check (one fused reduction over the index) and reads
 *   it back, so it waits for the index to be computed.
 * - TC_INDEX_CHECK_DEFERRED: in a kernel of the realization that needs the
 *   op, as PyTorch's CUDA ops report a bad index at a later synchronization.
 *   The call only records the op. That realization fails with the same error
 *   and words before any kernel that uses the index runs, so nothing is
 *   written to any tensor. Every tensor that depends on the op, including a
 *   tensor it writes in place, stays unrealized: each later read fails the
 *   same way. Tensors that do not depend on it stay usable.
 * - TC_INDEX_CHECK_AUTO (the default): deferred for CUDA tensors, at the
 *   call for CPU tensors. */
typedef enum tc_index_check {
  TC_INDEX_CHECK_AUTO,
  TC_INDEX_CHECK_AT_CALL,
  TC_INDEX_CHECK_DEFERRED
} tc_index_check;
/* TC_ERR_ARG for a mode not listed above. */
TC_API tc_status tc_set_index_check(tc_ctx *ctx, tc_index_check mode);
TC_API tc_index_check tc_get_index_check(const tc_ctx *ctx);
TC_API void tc_set_eager(tc_ctx *ctx, int eager);
TC_API void tc_set_debug(tc_ctx *ctx, unsigned debug_flags);
TC_API int tc_num_threads(const tc_ctx *ctx);

/* Counters, for tests and benchmarks. */
typedef struct tc_stats {
  uint64_t kernels_launched; /* kernel runs */
  uint64_t kernels_compiled; /* compilations by this context (cache misses) */
  uint64_t cache_hits;       /* kernel cache hits */
  uint64_t realizations;     /* schedules run */
  uint64_t bytes_allocated;  /* device bytes obtained from the system */
  uint64_t buffer_reuses;    /* allocations served by the caching allocator */
  double compile_seconds;    /* time spent compiling kernels */
  double run_seconds;        /* time spent running kernels (CUDA: device time of each
                                realization's kernels, counted when ctx waits) */
  uint64_t bytes_moved;      /* bytes kernels read and wrote (buffer sizes) */
  uint64_t schedule_hits;    /* realizations that reused the schedule of an
                                earlier one of the same structure: no passes,
                                no lowering, no compile */
  uint64_t elements_computed; /* work done by kernels: for each launch, its
                                 outer points times the extents of its
                                 stages (elements stored or reduced) */
  uint64_t disk_hits;        /* kernels whose object code an earlier process
                                compiled, loaded from the disk cache */
} tc_stats;
TC_API tc_stats tc_get_stats(const tc_ctx *ctx);
/* Tensor handles of ctx not yet freed (whoever holds them: callers, open
 * scopes, retained references), and graph nodes alive (held by handles,
 * by other nodes, or by cached schedules' buffers). For leak tests of
 * bindings: after every handle a binding made is released, the first
 * returns to what it was before. */
TC_API int64_t tc_ctx_live_tensors(const tc_ctx *ctx);
TC_API int64_t tc_ctx_live_nodes(const tc_ctx *ctx);
TC_API void tc_reset_stats(tc_ctx *ctx);

/* ---- scopes ------------------------------------------------------------
 * The rule. A handle returned while a scope is open (the innermost one)
 * comes with one reference, and that reference belongs to the scope; the
 * caller may use the handle until the scope ends. Then:
 *   - tc_scope_end releases the scope's reference of every handle still in
 *     it; a handle nobody else holds is freed.
 *   - tc_keep(t) moves t's reference to the enclosing scope, or to the
 *     caller when no scope encloses it (the caller then releases it).
 *   - tc_tensor_release(t) inside the scope gives the scope's reference back
 *     now: t leaves the scope, is freed at once unless retained, and
 *     tc_scope_end does not release it again. (The first release of a handle
 *     that is still in a scope always takes the scope's reference.)
 *   - tc_tensor_retain(t) adds a reference that is the caller's, in or out of
 *     a scope; no scope releases it, so a retained handle outlives the scope
 *     until the caller releases it.
 * Handles made before a scope opened are never released by it (tc_keep of
 * one does nothing). tc_ctx_free ends every open scope. */

/* Opens a scope: handles returned until the matching tc_scope_end belong to
 * it. Scopes nest. On allocation failure sets TC_ERR_OOM (and no scope is
 * opened). */
TC_API void tc_scope_begin(tc_ctx *ctx);
/* Keeps `t` past the innermost scope: when the innermost scope holds t's
 * reference, it moves to the enclosing scope, or to the caller when none.
 * Any other t is left as it is. Returns `t` (NULL, with TC_ERR_OOM set and t
 * left in its scope, when the enclosing scope cannot grow). */
TC_API tc_tensor *tc_keep(tc_tensor *t);
/* Closes the innermost scope, releasing the references it still holds
 * (kept and released handles are no longer in it). No-op without a scope. */
TC_API void tc_scope_end(tc_ctx *ctx);

/* ---- handles and accessors -------------------------------------------- */

/* +1 reference, owned by the caller (no scope releases it); returns t. */
TC_API tc_tensor *tc_tensor_retain(tc_tensor *t);
/* -1 reference; at 0 the handle is freed (its data when no other handle
 * views it). A handle whose reference an open scope still holds gives that
 * reference back instead, and leaves the scope (see scopes). NULL is a
 * no-op. */
TC_API void tc_tensor_release(tc_tensor *t);
TC_API tc_ctx *tc_tensor_ctx(const tc_tensor *t);
TC_API tc_dtype tc_tensor_dtype(const tc_tensor *t);
TC_API tc_device tc_tensor_device(const tc_tensor *t);
TC_API int tc_tensor_ndim(const tc_tensor *t);
/* Size of dim `d` (negative counts from the end); -1 if out of range. */
TC_API int64_t tc_tensor_size(const tc_tensor *t, int d);
/* Copies the shape into `shape` (room for TC_MAX_DIMS); returns ndim. */
TC_API int tc_tensor_shape(const tc_tensor *t, int64_t *shape);
/* Copies the strides, in elements, as PyTorch's stride() reports them. */
TC_API int tc_tensor_strides(const tc_tensor *t, int64_t *strides);
TC_API int64_t tc_tensor_numel(const tc_tensor *t);
TC_API bool tc_tensor_is_contiguous(const tc_tensor *t);
/* Offset of the first element in its storage, in elements. */
TC_API int64_t tc_tensor_storage_offset(const tc_tensor *t);
/* PyTorch's Tensor._base: the handle whose storage the view t views, a
 * borrowed pointer (t holds a reference to it, so it lives as long as t);
 * the root, as PyTorch: x.t()[0]'s base is x. NULL when t is not a view:
 * a new tensor, a result of a composite op (sort, median, a reshape that
 * copies...), an import of host memory (tc_from_host_memory), and the
 * aliases PyTorch answers with self (tc_contiguous of a contiguous
 * tensor, a same-dtype tc_to_dtype, a same-device tc_to). View ops
 * (view/reshape as a view, permute, transpose, t, expand, squeeze,
 * unsqueeze, flatten, narrow, slice, select, unfold, as_strided,
 * diagonal, split/chunk/unbind, movedim, basic tc_index) make views. A
 * view kept out of a scope whose temporary it views (tc_keep) is no
 * longer one. */
TC_API tc_tensor *tc_tensor_base(const tc_tensor *t);
/* Tensor._is_view(): tc_tensor_base(t) != NULL. */
TC_API bool tc_tensor_is_view(const tc_tensor *t);
/* One pointer of the caller's on the handle (NULL at first), for a binding
 * to find its object from a handle (the Python extension keeps its Tensor
 * object there); tensorc never reads it. */
TC_API void tc_tensor_set_user(tc_tensor *t, void *user);
TC_API void *tc_tensor_user(const tc_tensor *t);

TC_API const char *tc_dtype_name(tc_dtype dt); /* "float32", "int64", ... */
TC_API size_t tc_dtype_size(tc_dtype dt);
TC_API bool tc_dtype_is_floating(tc_dtype dt);
/* PyTorch's result_type of two dtypes (tensor operands). */
TC_API tc_dtype tc_promote_types(tc_dtype a, tc_dtype b);

/* ---- creation ---------------------------------------------------------- */

/* Copies `data` (ndim dims of `shape`, row-major, elements of `dt`). */
TC_API tc_tensor *tc_from_data(tc_ctx *ctx, const void *data, tc_dtype dt,
                               int ndim, const int64_t *shape);
/* A CPU tensor over memory the caller owns, without copying
 * (torch.from_numpy): element (i0, i1, ...) is at
 * data + (i0*strides[0] + i1*strides[1] + ...) * tc_dtype_size(dt);
 * `strides` are in elements, non-negative (NULL: row-major); stride 0
 * dims read one element many times, as expand does. The memory is SHARED
 * with the caller from then on (see tc_share_host): tensorc reads it when
 * an op that reads the tensor is called, and every write through tensorc
 * (copy_, fill_, indexed assignment...) lands in it before that call
 * returns. `release(user)` is called once when tensorc no longer uses the
 * memory (the last handle and pending read of it are gone, or at
 * tc_ctx_free), from the thread that drops the last reference; it may be
 * NULL. On failure returns NULL with the context error set, and does NOT
 * call release (the caller still owns the memory). */
TC_API tc_tensor *tc_from_host_memory(tc_ctx *ctx, void *data, tc_dtype dt, int ndim,
                                      const int64_t *shape, const int64_t *strides,
                                      void (*release)(void *user), void *user);
/* tc_from_host_memory on any device (torch.from_blob with a device): for
 * TC_CPU the same call; for a CUDA device, `data` is a device address on
 * it (cuMemAlloc, cudaMalloc, another library's tensor), wrapped without a
 * copy, and the tensor is on that device. Visibility, as for host memory:
 * an op that reads the tensor is queued on tensorc's stream for the device
 * when it is called, and an in-place write through tensorc is queued before
 * its call returns. tensorc's stream is a blocking stream: work the caller
 * queued on the legacy default stream before the call is ordered before
 * it; work on the caller's other streams must be complete (or waited for)
 * before the call. tensorc's writes are in the memory once
 * tc_synchronize(ctx) returns (or any read-back of the tensor); the
 * caller must not change the memory until then. `release(user)` is called
 * once tensorc no longer uses the memory, after the work queued on the
 * device that might read or write it has finished. NULL with the context
 * error set on failure (release then not called): an unknown device, or
 * CUDA not available ("CUDA is not available ..."). */
TC_API tc_tensor *tc_from_blob(tc_ctx *ctx, void *data, tc_dtype dt, tc_device dev, int ndim,
                               const int64_t *shape, const int64_t *strides,
                               void (*release)(void *user), void *user);
TC_API tc_tensor *tc_empty(tc_ctx *ctx, tc_dtype dt, int ndim,
                           const int64_t *shape);
TC_API tc_tensor *tc_zeros(tc_ctx *ctx, tc_dtype dt, int ndim,
                           const int64_t *shape);
TC_API tc_tensor *tc_ones(tc_ctx *ctx, tc_dtype dt, int ndim,
                          const int64_t *shape);
TC_API tc_tensor *tc_full(tc_ctx *ctx, double value, tc_dtype dt, int ndim,
                          const int64_t *shape);
/* torch.*_like: a new tensor of a's shape, on a's device, in dtype dt (pass
 * tc_tensor_dtype(a) for a's), laid out as PyTorch's preserve_format lays
 * it out: a dense a's strides exactly (a transposed a gives a transposed
 * result), otherwise a's dims in a's memory order. */
TC_API tc_tensor *tc_empty_like(tc_tensor *a, tc_dtype dt);
TC_API tc_tensor *tc_zeros_like(tc_tensor *a, tc_dtype dt);
TC_API tc_tensor *tc_ones_like(tc_tensor *a, tc_dtype dt);
TC_API tc_tensor *tc_full_like(tc_tensor *a, double value, tc_dtype dt);
/* A 0-d tensor holding `value`. */
TC_API tc_tensor *tc_scalar(tc_ctx *ctx, double value, tc_dtype dt);
/* torch.arange(start, end, step, dtype=dt): TC_I64 for integer arguments,
 * TC_F32 otherwise, as PyTorch infers; tc_arange_int/_float pick for you. */
TC_API tc_tensor *tc_arange(tc_ctx *ctx, double start, double end, double step,
                            tc_dtype dt);
TC_API tc_tensor *tc_arange_int(tc_ctx *ctx, int64_t start, int64_t end,
                                int64_t step);
TC_API tc_tensor *tc_linspace(tc_ctx *ctx, double start, double end,
                              int64_t steps, tc_dtype dt);
TC_API tc_tensor *tc_eye(tc_ctx *ctx, int64_t n, int64_t m, tc_dtype dt);

/* Seeds the context's generator (torch.manual_seed). Random ops draw from
 * counter-based Philox4x32-10 streams: each op reserves a counter range when
 * it is recorded, so the numbers do not depend on fusion, eager mode or the
 * order in which results are realized. */
TC_API void tc_manual_seed(tc_ctx *ctx, uint64_t seed);
TC_API tc_tensor *tc_rand(tc_ctx *ctx, tc_dtype dt, int ndim,
                          const int64_t *shape);
TC_API tc_tensor *tc_randn(tc_ctx *ctx, tc_dtype dt, int ndim,
                           const int64_t *shape);
/* Integers uniform in [low, high). */
TC_API tc_tensor *tc_randint(tc_ctx *ctx, int64_t low, int64_t high,
                             tc_dtype dt, int ndim, const int64_t *shape);

/* ---- generators and random fills --------------------------------------- */

/* torch.Generator: a (seed, offset) pair over the same Philox stream as the
 * context's (so a seed gives the same numbers on every device, fused or
 * eager). Ops below take one, or NULL for the context's. A generator
 * belongs to its context; free it with tc_generator_free (not a tensor
 * handle: scopes do not release it). */
TC_API tc_generator *tc_generator_new(tc_ctx *ctx);
TC_API void tc_generator_free(tc_generator *g);
TC_API void tc_generator_manual_seed(tc_generator *g, uint64_t seed);
TC_API uint64_t tc_generator_initial_seed(const tc_generator *g);
TC_API uint64_t tc_generator_seed(tc_generator *g); /* a fresh random seed, returned */
/* A state is a CPU uint8 tensor of 16 bytes (seed and offset). */
TC_API tc_tensor *tc_generator_get_state(tc_generator *g);
TC_API tc_status tc_generator_set_state(tc_generator *g, tc_tensor *state);
/* The context's generator: torch.initial_seed, seed, get_rng_state,
 * set_rng_state. */
TC_API uint64_t tc_initial_seed(tc_ctx *ctx);
TC_API uint64_t tc_seed(tc_ctx *ctx);
TC_API tc_tensor *tc_get_rng_state(tc_ctx *ctx);
TC_API tc_status tc_set_rng_state(tc_ctx *ctx, tc_tensor *state);
/* In place: uniform_ [from, to), normal_ (mean, std), random_ integers in
 * [from, to), bernoulli_ with probability p (floating t for the first
 * two). */
TC_API tc_status tc_uniform_(tc_tensor *t, double from, double to, tc_generator *g);
TC_API tc_status tc_normal_(tc_tensor *t, double mean, double std, tc_generator *g);
TC_API tc_status tc_random_(tc_tensor *t, int64_t from, int64_t to, tc_generator *g);
TC_API tc_status tc_bernoulli_(tc_tensor *t, double p, tc_generator *g);
/* torch.bernoulli(probs): 1 with probability probs[i], in probs' dtype. */
TC_API tc_tensor *tc_bernoulli(tc_tensor *probs, tc_generator *g);
/* torch.multinomial: num_samples category indices per row of probs (1-D or
 * 2-D, non-negative, finite, each row's sum > 0), with replacement (the
 * inverse CDF) or without (the exponential race: the largest p / E).
 * int64. The distribution is checked with one read back. */
TC_API tc_tensor *tc_multinomial(tc_tensor *probs, int64_t num_samples, bool replacement, tc_generator *g);
/* torch.randperm: a uniform permutation of 0 .. n-1 (the order of n random
 * keys), dtype int64 or as given. */
TC_API tc_tensor *tc_randperm(tc_ctx *ctx, int64_t n, tc_dtype dt, tc_generator *g);

/* ---- elementwise ------------------------------------------------------- */

TC_API tc_tensor *tc_neg(tc_tensor *a);
TC_API tc_tensor *tc_abs(tc_tensor *a);
TC_API tc_tensor *tc_sign(tc_tensor *a);
TC_API tc_tensor *tc_exp(tc_tensor *a);
TC_API tc_tensor *tc_exp2(tc_tensor *a);
TC_API tc_tensor *tc_log(tc_tensor *a);
TC_API tc_tensor *tc_log2(tc_tensor *a);
TC_API tc_tensor *tc_log1p(tc_tensor *a);
TC_API tc_tensor *tc_expm1(tc_tensor *a);
TC_API tc_tensor *tc_sqrt(tc_tensor *a);
TC_API tc_tensor *tc_rsqrt(tc_tensor *a);
TC_API tc_tensor *tc_sin(tc_tensor *a);
TC_API tc_tensor *tc_cos(tc_tensor *a);
TC_API tc_tensor *tc_tan(tc_tensor *a);
TC_API tc_tensor *tc_tanh(tc_tensor *a);
TC_API tc_tensor *tc_sigmoid(tc_tensor *a);
TC_API tc_tensor *tc_relu(tc_tensor *a);
TC_API tc_tensor *tc_gelu(tc_tensor *a); /* exact (erf) form */
TC_API tc_tensor *tc_floor(tc_tensor *a);
TC_API tc_tensor *tc_ceil(tc_tensor *a);
TC_API tc_tensor *tc_round(tc_tensor *a); /* half to even */
TC_API tc_tensor *tc_trunc(tc_tensor *a);
TC_API tc_tensor *tc_reciprocal(tc_tensor *a);
TC_API tc_tensor *tc_square(tc_tensor *a);
TC_API tc_tensor *tc_logical_not(tc_tensor *a);
TC_API tc_tensor *tc_bitwise_not(tc_tensor *a);
TC_API tc_tensor *tc_isnan(tc_tensor *a);
TC_API tc_tensor *tc_isinf(tc_tensor *a);
TC_API tc_tensor *tc_isfinite(tc_tensor *a);

TC_API tc_tensor *tc_add(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_sub(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_mul(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_div(tc_tensor *a, tc_tensor *b); /* true division */
/* Integer floor division and remainder on the CPU check their divisor as
 * PyTorch's CPU kernels do: a zero element fails with "ZeroDivisionError"
 * (the divisor is read back, so this realizes it). A float divisor of zero
 * gives inf or NaN. The same holds for tc_binary and tc_binary_scalar. */
TC_API tc_tensor *tc_floor_divide(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_remainder(tc_tensor *a, tc_tensor *b); /* sign of b */
/* torch.add(a, b, alpha=...) and torch.sub: a + alpha * b (a - alpha * b)
 * in the promoted dtype of a and b (b is cast to it before the product). A
 * float alpha (alpha_is_float) with an integer result fails with
 * PyTorch's "For integral input tensors, argument alpha must not be a
 * floating point number."; for bool tensors a nonzero alpha is true. */
TC_API tc_tensor *tc_add_alpha(tc_tensor *a, tc_tensor *b, double alpha, bool alpha_is_float);
TC_API tc_tensor *tc_sub_alpha(tc_tensor *a, tc_tensor *b, double alpha, bool alpha_is_float);
/* torch.div(a, b, rounding_mode="trunc"): the quotient rounded toward zero,
 * in the promoted dtype; exact for integers, which check their divisor as
 * tc_floor_divide does. */
TC_API tc_tensor *tc_div_trunc(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_pow(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_maximum(tc_tensor *a, tc_tensor *b); /* NaN propagates */
TC_API tc_tensor *tc_minimum(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_logical_and(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_logical_or(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_logical_xor(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_bitwise_and(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_bitwise_or(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_bitwise_xor(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_bitwise_left_shift(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_bitwise_right_shift(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_eq(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_ne(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_lt(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_le(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_gt(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_ge(tc_tensor *a, tc_tensor *b);
/* where(cond, a, b): cond is cast to bool. */
TC_API tc_tensor *tc_where(tc_tensor *cond, tc_tensor *a, tc_tensor *b);
/* clamp(a, lo, hi); either bound may be NULL (then it is absent). */
TC_API tc_tensor *tc_clamp(tc_tensor *a, tc_tensor *lo, tc_tensor *hi);
TC_API tc_tensor *tc_clamp_scalar(tc_tensor *a, double lo, double hi);
/* clamp(a, min=lo) and clamp(a, max=hi) with a Python-scalar bound (a float
 * bound makes an integer a float, as PyTorch's result_type). */
TC_API tc_tensor *tc_clamp_min_scalar(tc_tensor *a, double lo);
TC_API tc_tensor *tc_clamp_max_scalar(tc_tensor *a, double hi);

/* Python-scalar operands: `a + 2.5` is tc_add_scalar(a, 2.5). Scalars do not
 * upcast a tensor of the same category (int tensor * 2 stays int; int tensor
 * * 2.5 becomes the default float dtype). `is_float` says whether the Python
 * literal is a float (2.0) or an int (2). */
typedef enum tc_binop {
  TC_OP_ADD, TC_OP_SUB, TC_OP_MUL, TC_OP_DIV, TC_OP_FLOOR_DIVIDE,
  TC_OP_REMAINDER, TC_OP_POW, TC_OP_MAXIMUM, TC_OP_MINIMUM,
  TC_OP_LOGICAL_AND, TC_OP_LOGICAL_OR, TC_OP_LOGICAL_XOR, TC_OP_BITWISE_AND,
  TC_OP_BITWISE_OR, TC_OP_BITWISE_XOR, TC_OP_LSHIFT, TC_OP_RSHIFT,
  TC_OP_EQ, TC_OP_NE, TC_OP_LT, TC_OP_LE, TC_OP_GT, TC_OP_GE
} tc_binop;
TC_API tc_tensor *tc_binary(tc_binop op, tc_tensor *a, tc_tensor *b);
/* a (op) scalar, or scalar (op) a when `scalar_first`. TC_OP_POW of a
 * float32, float64 or bfloat16 tensor by 2, 3, -2, 0.5, -0.5 or -1 is
 * PyTorch's x*x, x*x*x, 1/(x*x), sqrt, rsqrt or reciprocal (its bits);
 * other exponents are pow, their value a kernel argument. */
TC_API tc_tensor *tc_binary_scalar(tc_binop op, tc_tensor *a, double s,
                                   bool is_float, bool scalar_first);
/* Shorthands: an integral `s` acts as a Python int, else as a float. */
TC_API tc_tensor *tc_add_scalar(tc_tensor *a, double s);
TC_API tc_tensor *tc_mul_scalar(tc_tensor *a, double s);

/* Cast (`.to(dtype)`, `.float()`...). Returns a new handle even when the
 * dtype is already `dt` (sharing the data, as PyTorch returns self). */
TC_API tc_tensor *tc_to_dtype(tc_tensor *a, tc_dtype dt);

/* ---- reductions -------------------------------------------------------- */
/* `dims`/`ndims`: the dims to reduce (negative count from the end); ndims 0
 * with dims NULL reduces over every dim. */
TC_API tc_tensor *tc_sum(tc_tensor *a, const int *dims, int ndims,
                         bool keepdim);
TC_API tc_tensor *tc_prod(tc_tensor *a, const int *dims, int ndims,
                          bool keepdim);
TC_API tc_tensor *tc_mean(tc_tensor *a, const int *dims, int ndims,
                          bool keepdim);
/* sum/prod with PyTorch's dtype= argument: a is cast to dt first and the
 * result has dtype dt; an integer dt wraps as PyTorch's does (uint8
 * [200, 100] sums to 44). NULL with the sticky error on failure. */
TC_API tc_tensor *tc_sum_dtype(tc_tensor *a, const int *dims, int ndims, bool keepdim, tc_dtype dt);
TC_API tc_tensor *tc_prod_dtype(tc_tensor *a, const int *dims, int ndims, bool keepdim, tc_dtype dt);
TC_API tc_tensor *tc_amax(tc_tensor *a, const int *dims, int ndims,
                          bool keepdim);
TC_API tc_tensor *tc_amin(tc_tensor *a, const int *dims, int ndims,
                          bool keepdim);
TC_API tc_tensor *tc_all(tc_tensor *a, const int *dims, int ndims,
                         bool keepdim);
TC_API tc_tensor *tc_any(tc_tensor *a, const int *dims, int ndims,
                         bool keepdim);
TC_API tc_tensor *tc_var(tc_tensor *a, const int *dims, int ndims,
                         double correction, bool keepdim);
TC_API tc_tensor *tc_std(tc_tensor *a, const int *dims, int ndims,
                         double correction, bool keepdim);
TC_API tc_tensor *tc_logsumexp(tc_tensor *a, const int *dims, int ndims,
                               bool keepdim);
/* max/min over all elements (a 0-d tensor). */
TC_API tc_tensor *tc_max_all(tc_tensor *a);
TC_API tc_tensor *tc_min_all(tc_tensor *a);
/* max/min along `dim`: values and int64 indices (both new references; either
 * output pointer may be NULL). Returns TC_OK or an error. */
TC_API tc_status tc_max_dim(tc_tensor *a, int dim, bool keepdim,
                            tc_tensor **values, tc_tensor **indices);
TC_API tc_status tc_min_dim(tc_tensor *a, int dim, bool keepdim,
                            tc_tensor **values, tc_tensor **indices);
/* argmax/argmin: a flattened index (0-d int64) when `has_dim` is false. */
TC_API tc_tensor *tc_argmax(tc_tensor *a, bool has_dim, int dim, bool keepdim);
TC_API tc_tensor *tc_argmin(tc_tensor *a, bool has_dim, int dim, bool keepdim);
/* softmax/log_softmax of a floating tensor (float32 arithmetic for float16
 * and bfloat16); an integer or bool tensor is refused as PyTorch's kernels
 * refuse it ("not implemented"): cast it first. */
TC_API tc_tensor *tc_softmax(tc_tensor *a, int dim);
TC_API tc_tensor *tc_log_softmax(tc_tensor *a, int dim);
/* torch.unravel_index(indices, shape): `out` receives ndim new int64 tensors
 * (one per dim of `shape`). */
TC_API tc_status tc_unravel_index(tc_tensor *indices, int ndim,
                                  const int64_t *shape, tc_tensor **out);

/* ---- whole-tensor comparison (these realize their operands) ------------ */

/* torch.equal: same shape and every element equal. On error returns false
 * and sets the context error. */
TC_API bool tc_equal(tc_tensor *a, tc_tensor *b);
TC_API bool tc_allclose(tc_tensor *a, tc_tensor *b, double rtol, double atol,
                        bool equal_nan);
TC_API tc_tensor *tc_isclose(tc_tensor *a, tc_tensor *b, double rtol,
                             double atol, bool equal_nan);
#define TC_DEFAULT_RTOL 1e-5
#define TC_DEFAULT_ATOL 1e-8

/* ---- movement (views: they never copy) --------------------------------- */

/* view: fails with PyTorch's message when the strides cannot express the
 * new shape. One entry of `shape` may be -1. */
TC_API tc_tensor *tc_view(tc_tensor *a, int ndim, const int64_t *shape);
/* reshape: a view when possible, else a copy. */
TC_API tc_tensor *tc_reshape(tc_tensor *a, int ndim, const int64_t *shape);
TC_API tc_tensor *tc_permute(tc_tensor *a, const int *perm);
TC_API tc_tensor *tc_transpose(tc_tensor *a, int d0, int d1);
TC_API tc_tensor *tc_t(tc_tensor *a); /* 2-D (or less) transpose */
TC_API tc_tensor *tc_expand(tc_tensor *a, int ndim, const int64_t *shape);
TC_API tc_tensor *tc_squeeze(tc_tensor *a, int dim); /* one dim */
TC_API tc_tensor *tc_squeeze_all(tc_tensor *a);
TC_API tc_tensor *tc_unsqueeze(tc_tensor *a, int dim);
TC_API tc_tensor *tc_flatten(tc_tensor *a, int start_dim, int end_dim);
TC_API tc_tensor *tc_narrow(tc_tensor *a, int dim, int64_t start,
                            int64_t length);
/* a[start:stop:step] along `dim`. Python slice rules: negative start/stop
 * count from the end, out-of-range values clamp; TC_SLICE_END as stop means
 * "to the end". step must be positive ("slice step must be positive"). */
#define TC_SLICE_END INT64_MAX
TC_API tc_tensor *tc_slice(tc_tensor *a, int dim, int64_t start, int64_t stop,
                           int64_t step);
/* a[i] along `dim` (dim removed); negative i counts from the end. */
TC_API tc_tensor *tc_select(tc_tensor *a, int dim, int64_t index);
/* Tensor.unfold(dim, size, step): a view whose dim holds the windows
 * ((n - size) / step + 1 of them) and whose new last dim, of `size`, each
 * window's elements (PyTorch's shape, strides and errors). */
TC_API tc_tensor *tc_unfold(tc_tensor *a, int dim, int64_t size, int64_t step);
/* Tensor.as_strided: a view of a's storage with the given shape, strides
 * (in elements, >= 0) and storage offset (negative: a's own), checked to
 * lie inside the storage (PyTorch's "setStorage: ... out of bounds"). */
TC_API tc_tensor *tc_as_strided(tc_tensor *a, int ndim, const int64_t *shape, const int64_t *strides,
                                int64_t storage_offset);
TC_API tc_tensor *tc_contiguous(tc_tensor *a); /* a view when already so */
/* A copy in a new storage, laid out as PyTorch's clone() (preserve_format:
 * see tc_empty_like); tc_contiguous(tc_clone(a)) for a contiguous one. */
TC_API tc_tensor *tc_clone(tc_tensor *a);
/* PyTorch's memory formats (torch.preserve_format, contiguous_format,
 * channels_last, channels_last_3d): the strides a new result gets. */
typedef enum tc_memory_format {
  TC_PRESERVE_FORMAT,   /* the input's layout (a dense input's strides, else its order) */
  TC_CONTIGUOUS_FORMAT, /* row-major */
  TC_CHANNELS_LAST,     /* 4-D NCHW stored as NHWC: strides (H*W*C, 1, W*C, C) */
  TC_CHANNELS_LAST_3D   /* 5-D NCDHW stored as NDHWC: (D*H*W*C, 1, H*W*C, W*C, C) */
} tc_memory_format;
/* clone(memory_format=fmt): a copy in a new storage with fmt's strides
 * (preserve: tc_clone). The channels-last formats need 4-D (3D: 5-D)
 * tensors: else NULL with PyTorch's "required rank 4 tensor to use
 * channels_last format". The copy is one kernel storing in that order. */
TC_API tc_tensor *tc_clone_format(tc_tensor *a, tc_memory_format fmt);
/* contiguous(memory_format=fmt): a view of a (a new handle) when
 * tc_tensor_is_contiguous_format(a, fmt), else tc_clone_format. Preserve is
 * refused ("preserve memory format is unsupported by the contiguous
 * operator"), as PyTorch. */
TC_API tc_tensor *tc_contiguous_format(tc_tensor *a, tc_memory_format fmt);
/* is_contiguous(memory_format=fmt): a's dims of size 2+ are laid out as fmt
 * lays them out (channels_last on a tensor not 4-D: false, as PyTorch;
 * preserve: tc_tensor_is_contiguous). False for NULL. */
TC_API bool tc_tensor_is_contiguous_format(const tc_tensor *a, tc_memory_format fmt);

/* ---- joins, splits and rearrangements ---------------------------------- */

/* torch.cat (concat): ts[0..n) joined along dim. Dtypes promote as in
 * PyTorch; 1-D empty tensors are skipped (PyTorch's legacy rule); all on one
 * device. ctx reports errors (n == 0: "expected a non-empty list of
 * Tensors"). Lazy: a cat fuses with its producers and its consumers (a cat
 * of elementwise expressions is one kernel). Always a new storage. */
TC_API tc_tensor *tc_cat(tc_ctx *ctx, tc_tensor *const *ts, int n, int dim);
/* torch.stack: ts (all one shape) joined along a new dim. */
TC_API tc_tensor *tc_stack(tc_ctx *ctx, tc_tensor *const *ts, int n, int dim);
/* torch.hstack / vstack / dstack (atleast_1d/2d/3d, then cat). */
TC_API tc_tensor *tc_hstack(tc_ctx *ctx, tc_tensor *const *ts, int n);
TC_API tc_tensor *tc_vstack(tc_ctx *ctx, tc_tensor *const *ts, int n);
TC_API tc_tensor *tc_dstack(tc_ctx *ctx, tc_tensor *const *ts, int n);
/* torch.split / split(list) / chunk / unbind: views of a. Each returns the
 * number of pieces PyTorch returns (or -1 on error, nothing written) and
 * writes the first min(count, cap) as new handles to out (out may be NULL
 * with cap 0 to ask for the count). tc_split_sizes writes all n pieces. */
TC_API int tc_split(tc_tensor *a, int64_t split_size, int dim, tc_tensor **out, int cap);
TC_API int tc_split_sizes(tc_tensor *a, const int64_t *sizes, int n, int dim, tc_tensor **out);
TC_API int tc_chunk(tc_tensor *a, int chunks, int dim, tc_tensor **out, int cap);
TC_API int tc_unbind(tc_tensor *a, int dim, tc_tensor **out, int cap);
/* torch.flip over dims[0..ndims) (a copy), fliplr (dim 1), flipud (dim 0). */
TC_API tc_tensor *tc_flip(tc_tensor *a, const int *dims, int ndims);
TC_API tc_tensor *tc_fliplr(tc_tensor *a);
TC_API tc_tensor *tc_flipud(tc_tensor *a);
/* torch.roll: shifts[i] along dims[i]; ndims == 0: the flattened tensor
 * rolled by shifts[0] (nshifts must be 1). */
TC_API tc_tensor *tc_roll(tc_tensor *a, const int64_t *shifts, int nshifts, const int *dims,
                          int ndims);
/* torch.tril / triu over the last two dims (k: the diagonal). */
TC_API tc_tensor *tc_tril(tc_tensor *a, int64_t k);
TC_API tc_tensor *tc_triu(tc_tensor *a, int64_t k);
/* torch.diagonal: a view (dims d1, d2 removed, the diagonal last). */
TC_API tc_tensor *tc_diagonal(tc_tensor *a, int64_t offset, int d1, int d2);
/* torch.diag: a 1-D a becomes a matrix with a on diagonal k, a 2-D a gives
 * its diagonal k (a copy). */
TC_API tc_tensor *tc_diag(tc_tensor *a, int64_t k);
TC_API tc_tensor *tc_diag_embed(tc_tensor *a, int64_t offset, int d1, int d2);
/* Tensor.repeat (nreps >= a's dims) and torch.tile (fewer reps: leading 1s). */
TC_API tc_tensor *tc_repeat(tc_tensor *a, int nreps, const int64_t *reps);
TC_API tc_tensor *tc_tile(tc_tensor *a, int nreps, const int64_t *reps);
/* torch.repeat_interleave with a scalar count; dim NULL: over the
 * flattened tensor. */
TC_API tc_tensor *tc_repeat_interleave(tc_tensor *a, int64_t repeats, const int *dim);
/* torch.meshgrid: n 0-D/1-D tensors of one dtype; indexing "ij" (or NULL)
 * or "xy". out receives n new handles (expanded views). */
TC_API tc_status tc_meshgrid(tc_ctx *ctx, tc_tensor *const *ts, int n, const char *indexing,
                             tc_tensor **out);

/* ---- scans ------------------------------------------------------------- */

/* torch.cumsum / cumprod along dim: integer and bool inputs give int64 (as
 * PyTorch) unless *dtype is given (NULL: none). Each output row is one
 * sequential loop in index order on every backend (the same bits on the
 * CPU and on CUDA); float16/bfloat16 run in float32. Lazy: a SCAN node, its
 * input computed first. */
TC_API tc_tensor *tc_cumsum(tc_tensor *a, int dim, const tc_dtype *dtype);
TC_API tc_tensor *tc_cumprod(tc_tensor *a, int dim, const tc_dtype *dtype);
/* torch.logcumsumexp (floating inputs): log(exp(a) + exp(b)) computed as
 * max + log1p(exp(min - max)), running. */
TC_API tc_tensor *tc_logcumsumexp(tc_tensor *a, int dim);
/* torch.cummax / cummin: running values and int64 indices (the last
 * position that set or tied the extreme; a NaN propagates, as PyTorch).
 * Either output pointer may be NULL. */
TC_API tc_status tc_cummax(tc_tensor *a, int dim, tc_tensor **values, tc_tensor **indices);
TC_API tc_status tc_cummin(tc_tensor *a, int dim, tc_tensor **values, tc_tensor **indices);

/* ---- sorting and order statistics -------------------------------------- */

/* torch.sort: a stable sort of every row along dim (NaN sorts as the
 * largest; descending keeps ties in index order too). The permutation is
 * a radix sort on the input's device, lazy (kernels, nothing read back:
 * O(n) a row, a pass a 2-bit digit of an order key of the dtype's width);
 * the values are a lazy gather there. Either output may be
 * NULL. The same result on every run and backend. Layout (stride()) as
 * PyTorch's: values and indices (argsort's and msort's too) have a's
 * strides when a is non-overlapping and dense (a permute, a transpose),
 * else dense strides in the order of a's (contiguous for a plain slice);
 * topk, kthvalue, median and mode's results are contiguous. */
TC_API tc_status tc_sort(tc_tensor *a, int dim, bool descending, tc_tensor **values, tc_tensor **indices);
TC_API tc_tensor *tc_argsort(tc_tensor *a, int dim, bool descending);
TC_API tc_tensor *tc_msort(tc_tensor *a); /* sort along dim 0, values */
/* torch.topk (sorted; ties in index order), kthvalue (k from 1; among
 * equal values, the index PyTorch's CPU quickselect returns). */
TC_API tc_status tc_topk(tc_tensor *a, int64_t k, int dim, bool largest, tc_tensor **values,
                         tc_tensor **indices);
TC_API tc_status tc_kthvalue(tc_tensor *a, int64_t k, int dim, bool keepdim, tc_tensor **values,
                             tc_tensor **indices);
/* torch.median / nanmedian: the lower middle value (median: NaN when the
 * row has one, with the first NaN's index; nanmedian ignores NaNs), with
 * dim: values and indices; without: a 0-d value (NaN when empty). */
TC_API tc_status tc_median_dim(tc_tensor *a, int dim, bool keepdim, tc_tensor **values,
                               tc_tensor **indices);
TC_API tc_status tc_nanmedian_dim(tc_tensor *a, int dim, bool keepdim, tc_tensor **values,
                                  tc_tensor **indices);
TC_API tc_tensor *tc_median(tc_tensor *a);
TC_API tc_tensor *tc_nanmedian(tc_tensor *a);
/* torch.mode: the most frequent value of each row (the smallest of ties)
 * and the index of its last occurrence. */
TC_API tc_status tc_mode(tc_tensor *a, int dim, bool keepdim, tc_tensor **values, tc_tensor **indices);

/* ---- counting and searching -------------------------------------------- */

/* torch.count_nonzero over dims (NULL/0: all): int64. Lazy. */
TC_API tc_tensor *tc_count_nonzero(tc_tensor *a, const int *dims, int ndims);
/* torch.argwhere (= nonzero) and nonzero(as_tuple=True) / where(cond): one
 * int64 index tensor per dim (a 0-d a counts as 1-D); returns the count
 * of tensors (a's dims) and writes min(count, cap); -1 on error. */
TC_API tc_tensor *tc_argwhere(tc_tensor *a);
TC_API int tc_nonzero_tuple(tc_tensor *a, tc_tensor **out, int cap);
/* torch.searchsorted: for each value, the number of boundaries below it
 * (right: at or below); sorted_sequence 1-D or with the values' leading
 * dims. bucketize(input, boundaries) is the same with 1-D boundaries.
 * int64 (out_int32: int32) results. Lazy: a fused count, O(values x
 * boundaries). */
TC_API tc_tensor *tc_searchsorted(tc_tensor *sorted_sequence, tc_tensor *values, bool right, bool out_int32);
TC_API tc_tensor *tc_bucketize(tc_tensor *input, tc_tensor *boundaries, bool right, bool out_int32);
/* torch.histc (floating input): `bins` equal bins over [min, max] (min ==
 * max: the data's range, read back); elements outside are not counted.
 * One scatter_add kernel. */
TC_API tc_tensor *tc_histc(tc_tensor *a, int64_t bins, double min, double max);
/* torch.bincount: a 1-D non-negative integer tensor; weights NULL (int64
 * counts) or 1-D of a's length (float32/float64 sums; other dtypes in
 * float64); at least minlength bins (the largest value is read back). */
TC_API tc_tensor *tc_bincount(tc_tensor *a, tc_tensor *weights, int64_t minlength);
/* torch.unique (flattened, sorted) and unique_consecutive: the values, and
 * when asked (non-NULL) the inverse (each element's position in values, in
 * a's shape) and the counts. NaNs are distinct values, as in PyTorch. The
 * input is read back; the results' sizes are data. */
TC_API tc_status tc_unique(tc_tensor *a, bool sorted, tc_tensor **values, tc_tensor **inverse, tc_tensor **counts);
TC_API tc_status tc_unique_consecutive(tc_tensor *a, tc_tensor **values, tc_tensor **inverse, tc_tensor **counts);

/* ---- in-place (writes through views are seen by every alias) ----------- */

/* dst[...] = src: copies src (broadcast to dst's shape, cast to dst's dtype)
 * into the elements dst views. */
TC_API tc_status tc_copy_(tc_tensor *dst, tc_tensor *src);
TC_API tc_status tc_fill_(tc_tensor *dst, double value);
/* fill_(Tensor): value must be 0-d (PyTorch's "fill_ only supports
 * 0-dimension value tensor but got tensor with 1 dimensions."); its one
 * element, cast to dst's dtype, fills dst without being read back. */
TC_API tc_status tc_fill_tensor_(tc_tensor *dst, tc_tensor *value);
TC_API tc_status tc_add_(tc_tensor *dst, tc_tensor *src);
/* Memory overlap, as PyTorch decides it (from the views' shapes, strides
 * and offsets; nothing is computed). Every in-place call of this header
 * checks it: a destination with an expanded dim is refused ("more than one
 * element of the written-to tensor refers to a single memory location");
 * tc_copy_ and tc_add_ refuse a source that partially overlaps the
 * destination (x[1:] = x[:-1], a.copy_(a.t())), and the indexed writes
 * (tc_index_put_, tc_index_set_ with index tensors, scatter, index_add_,
 * index_copy_, put_) a source or index that overlaps it at all ("some
 * elements of the input tensor and the written-to tensor refer to a single
 * memory location"). The same view, disjoint regions, a clone, and views
 * that are not dense (x[::2] against x[1::2]) are allowed, as in PyTorch.
 * tc_check_inplace applies the elementwise rule to dst and one operand of
 * an in-place op computed elsewhere (a binding's t.mul_(u): check dst
 * against u, compute dst * u, tc_copy_ it back): TC_OK, or TC_ERR_ARG with
 * PyTorch's message. */
TC_API tc_status tc_check_inplace(tc_tensor *dst, tc_tensor *src);
/* t.resize_(shape) in place: the handle t (not a new one) takes `shape`,
 * with `strides` (in elements, non-negative; NULL: contiguous), at its
 * storage offset. With NULL strides and t's own shape nothing changes
 * (PyTorch keeps the layout). When the new view reaches past the end of
 * t's storage the storage grows in place: every handle on it keeps its
 * elements and sees the new ones (zeros until written; PyTorch leaves
 * them uninitialized). Shrinking keeps the storage. Memory tensorc does
 * not own (tc_from_host_memory, DLPack, tc_share_host) cannot grow:
 * TC_ERR_ARG with PyTorch's "Trying to resize storage that is not
 * resizable". Other handles on the storage keep their shapes. out= of
 * PyTorch's functions is this, then tc_copy_ of the result. */
TC_API tc_status tc_resize_(tc_tensor *t, int ndim, const int64_t *shape, const int64_t *strides);

/* ---- data-dependent indexing (results are copies; masked_select and
 * nonzero realize their inputs: their shapes are data) -------------------- */

/* a[mask]: the elements where mask (bool, broadcast with a) is true, 1-D.
 * Counted on the device (one reduction over the mask's blocks and a scan;
 * only the count is read back), then compacted by one kernel. */
TC_API tc_tensor *tc_masked_select(tc_tensor *a, tc_tensor *mask);
/* a.index_select(dim, index): index is a 1-D int64/int32 tensor (lazy: a
 * gather, see tc_gather). */
TC_API tc_tensor *tc_index_select(tc_tensor *a, int dim, tc_tensor *index);
/* Python's a[i, 1:5:2, None, ..., idx, mask] for C: an index
 * specification is an array of tc_idx, one per item, in order:
 *   TC_IDX_INT      i          an integer (negative counts from the end)
 *   TC_IDX_SLICE    start:stop:step (stop TC_SLICE_END for "to the end";
 *                   step >= 1; Python's clamping of out-of-range bounds)
 *   TC_IDX_NONE     a new dim of size 1
 *   TC_IDX_ELLIPSIS the dims not indexed otherwise; several may appear:
 *                   each skips that many dims, as PyTorch, so the first
 *                   takes them and a later one moves past the end
 *                   (a[..., 0, ...] is a[..., 0]; an item after a later
 *                   one gets PyTorch's error, a 0: slice is a no-op)
 *   TC_IDX_BOOL     i: Python's True (a new dim) or False (a new, empty dim);
 *                   the result is then a copy (PyTorch indexes with a
 *                   bool tensor), the size-1/0 dim outermost
 *   TC_IDX_TENSOR   t: an int64/int32 index tensor (a 0-d one acts as an
 *                   int), or a bool/uint8 mask over as many dims (borrowed)
 * With only basic items (no tensors) tc_index returns a view, as PyTorch;
 * with index tensors or masks a copy: the tensors broadcast together and
 * their dims replace the indexed ones (moved to the front when the indexed
 * dims are not adjacent), NumPy's and PyTorch's rule. Lazy: one gather
 * kernel reading a, its offsets fused (indices checked first, read back;
 * masks read back: the result's size is their count). Errors are PyTorch's
 * ("index 5 is out of bounds for dimension 0 with size 3", "too many
 * indices for tensor of dimension 2", ...). */
typedef enum tc_idx_kind {
  TC_IDX_INT, TC_IDX_SLICE, TC_IDX_NONE, TC_IDX_ELLIPSIS, TC_IDX_BOOL, TC_IDX_TENSOR
} tc_idx_kind;
typedef struct tc_idx {
  tc_idx_kind kind;
  int64_t i;                 /* INT, BOOL */
  int64_t start, stop, step; /* SLICE */
  tc_tensor *t;              /* TENSOR */
} tc_idx;
#define TC_I(x) ((tc_idx){.kind = TC_IDX_INT, .i = (x)})
#define TC_S(a, b, c) ((tc_idx){.kind = TC_IDX_SLICE, .start = (a), .stop = (b), .step = (c)})
#define TC_ALL ((tc_idx){.kind = TC_IDX_SLICE, .start = 0, .stop = TC_SLICE_END, .step = 1})
#define TC_NEWAXIS ((tc_idx){.kind = TC_IDX_NONE})
#define TC_ELLIPSIS ((tc_idx){.kind = TC_IDX_ELLIPSIS})
#define TC_T(x) ((tc_idx){.kind = TC_IDX_TENSOR, .t = (x)})
TC_API tc_tensor *tc_index(tc_tensor *a, const tc_idx *spec, int n);
/* a[spec] = value: value (any dtype: cast to dst's, as Python's setitem)
 * broadcast to the indexed shape (its leading dims of size 1 beyond it
 * dropped). Basic items: a copy_ through the view. Index tensors: one
 * scatter kernel (repeated positions: the last in index order wins). A
 * mask with a one-element 0-d value: a lazy where() through the view (no
 * read back). */
TC_API tc_status tc_index_set_(tc_tensor *dst, const tc_idx *spec, int n, tc_tensor *value);
/* a.gather(dim, index): out[i][j][k] = a[i][index[i][j][k]][k] (dim 1);
 * index (int64/int32) has a's number of dims and no dim but `dim` larger
 * than a's. Lazy: one GATHER node reading a from memory at offsets that
 * fuse into its kernel, on a's device; the indices are checked first (read
 * back once), with PyTorch's message. tc_index_select is the same kind of
 * read. */
TC_API tc_tensor *tc_gather(tc_tensor *a, int dim, tc_tensor *index);
/* a.take(index): a's elements at row-major positions (int64 index, any
 * shape: the result's). */
TC_API tc_tensor *tc_take(tc_tensor *a, tc_tensor *index);
/* torch.take_along_dim: dim NULL takes over the flattened tensor; else
 * a and indices broadcast over every other dim and gather along *dim. */
TC_API tc_tensor *tc_take_along_dim(tc_tensor *a, tc_tensor *indices, const int *dim);
/* The (n, ndim) int64 coordinates of a's nonzero elements, in row-major
 * order of the elements; laid out column-major (strides (1, n)) as PyTorch. */
TC_API tc_tensor *tc_nonzero(tc_tensor *a);
/* where(mask, value, a) (lazy), and its in-place form a[mask] = value. */
TC_API tc_tensor *tc_masked_fill(tc_tensor *a, tc_tensor *mask, double value);
TC_API tc_status tc_masked_fill_(tc_tensor *a, tc_tensor *mask, double value);
/* dst[indices] = values, as PyTorch's index_put_: indices[j] (int64 or
 * int32) index dst's dim j (j < nidx) and broadcast together to a shape B;
 * values (dst's dtype) broadcast to B + dst.shape[nidx:]. Negative indices
 * count from the end; an index out of range fails with PyTorch's message
 * before anything is written. accumulate: values at repeated positions add
 * up; without it the last one wins. One kernel whatever the number of
 * positions; repeated positions are handled in index order, so the result
 * is the same on every run. Lazy (realized with dst's storage); reads the
 * indices back once to check them. */
TC_API tc_status tc_index_put_(tc_tensor *dst, int nidx, tc_tensor *const *indices,
                               tc_tensor *values, bool accumulate);
/* dst.scatter_(dim, index, src): dst[i][index[i][j]][k] = src[i][j][k]
 * (dim 1) for the positions of index (int64/int32, dst's number of dims, no
 * dim larger than src's nor, but dim, than dst's); repeated positions: the
 * last in index order wins. tc_scatter_value_ writes one value. */
TC_API tc_status tc_scatter_(tc_tensor *dst, int dim, tc_tensor *index, tc_tensor *src);
TC_API tc_status tc_scatter_value_(tc_tensor *dst, int dim, tc_tensor *index, double value);
/* scatter_add_: values at repeated positions add up, in index order. */
TC_API tc_status tc_scatter_add_(tc_tensor *dst, int dim, tc_tensor *index, tc_tensor *src);
/* scatter_reduce_ with reduce "sum", "prod", "mean", "amax" or "amin" (or
 * "max"/"min", PyTorch's other names for the last two); include_self false: dst's old values at the scattered positions take no
 * part. mean divides (floor division for integers) by the count. */
TC_API tc_status tc_scatter_reduce_(tc_tensor *dst, int dim, tc_tensor *index, tc_tensor *src,
                                    const char *reduce, bool include_self);
/* index_add_ (dst[..., index[j], ...] += alpha * src[..., j, ...] along
 * dim; index 1-D int64/int32), index_copy_ (=), index_fill_ (= value). */
TC_API tc_status tc_index_add_(tc_tensor *dst, int dim, tc_tensor *index, tc_tensor *src, double alpha);
TC_API tc_status tc_index_copy_(tc_tensor *dst, int dim, tc_tensor *index, tc_tensor *src);
TC_API tc_status tc_index_fill_(tc_tensor *dst, int dim, tc_tensor *index, double value);
/* dst.put_(index, src, accumulate): dst as 1-D (row-major), int64 index
 * (negative counts from the end), src of index's element count. */
TC_API tc_status tc_put_(tc_tensor *dst, tc_tensor *index, tc_tensor *src, bool accumulate);
/* dst.masked_scatter_(mask, source): the elements of dst where mask (bool,
 * broadcast to dst) is true take source's elements in order (source needs
 * at least that many; dst's dtype). Reads the mask back to count. */
TC_API tc_status tc_masked_scatter_(tc_tensor *dst, tc_tensor *mask, tc_tensor *source);

/* ---- linear algebra ---------------------------------------------------- */

/* torch.matmul for 1-D, 2-D and batched operands (batch dims broadcast). */
TC_API tc_tensor *tc_matmul(tc_tensor *a, tc_tensor *b);
/* torch.mm (two matrices), torch.bmm (two 3-D tensors of one batch size, no
 * broadcasting) and torch.dot (two vectors): tc_matmul after PyTorch's
 * checks of the ranks, in its words ("mm: self must be a matrix, got 1-D
 * tensor"). NULL with the sticky error on failure. */
TC_API tc_tensor *tc_mm(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_bmm(tc_tensor *a, tc_tensor *b);
TC_API tc_tensor *tc_dot(tc_tensor *a, tc_tensor *b);

/* ---- devices ------------------------------------------------------------
 * CUDA is opened at run time (libcuda.so.1, libnvrtc.so.13); the library
 * never links it. Without a driver or a GPU every CUDA request fails with
 * "CUDA is not available: <reason>" and everything else works. Kernels for a
 * CUDA tensor are the same fused kernel IR, compiled to CUDA C and by NVRTC
 * for the device's architecture. In tensorc's own tests, TC_CUDA_EMULATE=1
 * gives an emulated cuda:0 (host memory, kernels built by the host C++
 * compiler) on machines without a GPU; the emulator is test machinery, not
 * part of the library, and elsewhere TC_CUDA_EMULATE=1 finds no device. */

typedef struct tc_device_props {
  char name[256];
  int major, minor;        /* compute capability */
  int multiprocessors;
  size_t total_memory;     /* bytes */
} tc_device_props;

TC_API bool tc_cuda_is_available(void);
TC_API int tc_cuda_device_count(void);
TC_API tc_status tc_cuda_device_props(int index, tc_device_props *out);
/* torch.cuda.memory_allocated / memory_reserved: the bytes of cuda:index
 * held by tensors' buffers (*allocated), and obtained from the driver by
 * tensorc's caching allocator (*reserved: held, plus cached for reuse, plus
 * waiting for queued work before they are freed); both count blocks as the
 * allocator's size classes round them up. Either pointer may be NULL. An
 * error on ctx (when not NULL) without CUDA or for a bad index. */
TC_API tc_status tc_cuda_memory_stats(tc_ctx *ctx, int index, size_t *allocated, size_t *reserved);
/* torch.cuda.empty_cache(): gives the device memory that no tensor holds
 * back to the driver, on every device, once the work queued before has run
 * (it waits for it). Tensors keep their memory. Nothing to do without CUDA. */
TC_API void tc_cuda_empty_cache(void);
/* a.to(dev): a new tensor on dev (lazy: the copy happens when realized).
 * Returns a view of a when it is already there; NULL with the context error
 * set for an unknown or unavailable device. CUDA work is asynchronous, as in
 * PyTorch: each device has one stream, and kernels and copies into device
 * memory are queued on it in issue order, so realizing a CUDA tensor returns
 * before its kernels have run. A copy to the CPU waits for the device (the
 * values are there when it is realized; non_blocking makes no difference).
 * A copy from the CPU waits until the device has the data, so the source
 * may change at once — except with non_blocking from pinned memory
 * (tc_pin_memory), which is only queued: tensorc itself waits before it
 * frees or writes in place that pinned tensor, and tc_synchronize waits for
 * it. Errors of queued work are reported by the next call that waits
 * ("CUDA error: ..."). */
TC_API tc_tensor *tc_to(tc_tensor *a, tc_device dev, bool non_blocking);
TC_API tc_tensor *tc_cuda(tc_tensor *a); /* .cuda(): to cuda:0 */
TC_API tc_tensor *tc_cpu(tc_tensor *a);  /* .cpu() */
/* Where creation functions put new tensors (torch.set_default_device). */
TC_API tc_status tc_set_default_device(tc_ctx *ctx, tc_device dev);
TC_API tc_device tc_get_default_device(const tc_ctx *ctx);
/* A copy of a (a CPU tensor) in page-locked host memory. */
TC_API tc_tensor *tc_pin_memory(tc_tensor *a);
TC_API bool tc_is_pinned(tc_tensor *a);
/* Waits until every kernel and copy queued on every CUDA device has run
 * (torch.cuda.synchronize()); TC_OK at once without CUDA or queued work.
 * The other calls that wait are those that read values on the host
 * (tc_copy_to_host, tc_item, tc_format, tc_data_ptr of a tensor copied from
 * a device, a copy to the CPU), a copy from pageable host memory, and
 * tc_ctx_free. Errors of the queued work (a faulting kernel) are reported
 * here as TC_ERR_RUNTIME with "CUDA error: <what> (<CUDA_ERROR_NAME>)" on
 * ctx, possibly for work another call queued; on a real device such an
 * error is sticky and every later CUDA call fails. */
TC_API tc_status tc_synchronize(tc_ctx *ctx);
/* One Philox stream serves every device: these seed it like tc_manual_seed,
 * so a seed gives the same numbers on the CPU and on CUDA. */
TC_API void tc_cuda_manual_seed(tc_ctx *ctx, uint64_t seed);
TC_API void tc_cuda_manual_seed_all(tc_ctx *ctx, uint64_t seed);
/* "cpu", "cuda", "cuda:1" -> a device (TC_ERR_ARG when malformed). */
TC_API tc_status tc_parse_device(const char *s, tc_device *out);
/* The device as PyTorch writes it ("cpu", "cuda:0") into buf. */
TC_API const char *tc_device_str(tc_device d, char *buf, size_t cap);

/* ---- realization and read-back ---------------------------------------- */

TC_API tc_status tc_realize(tc_tensor *t);
/* Realizes several tensors with one schedule. */
TC_API tc_status tc_realize_many(tc_tensor *const *ts, int n);
/* Realizes t and copies its elements, row-major, as its dtype, into `dst`
 * (`nbytes` must be at least numel * dtype size). */
TC_API tc_status tc_copy_to_host(tc_tensor *t, void *dst, size_t nbytes);
/* The single element of a one-element tensor, as a double / an int64. On
 * error returns 0 (NaN for tc_item) and sets the context error. */
TC_API double tc_item(tc_tensor *t);
TC_API int64_t tc_item_int(tc_tensor *t);
/* Realizes t and returns a borrowed pointer to its first element in host
 * memory (laid out as tc_tensor_strides says). The pointer stays valid while
 * `t` is held and no in-place op is applied to t's storage; NULL on error. */
TC_API const void *tc_data_ptr(tc_tensor *t);
/* Shares t's storage with the host (tensor.numpy(), __array_interface__,
 * __dlpack__): realizes t, pins its storage to the host memory that holds
 * its value now, and returns a WRITABLE pointer to t's first element (laid
 * out as tc_tensor_strides says; it is tc_tensor_storage_offset elements
 * into the storage, which holds tc_tensor_storage_numel elements). From
 * then on, for as long as the
 * storage lives (any handle on it):
 *   - writes through the pointer are seen by every later read of any handle
 *     on the storage; an op that reads a shared storage reads it when it is
 *     called (its result is realized at once, as eager PyTorch computes it),
 *     so a later write through the pointer does not change an earlier
 *     result, and lazy work pending on the old value from before the call
 *     keeps a private copy of it;
 *   - every in-place write through tensorc (tc_copy_, tc_fill_, tc_add_,
 *     tc_index_put_, masked writes) is realized before it returns and lands
 *     in that memory, so the pointer sees it at once.
 * The pointer stays valid while a handle on the storage (or a tensor made by
 * tc_from_host_memory's caller over it) is held. CPU tensors only (a CUDA
 * tensor fails: copy it to the CPU first). NULL with the context error set
 * on failure. Tensors from tc_from_host_memory are shared from the start. */
TC_API void *tc_share_host(tc_tensor *t);
/* tc_share_host on either device: for a CUDA tensor the device memory that
 * holds its value becomes its storage's home, and the device address of
 * t's first element is returned (stable from then on, as torch's
 * data_ptr(); tensorc's writes are in it after tc_synchronize). */
TC_API void *tc_share(tc_tensor *t);
/* DLPack (https://dmlc.github.io/dlpack/, v1.0): include the DLPack
 * project's dlpack.h for the structs; tensorc has its own copy of their
 * layout. Host memory (kDLCPU; kDLCUDAHost imports as a CPU tensor) and
 * CUDA device memory (kDLCUDA), both ways.
 * tc_from_dlpack wraps the producer's memory without copying (as
 * tc_from_blob, on the CPU or on cuda:device_id: writes land in it, its
 * changes are seen by later reads) and, on success, owns `m`: it calls
 * m->deleter(m) once it no longer uses the memory (for device memory,
 * after tensorc's queued work on it ran), from the thread that drops the
 * last reference.
 * On failure (NULL, the context error set) `m` is still the caller's. A
 * tensor flagged DLPACK_FLAG_BITMASK_READ_ONLY is read-only in tensorc:
 * every in-place write to it fails. tc_from_dlpack_legacy takes a legacy
 * DLManagedTensor the same way.
 * tc_to_dlpack shares t's storage with its owner (as tc_share_host does
 * on the CPU; for a CUDA tensor the device memory that holds its value
 * becomes the storage's home, and the call waits for the device, so the
 * consumer may read the data on any stream; tensorc's later writes to the
 * storage are in that memory after tc_synchronize) and returns a
 * DLManagedTensorVersioned (device kDLCPU or kDLCUDA, shape, strides in
 * elements, byte_offset 0) that holds a reference to it (with `copy`, to a
 * clone, flagged DLPACK_FLAG_BITMASK_IS_COPIED); the consumer calls its
 * deleter once, from a thread that may use t's context. NULL on error.
 * tc_to_dlpack_legacy gives a legacy DLManagedTensor. */
struct DLManagedTensorVersioned;
struct DLManagedTensor;
TC_API tc_tensor *tc_from_dlpack(tc_ctx *ctx, struct DLManagedTensorVersioned *m);
TC_API tc_tensor *tc_from_dlpack_legacy(tc_ctx *ctx, struct DLManagedTensor *m);
TC_API struct DLManagedTensorVersioned *tc_to_dlpack(tc_tensor *t, bool copy);
TC_API struct DLManagedTensor *tc_to_dlpack_legacy(tc_tensor *t, bool copy);
/* Whether t's storage is shared with the host (tc_share_host,
 * tc_from_host_memory). */
TC_API bool tc_is_shared(const tc_tensor *t);
/* The number of elements t's storage holds (a view may see fewer). */
TC_API int64_t tc_tensor_storage_numel(const tc_tensor *t);

/* ---- printing ---------------------------------------------------------- */

/* The tensor as PyTorch's repr/print shows it ("tensor([1., 2.])").
 * Returns a malloc'd string (free with tc_free_string), NULL on error. */
TC_API char *tc_format(tc_tensor *t);
TC_API void tc_free_string(char *s);

#ifdef __cplusplus
}
#endif
#endif /* TENSORC_H */
