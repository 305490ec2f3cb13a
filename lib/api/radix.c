/*
 * radix.c — the device sort: a stable least-significant-digit radix sort
 * of rows, made of lazy kernels on the input's device (no host pass over
 * the elements, nothing read back).
 *
 * Each element gets an order key, an unsigned integer of `bits` bits whose
 * order is the sort's (floats through their bits: -0.0 as 0.0, NaN the
 * largest; descending: the key's complement, so ties keep index order).
 *
 * Rows of at most RANK_MAX_L elements (and little work in all) are sorted
 * by rank (rank_sort): two kernels whatever the key's width.
 *
 * Longer rows: a row is cut into blocks of RADIX_BLOCK (the last padded
 * with the largest key: it sorts after every element, NaN included, being
 * later). Keys of at most 32 bits travel packed with their position in the
 * row, key << 32 | position, as one int64; wider keys beside an int64
 * position array. Then a pass per RADIX_BITS-bit digit, lowest first:
 *   - a reduction counts each block's elements of each digit value;
 *   - two small scans give each (block, value)'s first position in the
 *     pass's output, in (value, block) order within the row;
 *   - one compaction kernel (OP_COMPACT) walks each (block, value) and
 *     writes the block's elements of that value, in order, from there.
 * Every step keeps equal digits in their order, so the whole is stable;
 * every pass moves each element once and reads the blocks from cache.
 */
#include "api.h"

enum { RADIX_BLOCK = 4096, RADIX_BITS = 2, RADIX_VALUES = 1 << RADIX_BITS };

static tc_tensor *i64(tc_ctx *ctx, double v) { return tc_scalar(ctx, v, TC_I64); }

static tc_tensor *bin(tc_binop op, tc_tensor *a, tc_tensor *b) { return api_binary_unchecked(op, a, b); }

/* The order key of x's elements (int64; unsigned order within `bits` bits,
 * all 64 when *bits is 64: then it is compared as unsigned, which the
 * digits do). */
static tc_tensor *order_key(tc_tensor *x, bool desc, int *bits) {
  tc_ctx *ctx = x->ctx;
  tc_tensor *k = NULL;
  switch (x->dt) {
  case TC_F16:
  case TC_BF16:
  case TC_F32:
  case TC_F64: {
    bool wide = x->dt == TC_F64;
    tc_tensor *f = tc_to_dtype(x, wide ? TC_F64 : TC_F32);
    f = tc_where(tc_eq(f, tc_scalar(ctx, 0, f ? f->dt : TC_F32)), tc_scalar(ctx, 0, f ? f->dt : TC_F32), f); /* -0.0 is 0.0 */
    tc_tensor *s = tc_to_dtype(api_eager(ir_op_bitcast(f)), TC_I64);
    tc_tensor *nonneg = tc_ge(s, i64(ctx, 0));
    /* sign bit clear: flip it; set: flip every bit */
    k = wide ? tc_where(nonneg, bin(TC_OP_BITWISE_XOR, s, i64(ctx, -9223372036854775808.0)), bin(TC_OP_SUB, i64(ctx, -1), s))
             : tc_where(nonneg, tc_add(s, i64(ctx, 2147483648.0)), bin(TC_OP_SUB, i64(ctx, -1), s));
    k = tc_where(tc_isnan(f), i64(ctx, wide ? -1 : 4294967295.0), k); /* NaN the largest */
    *bits = wide ? 64 : 32;
    break;
  }
  case TC_BOOL:
  case TC_U8: k = tc_to_dtype(x, TC_I64), *bits = 8; break;
  case TC_I8: k = tc_add(tc_to_dtype(x, TC_I64), i64(ctx, 128)), *bits = 8; break;
  case TC_I16: k = tc_add(tc_to_dtype(x, TC_I64), i64(ctx, 32768)), *bits = 16; break;
  case TC_I32: k = tc_add(tc_to_dtype(x, TC_I64), i64(ctx, 2147483648.0)), *bits = 32; break;
  default: k = bin(TC_OP_BITWISE_XOR, x, i64(ctx, -9223372036854775808.0)), *bits = 64; break;
  }
  if (desc) k = bin(TC_OP_SUB, i64(ctx, *bits == 64 ? -1 : (double)(((int64_t)1 << *bits) - 1)), k);
  return k;
}

