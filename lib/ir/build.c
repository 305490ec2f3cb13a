/*
 * build.c — elementwise op builders: broadcasting, type promotion, scalars.
 *
 * An op (ir_op_binary, for tc_add ...) reads its operands' nodes, checks
 * and broadcasts their shapes (PyTorch's rule: right to left, equal or 1,
 * missing leading dims are 1), promotes their dtypes (PyTorch's result_type,
 * with Python scalars as weak operands), inserts explicit casts to the op's
 * compute dtype (float16/bfloat16 are computed in float32) and expand views,
 * and records one EW node. Each EW node thus has inputs of one shape and one
 * dtype, which is what the fusion and codegen layers rely on.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "builders.h"

/* ---- node builders (inputs borrowed, result a new reference) ---------- */

ir_node *ir_view(tc_ctx *ctx, ir_node *in, int ndim, const int64_t *shape,
                 const int64_t *strides, int64_t offset) {
  if (!in) return NULL;
  ir_node *n = ir_node_new(ctx, OP_VIEW, in->dt, ndim, shape);
  if (!n) return NULL;
  n->dev = in->dev;
  n->nin = 1;
  n->in[0] = in;
  ir_node_retain(in);
  if (ndim) memcpy(n->p.v.strides, strides, sizeof(int64_t) * ndim);
  n->p.v.offset = offset;
  return n;
}

bool ir_same_device(tc_device a, tc_device b) {
  return a.type == b.type && (a.type == TC_CPU || a.index == b.index);
}

const char *ir_device_str(tc_device d, char *buf) {
  if (d.type == TC_CPU) snprintf(buf, 16, "cpu");
  else snprintf(buf, 16, "cuda:%d", d.index);
  return buf;
}

ir_node *ir_copy_to(tc_ctx *ctx, ir_node *a, tc_device dev) {
  if (!a) return NULL;
  if (ir_same_device(a->dev, dev)) {
    ir_node_retain(a);
    return a;
  }
  ir_node *n = ir_node_new(ctx, OP_COPY, a->dt, a->ndim, a->shape);
  if (!n) return NULL;
  n->dev = dev;
  n->nin = 1;
  n->in[0] = a;
  ir_node_retain(a);
  return n;
}

/* PyTorch's device rule for the operands of a public op: all on one
 * device, except that a 0-d CPU tensor may join an op on another device. */
bool ir_same_device_operands(tc_ctx *ctx, const char *fn, tc_tensor *const *ts, int n) {
  tc_device dev = {TC_CPU, 0};
  bool have = false;
  for (int i = 0; i < n; i++) {
    tc_device d = ts[i]->st->version->dev;
    if (ts[i]->ndim == 0 && d.type == TC_CPU) continue;
    if (!have) {
      dev = d;
      have = true;
    } else if (!ir_same_device(dev, d)) {
      char x[16], y[16];
      tc_device g = dev.type == TC_CPU ? d : dev, o = dev.type == TC_CPU ? dev : d;
      ir_error(ctx, TC_ERR_ARG,
               "%s: Expected all tensors to be on the same device, but found at least two "
               "devices, %s and %s!", fn, ir_device_str(g, x), ir_device_str(o, y));
      return false;
    }
  }
  return true;
}

/* A 0-d CPU operand of an op on another device is copied there before it
 * is broadcast (PyTorch's CPU-scalar rule, as in pick_device: an expanded
 * view of it would no longer be 0-d). ns are owned references, replaced. */
static void scalars_follow(tc_ctx *ctx, ir_node **ns, int n) {
  const ir_node *on = NULL;
  for (int i = 0; i < n; i++)
    if (ns[i] && ns[i]->op != OP_CONST && !(ns[i]->ndim == 0 && ns[i]->dev.type == TC_CPU) &&
        ns[i]->dev.type != TC_CPU) {
      on = ns[i];
      break;
    }
  if (!on) return;
  for (int i = 0; i < n; i++)
    if (ns[i] && ns[i]->op != OP_CONST && ns[i]->ndim == 0 && ns[i]->dev.type == TC_CPU) {
      ir_node *c = ir_copy_to(ctx, ns[i], on->dev);
      ir_node_release(ctx, ns[i]);
      ns[i] = c;
    }
}

/* Constants go anywhere; a 0-d CPU tensor may join a GPU op (PyTorch's rule
 * for CPU scalars); any other mix of devices is PyTorch's error. */
