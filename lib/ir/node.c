/*
 * node.c — graph nodes: the op table's columns, a per-context node pool
 * (nodes are recycled through a free list, chunks come from the allocator
 * hook), reference counting, errors and debug output, and the graph IR
 * printer.
 *
 * Releasing a node releases its inputs iteratively (an explicit stack in the
 * freed nodes' next_free links), so a long chain of lazy ops cannot overflow
 * the C stack when its last handle goes away.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ir.h"

const char *const ir_op_name[OP_COUNT] = {
#define X(e, n, ar, kind) n,
#include "ops.def"
#undef X
};
const int ir_op_arity[OP_COUNT] = {
#define X(e, n, ar, kind) ar,
#include "ops.def"
#undef X
};
#define SRC K_SRC
#define EW K_EW
#define RED K_RED
#define MOVE K_MOVE
#define WRITE K_WRITE
#define MM K_MM
#define XFER K_XFER
#define CAT K_CAT
#define GATHER K_GATHER
#define SCAN K_SCAN
const ir_kind ir_op_kind[OP_COUNT] = {
#define X(e, n, ar, kind) kind,
#include "ops.def"
#undef X
};
#undef SRC
#undef EW
#undef RED
#undef MOVE
#undef WRITE
#undef XFER
#undef CAT
#undef MM

void *ir_alloc(tc_ctx *ctx, size_t size) {
  return ctx->al.alloc(size ? size : 1, ctx->al.user);
}

void ir_free(tc_ctx *ctx, void *p) {
  if (p) ctx->al.free(p, ctx->al.user);
}

void *ir_error(tc_ctx *ctx, tc_status st, const char *fmt, ...) {
  if (!ctx || ctx->status != TC_OK) return NULL;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ctx->err, sizeof ctx->err, fmt, ap);
  va_end(ap);
  ctx->status = st;
  return NULL;
}

void ir_error_rename(tc_ctx *ctx, const char *fn) {
  if (!ctx || ctx->status == TC_OK || strncmp(ctx->err, "tc_", 3) != 0) return;
  const char *colon = strstr(ctx->err, ": ");
  if (!colon) return;
  char rest[sizeof ctx->err];
  snprintf(rest, sizeof rest, "%s", colon);
  snprintf(ctx->err, sizeof ctx->err, "%s%s", fn, rest);
}

bool ir_check_scalar(tc_ctx *ctx, const char *fn, double v, tc_dtype dt) {
  static const char *cname[] = {"bool", "uint8_t", "int8_t", "int16_t", "int", "int64_t"};
  /* unsigned: PyTorch accepts -max..max and wraps (fill_(-1) gives 255) */
  static const double lo[] = {0, -255, -128, -32768, -2147483648.0, -9223372036854775808.0};
  static const double hi[] = {1, 255, 127, 32767, 2147483647.0, 9223372036854775807.0};
  if (ir_dtype_is_floating(dt) || dt == TC_BOOL) return true;
  if (v != v || v < lo[dt] || v > hi[dt] || (dt == TC_I64 && v >= 9223372036854775807.0)) {
    ir_error(ctx, TC_ERR_ARG, "%s: value cannot be converted to type %s without overflow", fn, cname[dt]);
    return false;
  }
  return true;
}

const char *ir_torch_word(tc_dtype dt) {
  static const char *w[] = {"Bool", "Byte", "Char", "Short", "Int", "Long",
                            "Half", "BFloat16", "Float", "Double"};
  return (unsigned)dt < TC_NUM_DTYPES ? w[dt] : "?";
}

const char *ir_cpp_type_name(tc_dtype dt) {
  static const char *w[] = {"bool", "unsigned char", "signed char", "short int", "int", "long int",
                            "c10::Half", "c10::BFloat16", "float", "double"};
  return (unsigned)dt < TC_NUM_DTYPES ? w[dt] : "?";
}

const char *ir_shape_str(char *buf, size_t cap, int ndim, const int64_t *shape) {
  size_t n = (size_t)snprintf(buf, cap, "[");
  for (int d = 0; d < ndim && n < cap; d++)
    n += (size_t)snprintf(buf + n, cap - n, d ? ", %lld" : "%lld", (long long)shape[d]);
  if (n < cap) snprintf(buf + n, cap - n, "]");
  return buf;
}

void ir_debug_text(tc_ctx *ctx, const char *text) {
  if (ctx->opts.debug_sink)
    ctx->opts.debug_sink(text, ctx->opts.debug_user);
  else
    fputs(text, stderr);
}

