/*
 * ir.h — the graph IR: contexts, nodes, storages and tensor handles.
 *
 * A node is one operation of the graph (ops.def), with a dtype, a shape and
 * up to three inputs. Nodes are reference counted: a tensor handle's storage
 * holds its current version node, and a node holds its inputs. When a node is
 * realized it turns into a BUFFER node in place (it drops its inputs and keeps
 * the data), so every holder sees the data without being told.
 *
 * A storage is a flat array with an identity and a current version (a node
 * whose row-major elements are the storage's). A tensor handle is a strided
 * view (shape, strides, offset) of a storage; reading it makes a VIEW node of
 * the storage's version at that moment. An in-place write replaces the
 * storage's version with a WRITE node, so every alias sees it and reads
 * captured before keep the old version.
 *
 * Invariants the builders guarantee (ir_verify checks them): every input of
 * an EW node has the node's shape; EW inputs have the op's compute dtype
 * (kernel.h); a RED node keeps its reduced dims as size 1; VIEW and WRITE
 * index only inside their input's elements.
 */
#ifndef TC_IR_IR_H
#define TC_IR_IR_H
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include "arena.h"
#include "tensorc.h"

#include "ops.h"
typedef enum ir_kind { K_SRC, K_EW, K_RED, K_MOVE, K_WRITE, K_MM, K_XFER, K_CAT, K_GATHER, K_SCAN } ir_kind;
extern const char *const ir_op_name[OP_COUNT];
extern const int ir_op_arity[OP_COUNT];
extern const ir_kind ir_op_kind[OP_COUNT];

typedef struct rt_buffer {
  void *data;     /* host pointer, or the device address on a GPU */
  size_t bytes;
  int refs;
  tc_device dev;
  bool pinned;    /* page-locked host memory */
  struct tc_ctx *ctx; /* whose allocator owns data */
  /* Frees data and the buffer when the last reference goes. Set by the
   * runtime, which makes buffers; the graph drops its references through
   * ir_buffer_release without calling up into the runtime. */
  void (*destroy)(struct rt_buffer *b);
  /* Host memory shared with the caller (tc_share_host, tc_from_host_memory):
   * the home of one storage, which holds one reference to it besides its
   * nodes' (the plan's in-place test counts it). */
  bool shared;
  /* External memory (tc_from_host_memory): `data` is the caller's, given
   * back by release(release_user) when the buffer goes. */
  void (*release)(void *user);
  void *release_user;
} rt_buffer;

/* How an index that is out of bounds is worded (ir_bounds_error): PyTorch
 * words it differently per op. */
typedef enum ir_bounds_style {
  IR_BOUNDS_DIM,  /* "index 5 is out of bounds for dimension 0 with size 3" */
  IR_BOUNDS_WORD, /* the same after "<word>(): " (index_copy_, index_fill_) */
  IR_BOUNDS_SELF, /* "index out of range in self" (index_select, index_add_) */
  IR_BOUNDS_TAKE  /* "out of range: tried to access index 6 on a tensor of 6 elements." */
} ir_bounds_style;
typedef struct ir_bounds {
  const char *fn, *word; /* static strings: the call ("tc_gather"), the word */
  ir_bounds_style style;
  int dim;
  int64_t lo, size; /* an index is in bounds when lo <= i < size */
} ir_bounds;