static bool pick_device(tc_ctx *ctx, const char *what, ir_node *const *ins, int n, tc_device *out) {
  bool have = false;
  *out = ctx->default_dev;
  for (int i = 0; i < n; i++) {
    ir_node *x = ins[i];
    if (x->op == OP_CONST || (x->ndim == 0 && x->dev.type == TC_CPU)) continue;
    if (!have) {
      *out = x->dev;
      have = true;
    } else if (!ir_same_device(*out, x->dev)) {
      char a[16], b[16];
      tc_device g = out->type == TC_CPU ? x->dev : *out;
      tc_device o = out->type == TC_CPU ? *out : x->dev;
      ir_error(ctx, TC_ERR_ARG,
               "%s: Expected all tensors to be on the same device, but found at least two "
               "devices, %s and %s!", what, ir_device_str(g, a), ir_device_str(o, b));
      return false;
    }
  }
  if (!have) { /* all constants / CPU scalars: a constant made on a GPU
                 * (torch.full((), v, device="cuda")) keeps the op there;
                 * else where the non-constant ones are */
    for (int i = 0; i < n && !have; i++)
      if (ins[i]->op == OP_CONST && ins[i]->dev.type != TC_CPU) *out = ins[i]->dev, have = true;
    for (int i = 0; i < n && !have; i++)
      if (ins[i]->op != OP_CONST) *out = ins[i]->dev, have = true;
  }
  return true;
}

ir_node *ir_ew(tc_ctx *ctx, int op, tc_dtype dt, ir_node *a, ir_node *b,
               ir_node *c) {
  int ar = ir_op_arity[op];
  if (!a || (ar > 1 && !b) || (ar > 2 && !c)) return NULL;
  ir_node *ins[3] = {a, b, c};
  tc_device dev;
  if (!pick_device(ctx, ir_op_name[op], ins, ar, &dev)) return NULL;
  ir_node *n = ir_node_new(ctx, op, dt, a->ndim, a->shape);
  if (!n) return NULL;
  n->dev = dev;
  n->nin = ar;
  for (int i = 0; i < ar; i++) {
    /* a CPU scalar joining a GPU op is copied there first */
    ir_node *x = ins[i]->op == OP_CONST ? (ir_node_retain(ins[i]), ins[i])
                                        : ir_copy_to(ctx, ins[i], dev);
    if (!x) {
      n->nin = i;
      ir_node_release(ctx, n);
      return NULL;
    }
    n->in[i] = x;
  }
  return n;
}

/* Folds a cast of a constant where the value is exactly representable by
 * plain C conversion (kernel.h's CAST rules agree there). */
static bool fold_cast(const ir_node *a, tc_dtype dt, double *f, int64_t *i) {
  bool from_f = ir_dtype_is_floating(a->dt);
  if (dt == TC_F16 || dt == TC_BF16 || a->dt == TC_F16 || a->dt == TC_BF16) return false;
  if (dt == TC_F32 || dt == TC_F64) {
    double v = from_f ? a->p.k.f : (double)a->p.k.i;
    *f = dt == TC_F32 ? (double)(float)v : v;
    *i = 0;
    return true;
  }
  int64_t v;
  if (from_f) {
    double x = a->p.k.f;
    if (!(x > -9.2e18 && x < 9.2e18)) return false;
    v = (int64_t)x;
  } else {
    v = a->p.k.i;
  }
  switch (dt) {
  case TC_BOOL: *i = from_f ? a->p.k.f != 0 : v != 0; break;
  case TC_U8: *i = (uint8_t)v; break;
  case TC_I8: *i = (int8_t)v; break;
  case TC_I16: *i = (int16_t)v; break;
  case TC_I32: *i = (int32_t)v; break;
  default: *i = v;
  }
  *f = (double)*i;
  return true;
}

ir_node *ir_cast(tc_ctx *ctx, ir_node *a, tc_dtype dt) {
  if (!a) return NULL;
  if (a->dt == dt) {
    ir_node_retain(a);
    return a;
  }
  double f;
  int64_t i;
  if (a->op == OP_CONST && fold_cast(a, dt, &f, &i)) {
    ir_node *k = ir_const(ctx, f, i, dt, a->ndim, a->shape);
    if (k) k->dev = a->dev;
    return k;
  }
  return ir_ew(ctx, OP_CAST, dt, a, NULL, NULL);
}

ir_node *ir_const(tc_ctx *ctx, double f, int64_t i, tc_dtype dt, int ndim,
                  const int64_t *shape) {
  ir_node *n = ir_node_new(ctx, OP_CONST, dt, ndim, shape);
  if (!n) return NULL;
  if (ir_dtype_is_floating(dt)) {
    n->p.k.f = f;
    n->p.k.i = (int64_t)f;
  } else {
    n->p.k.i = dt == TC_BOOL ? (i != 0) : i;
    n->p.k.f = (double)n->p.k.i;
  }
  return n;
}

/* Expands a (borrowed) to ndim/shape: missing leading dims and dims of size 1
 * get stride 0. The caller has checked that the shapes broadcast. */
