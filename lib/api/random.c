/*
 * random.c — generators, RNG state, in-place random fills, bernoulli,
 * multinomial and randperm.
 *
 * A generator is a (seed, offset) pair over the same counter-based Philox
 * stream as the context's own: an op reserves `numel` counters when it is
 * recorded, so the numbers depend only on the seed and the order in which
 * ops are recorded, never on fusion, eager mode, realization order or the
 * device. An op given a generator draws from it (the context's pair is set
 * to the generator's for the op's recording and the generator takes the
 * advanced offset back); NULL draws from the context's. A state is 16
 * bytes (seed, offset, little-endian) in a uint8 tensor.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "api.h"

struct tc_generator {
  tc_ctx *ctx;
  uint64_t seed, offset;
};

tc_generator *tc_generator_new(tc_ctx *ctx) {
  if (!ctx) return NULL;
  tc_generator *g = calloc(1, sizeof *g);
  if (!g) return ir_error(ctx, TC_ERR_OOM, "tc_generator_new: out of memory");
  g->ctx = ctx;
  g->seed = 67280421310721ull; /* PyTorch's default seed */
  return g;
}

void tc_generator_free(tc_generator *g) { free(g); }

void tc_generator_manual_seed(tc_generator *g, uint64_t seed) {
  if (!g) return;
  g->seed = seed;
  g->offset = 0;
}

uint64_t tc_generator_initial_seed(const tc_generator *g) { return g ? g->seed : 0; }

/* a fresh non-deterministic seed (torch.seed) */
static uint64_t fresh_seed(void) {
  uint64_t s = 0;
  FILE *f = fopen("/dev/urandom", "rb");
  if (f) {
    if (fread(&s, sizeof s, 1, f) != 1) s = 0;
    fclose(f);
  }
  if (!s) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    s = (uint64_t)ts.tv_sec * 1000000007ull ^ (uint64_t)ts.tv_nsec;
  }
  return s & ((1ull << 63) - 1);
}

uint64_t tc_generator_seed(tc_generator *g) {
  if (!g) return 0;
  tc_generator_manual_seed(g, fresh_seed());
  return g->seed;
}

static tc_tensor *state_of(tc_ctx *ctx, uint64_t seed, uint64_t offset) {
  uint8_t b[16];
  for (int i = 0; i < 8; i++) b[i] = (uint8_t)(seed >> (8 * i)), b[8 + i] = (uint8_t)(offset >> (8 * i));
  tc_tensor *t = tc_from_data(ctx, b, TC_U8, 1, (const int64_t[]){16});
  if (t && !ir_same_device(ir_tensor_device(t), (tc_device){TC_CPU, 0})) {
    tc_tensor *c = tc_cpu(t); /* a state lives on the CPU, as PyTorch's */
    tc_tensor_release(t);
    t = c;
  }
  return t;
}

static bool state_from(tc_tensor *s, uint64_t *seed, uint64_t *offset, const char *fn) {
  if (!s) return false;
  if (s->dt != TC_U8 || tc_tensor_numel(s) != 16)
    return ir_error(s->ctx, TC_ERR_ARG, "%s: RNG state must be a torch.ByteTensor of 16 bytes", fn), false;
  uint8_t b[16];
  if (tc_copy_to_host(s, b, 16) != TC_OK) return false; /* row-major, whatever its strides */
  *seed = *offset = 0;
  for (int i = 0; i < 8; i++) *seed |= (uint64_t)b[i] << (8 * i), *offset |= (uint64_t)b[8 + i] << (8 * i);
  return true;
}

tc_tensor *tc_generator_get_state(tc_generator *g) { return g ? state_of(g->ctx, g->seed, g->offset) : NULL; }

tc_status tc_generator_set_state(tc_generator *g, tc_tensor *state) {
  if (!g || !state) return TC_ERR_ARG;
  uint64_t s, o;
  if (!state_from(state, &s, &o, "tc_generator_set_state")) return g->ctx->status ? g->ctx->status : TC_ERR_ARG;
  g->seed = s, g->offset = o;
  return TC_OK;
}