typedef struct ir_node ir_node;
struct ir_node {
  int op;
  tc_dtype dt;
  int ndim;
  int64_t shape[TC_MAX_DIMS];
  int nin;
  ir_node *in[4];
  int refs;
  tc_device dev; /* where it is computed and stored */
  uint64_t id; /* creation order */
  union {
    struct { double f; int64_t i; } k;          /* CONST */
    int axis;                                    /* IOTA */
    struct { uint64_t seed, offset; } rng;       /* RAND* */
    struct {                                     /* VIEW, WRITE */
      int64_t strides[TC_MAX_DIMS]; /* of the view's dims (WRITE: in[1]'s) */
      int64_t offset;
    } v;
    struct { uint32_t axes; } red;               /* RED: bit d = dim d */
    struct { int dim; int64_t split; } cat;      /* CAT: the joined dim, in[0]'s size there */
    struct { int dim, op; bool wide; } scan;     /* SCAN: the dim, the combining op; wide: a float32
                                                    sum/product/logaddexp runs in float64 */
    struct { bool non_blocking; } xfer;          /* COPY: tc_to's flag */
    struct {                                     /* MATMUL: in[0] read as A, in[1]
                                                    as B, strided views of their
                                                    row-major elements */
      int nb;                       /* batch dims (the node has nb + 2) */
      int64_t k;                    /* the contracted length */
      int64_t a_off, b_off;
      int64_t a_str[TC_MAX_DIMS];   /* A's strides: batch..., m, k */
      int64_t b_str[TC_MAX_DIMS];   /* B's strides: batch..., k, n */
    } mm;
    struct { int acc; bool unique; } sc;         /* SCATTER: acc 0 stores, else
                                                    combines with what is there
                                                    (OP_ADD, OP_MUL, OP_MAX,
                                                    OP_MIN); offsets known to
                                                    be distinct (else the
                                                    kernel runs in order) */
    struct {                                     /* CHECK */
      ir_bounds b;
      struct ir_node *idx; /* the index checked, flat int64: owned, not an
                              input (read only to word a failure) */
    } chk;
  } p;
  rt_buffer *buf; /* BUFFER */
  /* scratch for passes (valid during one realization) */
  int mark;
  int pid; /* printer numbering (ir_print), 0 when unnumbered */
  int uses;
  void *aux;
  int sid; /* walk number of the realization under way (schedule.h), else 0 */
  bool user; /* the version of a storage a caller holds (not only a scope's
                temporary handle; lib/api sets it, writes pass it on): the
                plan may store it as a side output for its next use */
  ir_node *next_free;
};

typedef struct ir_storage {
  int refs;
  ir_node *version; /* owned reference */
  /* Host memory shared with the caller (owned reference; NULL when the
   * storage is not shared). lib/api keeps the invariant that between calls
   * a shared storage's version is a BUFFER node over `home`: writes are
   * realized at once and land there, reads are realized when recorded. */
  struct rt_buffer *home;
  int64_t numel;
  tc_dtype dt;
  bool readonly; /* imported read-only (DLPack's flag): in-place writes are refused */
} ir_storage;

struct tc_tensor {
  struct tc_ctx *ctx;
  int refs;
  ir_storage *st; /* owned reference */
  tc_dtype dt;
  int ndim;
  int64_t shape[TC_MAX_DIMS];
  int64_t strides[TC_MAX_DIMS];
  int64_t offset;
  /* PyTorch's _base: the handle whose storage this view views (the root:
   * never itself a view), an owned reference; NULL for a handle that is
   * not a view (a new storage, or an alias such as a same-dtype cast) */
  struct tc_tensor *base;
  void *user; /* tc_tensor_set_user's pointer (the binding's object) */
  struct tc_tensor *prev, *next; /* the context's list of live handles */
  /* lib/api: the open scope holding this handle's reference, as 1 + its
   * index in ctx->scopes (0: none), and the handle's slot in it */
  int scope, scope_slot;
};

/* An open scope (lib/api/scope.c): the handles whose reference it holds. */
typedef struct api_scope {
  tc_tensor **items; /* NULL where a handle left (kept or released) */
  int n, cap;
} api_scope;

struct rt_pool;
struct rt_alloc;
struct tc_ctx {
  tc_allocator al;
  tc_ctx_options opts;
  int eager;
  unsigned debug;
  char err[1024];
  tc_status status;
  tc_stats stats;
  /* node pool */
  ir_node *free_nodes;
  void **node_chunks;
  int nchunks, chunks_cap;
  uint64_t next_id;
  int64_t live_nodes;
  int64_t live_handles;
  /* set by ir_tensor_node when it reads a storage shared with the host:
     lib/api then realizes the op's result at once (tc_share_host) */
  bool read_shared;
  /* scopes (lib/api) */
  api_scope *scopes;
  int nscopes, scopes_cap;
  /* rng */
  uint64_t seed, rng_offset;
  /* runtime */
  struct rt_pool *pool;
  struct rt_alloc *balloc;
  int nthreads;
  tc_tensor *handles; /* live handles, freed by tc_ctx_free */
  tc_device default_dev; /* where creation functions put new tensors */
  uint64_t cuda_seed;    /* tc_cuda_manual_seed (shares the Philox stream) */
  bool use_interp;    /* run kernels in the reference interpreter */
  struct rt_sched_cache *scache; /* schedules of structures seen (schedule.h) */
  struct rt_walk *walk;          /* the realization's walk (scratch) */
  int index_check; /* tc_index_check: when index bounds are checked */
  /* the CHECK node whose kernel found an index out of bounds (held), and
     its value: set by the runtime step, worded by rt_realize_nodes */
  struct ir_node *chk_failed;
  int64_t chk_left;
  uint64_t interp_budget; /* a kernel is interpreted until it has cost this
                             many value evaluations (TC_INTERP_BUDGET) */
};