ir_node *ir_expand_to(tc_ctx *ctx, ir_node *a, int ndim, const int64_t *shape) {
  if (!a) return NULL;
  bool same = a->ndim == ndim;
  for (int d = 0; same && d < ndim; d++) same = a->shape[d] == shape[d];
  if (same) {
    ir_node_retain(a);
    return a;
  }
  if (a->op == OP_CONST) { /* a constant broadcasts to anything for free */
    ir_node *k = ir_const(ctx, a->p.k.f, a->p.k.i, a->dt, ndim, shape);
    if (k) k->dev = a->dev;
    return k;
  }
  int64_t cs[TC_MAX_DIMS], st[TC_MAX_DIMS];
  ir_contig_strides(a->ndim, a->shape, cs);
  int off = ndim - a->ndim;
  for (int d = 0; d < ndim; d++) {
    int sd = d - off;
    st[d] = (sd < 0 || a->shape[sd] == 1) ? 0 : cs[sd];
  }
  return ir_view(ctx, a, ndim, shape, st, 0);
}

/* ---- shapes and dtypes ------------------------------------------------- */

/* Broadcast shape of a and b into out; false (with PyTorch's message) when
 * they are incompatible. */
static bool broadcast(tc_ctx *ctx, const char *fn, const ir_node *a,
                      const ir_node *b, int *ndim, int64_t *out) {
  int n = a->ndim > b->ndim ? a->ndim : b->ndim;
  for (int i = n - 1; i >= 0; i--) { /* PyTorch names the last mismatch */
    int da = a->ndim - n + i, db = b->ndim - n + i;
    int64_t sa = da >= 0 ? a->shape[da] : 1, sb = db >= 0 ? b->shape[db] : 1;
    if (sa != sb && sa != 1 && sb != 1) {
      ir_error(ctx, TC_ERR_ARG,
               "%s: The size of tensor a (%lld) must match the size of tensor b "
               "(%lld) at non-singleton dimension %d",
               fn, (long long)sa, (long long)sb, i);
      return false;
    }
    out[i] = sa == 1 ? sb : sa;
  }
  *ndim = n;
  return true;
}

tc_dtype ir_compute_dt(tc_dtype dt) {
  return (dt == TC_F16 || dt == TC_BF16) ? TC_F32 : dt;
}

/* PyTorch's result_type of two tensor operands: a 0-d tensor only upcasts a
 * dimensioned one when its category (bool < integer < float) is higher. */
tc_dtype ir_result_type(tc_dtype a, bool a0d, tc_dtype b, bool b0d) {
  if (a0d == b0d) return ir_promote_types(a, b);
  tc_dtype dim = a0d ? b : a, zero = a0d ? a : b;
  if (ir_dtype_is_floating(dim)) return dim;
  if (dim == TC_BOOL || ir_dtype_is_floating(zero)) return ir_promote_types(dim, zero);
  return dim;
}

/* ---- generic elementwise ----------------------------------------------- */

/* out = op over (a, b) already broadcast to one shape and cast to the
 * compute dtype cdt; result dtype rdt (cast back when they differ, e.g. for
 * float16). Consumes nothing; returns a new reference. */
static ir_node *ew_typed(tc_ctx *ctx, int op, tc_dtype cdt, tc_dtype rdt,
                         ir_node *a, ir_node *b, ir_node *c) {
  ir_node *ca = ir_cast(ctx, a, cdt);
  ir_node *cb = b ? ir_cast(ctx, b, cdt) : NULL;
  bool cmp = op >= OP_EQ && op <= OP_GE;
  bool pred = cmp || op == OP_ISNAN || op == OP_ISINF || op == OP_ISFINITE;
  ir_node *r = ir_ew(ctx, op, pred ? TC_BOOL : cdt, ca, cb, c);
  ir_node_release(ctx, ca);
  if (cb) ir_node_release(ctx, cb);
  if (!r || pred || rdt == cdt) return r;
  ir_node *out = ir_cast(ctx, r, rdt);
  ir_node_release(ctx, r);
  return out;
}

/* The result's handle, laid out as PyTorch lays out the result of an op
 * over ins (ir_result_strides). */
static tc_tensor *finish(tc_ctx *ctx, ir_node *n, tc_tensor *const *ins, int nins, ir_layout how) {
  if (!n) return NULL;
  int64_t st[TC_MAX_DIMS];
  ir_result_strides(n->ndim, n->shape, ins, nins, how, st);
  return ir_tensor_from_node_strided(ctx, n, st);
}

/* The dtype a binary op computes in and returns, or false with PyTorch's
 * error. dt is the promoted dtype, da/db the operands' own. */
