/*
 * sort.c — sort, argsort, msort, topk, kthvalue, median, nanmedian, mode.
 *
 * A sort's result order is data, so the permutation is computed on the host:
 * the input is read back (moved so the sorted dim is last, as float64 or
 * int64: exact for every dtype), each row gets a stable merge sort of its
 * positions (NaN sorts as the largest value, as in PyTorch; descending keeps
 * ties in index order too), and the int64 indices go back to the input's
 * device. The values are a lazy gather of the input at those indices (on its
 * device), so consumers fuse with it. O(n log n) a row; the same result on
 * every run and every backend. topk, median and mode are made of it;
 * kthvalue of PyTorch's quickselect on the same host rows.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "api.h"

enum { RADIX_MIN = 4096 }; /* rows this long: a radix sort, else a merge sort */

typedef struct keys {
  const double *f; /* float keys, or */
  const int64_t *i; /* integer keys */
  bool desc;
} keys;

/* a before b (positions in a row): strictly less (or greater) */
static bool before(const keys *K, int64_t a, int64_t b) {
  if (K->f) {
    double x = K->f[a], y = K->f[b];
    bool xn = isnan(x), yn = isnan(y);
    if (xn || yn) return K->desc ? xn && !yn : !xn && yn; /* NaN is the largest */
    return K->desc ? x > y : x < y;
  }
  return K->desc ? K->i[a] > K->i[b] : K->i[a] < K->i[b];
}

/* stable merge sort of idx[0..n) by K, tmp of n */
static void msort_idx(const keys *K, int64_t *idx, int64_t *tmp, int64_t n) {
  for (int64_t w = 1; w < n; w *= 2) {
    for (int64_t lo = 0; lo < n; lo += 2 * w) {
      int64_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      int64_t i = lo, j = mid, o = lo;
      while (i < mid && j < hi) tmp[o++] = before(K, idx[j], idx[i]) ? idx[j++] : idx[i++];
      while (i < mid) tmp[o++] = idx[i++];
      while (j < hi) tmp[o++] = idx[j++];
    }
    memcpy(idx, tmp, sizeof(int64_t) * (size_t)n);
  }
}

/* Order-preserving unsigned keys: a before b iff key(a) < key(b) (NaN the
 * largest; descending: every bit inverted, which keeps equal keys equal). */
static uint64_t ukey(const keys *K, int64_t j) {
  uint64_t u;
  if (K->f) {
    double x = K->f[j];
    if (isnan(x)) u = UINT64_MAX;
    else {
      if (x == 0) x = 0; /* -0.0 and 0.0 are equal */
      memcpy(&u, &x, 8);
      u = (u >> 63) ? ~u : u | (1ull << 63);
    }
  } else {
    u = (uint64_t)K->i[j] ^ (1ull << 63);
  }
  return K->desc ? ~u : u;
}

/* Stable LSD radix sort of idx[0..n) (0..n-1 on entry) by ukey: four
 * passes of 16 bits (passes whose digit is the same for every key are
 * skipped). tmp and k1/k2 hold n entries each, cnt 65536. */
static void radix_idx(const keys *K, int64_t *idx, int64_t *tmp, uint64_t *k1, uint64_t *k2, int64_t *cnt,
                      int64_t n) {
  for (int64_t j = 0; j < n; j++) k1[j] = ukey(K, j);
  for (int pass = 0; pass < 4; pass++) {
    int sh = 16 * pass;
    memset(cnt, 0, sizeof(int64_t) * 65536);
    for (int64_t j = 0; j < n; j++) cnt[(k1[j] >> sh) & 0xffff]++;
    if (cnt[(k1[0] >> sh) & 0xffff] == n) continue; /* one digit: nothing moves */
    int64_t sum = 0;
    for (int d = 0; d < 65536; d++) {
      int64_t c = cnt[d];
      cnt[d] = sum;
      sum += c;
    }
    for (int64_t j = 0; j < n; j++) {
      int64_t at = cnt[(k1[j] >> sh) & 0xffff]++;
      k2[at] = k1[j];
      tmp[at] = idx[j];
    }
    uint64_t *kt = k1;
    k1 = k2, k2 = kt;
    memcpy(idx, tmp, sizeof(int64_t) * (size_t)n);
  }
}