uint64_t tc_initial_seed(tc_ctx *ctx) { return ctx ? ctx->seed : 0; }

uint64_t tc_seed(tc_ctx *ctx) {
  if (!ctx) return 0;
  tc_manual_seed(ctx, fresh_seed());
  return ctx->seed;
}

tc_tensor *tc_get_rng_state(tc_ctx *ctx) { return ctx ? state_of(ctx, ctx->seed, ctx->rng_offset) : NULL; }

tc_status tc_set_rng_state(tc_ctx *ctx, tc_tensor *state) {
  if (!ctx || !state) return TC_ERR_ARG;
  uint64_t s, o;
  if (!state_from(state, &s, &o, "tc_set_rng_state")) return ctx->status ? ctx->status : TC_ERR_ARG;
  ctx->seed = s, ctx->rng_offset = o;
  return TC_OK;
}

/* ---- drawing from a generator ---- */

typedef struct draw {
  tc_ctx *ctx;
  tc_generator *g;
  uint64_t seed, offset; /* the context's, while the generator's is in use */
} draw;

static void draw_begin(draw *d, tc_ctx *ctx, tc_generator *g) {
  d->ctx = ctx, d->g = g && g->ctx == ctx ? g : NULL;
  if (!d->g) return;
  d->seed = ctx->seed, d->offset = ctx->rng_offset;
  ctx->seed = g->seed, ctx->rng_offset = g->offset;
}

static void draw_end(draw *d) {
  if (!d->g) return;
  d->g->offset = d->ctx->rng_offset;
  d->ctx->seed = d->seed, d->ctx->rng_offset = d->offset;
}

static bool gen_ok(tc_ctx *ctx, tc_generator *g, const char *fn) {
  if (g && g->ctx != ctx)
    return ir_error(ctx, TC_ERR_ARG, "%s: the generator belongs to another context", fn), false;
  return true;
}

/* uniform [0, 1) (float32 draws; float64 tensors: two draws a value, 53
 * bits) in t's shape, on t's device. */
static tc_tensor *uniform_like(tc_tensor *t, tc_dtype dt) {
  tc_ctx *ctx = t->ctx;
  tc_tensor *u = tc_rand(ctx, TC_F32, t->ndim, t->shape);
  if (u && dt == TC_F64) { /* hi + lo * 2^-24: 48 random bits */
    tc_tensor *lo = tc_rand(ctx, TC_F32, t->ndim, t->shape);
    u = tc_add(tc_to_dtype(u, TC_F64), tc_mul_scalar(tc_to_dtype(lo, TC_F64), ldexp(1, -24)));
  }
  tc_device dev = ir_tensor_device(t);
  if (u && !ir_same_device(ir_tensor_device(u), dev)) u = tc_to(u, dev, false);
  return u;
}

static tc_status fill_with(tc_tensor *t, tc_tensor *v) {
  return v ? tc_copy_(t, v) : (t->ctx->status ? t->ctx->status : TC_ERR_OOM);
}

tc_status tc_uniform_(tc_tensor *t, double from, double to, tc_generator *g) {
  static const char *fn = "tc_uniform_";
  if (!t) return TC_ERR_ARG;
  tc_ctx *ctx = t->ctx;
  if (!gen_ok(ctx, g, fn)) return TC_ERR_ARG;
  if (!ir_dtype_is_floating(t->dt))
    return ir_error(ctx, TC_ERR_ARG, "%s: \"check_uniform_bounds\" not implemented for '%s'", fn, ir_torch_word(t->dt)),
           TC_ERR_ARG;
  if (from > to)
    return ir_error(ctx, TC_ERR_ARG, "%s: uniform_ expects to return a [from, to) range, but found from=%g > to=%g", fn,
                    from, to),
           TC_ERR_ARG;
  draw d;
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(t));
  tc_scope_begin(ctx);
  draw_begin(&d, ctx, g);
  tc_tensor *u = uniform_like(t, t->dt == TC_F64 ? TC_F64 : TC_F32);
  draw_end(&d);
  tc_status st = fill_with(t, u ? tc_add_scalar(tc_mul_scalar(u, to - from), from) : NULL);
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return st;
}

