/*
 * index.c — a[spec] and a[spec] = value with PyTorch's rules, for C: the
 * spec is an array of tagged entries (tc_idx), one per Python index item.
 *
 * Basic items (ints, slices, None, Ellipsis, Python bools) are a chain of
 * views (select, slice, unsqueeze), so writes through them reach the
 * original. Advanced items (integer tensors, bool masks, a mask counting as
 * its nonzero() columns) come after: their tensors broadcast together to B
 * and the result has the working tensor's dims with the indexed ones
 * replaced by B (in front when the indexed dims are not adjacent). Reads
 * are one GATHER node whose storage offsets are a lazy expression over the
 * indices (they fuse into its kernel); writes are one SCATTER node with the
 * same offsets, or, for a mask and a one-element value, a lazy where()
 * written through the view. Indices are checked first (one reduction read
 * back); masks are read back (the result's shape is their count).
 *
 * Ellipses: as PyTorch, every `...` skips the dims no other item consumes
 * (a->ndim minus the ints, slices and tensor dims), so the first takes the
 * rest and a later one moves past the end: `a[..., 0, ...]` is `a[..., 0]`,
 * and an item after it indexes a dim that is not there (PyTorch's errors:
 * an int "out of bounds ... with size 0", a slice or None "Dimension out of
 * range", a tensor "too many indices"; a slice from 0 with step 1 is a
 * no-op there).
 */
#include <stdio.h>
#include <string.h>
#include "api.h"

enum { MAX_ITEMS = 2 * TC_MAX_DIMS + 4 };

typedef struct adv {
  int n;
  int pos[TC_MAX_DIMS];        /* dims of the working tensor they index */
  int orig[TC_MAX_DIMS];       /* the dims messages name */
  tc_tensor *idx[TC_MAX_DIMS]; /* int64/int32, in the open scope */
  int64_t B[TC_MAX_DIMS];      /* broadcast together */
  int bn;
  bool front;
} adv;

static bool is_mask(const tc_tensor *t) { return t->dt == TC_BOOL || t->dt == TC_U8; }

static bool bcast(int64_t *a, int *an, const int64_t *b, int bn) {
  int n = *an > bn ? *an : bn;
  int64_t r[TC_MAX_DIMS];
  for (int i = 0; i < n; i++) {
    int ia = *an - n + i, ib = bn - n + i;
    int64_t x = ia >= 0 ? a[ia] : 1, y = ib >= 0 ? b[ib] : 1;
    if (x != y && x != 1 && y != 1) return false;
    r[i] = x == 1 ? y : x;
  }
  memcpy(a, r, sizeof(int64_t) * (size_t)n);
  *an = n;
  return true;
}

static void shape_text(char *out, size_t cap, int nd, const int64_t *s) {
  size_t k = 0;
  out[0] = 0;
  for (int d = 0; d < nd && k < cap; d++) k += (size_t)snprintf(out + k, cap - k, d ? ", %lld" : "%lld", (long long)s[d]);
}

static bool has_bool(const tc_idx *spec, int n);

/* Applies the basic items to a (views), noting where each advanced item
 * applies in the result; NULL with the error set. In the open scope. */