/* PyTorch's CPU kthvalue is a quickselect (quick_select_template: a
 * median-of-three pivot, a Hoare partition), whose swaps decide which of
 * equal values it returns: idx (0..n-1 on entry) is permuted the same way,
 * so that idx[k] is the k-th smallest (NaN the largest) with PyTorch's
 * index among ties. */
static bool gt_nan(const keys *K, int64_t a, int64_t b) {
  if (K->f) {
    double x = K->f[a], y = K->f[b];
    return (isnan(x) && !isnan(y)) || x > y;
  }
  return K->i[a] > K->i[b];
}

static void qselect_idx(const keys *K, int64_t *idx, int64_t n, int64_t k) {
#define SW(a, b) do { int64_t t_ = idx[a]; idx[a] = idx[b]; idx[b] = t_; } while (0)
#define GT(a, b) gt_nan(K, idx[a], idx[b])
  int64_t L = 0, R = n - 1;
  for (;;) {
    if (R <= L) return;
    if (R == L + 1) {
      if (GT(L, R)) SW(L, R);
      return;
    }
    int64_t P = L + (R - L) / 2;
    SW(P, L + 1);
    if (GT(L + 1, R)) SW(L + 1, R);
    if (GT(L, R)) SW(L, R);
    if (GT(L + 1, L)) SW(L + 1, L);
    int64_t i = L + 1, j = R, piv = idx[L]; /* the pivot's position (L stays put until the end) */
    for (;;) {
      do i++;
      while (gt_nan(K, piv, idx[i]));
      do j--;
      while (gt_nan(K, idx[j], piv));
      if (j < i) break;
      SW(i, j);
    }
    SW(L, j);
    if (j <= k) L = i;
    if (j >= k) R = j - 1;
  }
#undef SW
#undef GT
}

/* x with dim moved last (a view). In the open scope. */
static tc_tensor *dim_last(tc_tensor *x, int dim) {
  if (dim == x->ndim - 1) return x;
  int perm[TC_MAX_DIMS], k = 0;
  for (int d = 0; d < x->ndim; d++)
    if (d != dim) perm[k++] = d;
  perm[k] = dim;
  return tc_permute(x, perm);
}

/* The inverse of dim_last on a tensor of x's dims with dim last. */
static tc_tensor *dim_back(tc_tensor *y, int dim) {
  int nd = y->ndim;
  if (dim == nd - 1) return y;
  int perm[TC_MAX_DIMS];
  for (int d = 0, k = 0; d < nd; d++) perm[d] = d == dim ? nd - 1 : k++;
  return tc_permute(y, perm);
}

/* PyTorch's layout of a sort's results (sort's meta function): a's strides
 * when a is non-overlapping and dense, else dense strides in the order of
 * a's (infer_dense_strides: empty_like's preserve_format, IR_LAYOUT_LIKE).
 * preserve false: contiguous (topk, kthvalue, median and mode are). */
static void sort_layout(tc_tensor *a, bool preserve, int64_t *st) {
  if (preserve) ir_result_strides(a->ndim, a->shape, &a, 1, IR_LAYOUT_LIKE, st);
  else ir_contig_strides(a->ndim, a->shape, st);
}

/* The stable sort permutation of a along dim (a of at least 1 dim): int64
 * indices of a's shape with strides st (a dense layout), on a's device.
 * The host writes them in st's memory order, so no copy lays them out.
 * kth >= 0: quickselect's permutation instead (only position kth is
 * sorted, as PyTorch's kthvalue finds it). In the open scope. */