static bool binary_types(tc_ctx *ctx, int op, const char *fn, tc_dtype dt, tc_dtype da,
                         tc_dtype db, tc_dtype *cdt, tc_dtype *rdt) {
  bool f = ir_dtype_is_floating(dt);
  switch (op) {
  case OP_DIV:
    *rdt = f ? dt : TC_F32;
    break;
  case OP_SUB:
    if (da == TC_BOOL && db == TC_BOOL) {
      ir_error(ctx, TC_ERR_ARG,
               "%s: Subtraction, the `-` operator, with two bool tensors is not "
               "supported. Use the `^` or `logical_xor()` operator instead.", fn);
      return false;
    }
    if (da == TC_BOOL || db == TC_BOOL) {
      ir_error(ctx, TC_ERR_ARG,
               "%s: Subtraction, the `-` operator, with a bool tensor is not supported. If "
               "you are trying to invert a mask, use the `~` or `logical_not()` operator "
               "instead.", fn);
      return false;
    }
    *rdt = dt;
    break;
  case OP_AND: case OP_OR: case OP_XOR:
    *cdt = TC_BOOL;
    *rdt = TC_BOOL;
    return true;
  case OP_BITAND: case OP_BITOR: case OP_BITXOR: case OP_SHL: case OP_SHR:
    if (f || (dt == TC_BOOL && (op == OP_SHL || op == OP_SHR))) {
      static const char *names[] = {"bitwise_and_cpu", "bitwise_or_cpu", "bitwise_xor_cpu",
                                    "lshift_cpu", "rshift_cpu"};
      ir_error(ctx, TC_ERR_ARG, "%s: \"%s\" not implemented for '%s'", fn,
               names[op - OP_BITAND], ir_torch_word(dt));
      return false;
    }
    *rdt = dt;
    break;
  case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE:
    *cdt = ir_compute_dt(dt);
    *rdt = TC_BOOL;
    return true;
  case OP_FLOORDIV: case OP_REM: case OP_POW:
    if (dt == TC_BOOL) {
      const char *k = op == OP_FLOORDIV ? "div_floor_cpu" : op == OP_REM ? "remainder_cpu" : "pow";
      ir_error(ctx, TC_ERR_ARG, "%s: \"%s\" not implemented for 'Bool'", fn, k);
      return false;
    }
    *rdt = dt;
    break;
  default:
    *rdt = dt;
  }
  *cdt = ir_compute_dt(*rdt);
  return true;
}

static const char *binop_fn[] = {
    "tc_add", "tc_sub", "tc_mul", "tc_div", "tc_floor_divide", "tc_remainder",
    "tc_pow", "tc_maximum", "tc_minimum", "tc_logical_and", "tc_logical_or",
    "tc_logical_xor", "tc_bitwise_and", "tc_bitwise_or", "tc_bitwise_xor",
    "tc_bitwise_left_shift", "tc_bitwise_right_shift", "tc_eq", "tc_ne",
    "tc_lt", "tc_le", "tc_gt", "tc_ge"};
static const int binop_op[] = {
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_FLOORDIV, OP_REM, OP_POW, OP_MAX,
    OP_MIN, OP_AND, OP_OR, OP_XOR, OP_BITAND, OP_BITOR, OP_BITXOR, OP_SHL,
    OP_SHR, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE};

const char *ir_binop_fn(tc_binop bop) {
  return (unsigned)bop <= TC_OP_GE ? binop_fn[bop] : NULL;
}

/* Binary op on nodes (borrowed) with the given operand dtype. */
static ir_node *binary_nodes(tc_ctx *ctx, tc_binop bop, ir_node *a, ir_node *b,
                             tc_dtype dt, tc_dtype da, tc_dtype db) {
  const char *fn = binop_fn[bop];
  int op = binop_op[bop];
  int ndim;
  int64_t shape[TC_MAX_DIMS];
  if (!broadcast(ctx, fn, a, b, &ndim, shape)) return NULL;
  tc_dtype cdt, rdt;
  if (!binary_types(ctx, op, fn, dt, da, db, &cdt, &rdt)) return NULL;
  /* PyTorch casts every operand to the common dtype before a float16 or
   * bfloat16 kernel widens it to float32, so an int32 -70000 is inf there
   * (-70000 / -1.5 is inf, not 46656). Its mul and true div kernels read a
   * one-element second operand (a Python scalar too) at its own value. */
  bool half = (dt == TC_F16 || dt == TC_BF16) && cdt != dt;
  bool keep_b = (op == OP_MUL || op == OP_DIV) && ir_numel(b->ndim, b->shape) == 1;
  bool cast_a = half && a->dt != dt, cast_b = half && b->dt != dt && !keep_b;
  ir_node *ra = cast_a ? ir_cast(ctx, a, dt) : a;
  ir_node *rb = cast_b ? ir_cast(ctx, b, dt) : b;
  ir_node *ea = ra ? ir_expand_to(ctx, ra, ndim, shape) : NULL;
  ir_node *eb = rb ? ir_expand_to(ctx, rb, ndim, shape) : NULL;
  ir_node *r = (ea && eb) ? ew_typed(ctx, op, cdt, rdt, ea, eb, NULL) : NULL;
  if (cast_a) ir_node_release(ctx, ra);
  if (cast_b) ir_node_release(ctx, rb);
  ir_node_release(ctx, ea);
  ir_node_release(ctx, eb);
  return r;
}