static tc_tensor *basic(tc_tensor *a, const tc_idx *spec, int n, const char *fn, int *pos, int *tdim) {
  tc_ctx *ctx = a->ctx;
  if (n < 0 || (n > 0 && !spec) || n > MAX_ITEMS)
    return ir_error(ctx, TC_ERR_ARG, "%s: too many indices for tensor of dimension %d", fn, a->ndim);
  int consumed = 0;
  for (int i = 0; i < n; i++) {
    const tc_idx *it = &spec[i];
    switch (it->kind) {
    case TC_IDX_INT: case TC_IDX_SLICE: consumed++; break;
    case TC_IDX_NONE: case TC_IDX_BOOL: break;
    case TC_IDX_ELLIPSIS: break;
    case TC_IDX_TENSOR:
      if (!it->t) return ir_error(ctx, TC_ERR_ARG, "%s: index %d: NULL tensor", fn, i);
      if (it->t->ctx != ctx) return ir_error(ctx, TC_ERR_ARG, "%s: expected all tensors to belong to the same context", fn);
      if (it->t->dt != TC_I64 && it->t->dt != TC_I32 && it->t->dt != TC_U8 && it->t->dt != TC_BOOL)
        return ir_error(ctx, TC_ERR_ARG, "%s: tensors used as indices must be long, int, byte or bool tensors", fn);
      consumed += is_mask(it->t) ? it->t->ndim : 1;
      break;
    default: return ir_error(ctx, TC_ERR_ARG, "%s: index %d has an unknown kind %d", fn, i, (int)it->kind);
    }
  }
  if (consumed > a->ndim && a->ndim == 0 && n == 1 && spec[0].kind == TC_IDX_INT) /* t[0], not t[0, 0] */
        return ir_error(ctx, TC_ERR_ARG, "%s: invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                        "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number", fn);
  if (consumed > a->ndim) return ir_error(ctx, TC_ERR_ARG, "%s: too many indices for tensor of dimension %d", fn, a->ndim);
  tc_tensor *cur = a;
  int p = 0, orig = 0, td = 0;
  for (int i = 0; i < n && cur; i++) {
    const tc_idx *it = &spec[i];
    pos[i] = p;
    tdim[i] = td;
    switch (it->kind) {
    case TC_IDX_INT: {
      /* past a second ellipsis: PyTorch reads past its sizes' end (0 as a
       * rule; what is there: its check may fail otherwise) */
      int64_t size = p < cur->ndim ? cur->shape[p] : 0;
      if (it->i < -size || it->i >= size)
        return ir_error(ctx, TC_ERR_ARG, "%s: index %lld is out of bounds for dimension %d with size %lld", fn,
                        (long long)it->i, orig, (long long)size);
      cur = tc_select(cur, p, it->i);
      orig++, td++;
      break;
    }
    case TC_IDX_SLICE:
      if (it->step <= 0)
        return ir_error(ctx, TC_ERR_ARG, "%s: %s", fn, it->step == 0 ? "slice step cannot be zero" : "step must be greater than zero");
      if (p >= cur->ndim && it->start == 0 && it->step == 1) { /* past a second ellipsis: PyTorch's no-op */
        p++, orig++, td++;
        break;
      }
      cur = tc_slice(cur, p, it->start, it->stop, it->step);
      p++, orig++, td++;
      break;
    case TC_IDX_NONE:
      cur = tc_unsqueeze(cur, p);
      p++, orig++;
      break;
    case TC_IDX_BOOL: /* x[True] is x[None]; x[False] the same, empty */
      cur = tc_unsqueeze(cur, p);
      if (cur && !it->i) cur = tc_narrow(cur, p, 0, 0);
      p++, orig++;
      break;
    case TC_IDX_ELLIPSIS:
      p += a->ndim - consumed, orig += a->ndim - consumed, td += a->ndim - consumed;
      break;
    case TC_IDX_TENSOR:
      if (it->t->ndim == 0 && !is_mask(it->t)) { /* a 0-d integer tensor is an int (read back) */
        int64_t v = tc_item_int(it->t);
        if (ctx->status != TC_OK) return NULL;
        int64_t size = p < cur->ndim ? cur->shape[p] : 0;
        if (v < -size || v >= size)
          return ir_error(ctx, TC_ERR_ARG, "%s: index %lld is out of bounds for dimension %d with size %lld", fn,
                          (long long)v, orig, (long long)size);
        cur = tc_select(cur, p, v);
        pos[i] = -1; /* done */
        orig++, td++;
        break;
      }
      {
        int k = is_mask(it->t) ? it->t->ndim : 1;
        if (p + k > cur->ndim && it->t->ndim) /* past a second ellipsis */
          return ir_error(ctx, TC_ERR_ARG, "%s: too many indices for tensor of dimension %d (got %d)", fn, cur->ndim,
                          p + k);
        if (is_mask(it->t) && it->t->ndim == 0) { /* a 0-d mask: a new dim, kept or emptied */
          pos[i] = -1;
          tc_tensor *m = tc_to_dtype(it->t, TC_BOOL);
          bool keep = m && tc_item(m) != 0;
          if (ctx->status != TC_OK) return NULL;
          cur = tc_unsqueeze(cur, p);
          if (cur && !keep) cur = tc_narrow(cur, p, 0, 0);
          p++, orig++;
          break;
        }
        p += k, orig += k, td += k;
      }
      break;
    }
  }
  return cur;
}

/* A mask's shape against the dims from `at` of cur, PyTorch's message. */
static bool mask_fits(tc_tensor *cur, const tc_tensor *t, int at, const char *fn) {
  for (int d = 0; d < t->ndim; d++)
    if (at + d >= cur->ndim || t->shape[d] != cur->shape[at + d]) {
      char ms[200], cs[200];
      shape_text(ms, sizeof ms, t->ndim, t->shape);
      shape_text(cs, sizeof cs, cur->ndim, cur->shape);
      ir_error(cur->ctx, TC_ERR_ARG, "%s: The shape of the mask [%s] at index %d does not match the shape of the "
               "indexed tensor [%s] at index %d", fn, ms, d, cs, at + d);
      return false;
    }
  return true;
}

/* The advanced items' index tensors (masks: their nonzero() columns),
 * broadcast together and checked against their dims. In the open scope. */
static bool collect(tc_tensor *cur, const tc_idx *spec, int n, const int *pos, const int *tdim, adv *A,
                    const char *fn) {
  tc_ctx *ctx = cur->ctx;
  memset(A, 0, sizeof *A);
  for (int i = 0; i < n; i++) {
    if (spec[i].kind != TC_IDX_TENSOR || pos[i] < 0) continue;
    tc_tensor *t = spec[i].t;
    if (!is_mask(t)) {
      if (A->n >= TC_MAX_DIMS) return ir_error(ctx, TC_ERR_ARG, "%s: too many indices", fn), false;
      A->pos[A->n] = pos[i], A->orig[A->n] = tdim[i], A->idx[A->n++] = t;
      continue;
    }
    if (!mask_fits(cur, t, pos[i], fn)) return false;
    tc_tensor *nz = tc_nonzero(tc_to_dtype(t, TC_BOOL));
    if (!nz) return false;
    for (int d = 0; d < t->ndim; d++) {
      if (A->n >= TC_MAX_DIMS) return ir_error(ctx, TC_ERR_ARG, "%s: too many indices", fn), false;
      A->pos[A->n] = pos[i] + d, A->orig[A->n] = tdim[i] + d;
      if (!(A->idx[A->n++] = tc_select(nz, 1, d))) return false;
    }
  }
  for (int j = 0; j < A->n; j++)
    if (!bcast(A->B, &A->bn, A->idx[j]->shape, A->idx[j]->ndim)) {
      char all[600] = "";
      for (int k = 0; k < A->n; k++) {
        char one[120];
        shape_text(one, sizeof one, A->idx[k]->ndim, A->idx[k]->shape);
        snprintf(all + strlen(all), sizeof all - strlen(all), "%s[%s]", k ? ", " : "", one);
      }
      return ir_error(ctx, TC_ERR_ARG, "%s: shape mismatch: indexing tensors could not be broadcast together with "
                      "shapes %s", fn, all), false;
    }
  for (int j = 1; j < A->n; j++)
    if (A->pos[j] != A->pos[0] + j) A->front = true;
  /* bounds, unless the result is empty anyway (PyTorch does not check then) */
  bool empty = false;
  for (int d = 0; d < cur->ndim; d++) {
    bool indexed = false;
    for (int j = 0; j < A->n; j++) indexed |= A->pos[j] == d;
    if (!indexed && cur->shape[d] == 0) empty = true;
  }
  for (int j = 0; j < A->n && !empty; j++)
    /* PyTorch names the index's position */
    if (!(A->idx[j] = api_in_bounds(ctx, A->idx[j], cur->shape[A->pos[j]], j, fn))) return false;
  return true;
}

/* The result's shape, and the storage offset of each of its elements in
 * cur's storage (int64, on cur's device). In the open scope. */
static tc_tensor *offsets(tc_tensor *cur, const adv *A, int64_t *R, int *rn) {
  tc_ctx *ctx = cur->ctx;
  int p0 = A->front ? 0 : A->pos[0];
  int rest[TC_MAX_DIMS], nrest = 0; /* non-indexed dims of cur, in order */
  for (int d = 0; d < cur->ndim; d++) {
    bool indexed = false;
    for (int j = 0; j < A->n; j++) indexed |= A->pos[j] == d;
    if (!indexed) rest[nrest++] = d;
  }
  int n = nrest + A->bn;
  if (n > TC_MAX_DIMS) return ir_error(ctx, TC_ERR_ARG, "tc_index: the result has %d dims (at most %d)", n, TC_MAX_DIMS);
  /* where each dim of cur that is not indexed lands in R */
  int at[TC_MAX_DIMS];
  int k = 0;
  for (int r = 0; r < nrest; r++) {
    if (k == p0) k += A->bn;
    at[r] = k;
    R[k++] = cur->shape[rest[r]];
  }
  for (int b = 0; b < A->bn; b++) R[p0 + b] = A->B[b];
  *rn = n;
  tc_tensor *off = tc_full(ctx, (double)cur->offset, TC_I64, n, R);
  for (int r = 0; r < nrest && off; r++) {
    int d = rest[r];
    if (cur->shape[d] == 1 || cur->strides[d] == 0) continue;
    int64_t s[TC_MAX_DIMS];
    for (int e = 0; e < n; e++) s[e] = e == at[r] ? cur->shape[d] : 1;
    off = tc_add(off, tc_mul_scalar(tc_reshape(tc_arange_int(ctx, 0, cur->shape[d], 1), n, s), (double)cur->strides[d]));
  }
  for (int j = 0; j < A->n && off; j++) {
    tc_tensor *i64 = tc_to_dtype(api_to(A->idx[j], ir_tensor_device(cur)), TC_I64);
    int64_t size = cur->shape[A->pos[j]];
    tc_tensor *w = tc_where(tc_lt(i64, tc_scalar(ctx, 0, TC_I64)), tc_add_scalar(i64, (double)size), i64);
    int64_t s[TC_MAX_DIMS];
    for (int e = 0; e < n; e++) s[e] = 1;
    for (int b = 0; b < A->idx[j]->ndim; b++) s[p0 + A->bn - A->idx[j]->ndim + b] = A->idx[j]->shape[b];
    off = tc_add(off, tc_mul_scalar(tc_reshape(w, n, s), (double)cur->strides[A->pos[j]]));
  }
  tc_device dev = ir_tensor_device(cur);
  if (off && !ir_same_device(ir_tensor_device(off), dev)) off = tc_to(off, dev, false);
  return off;
}

static bool has_adv(const tc_idx *spec, int n, const int *pos) {
  for (int i = 0; i < n; i++)
    if (spec[i].kind == TC_IDX_TENSOR && pos[i] >= 0) return true;
  return false;
}

/* The mask when the only advanced item is a mask as deep as cur (on
 * cur's first dim: no basic item after it leaves a dim), else NULL. */
static tc_tensor *whole_mask(tc_tensor *cur, const tc_idx *spec, int n, const int *pos) {
  tc_tensor *m = NULL;
  for (int i = 0; i < n; i++) {
    if (spec[i].kind == TC_IDX_TENSOR && pos[i] >= 0) {
      if (m || !is_mask(spec[i].t) || pos[i] != 0) return NULL;
      m = spec[i].t;
    }
  }
  return m && m->ndim >= 1 && m->ndim == cur->ndim ? m : NULL;
}

tc_tensor *tc_index(tc_tensor *a, const tc_idx *spec, int n) {
  static const char *fn = "tc_index";
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  int pos[MAX_ITEMS], tdim[MAX_ITEMS];
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(a));
  tc_scope_begin(ctx);
  tc_tensor *cur = basic(a, spec, n, fn, pos, tdim), *r = NULL, *mask;
  adv A;
  if (cur && !has_adv(spec, n, pos) && has_bool(spec, n)) {
    /* PyTorch indexes with a bool as with a tensor: a copy, laid out as
     * TensorIterator lays it out (the input's order, size-1 dims outside) */
    int64_t st[TC_MAX_DIMS], outer = 1;
    ir_result_strides(cur->ndim, cur->shape, &cur, 1, IR_LAYOUT_LIKE, st);
    for (int d = 0; d < cur->ndim; d++) outer *= cur->shape[d] > 1 ? cur->shape[d] : 1;
    for (int d = 0; d < cur->ndim; d++)
      if (cur->shape[d] < 2) st[d] = outer; /* the bool's dim (size 1, or 0 for False) */
    r = api_eager(ir_op_clone_strided(cur, st));
  } else if (cur && !has_adv(spec, n, pos)) {
    r = cur == a ? api_record(ir_tensor_view(a, a->ndim, a->shape, a->strides, a->offset)) : cur; /* a view */
  } else if (cur && (mask = whole_mask(cur, spec, n, pos))) {
    /* one mask over every dim: masked_select (a scan and a compaction; no
     * coordinates, no gather) */
    if (mask_fits(cur, mask, 0, fn)) r = tc_masked_select(cur, mask);
  } else if (cur && collect(cur, spec, n, pos, tdim, &A, fn)) {
    int64_t R[TC_MAX_DIMS];
    int rn;
    tc_tensor *off = offsets(cur, &A, R, &rn);
    if (off) r = api_eager(ir_op_gather_at(cur, off));
  }
  tc_keep(r);
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return r;
}