static tc_tensor *sort_indices(tc_tensor *a, int dim, bool desc, int64_t kth, const int64_t *st) {
  tc_ctx *ctx = a->ctx;
  if (kth < 0) /* the device sort */
    return api_relayout(dim_back(api_sort_rows(dim_last(a, dim), desc), dim), st);
  bool fl = ir_dtype_is_floating(a->dt);
  tc_tensor *l = dim_last(a, dim);
  tc_tensor *h = l ? tc_contiguous(tc_to_dtype(l, fl ? TC_F64 : TC_I64)) : NULL;
  if (!h) return NULL;
  int64_t total = tc_tensor_numel(h), n = h->ndim ? h->shape[h->ndim - 1] : 1;
  int64_t rows = n ? total / n : 0;
  void *data = malloc((size_t)(total ? total : 1) * 8);
  int64_t *out = malloc((size_t)(total ? total : 1) * 8), *tmp = malloc((size_t)(n ? n : 1) * 8);
  int64_t *laid = malloc((size_t)(total ? total : 1) * 8);
  bool radix = n >= RADIX_MIN && kth < 0;
  uint64_t *k1 = radix ? malloc((size_t)n * 8) : NULL, *k2 = radix ? malloc((size_t)n * 8) : NULL;
  int64_t *cnt = radix ? malloc(sizeof(int64_t) * 65536) : NULL;
  tc_tensor *r = NULL;
  if (!data || !out || !tmp || !laid || (radix && (!k1 || !k2 || !cnt))) {
    ir_error(ctx, TC_ERR_OOM, "out of memory sorting");
  } else if (!total || tc_copy_to_host(h, data, (size_t)total * 8) == TC_OK) {
    keys K = {fl ? data : NULL, fl ? NULL : data, desc};
    for (int64_t row = 0; row < rows; row++) {
      int64_t *idx = out + row * n;
      for (int64_t j = 0; j < n; j++) idx[j] = j;
      K.f = fl ? (const double *)data + row * n : NULL;
      K.i = fl ? NULL : (const int64_t *)data + row * n;
      if (kth >= 0) qselect_idx(&K, idx, n, kth);
      else if (radix) radix_idx(&K, idx, tmp, k1, k2, cnt, n);
      else msort_idx(&K, idx, tmp, n);
      /* the row's place in st's layout: its coordinates in a's other dims */
      int64_t base = 0, rest = row;
      for (int d = a->ndim - 1; d >= 0; d--) {
        if (d == dim) continue;
        base += rest % a->shape[d] * st[d];
        rest /= a->shape[d];
      }
      for (int64_t j = 0; j < n; j++) laid[base + j * st[dim]] = idx[j];
    }
    tc_tensor *ih = tc_from_data(ctx, laid, TC_I64, 1, &total);
    tc_device dev = ir_tensor_device(a);
    if (ih && !ir_same_device(ir_tensor_device(ih), dev)) ih = tc_to(ih, dev, false);
    r = ih ? tc_as_strided(ih, a->ndim, a->shape, st, 0) : NULL;
  }
  free(data);
  free(out);
  free(tmp);
  free(laid);
  free(k1);
  free(k2);
  free(cnt);
  return r;
}

/* values and indices of a sorted along dim; a 0-d a as itself and 0. Laid
 * out as sort_layout says. */
static tc_status sort_core(tc_tensor *a, int dim, bool desc, int64_t kth, bool preserve, const char *fn,
                           tc_tensor **values, tc_tensor **indices) {
  if (values) *values = NULL;
  if (indices) *indices = NULL;
  if (!a) return TC_ERR_ARG;
  tc_ctx *ctx = a->ctx;
  if (!ir_wrap_dim(ctx, fn, &dim, a->ndim)) return TC_ERR_ARG;
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(a));
  tc_scope_begin(ctx);
  tc_tensor *x = a->ndim ? a : tc_reshape(a, 1, (const int64_t[]){1});
  int64_t st[TC_MAX_DIMS];
  if (x) sort_layout(x, preserve, st);
  tc_tensor *i = x ? sort_indices(x, dim, desc, kth, st) : NULL;
  /* the gather's result is contiguous: the values are copied into st's
   * layout by the kernel computing them */
  tc_tensor *v = i && values ? tc_take_along_dim(x, i, &dim) : NULL;
  if (v) v = api_relayout(v, st);
  if (i && !a->ndim) {
    i = tc_reshape(i, 0, NULL);
    if (v) v = tc_reshape(v, 0, NULL);
  }
  tc_status s = i && (v || !values) ? TC_OK : (ctx->status ? ctx->status : TC_ERR_OOM);
  if (s == TC_OK) {
    if (values) *values = tc_keep(v);
    if (indices) *indices = tc_keep(i);
  }
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return s;
}

tc_status tc_sort(tc_tensor *a, int dim, bool descending, tc_tensor **values, tc_tensor **indices) {
  return sort_core(a, dim, descending, -1, true, "tc_sort", values, indices);
}