/* [R, nb, V, B] bool: whether key's element (b, j) has digit value v at
 * shift, as ((key ^ v << shift) & mask << shift) == 0: the broadcast is of
 * key itself (a stored array: read again from cache, nothing recomputed
 * per value but the test). */
static tc_tensor *has_digit(tc_ctx *ctx, tc_tensor *key, int shift, const int64_t *s4) {
  tc_tensor *v = tc_reshape(tc_arange_int(ctx, 0, RADIX_VALUES, 1), 4, (const int64_t[]){1, 1, RADIX_VALUES, 1});
  tc_tensor *vs = bin(TC_OP_LSHIFT, v, i64(ctx, shift));
  tc_tensor *kb = tc_expand(tc_unsqueeze(key, 2), 4, s4);
  tc_tensor *m = bin(TC_OP_BITWISE_AND, bin(TC_OP_BITWISE_XOR, kb, vs), i64(ctx, (double)(int64_t)((uint64_t)(RADIX_VALUES - 1) << shift)));
  return tc_eq(m, i64(ctx, 0));
}

/* One pass: the elements of key ([R, nb, B] int64), and those of *follow
 * beside them when set, ordered stably by key's digit at `shift`. Returns
 * the new key array; *follow is replaced by its new array. */
static tc_tensor *pass(tc_ctx *ctx, tc_tensor *key, tc_tensor **follow, int shift, int64_t R, int64_t nb,
                       int64_t B) {
  const int64_t s4[4] = {R, nb, RADIX_VALUES, B};
  tc_tensor *counts = tc_sum_dtype(has_digit(ctx, key, shift, s4), (const int[]){3}, 1, false, TC_I64); /* [R, nb, V] */
  /* first positions, in (value, block) order within each row: the
   * values before v (their totals' running sum), then v's blocks before b
   * (a running sum down the blocks). The counts are computed in their own
   * (block, value) order, each block once. */
  tc_dtype it = TC_I64;
  tc_tensor *down = tc_cumsum(counts, 1, &it); /* [R, nb, V] */
  tc_tensor *tot = tc_select(down, 1, nb - 1); /* [R, V] */
  tc_tensor *vstart = tc_sub(tc_cumsum(tot, 1, &it), tot);
  tc_tensor *row0 = tc_mul_scalar(tc_reshape(tc_arange_int(ctx, 0, R, 1), 2, (const int64_t[]){R, 1}), (double)(nb * B));
  tc_tensor *first = tc_add(tc_sub(down, counts), tc_unsqueeze(tc_add(vstart, row0), 1));
  tc_tensor *base = tc_unsqueeze(first, 3);
  int64_t n = R * nb * B;
  tc_tensor *arrays[2] = {key, follow ? *follow : NULL}, *out[2] = {NULL, NULL};
  for (int a = 0; a < 2; a++) {
    if (!arrays[a]) continue;
    tc_tensor *dst = api_eager(ir_op_uninit(ctx, TC_I64, 1, &n)); /* each element written once */
    tc_tensor *vals = tc_expand(tc_unsqueeze(arrays[a], 2), 4, s4);
    tc_tensor *keep = has_digit(ctx, key, shift, s4); /* its own expression: not shared, not stored */
    if (!dst || !vals || !base || !keep || api_eager_write(dst, ir_op_compact(dst, vals, base, keep)) != TC_OK)
      return NULL;
    out[a] = tc_reshape(dst, 3, (const int64_t[]){R, nb, B});
  }
  if (follow) *follow = out[1];
  return out[0];
}

/* Short rows: each element's rank is the number of elements of its row
 * before it in the order (a smaller key, or an equal one at a smaller
 * position: stable), one reduction over (R, L, L); the positions go to
 * their ranks by one scatter (the ranks are a permutation). Two kernels
 * instead of a radix sort's passes. k: (R, L) order keys. */