void ir_debug(tc_ctx *ctx, const char *fmt, ...) {
  char buf[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  ir_debug_text(ctx, buf);
}

int64_t ir_numel(int ndim, const int64_t *shape) {
  int64_t n = 1;
  for (int d = 0; d < ndim; d++) n *= shape[d];
  return n;
}

void ir_contig_strides(int ndim, const int64_t *shape, int64_t *strides) {
  int64_t s = 1;
  for (int d = ndim - 1; d >= 0; d--) {
    strides[d] = s;
    s *= shape[d] > 1 ? shape[d] : 1;
  }
}

#define NODES_PER_CHUNK 256

static bool grow_pool(tc_ctx *ctx) {
  if (ctx->nchunks == ctx->chunks_cap) {
    int cap = ctx->chunks_cap ? ctx->chunks_cap * 2 : 16;
    void **c = ir_alloc(ctx, sizeof(void *) * cap);
    if (!c) return false;
    if (ctx->node_chunks) memcpy(c, ctx->node_chunks, sizeof(void *) * ctx->nchunks);
    ir_free(ctx, ctx->node_chunks);
    ctx->node_chunks = c;
    ctx->chunks_cap = cap;
  }
  ir_node *chunk = ir_alloc(ctx, sizeof(ir_node) * NODES_PER_CHUNK);
  if (!chunk) return false;
  ctx->node_chunks[ctx->nchunks++] = chunk;
  for (int i = 0; i < NODES_PER_CHUNK; i++) {
    chunk[i].next_free = ctx->free_nodes;
    ctx->free_nodes = &chunk[i];
  }
  return true;
}

void ir_node_pool_free(tc_ctx *ctx) {
  for (int i = 0; i < ctx->nchunks; i++) ir_free(ctx, ctx->node_chunks[i]);
  ir_free(ctx, ctx->node_chunks);
  ctx->node_chunks = NULL;
  ctx->nchunks = ctx->chunks_cap = 0;
  ctx->free_nodes = NULL;
}

ir_node *ir_node_new(tc_ctx *ctx, int op, tc_dtype dt, int ndim,
                     const int64_t *shape) {
  if (!ctx->free_nodes && !grow_pool(ctx))
    return ir_error(ctx, TC_ERR_OOM, "out of memory allocating a graph node");
  ir_node *n = ctx->free_nodes;
  ctx->free_nodes = n->next_free;
  memset(n, 0, sizeof *n);
  n->op = op;
  n->dt = dt;
  n->ndim = ndim;
  if (ndim) memcpy(n->shape, shape, sizeof(int64_t) * ndim);
  n->refs = 1;
  n->dev = ctx->default_dev;
  n->id = ctx->next_id++;
  ctx->live_nodes++;
  return n;
}

void ir_buffer_release(rt_buffer *b) {
  if (b && --b->refs == 0) b->destroy(b);
}

void ir_node_retain(ir_node *n) {
  if (n) n->refs++;
}

void ir_node_release(tc_ctx *ctx, ir_node *n) {
  ir_node *stack = NULL;
  if (n && --n->refs == 0) {
    n->next_free = NULL;
    stack = n;
  }
  while (stack) {
    ir_node *m = stack;
    stack = m->next_free;
    for (int i = 0; i < m->nin; i++) {
      ir_node *in = m->in[i];
      if (in && --in->refs == 0) {
        in->next_free = stack;
        stack = in;
      }
    }
    if (m->op == OP_CHECK && m->p.chk.idx && --m->p.chk.idx->refs == 0) {
      m->p.chk.idx->next_free = stack;
      stack = m->p.chk.idx;
    }
    if (m->buf) ir_buffer_release(m->buf);
    m->buf = NULL;
    m->nin = 0;
    m->op = -1;
    m->next_free = ctx->free_nodes;
    ctx->free_nodes = m;
    ctx->live_nodes--;
  }
}

void ir_node_become_buffer(tc_ctx *ctx, ir_node *n, rt_buffer *buf) {
  ir_node *ins[4];
  int nin = n->nin;
  memcpy(ins, n->in, sizeof ins);
  ir_node *chk_idx = n->op == OP_CHECK ? n->p.chk.idx : NULL;
  if (n->buf) ir_buffer_release(n->buf);
  n->op = OP_BUFFER;
  n->nin = 0;
  memset(n->in, 0, sizeof n->in);
  memset(&n->p, 0, sizeof n->p);
  n->buf = buf;
  for (int i = 0; i < nin; i++) ir_node_release(ctx, ins[i]);
  ir_node_release(ctx, chk_idx);
}

/* ---- printer ---------------------------------------------------------- */

typedef struct sbuf {
  char *s;
  size_t n, cap;
  bool oom;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) {
  if (b->oom) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
    va_end(ap);
    if (need < 0) return;
    if (b->s && b->n + (size_t)need < b->cap) {
      b->n += (size_t)need;
      return;
    }
    size_t cap = b->cap ? b->cap * 2 : 256;
    while (cap < b->n + (size_t)need + 1) cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
      b->oom = true;
      return;
    }
    b->s = s;
    b->cap = cap;
  }
}

static void print_shape(sbuf *b, int ndim, const int64_t *shape) {
  sb_printf(b, "[");
  for (int d = 0; d < ndim; d++) sb_printf(b, d ? ", %lld" : "%lld", (long long)shape[d]);
  sb_printf(b, "]");
}