tc_tensor *tc_argsort(tc_tensor *a, int dim, bool descending) {
  tc_tensor *i = NULL;
  return sort_core(a, dim, descending, -1, true, "tc_argsort", NULL, &i) == TC_OK ? i : NULL;
}

tc_tensor *tc_msort(tc_tensor *a) {
  tc_tensor *v = NULL;
  if (a && a->ndim == 0) return tc_clone(a);
  return sort_core(a, 0, false, -1, true, "tc_msort", &v, NULL) == TC_OK ? v : NULL;
}

/* The entries [start, start + len) of a sorted along dim, values and
 * indices; keepdim false with len 1 drops the dim. */
static tc_status sorted_slice(tc_tensor *a, int dim, bool desc, bool select, int64_t start, int64_t len, bool drop,
                              const char *fn, tc_tensor **values, tc_tensor **indices) {
  tc_ctx *ctx = a->ctx;
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(a));
  tc_scope_begin(ctx);
  tc_tensor *v = NULL, *i = NULL;
  tc_status st = sort_core(a, dim, desc, select ? start : -1, false, fn, &v, &i);
  if (st == TC_OK && a->ndim) { /* contiguous, as PyTorch's topk and kthvalue */
    v = drop ? tc_select(v, dim, start) : tc_narrow(v, dim, start, len);
    i = drop ? tc_select(i, dim, start) : tc_narrow(i, dim, start, len);
    v = api_contiguous_exact(v);
    i = api_contiguous_exact(i);
    if (!v || !i) st = ctx->status ? ctx->status : TC_ERR_OOM;
  }
  if (values) *values = NULL;
  if (indices) *indices = NULL;
  if (st == TC_OK) {
    if (values) *values = tc_keep(v);
    if (indices) *indices = tc_keep(i);
  }
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return st;
}

tc_status tc_topk(tc_tensor *a, int64_t k, int dim, bool largest, tc_tensor **values, tc_tensor **indices) {
  static const char *fn = "tc_topk";
  if (!a) return TC_ERR_ARG;
  if (!ir_wrap_dim(a->ctx, fn, &dim, a->ndim)) return TC_ERR_ARG;
  int64_t n = a->ndim ? a->shape[dim] : 1;
  if (k < 0 || k > n) return ir_error(a->ctx, TC_ERR_ARG, "%s: selected index k out of range", fn), TC_ERR_ARG;
  return sorted_slice(a, dim, largest, false, 0, k, false, fn, values, indices);
}

tc_status tc_kthvalue(tc_tensor *a, int64_t k, int dim, bool keepdim, tc_tensor **values, tc_tensor **indices) {
  static const char *fn = "tc_kthvalue";
  if (!a) return TC_ERR_ARG;
  if (!ir_wrap_dim(a->ctx, fn, &dim, a->ndim)) return TC_ERR_ARG;
  int64_t n = a->ndim ? a->shape[dim] : 1;
  if (k < 1 || k > n)
    return ir_error(a->ctx, TC_ERR_ARG, "%s: kthvalue(): selected number k out of range for dimension %d", fn, dim),
           TC_ERR_ARG;
  return sorted_slice(a, dim, false, true, k - 1, 1, !keepdim, fn, values, indices);
}

/* median (nan: nanmedian) along dim: the lower middle of the sorted row;
 * with a NaN in the row, median gives the first NaN (NaN sorts last, so
 * its position is the count of the others); nanmedian the middle of the
 * non-NaN values. */