/* ---- dtypes (tensor.c): the public tc_dtype_* helpers call these ---- */
const char *ir_dtype_name(tc_dtype dt); /* "float32", "int64", ... */
size_t ir_dtype_size(tc_dtype dt);
/* The least and greatest value of an integer or bool dtype (bool: 0, 1). */
int64_t ir_dtype_int_min(tc_dtype dt);
int64_t ir_dtype_int_max(tc_dtype dt);
bool ir_dtype_is_floating(tc_dtype dt);
/* PyTorch's result_type of two dtypes (tensor operands). */
tc_dtype ir_promote_types(tc_dtype a, tc_dtype b);

/* ---- context helpers (node.c) ---- */
void *ir_alloc(tc_ctx *ctx, size_t size); /* through the hook; NULL on OOM */
void ir_free(tc_ctx *ctx, void *p);
/* Sets the sticky error (only the first one sticks); returns NULL. */
void *ir_error(tc_ctx *ctx, tc_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* When the sticky error came from an op that `fn` called internally, names
 * `fn` instead ("tc_full: ..." -> "tc_zeros: ..."). */
void ir_error_rename(tc_ctx *ctx, const char *fn);
/* Sets b's error for the offending index value v (build.c); returns NULL. */
void *ir_bounds_error(tc_ctx *ctx, const ir_bounds *b, int64_t v);
/* Checks a value fits integer dtype dt (PyTorch's "value cannot be
 * converted to type int8_t without overflow"); floats always fit. */
bool ir_check_scalar(tc_ctx *ctx, const char *fn, double v, tc_dtype dt);
/* PyTorch's name of a dtype in messages: "Float", "Long", "Bool"... */
const char *ir_torch_word(tc_dtype dt);
/* The C++ type PyTorch names in some messages ("unsigned char", "c10::Half"). */
const char *ir_cpp_type_name(tc_dtype dt);
/* "[2, -3]" into buf. */
const char *ir_shape_str(char *buf, size_t cap, int ndim, const int64_t *shape);
void ir_debug(tc_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ir_debug_text(tc_ctx *ctx, const char *text);

/* ---- nodes (node.c) ---- */
ir_node *ir_node_new(tc_ctx *ctx, int op, tc_dtype dt, int ndim,
                     const int64_t *shape);
/* Frees the context's node pool (every node, live or not: tc_ctx_free). */
void ir_node_pool_free(tc_ctx *ctx);
void ir_node_retain(ir_node *n);
void ir_node_release(tc_ctx *ctx, ir_node *n);
/* -1 reference on b; b->destroy frees it at 0. NULL is a no-op. */
void ir_buffer_release(rt_buffer *b);
/* Turns n into a BUFFER node holding buf (takes the caller's reference on
 * buf), releasing its inputs. */
void ir_node_become_buffer(tc_ctx *ctx, ir_node *n, rt_buffer *buf);
int64_t ir_numel(int ndim, const int64_t *shape);
void ir_contig_strides(int ndim, const int64_t *shape, int64_t *strides);
/* Graph IR text of the nodes reachable from roots (deterministic). */
char *ir_print(tc_ctx *ctx, ir_node *const *roots, int nroots);

/* ---- tensors (tensor.c) ----
 * Handles made here have one reference (the caller's) and are on the
 * context's list of live handles; lib/api records the ones it returns in
 * the open scope. */
/* A new handle of a new storage whose version is `node` (takes the caller's
 * reference on node; NULL node: NULL). */
tc_tensor *ir_tensor_from_node(tc_ctx *ctx, ir_node *node);
/* A handle over a new storage holding node (taken), with the given strides
 * (a dense layout, from ir_result_strides): the storage is node's elements
 * in that memory order, so the kernel that stores it writes in that order. */
tc_tensor *ir_tensor_from_node_strided(tc_ctx *ctx, ir_node *node, const int64_t *strides);
/* PyTorch's layout of a new result of (ndim, shape) computed from `ins`:
 *  IR_LAYOUT_ITER         an op over tensors (TensorIterator: contiguous
 *                         when they all are; their strides when they all
 *                         have the result's shape and one dense layout;
 *                         else the dims ordered as the operands' strides)
 *  IR_LAYOUT_ITER_SCALAR  the same, with a Python scalar among the operands
 *                         (it has another shape, so no fast set-up)
 *  IR_LAYOUT_LIKE         *_like, clone, casts (memory_format=preserve:
 *                         a dense input's strides exactly, else its order) */
typedef enum { IR_LAYOUT_ITER, IR_LAYOUT_ITER_SCALAR, IR_LAYOUT_LIKE } ir_layout;
void ir_result_strides(int ndim, const int64_t *shape, tc_tensor *const *ins, int n, ir_layout how,
                       int64_t *strides);
/* The strides of a new (ndim, shape) tensor in memory format fmt
 * (contiguous, channels_last: 4-D, channels_last_3d: 5-D, PyTorch's
 * formulas, size-0 dims included); false with PyTorch's message (named fn)
 * for a wrong rank or preserve_format. */
bool ir_format_strides(tc_ctx *ctx, const char *fn, tc_memory_format fmt, int ndim, const int64_t *shape,
                       int64_t *strides);
/* is_contiguous(memory_format=fmt) (PyTorch's is_channels_last_contiguous
 * and the like). */
bool ir_tensor_is_format(const tc_tensor *t, tc_memory_format fmt);
/* PyTorch's is_non_overlapping_and_dense: the dims of size 2 or more,
 * ordered by stride, are a contiguous layout (a permutation of one). */
bool ir_tensor_is_dense(const tc_tensor *t);
/* ir_tensor_view without a base: an alias that is not a view (a same-dtype
 * cast, an import), or (ir_tensor_drop_base) a composite op's result that
 * views a temporary of its own: PyTorch's result is a new tensor. */
tc_tensor *ir_tensor_alias(tc_tensor *t, int ndim, const int64_t *shape, const int64_t *strides, int64_t offset);
void ir_tensor_drop_base(tc_tensor *t);
/* A new handle of a new storage whose version is a BUFFER node holding buf
 * (takes the caller's reference on buf, released on failure), on buf's
 * device. */
tc_tensor *ir_tensor_from_buffer(tc_ctx *ctx, rt_buffer *buf, tc_dtype dt, int ndim,
                                 const int64_t *shape);
/* A new handle viewing t's storage: a view whose base is t's (or t). */
tc_tensor *ir_tensor_view(tc_tensor *t, int ndim, const int64_t *shape,
                          const int64_t *strides, int64_t offset);
/* -1 reference; at 0 the handle leaves the live list and drops its storage.
 * NULL is a no-op. */
void ir_tensor_release(tc_tensor *t);
/* The node for t's current value (a new reference). */
ir_node *ir_tensor_node(tc_tensor *t);
bool ir_view_is_identity(const tc_tensor *t);
int64_t ir_tensor_numel(const tc_tensor *t);
/* PyTorch's rule: sizes of 1 (and empty tensors) impose no stride. */
bool ir_tensor_is_contiguous(const tc_tensor *t);
tc_device ir_tensor_device(const tc_tensor *t);

/* The temporaries of a composite op: handles made while building it,
 * released together once its result is made. */
#define IR_MAX_TEMPS 32
typedef struct ir_temps {
  tc_tensor *t[IR_MAX_TEMPS];
  int n;
} ir_temps;
/* Records t (NULL is ignored) and returns it. */
tc_tensor *ir_temp(ir_temps *s, tc_tensor *t);
void ir_temps_release(ir_temps *s);

/* ---- builders (build.c): nodes with shape/dtype rules ---- */
ir_node *ir_view(tc_ctx *ctx, ir_node *in, int ndim, const int64_t *shape,
                 const int64_t *strides, int64_t offset);
ir_node *ir_ew(tc_ctx *ctx, int op, tc_dtype dt, ir_node *a, ir_node *b,
               ir_node *c);
ir_node *ir_cast(tc_ctx *ctx, ir_node *a, tc_dtype dt);
/* PyTorch's result_type of two tensors (0-d ones count less). */
tc_dtype ir_result_type(tc_dtype a, bool a_0d, tc_dtype b, bool b_0d);
ir_node *ir_expand_to(tc_ctx *ctx, ir_node *a, int ndim, const int64_t *shape);
ir_node *ir_const(tc_ctx *ctx, double f, int64_t i, tc_dtype dt, int ndim,
                  const int64_t *shape);
/* A COPY of a (borrowed) onto dev; a itself (retained) when already there. */
ir_node *ir_copy_to(tc_ctx *ctx, ir_node *a, tc_device dev);
bool ir_same_device(tc_device a, tc_device b);
/* "cpu", "cuda:0" into buf (at least 16 bytes); returns buf. */
const char *ir_device_str(tc_device d, char *buf);

#endif