static tc_tensor *rank_sort(tc_ctx *ctx, tc_tensor *k, int bits, int64_t R, int64_t L) {
  /* 64-bit keys compare as unsigned: the sign bit flipped, as signed */
  if (bits == 64) k = bin(TC_OP_BITWISE_XOR, k, i64(ctx, -9223372036854775808.0));
  const int64_t s3[3] = {R, L, L};
  tc_tensor *ki = tc_expand(tc_unsqueeze(k, 2), 3, s3), *kj = tc_expand(tc_unsqueeze(k, 1), 3, s3);
  tc_tensor *pi = tc_reshape(tc_arange_int(ctx, 0, L, 1), 3, (const int64_t[]){1, L, 1});
  tc_tensor *pj = tc_reshape(tc_arange_int(ctx, 0, L, 1), 3, (const int64_t[]){1, 1, L});
  tc_tensor *before = tc_logical_or(tc_lt(kj, ki), tc_logical_and(tc_eq(kj, ki), tc_lt(pj, pi)));
  tc_tensor *rank = tc_sum_dtype(before, (const int[]){2}, 1, false, TC_I64); /* (R, L) */
  tc_tensor *row0 = tc_mul_scalar(tc_reshape(tc_arange_int(ctx, 0, R, 1), 2, (const int64_t[]){R, 1}), (double)L);
  tc_tensor *at = tc_add(rank, row0);
  tc_tensor *pos = tc_expand(tc_reshape(tc_arange_int(ctx, 0, L, 1), 2, (const int64_t[]){1, L}), 2,
                             (const int64_t[]){R, L});
  int64_t n = R * L;
  tc_tensor *dst = api_eager(ir_op_uninit(ctx, TC_I64, 1, &n)); /* a permutation: every element written */
  if (!dst || !at || !pos || api_eager_write(dst, ir_op_scatter(dst, tc_contiguous(pos), at, 0, true)) != TC_OK)
    return NULL;
  return dst;
}

enum { RANK_MAX_L = 512, RANK_MAX_WORK = 1 << 22 }; /* short rows, and little work in all */

tc_tensor *api_sort_rows(tc_tensor *x, bool desc) {
  tc_ctx *ctx = x->ctx;
  int nd = x->ndim;
  int64_t total = tc_tensor_numel(x), L = x->shape[nd - 1], R = L ? total / L : 0;
  if (!total) return tc_zeros(ctx, TC_I64, nd, x->shape);
  int bits = 0;
  tc_tensor *k = order_key(tc_reshape(x, 2, (const int64_t[]){R, L}), desc, &bits);
  if (k && L <= RANK_MAX_L && R * L * L <= RANK_MAX_WORK) return tc_reshape(rank_sort(ctx, k, bits, R, L), nd, x->shape);
  int64_t B = L < RADIX_BLOCK ? L : RADIX_BLOCK, nb = (L + B - 1) / B, Lp = nb * B;
  if (Lp > L) /* padding: the largest key, after everything */
    k = tc_cat(ctx, (tc_tensor *[]){k, tc_full(ctx, bits == 64 ? -1 : (double)(((int64_t)1 << bits) - 1), TC_I64, 2,
                                               (const int64_t[]){R, Lp - L})}, 2, 1);
  tc_tensor *pos = tc_expand(tc_reshape(tc_arange_int(ctx, 0, Lp, 1), 2, (const int64_t[]){1, Lp}), 2,
                             (const int64_t[]){R, Lp});
  bool packed = bits <= 32 && Lp <= INT32_MAX;
  const int64_t s3[3] = {R, nb, B};
  /* packed: key << 32 | position; else the keys, the positions beside */
  tc_tensor *key = packed ? bin(TC_OP_BITWISE_OR, bin(TC_OP_LSHIFT, k, i64(ctx, 32)), pos) : k;
  key = tc_reshape(key, 3, s3);
  tc_tensor *idx = packed ? NULL : tc_reshape(pos, 3, s3);
  for (int p = 0; p * RADIX_BITS < bits && key; p++) {
    /* each pass's temporaries go at its end, the last pass's arrays too:
     * nothing holds a pass's output once the next has read it */
    tc_tensor *ok = key, *oi = idx;
    tc_scope_begin(ctx);
    key = tc_keep(pass(ctx, key, packed ? NULL : &idx, (packed ? 32 : 0) + p * RADIX_BITS, R, nb, B));
    if (idx != oi) tc_keep(idx);
    tc_scope_end(ctx);
    tc_tensor_release(ok);
    if (idx != oi) tc_tensor_release(oi);
  }
  if (!key || (!packed && !idx)) return NULL;
  tc_tensor *r = packed ? bin(TC_OP_BITWISE_AND, key, i64(ctx, 4294967295.0)) : idx;
  r = tc_narrow(tc_reshape(r, 2, (const int64_t[]){R, Lp}), 1, 0, L);
  return tc_reshape(r, nd, x->shape);
}