static tc_status median_dim(tc_tensor *a, int dim, bool keepdim, bool nan, tc_tensor **values, tc_tensor **indices) {
  const char *fn = nan ? "tc_nanmedian" : "tc_median";
  if (values) *values = NULL;
  if (indices) *indices = NULL;
  if (!a) return TC_ERR_ARG;
  tc_ctx *ctx = a->ctx;
  if (!ir_wrap_dim(ctx, fn, &dim, a->ndim)) return TC_ERR_ARG;
  int64_t n = a->ndim ? a->shape[dim] : 1;
  if (n == 0)
    return ir_error(ctx, TC_ERR_ARG, "%s: median(): Expected reduction dim %d to have non-zero size.", fn, dim),
           TC_ERR_ARG;
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(a));
  tc_scope_begin(ctx);
  tc_tensor *v = NULL, *i = NULL;
  tc_status st = sort_core(a, dim, false, -1, false, fn, &v, &i);
  tc_tensor *x = a->ndim ? a : tc_reshape(a, 1, (const int64_t[]){1});
  if (st == TC_OK && !a->ndim) {
    v = tc_reshape(v, 1, (const int64_t[]){1});
    i = tc_reshape(i, 1, (const int64_t[]){1});
  }
  if (st == TC_OK) {
    /* the position in the sorted row, per row: lazy */
    tc_tensor *pos;
    if (ir_dtype_is_floating(a->dt)) {
      tc_tensor *cnt = tc_sum(tc_logical_not(tc_isnan(x)), (const int[]){dim}, 1, true); /* non-NaN count */
      pos = nan ? api_binary_unchecked(TC_OP_FLOOR_DIVIDE, tc_sub(tc_where(tc_eq(cnt, tc_scalar(ctx, 0, TC_I64)), tc_scalar(ctx, 1, TC_I64), cnt),
                                         tc_scalar(ctx, 1, TC_I64)),
                                  tc_scalar(ctx, 2, TC_I64))
                : tc_where(tc_lt(cnt, tc_scalar(ctx, (double)n, TC_I64)), cnt,
                           tc_full(ctx, (double)((n - 1) / 2), TC_I64, 0, NULL));
    } else {
      int64_t shape[TC_MAX_DIMS];
      memcpy(shape, x->shape, sizeof(int64_t) * (size_t)x->ndim);
      shape[dim] = 1;
      pos = tc_full(ctx, (double)((n - 1) / 2), TC_I64, x->ndim, shape);
    }
    if (pos) {
      int64_t shape[TC_MAX_DIMS];
      memcpy(shape, x->shape, sizeof(int64_t) * (size_t)x->ndim);
      shape[dim] = 1;
      pos = tc_expand(pos, x->ndim, shape);
      tc_device dev = ir_tensor_device(a);
      if (pos && !ir_same_device(ir_tensor_device(pos), dev)) pos = tc_to(pos, dev, false);
    }
    v = pos ? tc_take_along_dim(v, pos, &dim) : NULL;
    i = pos ? tc_take_along_dim(i, pos, &dim) : NULL;
    if (v && i && (!keepdim || !a->ndim)) {
      v = a->ndim ? tc_squeeze(v, dim) : tc_reshape(v, 0, NULL);
      i = a->ndim ? tc_squeeze(i, dim) : tc_reshape(i, 0, NULL);
    }
    if (!v || !i) st = ctx->status ? ctx->status : TC_ERR_OOM;
  }
  if (st == TC_OK) {
    if (values) *values = tc_keep(v);
    if (indices) *indices = tc_keep(i);
  }
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return st;
}

tc_status tc_median_dim(tc_tensor *a, int dim, bool keepdim, tc_tensor **values, tc_tensor **indices) {
  return median_dim(a, dim, keepdim, false, values, indices);
}
tc_status tc_nanmedian_dim(tc_tensor *a, int dim, bool keepdim, tc_tensor **values, tc_tensor **indices) {
  return median_dim(a, dim, keepdim, true, values, indices);
}

/* median()/nanmedian() of every element: NaN for an empty tensor */
static tc_tensor *median_all(tc_tensor *a, bool nan) {
  if (!a) return NULL;
  tc_ctx *ctx = a->ctx;
  int64_t n = tc_tensor_numel(a);
  if (n == 0) return tc_full(ctx, NAN, a->dt, 0, NULL);
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(a));
  tc_scope_begin(ctx);
  tc_tensor *v = NULL;
  tc_tensor *f = tc_reshape(a, 1, &n);
  if (f) median_dim(f, 0, false, nan, &v, NULL);
  tc_keep(v);
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return v;
}
tc_tensor *tc_median(tc_tensor *a) { return median_all(a, false); }
tc_tensor *tc_nanmedian(tc_tensor *a) { return median_all(a, true); }