tc_tensor *ir_op_binary(tc_binop bop, tc_tensor *a, tc_tensor *b) {
  if (!a || !b) return NULL;
  if ((unsigned)bop > TC_OP_GE)
    return ir_error(a->ctx, TC_ERR_ARG, "tc_binary: invalid binary op code %d", (int)bop);
  tc_ctx *ctx = a->ctx;
  ir_node *nab[2] = {ir_tensor_node(a), ir_tensor_node(b)};
  scalars_follow(ctx, nab, 2);
  ir_node *na = nab[0], *nb = nab[1];
  tc_dtype dt = ir_result_type(a->dt, a->ndim == 0, b->dt, b->ndim == 0);
  tc_tensor *ops[2] = {a, b};
  ir_node *r = (na && nb && ir_same_device_operands(ctx, binop_fn[bop], ops, 2))
                   ? binary_nodes(ctx, bop, na, nb, dt, a->dt, b->dt) : NULL;
  ir_node_release(ctx, na);
  ir_node_release(ctx, nb);
  return finish(ctx, r, ops, 2, IR_LAYOUT_ITER);
}

/* PyTorch's result_type for a tensor and a Python scalar ("wrapped
 * number"): the scalar's category (int64 / the default float32) only counts
 * when it is higher than the tensor's. */
static tc_dtype scalar_result(tc_dtype t, bool is_float) {
  if (ir_dtype_is_floating(t)) return t;
  if (is_float) return TC_F32;
  return t == TC_BOOL ? TC_I64 : t;
}

static tc_tensor *binary_scalar(tc_binop bop, tc_tensor *a, double s, bool is_float, bool scalar_first,
                                ir_layout how);

tc_tensor *ir_op_binary_scalar(tc_binop bop, tc_tensor *a, double s, bool is_float,
                               bool scalar_first) {
  /* PyTorch wraps the scalar as a 0-d operand: no fast set-up */
  return binary_scalar(bop, a, s, is_float, scalar_first, IR_LAYOUT_ITER_SCALAR);
}

/* PyTorch's pow(tensor, scalar) on float32, float64 and bfloat16 takes
 * these exponents by other ops (PowKernel.cpp), so its bits are theirs:
 * 2 -> x*x, 3 -> x*x*x, -2 -> 1/(x*x), 0.5 -> sqrt, -0.5 -> rsqrt, -1 ->
 * reciprocal (bfloat16 rounding after each op). Float16 and the other
 * exponents stay pow, whose exponent is a kernel argument; these six are
 * code (each its own kernel). *r: the node, or NULL on failure; false when
 * the exponent is none of them. */
static bool pow_by_ops(tc_ctx *ctx, ir_node *x, double e, tc_dtype dt, ir_node **r) {
  *r = NULL;
  if (dt != TC_F32 && dt != TC_F64 && dt != TC_BF16) return false;
  tc_dtype cdt = dt == TC_BF16 ? TC_F32 : dt; /* computed in, rounded to dt */
  if (e == 0.5 || e == -0.5 || e == -1) {
    *r = ew_typed(ctx, e == 0.5 ? OP_SQRT : e == -1 ? OP_RECIP : OP_RSQRT, cdt, dt, x, NULL, NULL);
    return true;
  }
  if (e != 2 && e != 3 && e != -2) return false;
  ir_node *sq = ew_typed(ctx, OP_MUL, cdt, dt, x, x, NULL);
  if (e == 2 || !sq) *r = sq;
  else {
    *r = e == 3 ? ew_typed(ctx, OP_MUL, cdt, dt, sq, x, NULL) : ew_typed(ctx, OP_RECIP, cdt, dt, sq, NULL, NULL);
    ir_node_release(ctx, sq);
  }
  return true;
}