/* Numbers nodes in post order (inputs first) from 1, via n->pid, with an
 * explicit stack (graphs can be deep). pid -1 marks "inputs pushed". */
static bool number(ir_node *root, int *next, ir_node **order, int cap) {
  int scap = 256, sn = 0;
  ir_node **stack = malloc(sizeof(ir_node *) * scap);
  if (!stack) return false;
  if (root->pid == 0) stack[sn++] = root;
  while (sn) {
    ir_node *n = stack[sn - 1];
    if (n->pid > 0) {
      sn--;
      continue;
    }
    if (n->pid == 0) {
      n->pid = -1;
      for (int i = n->nin - 1; i >= 0; i--) {
        if (n->in[i]->pid != 0) continue;
        if (sn == scap) {
          ir_node **s2 = realloc(stack, sizeof(ir_node *) * scap * 2);
          if (!s2) {
            free(stack);
            return false;
          }
          stack = s2;
          scap *= 2;
        }
        stack[sn++] = n->in[i];
      }
      continue;
    }
    sn--;
    if (*next < cap) order[*next] = n;
    n->pid = ++*next;
  }
  free(stack);
  return true;
}

char *ir_print(tc_ctx *ctx, ir_node *const *roots, int nroots) {
  (void)ctx;
  int count = 0;
  int cap = 1 << 20;
  ir_node **order = malloc(sizeof(ir_node *) * cap);
  if (!order) return NULL;
  bool ok = true;
  for (int r = 0; r < nroots && ok; r++) ok = number(roots[r], &count, order, cap);
  sbuf b = {0};
  for (int i = 0; i < count && i < cap; i++) {
    ir_node *n = order[i];
    sb_printf(&b, "%%%d = %s %s", n->pid - 1, ir_op_name[n->op], ir_dtype_name(n->dt));
    print_shape(&b, n->ndim, n->shape);
    for (int j = 0; j < n->nin; j++) sb_printf(&b, j ? ", %%%d" : " %%%d", n->in[j]->pid - 1);
    switch (n->op) {
    case OP_CONST:
      if (ir_dtype_is_floating(n->dt)) sb_printf(&b, " value=%.17g", n->p.k.f);
      else sb_printf(&b, " value=%lld", (long long)n->p.k.i);
      break;
    case OP_IOTA: sb_printf(&b, " axis=%d", n->p.axis); break;
    case OP_CAT: sb_printf(&b, " dim=%d split=%lld", n->p.cat.dim, (long long)n->p.cat.split); break;
    case OP_SCAN:
      sb_printf(&b, " dim=%d op=%s%s", n->p.scan.dim, n->p.scan.op == OP_RLSE ? "logaddexp" : ir_op_name[n->p.scan.op],
                n->p.scan.wide ? " wide" : "");
      break;
    case OP_RAND: case OP_RANDN: case OP_RANDBITS:
      sb_printf(&b, " seed=%llu offset=%llu", (unsigned long long)n->p.rng.seed,
                (unsigned long long)n->p.rng.offset);
      break;
    case OP_MATMUL:
      sb_printf(&b, " k=%lld a_offset=%lld a_strides=", (long long)n->p.mm.k, (long long)n->p.mm.a_off);
      print_shape(&b, n->ndim, n->p.mm.a_str);
      sb_printf(&b, " b_offset=%lld b_strides=", (long long)n->p.mm.b_off);
      print_shape(&b, n->ndim, n->p.mm.b_str);
      break;
    case OP_SCATTER:
      sb_printf(&b, "%s%s%s", n->p.sc.acc ? " accumulate " : "", n->p.sc.acc ? ir_op_name[n->p.sc.acc] : "",
                n->p.sc.unique ? " unique" : "");
      break;
    case OP_VIEW: case OP_WRITE: {
      int nd = n->op == OP_VIEW ? n->ndim : n->in[1]->ndim;
      sb_printf(&b, " strides=");
      print_shape(&b, nd, n->p.v.strides);
      sb_printf(&b, " offset=%lld", (long long)n->p.v.offset);
      break;
    }
    default:
      if (ir_op_kind[n->op] == K_RED) {
        sb_printf(&b, " axes=[");
        int first = 1;
        for (int d = 0; d < n->in[0]->ndim; d++)
          if (n->p.red.axes >> d & 1) {
            sb_printf(&b, first ? "%d" : ", %d", d);
            first = 0;
          }
        sb_printf(&b, "]");
      }
    }
    if (n->op == OP_BUFFER) sb_printf(&b, " realized");
    else if (n->mark & 2 /* PM_MAT */) sb_printf(&b, " kernel");
    sb_printf(&b, "\n");
  }
  for (int i = 0; i < count && i < cap; i++) order[i]->pid = 0;
  free(order);
  if (!ok) {
    free(b.s);
    return NULL;
  }
  if (b.oom) {
    free(b.s);
    return NULL;
  }
  if (!b.s) {
    b.s = malloc(1);
    if (b.s) b.s[0] = 0;
  }
  return b.s;
}