tc_status tc_mode(tc_tensor *a, int dim, bool keepdim, tc_tensor **values, tc_tensor **indices) {
  static const char *fn = "tc_mode";
  if (values) *values = NULL;
  if (indices) *indices = NULL;
  if (!a) return TC_ERR_ARG;
  tc_ctx *ctx = a->ctx;
  if (!ir_wrap_dim(ctx, fn, &dim, a->ndim)) return TC_ERR_ARG;
  int64_t n = a->ndim ? a->shape[dim] : 1;
  if (n == 0) return ir_error(ctx, TC_ERR_ARG, "%s: mode(): Expected reduction dim %d to have non-zero size.", fn, dim),
              TC_ERR_ARG;
  /* on the host: per row, the most frequent value (the smallest of ties)
   * and its last position */
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(a));
  tc_scope_begin(ctx);
  tc_status st = TC_OK;
  tc_tensor *x = a->ndim ? a : tc_reshape(a, 1, (const int64_t[]){1});
  int d = a->ndim ? dim : 0;
  int64_t cst[TC_MAX_DIMS];
  if (x) ir_contig_strides(x->ndim, x->shape, cst);
  tc_tensor *si = x ? sort_indices(x, d, false, -1, cst) : NULL;
  bool fl = ir_dtype_is_floating(a->dt);
  tc_tensor *l = si ? dim_last(x, d) : NULL, *il = si ? dim_last(si, d) : NULL;
  tc_tensor *h = l ? tc_contiguous(tc_to_dtype(l, fl ? TC_F64 : TC_I64)) : NULL, *hi = il ? tc_contiguous(il) : NULL;
  int64_t total = h ? tc_tensor_numel(h) : 0, rows = total / n;
  void *data = malloc((size_t)(total ? total : 1) * 8);
  int64_t *idx = malloc((size_t)(total ? total : 1) * 8), *oi = malloc((size_t)(rows ? rows : 1) * 8);
  int64_t *best_pos = oi;
  if (!h || !hi || !data || !idx || !oi) {
    st = ctx->status ? ctx->status : TC_ERR_OOM;
  } else if (tc_copy_to_host(h, data, (size_t)total * 8) != TC_OK || tc_copy_to_host(hi, idx, (size_t)total * 8) != TC_OK) {
    st = ctx->status;
  } else {
    for (int64_t r = 0; r < rows; r++) {
      const int64_t *ix = idx + r * n;
      int64_t best = 0, bestc = 0, run = 0;
      for (int64_t j = 0; j < n; j++) {
        bool same = j > 0 && (fl ? (((const double *)data)[r * n + ix[j]] == ((const double *)data)[r * n + ix[j - 1]] ||
                                      (isnan(((const double *)data)[r * n + ix[j]]) && isnan(((const double *)data)[r * n + ix[j - 1]])))
                                   : ((const int64_t *)data)[r * n + ix[j]] == ((const int64_t *)data)[r * n + ix[j - 1]]);
        run = same ? run + 1 : 1;
        if (run > bestc) bestc = run, best = j; /* the stable sort puts the last occurrence last */
      }
      best_pos[r] = ix[best];
    }
    int64_t shape[TC_MAX_DIMS];
    memcpy(shape, h->shape, sizeof(int64_t) * (size_t)h->ndim);
    shape[h->ndim - 1] = 1;
    tc_tensor *ih = tc_from_data(ctx, best_pos, TC_I64, h->ndim, shape);
    tc_device dev = ir_tensor_device(a);
    if (ih && !ir_same_device(ir_tensor_device(ih), dev)) ih = tc_to(ih, dev, false);
    tc_tensor *i = ih ? dim_back(ih, d) : NULL;
    tc_tensor *v = i ? tc_take_along_dim(x, i, &d) : NULL;
    i = api_contiguous_exact(i); /* PyTorch's mode: contiguous */
    if (v && i && (!keepdim || !a->ndim)) {
      v = a->ndim ? tc_squeeze(v, d) : tc_reshape(v, 0, NULL);
      i = a->ndim ? tc_squeeze(i, d) : tc_reshape(i, 0, NULL);
    }
    if (!v || !i) st = ctx->status ? ctx->status : TC_ERR_OOM;
    else {
      if (values) *values = tc_keep(v);
      if (indices) *indices = tc_keep(i);
    }
  }
  free(data);
  free(idx);
  free(oi);
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return st;
}