tc_status tc_normal_(tc_tensor *t, double mean, double std, tc_generator *g) {
  static const char *fn = "tc_normal_";
  if (!t) return TC_ERR_ARG;
  tc_ctx *ctx = t->ctx;
  if (!gen_ok(ctx, g, fn)) return TC_ERR_ARG;
  if (!ir_dtype_is_floating(t->dt))
    return ir_error(ctx, TC_ERR_ARG, "%s: \"normal_kernel_cpu\" not implemented for '%s'", fn, ir_torch_word(t->dt)),
           TC_ERR_ARG;
  if (std < 0) return ir_error(ctx, TC_ERR_ARG, "%s: normal expects std >= 0.0, but found std %g", fn, std), TC_ERR_ARG;
  draw d;
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(t));
  tc_scope_begin(ctx);
  draw_begin(&d, ctx, g);
  tc_tensor *n = tc_randn(ctx, TC_F32, t->ndim, t->shape);
  draw_end(&d);
  tc_device dev = ir_tensor_device(t);
  if (n && !ir_same_device(ir_tensor_device(n), dev)) n = tc_to(n, dev, false);
  tc_status st = fill_with(t, n ? tc_add_scalar(tc_mul_scalar(tc_to_dtype(n, t->dt == TC_F64 ? TC_F64 : TC_F32), std), mean) : NULL);
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return st;
}

tc_status tc_random_(tc_tensor *t, int64_t from, int64_t to, tc_generator *g) {
  static const char *fn = "tc_random_";
  if (!t) return TC_ERR_ARG;
  tc_ctx *ctx = t->ctx;
  if (!gen_ok(ctx, g, fn)) return TC_ERR_ARG;
  if (!ir_check_random_range(ctx, fn, from, to, t->dt)) return TC_ERR_ARG;
  draw d;
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(t));
  tc_scope_begin(ctx);
  draw_begin(&d, ctx, g);
  tc_tensor *r = tc_randint(ctx, from, to, TC_I64, t->ndim, t->shape);
  draw_end(&d);
  tc_device dev = ir_tensor_device(t);
  if (r && !ir_same_device(ir_tensor_device(r), dev)) r = tc_to(r, dev, false);
  tc_status st = fill_with(t, r);
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return st;
}

tc_status tc_bernoulli_(tc_tensor *t, double p, tc_generator *g) {
  static const char *fn = "tc_bernoulli_";
  if (!t) return TC_ERR_ARG;
  tc_ctx *ctx = t->ctx;
  if (!gen_ok(ctx, g, fn)) return TC_ERR_ARG;
  if (!(p >= 0 && p <= 1))
    return ir_error(ctx, TC_ERR_ARG, "%s: bernoulli_ expects p to be in [0, 1], but got p=%g", fn, p), TC_ERR_ARG;
  draw d;
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(t));
  tc_scope_begin(ctx);
  draw_begin(&d, ctx, g);
  tc_tensor *u = uniform_like(t, TC_F32);
  draw_end(&d);
  tc_status st = fill_with(t, u ? tc_lt(u, tc_scalar(ctx, p, TC_F32)) : NULL);
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return st;
}