static tc_tensor *binary_scalar(tc_binop bop, tc_tensor *a, double s, bool is_float, bool scalar_first,
                                ir_layout how) {
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  if ((unsigned)bop > TC_OP_GE)
    return ir_error(ctx, TC_ERR_ARG, "tc_binary_scalar: invalid binary op code %d", (int)bop);
  tc_dtype dt = scalar_result(a->dt, is_float);
  int op = binop_op[bop];
  if (op == OP_POW && !scalar_first && !is_float && s < 0 && !ir_dtype_is_floating(a->dt))
    return ir_error(ctx, TC_ERR_ARG, "%s: Integers to negative integer powers are not allowed.",
                    binop_fn[bop]);
  /* PyTorch's s * t is t.mul(s): the scalar second, where its float16
   * kernel reads it at its own value (binary_nodes); the product is the same */
  if (op == OP_MUL) scalar_first = false;
  ir_node *na = ir_tensor_node(a);
  ir_node *r = NULL;
  if (op == OP_POW && !scalar_first && na && pow_by_ops(ctx, na, s, a->dt, &r)) {
    ir_node_release(ctx, na);
    return finish(ctx, r, &a, 1, how);
  }
  /* the scalar keeps its full value until the op's compute dtype (or, for
   * a float16 or bfloat16 op, PyTorch's rounding to it: binary_nodes) */
  ir_node *ns = ir_const(ctx, s, (int64_t)s, is_float ? TC_F64 : TC_I64, 0, NULL);
  tc_dtype sdt = is_float ? TC_F64 : TC_I64;
  if (na && ns)
    r = scalar_first ? binary_nodes(ctx, bop, ns, na, dt, sdt, a->dt)
                     : binary_nodes(ctx, bop, na, ns, dt, a->dt, sdt);
  ir_node_release(ctx, na);
  ir_node_release(ctx, ns);
  return finish(ctx, r, &a, 1, how);
}

/* ---- unary ------------------------------------------------------------- */

typedef enum { U_SAME, U_FLOAT, U_BOOL_OUT, U_INT_ONLY, U_ROUNDING } ukind;

/* PyTorch's refusals of bool (and, for gelu, integer) inputs. */
static bool unary_rejects(tc_ctx *ctx, int op, tc_dtype dt, const char *fn) {
  const char *k = NULL;
  if (dt == TC_BOOL) {
    switch (op) {
    case OP_ABS: k = "abs_cpu"; break;
    case OP_FLOOR: k = "floor_vml_cpu"; break;
    case OP_CEIL: k = "ceil_vml_cpu"; break;
    case OP_ROUND: k = "round_vml_cpu"; break;
    case OP_TRUNC: k = "trunc_vml_cpu"; break;
    case OP_RELU:
      ir_error(ctx, TC_ERR_ARG, "%s: Boolean inputs not supported for relu", fn);
      return true;
    default: break;
    }
  }
  if (op == OP_GELU && !ir_dtype_is_floating(dt)) k = "GeluKernelImpl";
  if (!k) return false;
  ir_error(ctx, TC_ERR_ARG, "%s: \"%s\" not implemented for '%s'", fn, k, ir_torch_word(dt));
  return true;
}

static ukind unary_kind(int op) {
  switch (op) {
  case OP_NEG: case OP_ABS: case OP_SIGN: case OP_RELU: return U_SAME;
  case OP_FLOOR: case OP_CEIL: case OP_ROUND: case OP_TRUNC: return U_ROUNDING;
  case OP_NOT: case OP_ISNAN: case OP_ISINF: case OP_ISFINITE: return U_BOOL_OUT;
  case OP_BITNOT: return U_INT_ONLY;
  default: return U_FLOAT; /* exp, log, sqrt, sin, tanh, sigmoid, gelu, ... */
  }
}