/* A Python bool among the items (or a 0-d mask: the same) */
static bool has_bool(const tc_idx *spec, int n) {
  for (int i = 0; i < n; i++)
    if (spec[i].kind == TC_IDX_BOOL || (spec[i].kind == TC_IDX_TENSOR && spec[i].t->ndim == 0 && is_mask(spec[i].t)))
      return true;
  return false;
}

static bool index_tensors_apart(tc_tensor *cur, const tc_idx *spec, int n, const char *fn) {
  for (int i = 0; i < n; i++)
    if (spec[i].kind == TC_IDX_TENSOR && !ir_no_overlap(cur, spec[i].t, fn)) return false;
  return true;
}

tc_status tc_index_set_(tc_tensor *dst, const tc_idx *spec, int n, tc_tensor *value) {
  static const char *fn = "tc_index_set_";
  if (!dst || !value) return TC_ERR_ARG;
  tc_ctx *ctx = dst->ctx;
  if (!api_same_ctx(fn, (tc_tensor *[]){dst, value}, 2)) return TC_ERR_ARG;
  if (ir_write_overlaps(dst, fn)) return TC_ERR_ARG;
  int pos[MAX_ITEMS], tdim[MAX_ITEMS];
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(dst));
  tc_scope_begin(ctx);
  tc_status st = TC_OK;
  tc_tensor *cur = basic(dst, spec, n, fn, pos, tdim);
  /* the value's leading dims of size 1 beyond the target's drop (PyTorch) */
  tc_tensor *v = value;
  int mask_item = -1, nadv = 0;
  for (int i = 0; i < n; i++)
    if (spec[i].kind == TC_IDX_TENSOR && pos[i] >= 0) nadv++, mask_item = is_mask(spec[i].t) ? i : mask_item;
  adv A;
  if (!cur) {
    st = ctx->status ? ctx->status : TC_ERR_ARG;
  } else if (!nadv) {
    int k = 0;
    while (k < v->ndim - cur->ndim && v->shape[k] == 1) k++;
    tc_tensor *v1 = tc_reshape(v, v->ndim - k, v->shape + k);
    tc_tensor *e = v1 ? tc_expand(v1, cur->ndim, cur->shape) : NULL;
    st = e ? tc_copy_(cur, e) : (ctx->status ? ctx->status : TC_ERR_ARG);
  } else if (nadv == 1 && mask_item >= 0 && tc_tensor_numel(value) == 1 && value->ndim == 0) {
    /* x[mask] = scalar: where(mask, v, x) written through the view, lazy */
    const tc_tensor *m = spec[mask_item].t;
    if (!mask_fits(cur, m, pos[mask_item], fn)) {
      st = ctx->status ? ctx->status : TC_ERR_ARG;
    } else if (m->dt != TC_BOOL) { /* PyTorch fills through masked_fill_ here, which takes no byte mask */
      ir_error(ctx, TC_ERR_ARG, "%s: masked_fill_ only supports boolean masks, but got mask with dtype %s", fn,
               ir_cpp_type_name(m->dt));
      st = TC_ERR_ARG;
    } else {
      int64_t ms[TC_MAX_DIMS];
      int p = pos[mask_item], nd = cur->ndim - p;
      for (int d = 0; d < nd; d++) ms[d] = d < m->ndim ? m->shape[d] : 1;
      tc_tensor *mb = tc_reshape(tc_to_dtype(api_to(spec[mask_item].t, ir_tensor_device(cur)), TC_BOOL), nd, ms);
      tc_tensor *vv = tc_to_dtype(value, cur->dt);
      if (vv && !ir_same_device(ir_tensor_device(vv), ir_tensor_device(cur)) && vv->ndim != 0)
        vv = tc_to(vv, ir_tensor_device(cur), false);
      tc_tensor *w = mb && vv ? tc_where(mb, vv, cur) : NULL;
      st = w ? tc_copy_(cur, w) : (ctx->status ? ctx->status : TC_ERR_ARG);
    }
  } else if (!collect(cur, spec, n, pos, tdim, &A, fn)) {
    st = ctx->status ? ctx->status : TC_ERR_ARG;
  } else if (!ir_no_overlap(cur, value, fn) || !index_tensors_apart(cur, spec, n, fn)) {
    st = TC_ERR_ARG; /* index_put_'s rule: the value and the indices apart from the target */
  } else {
    int64_t R[TC_MAX_DIMS];
    int rn;
    tc_tensor *off = offsets(cur, &A, R, &rn);
    if (!off) {
      st = ctx->status ? ctx->status : TC_ERR_OOM;
    } else {
      int k = 0;
      while (k < v->ndim - rn && v->shape[k] == 1) k++;
      int64_t chk[TC_MAX_DIMS];
      int cn = rn;
      memcpy(chk, R, sizeof(int64_t) * (size_t)rn);
      if (v->ndim - k > rn || !bcast(chk, &cn, v->shape + k, v->ndim - k) || cn != rn ||
          memcmp(chk, R, sizeof(int64_t) * (size_t)rn)) {
        char vs[200], rs[200];
        shape_text(vs, sizeof vs, v->ndim, v->shape);
        shape_text(rs, sizeof rs, rn, R);
        st = TC_ERR_ARG;
        ir_error(ctx, st, "%s: shape mismatch: value tensor of shape [%s] cannot be broadcast to indexing result of "
                 "shape [%s]", fn, vs, rs);
      } else {
        tc_tensor *ve = tc_to_dtype(tc_expand(tc_reshape(v, v->ndim - k, v->shape + k), rn, R), cur->dt);
        if (ve && !ir_same_device(ir_tensor_device(ve), ir_tensor_device(cur)))
          ve = tc_to(ve, ir_tensor_device(cur), false);
        st = ve ? api_eager_write(dst, ir_op_scatter(cur, ve, off, 0, false)) : (ctx->status ? ctx->status : TC_ERR_OOM);
      }
    }
  }
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return st;
}