tc_tensor *tc_bernoulli(tc_tensor *probs, tc_generator *g) {
  static const char *fn = "tc_bernoulli";
  if (!probs) return NULL;
  tc_ctx *ctx = probs->ctx;
  if (!gen_ok(ctx, g, fn)) return NULL;
  if (!ir_dtype_is_floating(probs->dt))
    return ir_error(ctx, TC_ERR_ARG, "%s: \"bernoulli_tensor_cpu_p_\" not implemented for '%s'", fn,
                    ir_torch_word(probs->dt));
  draw d;
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(probs));
  tc_scope_begin(ctx);
  /* PyTorch checks every probability (NaN fails too) before it draws: the
   * values are read back here, as index bounds are */
  bool ok = true;
  if (tc_tensor_numel(probs) > 0) {
    tc_tensor *in = tc_logical_and(tc_ge(probs, tc_scalar(ctx, 0, probs->dt)), tc_le(probs, tc_scalar(ctx, 1, probs->dt)));
    tc_tensor *bad = tc_any(tc_logical_not(in), NULL, 0, false);
    double v = bad ? tc_item(bad) : 1;
    ok = bad && v == 0 && tc_last_status(ctx) == TC_OK;
    if (bad && v != 0 && tc_last_status(ctx) == TC_OK)
      ir_error(ctx, TC_ERR_ARG, "%s: Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error "
               "message be improved?  If so, please report an enhancement request to PyTorch.)", fn);
  }
  if (!ok) {
    tc_scope_end(ctx);
    api_on_end(ctx, old_dev_);
    return NULL;
  }
  draw_begin(&d, ctx, g);
  tc_tensor *u = uniform_like(probs, probs->dt == TC_F64 ? TC_F64 : TC_F32);
  draw_end(&d);
  tc_tensor *r = u ? tc_to_dtype(tc_lt(u, tc_to_dtype(probs, probs->dt == TC_F64 ? TC_F64 : TC_F32)), probs->dt) : NULL;
  tc_keep(r);
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return r;
}

tc_tensor *tc_randperm(tc_ctx *ctx, int64_t n, tc_dtype dt, tc_generator *g) {
  static const char *fn = "tc_randperm";
  if (!ctx) return NULL;
  if (!gen_ok(ctx, g, fn)) return NULL;
  if (n < 0) return ir_error(ctx, TC_ERR_ARG, "%s: Trying to create tensor with negative dimension %lld: [%lld]", fn,
                               (long long)n, (long long)n);
  if (dt == TC_BOOL) return ir_error(ctx, TC_ERR_ARG, "%s: \"randperm\" not implemented for 'Bool'", fn);
  if (!ir_dtype_is_floating(dt) && dt != TC_I64 && n > 0 &&
      (double)(n - 1) > (dt == TC_U8 ? 255.0 : ldexp(1, (int)ir_dtype_size(dt) * 8 - 1) - 1))
    return ir_error(ctx, TC_ERR_ARG, "%s: n is too large for result tensor type: '%s'", fn, ir_torch_word(dt));
  draw d;
  tc_scope_begin(ctx);
  draw_begin(&d, ctx, g);
  /* the order of n random 63-bit keys: a uniform permutation (ties, at
   * 2^-63 a pair, keep index order) */
  tc_tensor *keys = tc_randint(ctx, 0, INT64_MAX, TC_I64, 1, &n);
  draw_end(&d);
  tc_tensor *r = keys ? tc_argsort(keys, 0, false) : NULL;
  if (r && dt != TC_I64) r = tc_to_dtype(r, dt);
  if (!r) ir_error_rename(ctx, fn);
  tc_keep(r);
  tc_scope_end(ctx);
  return r;
}