tc_tensor *ir_op_unary(tc_tensor *a, int op, const char *fn) {
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  ukind kind = unary_kind(op);
  tc_dtype dt = a->dt, rdt = dt;
  if (unary_rejects(ctx, op, dt, fn)) return NULL;
  if (kind == U_FLOAT && !ir_dtype_is_floating(dt)) rdt = TC_F32;
  if (kind == U_INT_ONLY && ir_dtype_is_floating(dt))
    return ir_error(ctx, TC_ERR_ARG, "%s: \"bitwise_not_cpu\" not implemented for '%s'", fn,
                    ir_torch_word(dt));
  if (op == OP_NEG && dt == TC_BOOL)
    return ir_error(ctx, TC_ERR_ARG,
                    "%s: Negation, the `-` operator, on a bool tensor is not supported. If you "
                    "are trying to invert a mask, use the `~` or `logical_not()` operator "
                    "instead.", fn);
  ir_node *na = ir_tensor_node(a);
  ir_node *r = NULL;
  if (!na) return NULL;
  if (kind == U_ROUNDING && !ir_dtype_is_floating(dt)) {
    r = na; /* floor/ceil/round/trunc of an integer is itself */
    ir_node_retain(r);
  } else if (kind == U_BOOL_OUT) {
    if (op == OP_NOT) {
      ir_node *b = ir_cast(ctx, na, TC_BOOL);
      r = ir_ew(ctx, OP_NOT, TC_BOOL, b, NULL, NULL);
      ir_node_release(ctx, b);
    } else if (!ir_dtype_is_floating(dt)) {
      r = ir_const(ctx, 0, op == OP_ISFINITE, TC_BOOL, na->ndim, na->shape);
    } else {
      r = ew_typed(ctx, op, ir_compute_dt(dt), TC_BOOL, na, NULL, NULL);
    }
  } else if (op == OP_GELU && (dt == TC_F16 || dt == TC_BF16)) {
    /* PyTorch's half kernels compute 0.5*x*(1+erf(x/sqrt2)) in float32 (the
     * GELU op's float32 form differs in the sign of zero results) */
    ir_node *x = ir_cast(ctx, na, TC_F32);
    ir_node *c = ir_const(ctx, 0.70710678118654752440, 0, TC_F32, x ? x->ndim : 0, x ? x->shape : NULL);
    ir_node *h = ir_const(ctx, 0.5, 0, TC_F32, x ? x->ndim : 0, x ? x->shape : NULL);
    ir_node *one = ir_const(ctx, 1.0, 0, TC_F32, x ? x->ndim : 0, x ? x->shape : NULL);
    ir_node *xc = ir_ew(ctx, OP_MUL, TC_F32, x, c, NULL);
    ir_node *e = ir_ew(ctx, OP_ERF, TC_F32, xc, NULL, NULL);
    ir_node *e1 = ir_ew(ctx, OP_ADD, TC_F32, one, e, NULL);
    ir_node *hx = ir_ew(ctx, OP_MUL, TC_F32, h, x, NULL);
    ir_node *g = ir_ew(ctx, OP_MUL, TC_F32, hx, e1, NULL);
    r = ir_cast(ctx, g, dt);
    ir_node *tmp[] = {x, c, h, one, xc, e, e1, hx, g};
    for (int i = 0; i < 9; i++) ir_node_release(ctx, tmp[i]);
  } else {
    r = ew_typed(ctx, op, ir_compute_dt(rdt), rdt, na, NULL, NULL);
  }
  ir_node_release(ctx, na);
  return finish(ctx, r, &a, 1, IR_LAYOUT_ITER);
}

tc_tensor *ir_op_square(tc_tensor *a) {
  if (!a) return NULL;
  if (a->dt != TC_BOOL) return ir_op_binary(TC_OP_MUL, a, a);
  /* PyTorch squares bools as int64 */
  tc_tensor *i = ir_op_to_dtype(a, TC_I64);
  tc_tensor *r = ir_op_binary(TC_OP_MUL, i, i);
  ir_tensor_release(i);
  return r;
}

tc_tensor *ir_op_bitcast(tc_tensor *a) {
  if (!a) return NULL;
  if (a->dt != TC_F32 && a->dt != TC_F64)
    return ir_error(a->ctx, TC_ERR_ARG, "ir_op_bitcast: expected float32 or float64, got %s", ir_torch_word(a->dt));
  ir_node *na = ir_tensor_node(a);
  ir_node *r = na ? ir_ew(a->ctx, OP_BITCAST, a->dt == TC_F32 ? TC_I32 : TC_I64, na, NULL, NULL) : NULL;
  ir_node_release(a->ctx, na);
  return finish(a->ctx, r, &a, 1, IR_LAYOUT_LIKE);
}

tc_tensor *ir_op_check(tc_tensor *left, tc_tensor *idx, const ir_bounds *b) {
  if (!left || !idx) return NULL;
  if (left->dt != TC_I64 || left->ndim != 0 || idx->dt != TC_I64 || idx->ndim != 1)
    return ir_error(left->ctx, TC_ERR_ARG, "ir_op_check: expected a 0-d count and a flat int64 index");
  ir_node *nl = ir_tensor_node(left);
  ir_node *r = nl ? ir_ew(left->ctx, OP_CHECK, TC_I64, nl, NULL, NULL) : NULL;
  ir_node_release(left->ctx, nl);
  if (r) {
    r->p.chk.b = *b;
    if (!(r->p.chk.idx = ir_tensor_node(idx))) {
      ir_node_release(left->ctx, r);
      return NULL;
    }
  }
  return finish(left->ctx, r, &left, 1, IR_LAYOUT_LIKE);
}

void *ir_bounds_error(tc_ctx *ctx, const ir_bounds *b, int64_t v) {
  switch (b->style) {
  case IR_BOUNDS_SELF: return ir_error(ctx, TC_ERR_ARG, "%s: index out of range in self", b->fn);
  case IR_BOUNDS_TAKE:
    return ir_error(ctx, TC_ERR_ARG, "%s: out of range: tried to access index %lld on a tensor of %lld elements.",
                    b->fn, (long long)v, (long long)b->size);
  case IR_BOUNDS_WORD:
    return ir_error(ctx, TC_ERR_ARG, "%s: %s(): index %lld is out of bounds for dimension %d with size %lld", b->fn,
                    b->word, (long long)v, b->dim, (long long)b->size);
  default:
    return ir_error(ctx, TC_ERR_ARG, "%s: index %lld is out of bounds for dimension %d with size %lld", b->fn,
                    (long long)v, b->dim, (long long)b->size);
  }
}