tc_tensor *tc_multinomial(tc_tensor *probs, int64_t num_samples, bool replacement, tc_generator *g) {
  static const char *fn = "tc_multinomial";
  if (!probs) return NULL;
  tc_ctx *ctx = probs->ctx;
  if (!gen_ok(ctx, g, fn)) return NULL;
  if (probs->ndim < 1 || probs->ndim > 2)
    return ir_error(ctx, TC_ERR_ARG, "%s: prob_dist must be 1 or 2 dim", fn);
  if (!ir_dtype_is_floating(probs->dt))
    return ir_error(ctx, TC_ERR_ARG, "%s: multinomial only supports floating-point dtypes for input, got: %s", fn,
                    ir_torch_word(probs->dt));
  if (num_samples <= 0) return ir_error(ctx, TC_ERR_ARG, "%s: cannot sample n_sample <= 0 samples", fn);
  int64_t k = probs->shape[probs->ndim - 1];
  if (!replacement && num_samples > k)
    return ir_error(ctx, TC_ERR_ARG, "%s: cannot sample n_sample > prob_dist.size(-1) samples without replacement", fn);
  tc_device old_dev_ = api_on(ctx, ir_tensor_device(probs));
  tc_scope_begin(ctx);
  tc_tensor *p = probs->ndim == 1 ? tc_unsqueeze(probs, 0) : probs, *r = NULL;
  int64_t rows = p ? p->shape[0] : 0;
  p = tc_to_dtype(p, TC_F64);
  /* the distribution is checked (one read back): finite, >= 0, sum > 0 */
  tc_tensor *bad = p ? tc_any(tc_logical_or(tc_lt(p, tc_scalar(ctx, 0, TC_F64)), tc_logical_not(tc_isfinite(p))), NULL, 0,
                              false)
                     : NULL;
  tc_tensor *sums = p ? tc_sum(p, (const int[]){1}, 1, true) : NULL;
  tc_tensor *zero = sums ? tc_any(tc_le(sums, tc_scalar(ctx, 0, TC_F64)), NULL, 0, false) : NULL;
  if (bad && zero && ctx->status == TC_OK) {
    if (tc_item(bad) != 0) {
      ir_error(ctx, TC_ERR_ARG, "%s: probability tensor contains either `inf`, `nan` or element < 0", fn);
    } else if (tc_item(zero) != 0) {
      ir_error(ctx, TC_ERR_ARG, "%s: invalid multinomial distribution (sum of probabilities <= 0)", fn);
    } else if (replacement) {
      /* inverse CDF: the number of categories whose running sum is at or
       * below u * total (zero-probability categories are never reached) */
      draw d;
      draw_begin(&d, ctx, g);
      tc_tensor *u = tc_rand(ctx, TC_F32, 2, (const int64_t[]){rows, num_samples});
      draw_end(&d);
      tc_device dev = ir_tensor_device(p);
      if (u && !ir_same_device(ir_tensor_device(u), dev)) u = tc_to(u, dev, false);
      tc_tensor *cdf = tc_cumsum(p, 1, NULL);
      tc_tensor *target = tc_mul(tc_to_dtype(u, TC_F64), sums);
      r = tc_searchsorted(cdf, target, true, false);
      r = r ? tc_minimum(r, tc_scalar(ctx, (double)(k - 1), TC_I64)) : NULL;
    } else {
      /* without replacement: the num_samples largest p / E, E ~ Exp(1)
       * (the exponential race); zero-probability categories last */
      tc_tensor *nzc = tc_count_nonzero(p, (const int[]){1}, 1);
      tc_tensor *few = nzc ? tc_any(tc_lt(nzc, tc_scalar(ctx, (double)num_samples, TC_I64)), NULL, 0, false) : NULL;
      if (few && tc_item(few) != 0) {
        ir_error(ctx, TC_ERR_ARG, "%s: invalid multinomial distribution (with replacement=False, not enough non-negative "
                 "category to sample)", fn);
      } else if (few) {
        draw d;
        draw_begin(&d, ctx, g);
        tc_tensor *u = tc_rand(ctx, TC_F32, 2, (const int64_t[]){rows, k});
        draw_end(&d);
        tc_device dev = ir_tensor_device(p);
        if (u && !ir_same_device(ir_tensor_device(u), dev)) u = tc_to(u, dev, false);
        /* E = -log(1 - u) > 0 */
        tc_tensor *e = tc_neg(tc_log1p(tc_neg(tc_to_dtype(u, TC_F64))));
        tc_tensor *key = tc_div(p, tc_maximum(e, tc_scalar(ctx, 1e-300, TC_F64)));
        tc_tensor *v = NULL;
        if (key && tc_topk(key, num_samples, 1, true, &v, &r) != TC_OK) r = NULL;
      }
    }
  }
  if (r && probs->ndim == 1) r = tc_squeeze(r, 0);
  tc_keep(r);
  tc_scope_end(ctx);
  api_on_end(ctx, old_dev_);
  return r;
}