tc_tensor *ir_op_to_dtype(tc_tensor *a, tc_dtype dt) {
  if (!a) return NULL;
  if ((unsigned)dt >= TC_NUM_DTYPES)
    return ir_error(a->ctx, TC_ERR_ARG, "tc_to_dtype: invalid dtype %d", (int)dt);
  if (a->dt == dt) return ir_tensor_alias(a, a->ndim, a->shape, a->strides, a->offset); /* PyTorch: self */
  ir_node *na = ir_tensor_node(a);
  ir_node *r = ir_cast(a->ctx, na, dt);
  ir_node_release(a->ctx, na);
  return finish(a->ctx, r, &a, 1, IR_LAYOUT_LIKE); /* PyTorch's _to_copy: preserve_format */
}

/* ---- where / clamp ----------------------------------------------------- */

tc_tensor *ir_op_where(tc_tensor *cond, tc_tensor *a, tc_tensor *b) {
  if (!cond || !a || !b) return NULL;
  tc_ctx *ctx = cond->ctx; /* errors go to the first argument's context */
  tc_tensor *ops[3] = {cond, a, b};
  if (!ir_same_device_operands(ctx, "tc_where", ops, 3)) return NULL;
  ir_node *ncab[3] = {ir_tensor_node(cond), ir_tensor_node(a), ir_tensor_node(b)};
  scalars_follow(ctx, ncab, 3);
  ir_node *nc = ncab[0], *na = ncab[1], *nb = ncab[2];
  ir_node *r = NULL;
  int n1, n2;
  int64_t s1[TC_MAX_DIMS], s2[TC_MAX_DIMS];
  if (nc && na && nb && broadcast(ctx, "tc_where", na, nb, &n1, s1)) {
    ir_node tmp = {.ndim = n1};
    memcpy(tmp.shape, s1, sizeof s1);
    if (broadcast(ctx, "tc_where", nc, &tmp, &n2, s2)) {
      tc_dtype dt = ir_result_type(a->dt, a->ndim == 0, b->dt, b->ndim == 0), cdt = ir_compute_dt(dt);
      ir_node *ec = ir_expand_to(ctx, nc, n2, s2), *ea = ir_expand_to(ctx, na, n2, s2),
              *eb = ir_expand_to(ctx, nb, n2, s2);
      ir_node *bc = ir_cast(ctx, ec, TC_BOOL), *ca = ir_cast(ctx, ea, cdt), *cb = ir_cast(ctx, eb, cdt);
      ir_node *w = ir_ew(ctx, OP_WHERE, cdt, bc, ca, cb);
      r = ir_cast(ctx, w, dt);
      ir_node *tmps[] = {ec, ea, eb, bc, ca, cb, w};
      for (int i = 0; i < 7; i++) ir_node_release(ctx, tmps[i]);
    }
  }
  ir_node_release(ctx, nc);
  ir_node_release(ctx, na);
  ir_node_release(ctx, nb);
  return finish(ctx, r, ops, 3, IR_LAYOUT_ITER);
}

tc_tensor *ir_op_clamp(tc_tensor *a, tc_tensor *lo, tc_tensor *hi) {
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  if (!lo && !hi)
    return ir_error(ctx, TC_ERR_ARG, "tc_clamp: At least one of 'min' or 'max' must not be None");
  tc_tensor *m = lo ? ir_op_binary(TC_OP_MAXIMUM, a, lo) : NULL;
  tc_tensor *r = !hi ? m : ir_op_binary(TC_OP_MINIMUM, lo ? m : a, hi);
  if (hi) ir_tensor_release(m);
  if (!r) ir_error_rename(ctx, "tc_clamp");
  return r;
}

tc_tensor *ir_op_clamp_bound(tc_tensor *a, double bound, bool is_max) {
  if (!a) return NULL;
  bool f = ir_dtype_is_floating(a->dt) || bound != floor(bound);
  return binary_scalar(is_max ? TC_OP_MAXIMUM : TC_OP_MINIMUM, a, bound, f, false, IR_LAYOUT_ITER);
}

tc_tensor *ir_op_clamp_scalar(tc_tensor *a, double lo, double hi) {
  if (!a) return NULL;
  bool f = ir_dtype_is_floating(a->dt);
  /* laid out as a unary op (PyTorch's clamp takes its bounds as scalars,
   * not operands) */
  tc_tensor *m = binary_scalar(TC_OP_MAXIMUM, a, lo, f || lo != floor(lo), false, IR_LAYOUT_ITER);
  tc_tensor *r = binary_scalar(TC_OP_MINIMUM, m, hi, f || hi != floor(hi), false, IR_LAYOUT_ITER);
  ir_tensor_release(m);
  return r;
}
