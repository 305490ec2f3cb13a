/*
 * cuda_matmul.c — KS_MATMUL kernels as CUDA C: shared-memory tiles, in the
 * order kernel.h fixes, so a GPU's results are the CPU's bits.
 *
 * A block of 256 threads computes a 128 x 128 tile of one batch's output,
 * 8 x 8 elements a thread (rows and columns in two groups of 4, 64 apart).
 * k advances in steps of 8: a step's 128 x 8 slice of A and 8 x 128 slice of
 * B (zero beyond the edges, converted to the compute dtype) sit in one of two
 * shared buffers while the next step's are loaded into registers, so one
 * barrier a step suffices and global loads overlap the fmas; a thread reads
 * shared memory 16 bytes at a time (float4, double2). Each thread adds a
 * step's products with one fma each, k ascending — every output element is
 * the sequential fma chain of kernel.h (only real k: the last step stops at
 * K, so no extra fma(0, 0, acc) can turn a -0 into +0). Blocks take tiles
 * grid-stride; a tile stores only its elements whose flat index is in
 * [begin, end), so a launch may be split like any kernel's. Operands are
 * strided views (constants of the kernel, like its shapes).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cuda.h"
#include "cuda_gen.h"

#define TILE 128
#define STEP 8

typedef struct sb {
  char *p;
  size_t n, cap;
  bool oom;
} sb;

static void put(sb *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(sb *s, const char *fmt, ...) {
  if (s->oom) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(s->p ? s->p + s->n : NULL, s->p ? s->cap - s->n : 0, fmt, ap);
    va_end(ap);
    if (k < 0) {
      s->oom = true;
      return;
    }
    if (s->p && s->n + (size_t)k < s->cap) {
      s->n += (size_t)k;
      return;
    }
    size_t cap = s->cap ? s->cap * 2 : 4096;
    while (cap < s->n + (size_t)k + 1) cap *= 2;
    char *p = realloc(s->p, cap);
    if (!p) {
      s->oom = true;
      return;
    }
    s->p = p;
    s->cap = cap;
  }
}

bool cg_cuda_is_matmul(const kernel *k) { return k && k->nstages >= 1 && k->stages[0].kind == KS_MATMUL; }

/* A load of buffer b at expression `at`, converted to the compute dtype. */
static void load(char *out, size_t cap, const kernel *k, int b, tc_dtype to, const char *at) {
  tc_dtype dt = k->bufs[b].dt;
  char raw[512];
  if (dt == TC_F16) snprintf(raw, sizeof raw, "tc_h2f(((const unsigned short *)b%d)[%s])", b, at);
  else if (dt == TC_BF16) snprintf(raw, sizeof raw, "tc_bf2f(((const unsigned short *)b%d)[%s])", b, at);
  else snprintf(raw, sizeof raw, "((const %s *)b%d)[%s]", cg_cu_mtype(dt), b, at);
  snprintf(out, cap, "(%s)%s", to == TC_F32 || to == TC_F64 ? cg_cu_ctype(to) : "unsigned long long", raw);
}

/* Where a thread's sub-tile row (or column) r of 0..7 sits in the tile:
 * two groups of 4, 64 apart, so a warp's 16-byte shared loads of one k row
 * touch consecutive banks and its stores of one output row are contiguous. */
static const char *const SUB = "(%s < 4 ? %s * 4 + %s : 64 + %s * 4 + %s - 4)";

/* Staging of one operand: each thread moves 4 elements a step. With k the
 * operand's fast dim, e = tid + 256 q maps to (row e / 8, k e % 8): rows
 * advance 32 a q; else (row e % 128, k e / 128): k advances 2 a q — either
 * way a warp reads runs of consecutive addresses, and (rows padded to
 * 132 elements) writes distinct banks. */
typedef struct stager {
  const char *name; /* "a" or "b" */
  bool kfast;
  int64_t rstr, kstr; /* strides along the operand's row (i or j) and k */
} stager;

static void stage_coords(sb *s, const stager *g) {
  if (g->kfast)
    put(s, "  const int tc_%sr = threadIdx.x / 8, tc_%sk = threadIdx.x %% 8;\n", g->name, g->name);
  else
    put(s, "  const int tc_%sr = threadIdx.x %% 128, tc_%sk = threadIdx.x / 128;\n", g->name, g->name);
}

/* registers tc_r<x>[q] <- the step at k0 (zero beyond the edges) */
static void stage_load(sb *s, const kernel *k, int buf, tc_dtype dt, const char *acc, const stager *g,
                       const char *k0, const char *rows, const char *r0) {
  char at[256], ld[640];
  for (int q = 0; q < 4; q++) {
    int64_t dr = g->kfast ? 32 * q : 0, dk = g->kfast ? 0 : 2 * q;
    snprintf(at, sizeof at, "tc_%so + (%s) * %lldLL + %lldLL", g->name, k0, (long long)g->kstr,
             (long long)(dr * g->rstr + dk * g->kstr));
    load(ld, sizeof ld, k, buf, dt, at);
    put(s, "        tc_r%s[%d] = %s + tc_%sr + %lld < %s && (%s) + tc_%sk + %lld < K ? %s : (%s)0;\n", g->name, q,
        r0, g->name, (long long)dr, rows, k0, g->name, (long long)dk, ld, acc);
  }
}

/* shared buffer `sbuf` <- the registers */
static void stage_store(sb *s, const stager *g, const char *sbuf) {
  for (int q = 0; q < 4; q++)
    put(s, "        tc_s%s[(%s * 8 + tc_%sk + %d) * 132 + tc_%sr + %d] = tc_r%s[%d];\n", g->name, sbuf, g->name,
        g->kfast ? 0 : 2 * q, g->name, g->kfast ? 32 * q : 0, g->name, q);
}

/* one k of the step in shared buffer tc_cur: 8 + 8 loads, 64 fmas */
static void emit_k(sb *s, const char *acc, int vw, const char *vt, const char *fma, const char *kk,
                   const char *ind) {
  const char *xs[4] = {"x", "y", "z", "w"};
  for (int o = 0; o < 2; o++) {
    const char *g = o ? "b" : "a", *t = o ? "tc_tx" : "tc_ty";
    put(s, "%s%s tc_%s[8];\n", ind, acc, g);
    for (int h = 0; h < 2; h++) { /* the two groups of 4 */
      char base[160];
      snprintf(base, sizeof base, "(tc_cur * 8 + %s) * 132 + %s%s * 4", kk, h ? "64 + " : "", t);
      if (vw) {
        for (int v = 0; v < 4 / vw; v++) {
          put(s, "%s{ const %s tc_v = *(const %s *)&tc_s%s[%s + %d];", ind, vt, vt, g, base, v * vw);
          for (int e = 0; e < vw; e++) put(s, " tc_%s[%d] = tc_v.%s;", g, h * 4 + v * vw + e, xs[e]);
          put(s, " }\n");
        }
      } else {
        for (int e = 0; e < 4; e++) put(s, "%stc_%s[%d] = tc_s%s[%s + %d];\n", ind, g, h * 4 + e, g, base, e);
      }
    }
  }
  char f[160];
  snprintf(f, sizeof f, fma, "tc_a[i]", "tc_b[j]", "tc_acc[i][j]");
  put(s, "%sTC_UNROLL\n%sfor (int i = 0; i < 8; i++)\n%s  TC_UNROLL\n%s  for (int j = 0; j < 8; j++) tc_acc[i][j] = %s;\n",
      ind, ind, ind, ind, f);
}

char *cg_cuda_matmul_body(const kernel *k, const char *name, bool epi, char *err, size_t cap) {
  const kstage *st = &k->stages[0];
  const kmm *mm = &st->mm;
  int nb = k->nouter - 2;
  if (nb < 0 || k->nbufs < 1 || st->buf < 0 || st->buf >= k->nbufs || mm->a < 0 || mm->a >= k->nbufs ||
      mm->b < 0 || mm->b >= k->nbufs) {
    snprintf(err, cap, "malformed matmul kernel");
    return NULL;
  }
  tc_dtype dt = st->acc_dt;
  bool fl = dt == TC_F32 || dt == TC_F64;
  if (!fl && (dt == TC_F16 || dt == TC_BF16 || dt == TC_BOOL)) {
    snprintf(err, cap, "a matmul in %s", dt == TC_BOOL ? "bool" : "a half type");
    return NULL;
  }
  const char *acc = fl ? cg_cu_ctype(dt) : "unsigned long long";
  const char *fma = dt == TC_F32 ? "__fmaf_rn(%s, %s, %s)" : dt == TC_F64 ? "__fma_rn(%s, %s, %s)" : "(%3$s + %1$s * %2$s)";
  /* shared memory is read 16 bytes at a time: float4, double2 */
  int vw = dt == TC_F32 ? 4 : dt == TC_F64 ? 2 : 0;
  const char *vt = dt == TC_F32 ? "float4" : dt == TC_F64 ? "double2" : acc;
  int64_t M = k->outer[nb], N = k->outer[nb + 1], K = st->n, nbatch = 1;
  for (int d = 0; d < nb; d++) nbatch *= k->outer[d];
  int64_t ai = mm->a_str[nb], bj = mm->b_str[nb + 1];
  stager ga = {"a", llabs(mm->a_k) <= llabs(ai), ai, mm->a_k};
  stager gb = {"b", llabs(mm->b_k) <= llabs(bj), bj, mm->b_k};
  const int SH = 2 * STEP * 132; /* two buffers of 8 rows of 132 */
  sb s = {0};
  put(&s, "extern \"C\" __global__ void __launch_bounds__(256) %s(", name);
  for (int b = 0; b < k->nbufs; b++) put(&s, "void *b%d, ", b);
  for (int i = 0; i < k->nparams; i++)
    put(&s, "%s tc_arg%d, ", k->params[i] == TC_F32 || k->params[i] == TC_F64 ? "double" : "long long", i);
  put(&s, "long long tc_begin, long long tc_end) {\n");
  put(&s, "  /* C (batch %lld x %lld x %lld) = A . B over k < %lld, %d x %d tiles, steps of %d k double-buffered */\n",
      (long long)nbatch, (long long)M, (long long)N, (long long)K, TILE, TILE, STEP);
  put(&s, "  const long long M = %lldLL, N = %lldLL, K = %lldLL;\n", (long long)M, (long long)N, (long long)K);
  put(&s, "  const long long TM = (M + %d) / %d, TN = (N + %d) / %d, NT = %lldLL * TM * TN;\n", TILE - 1, TILE,
      TILE - 1, TILE, (long long)nbatch);
  if (vw) {
    put(&s, "  __shared__ %s tc_sva[%d], tc_svb[%d];\n", vt, SH / vw, SH / vw);
    put(&s, "  %s *const tc_sa = (%s *)tc_sva, *const tc_sb = (%s *)tc_svb;\n", acc, acc, acc);
  } else {
    put(&s, "  __shared__ %s tc_sa[%d], tc_sb[%d];\n", acc, SH, SH);
  }
  put(&s, "  const int tc_tx = threadIdx.x %% 16, tc_ty = threadIdx.x / 16;\n");
  stage_coords(&s, &ga);
  stage_coords(&s, &gb);
  put(&s, "  for (long long tc_t = blockIdx.x; tc_t < NT; tc_t += gridDim.x) {\n");
  put(&s, "    const long long tc_b = tc_t / (TM * TN), tc_r = tc_t %% (TM * TN);\n");
  put(&s, "    const long long i0 = tc_r / TN * %d, j0 = tc_r %% TN * %d;\n", TILE, TILE);
  put(&s, "    const long long tc_c0 = tc_b * M * N;\n");
  put(&s, "    const long long tc_first = tc_c0 + i0 * N + j0;\n");
  put(&s, "    const long long tc_last = tc_c0 + (i0 + %d < M ? i0 + %d : M - 1) * N + (j0 + %d < N ? j0 + %d : N - 1);\n",
      TILE - 1, TILE - 1, TILE - 1, TILE - 1);
  put(&s, "    if (tc_last < tc_begin || tc_first >= tc_end) continue; /* the whole block skips it */\n");
  put(&s, "    long long pa = %lldLL, pb = %lldLL, tc_q = tc_b;\n", (long long)mm->a_off, (long long)mm->b_off);
  for (int d = nb - 1; d >= 0; d--) {
    put(&s, "    { const long long c = tc_q %% %lldLL; tc_q /= %lldLL; pa += c * %lldLL; pb += c * %lldLL; }\n",
        (long long)k->outer[d], (long long)k->outer[d], (long long)mm->a_str[d], (long long)mm->b_str[d]);
  }
  put(&s, "    (void)tc_q;\n");
  put(&s, "    const long long tc_ao = pa + (i0 + tc_ar) * %lldLL + tc_ak * %lldLL;\n", (long long)ai, (long long)mm->a_k);
  put(&s, "    const long long tc_bo = pb + (j0 + tc_br) * %lldLL + tc_bk * %lldLL;\n", (long long)bj, (long long)mm->b_k);
  put(&s, "    %s tc_acc[8][8], tc_ra[4], tc_rb[4];\n", acc);
  put(&s, "    TC_UNROLL\n    for (int i = 0; i < 8; i++)\n      TC_UNROLL\n      for (int j = 0; j < 8; j++) tc_acc[i][j] = 0;\n");
  /* the first step into buffer 0 */
  put(&s, "    if (K > 0) {\n");
  stage_load(&s, k, mm->a, dt, acc, &ga, "0", "M", "i0");
  stage_load(&s, k, mm->b, dt, acc, &gb, "0", "N", "j0");
  stage_store(&s, &ga, "0");
  stage_store(&s, &gb, "0");
  put(&s, "        __syncthreads();\n    }\n");
  put(&s, "    int tc_cur = 0;\n");
  put(&s, "    for (long long k0 = 0; k0 < K; k0 += %d, tc_cur ^= 1) {\n", STEP);
  put(&s, "      const bool tc_more = k0 + %d < K;\n", STEP);
  put(&s, "      if (tc_more) { /* the next step's operands, in flight during this one */\n");
  char kn[64];
  snprintf(kn, sizeof kn, "k0 + %d", STEP);
  stage_load(&s, k, mm->a, dt, acc, &ga, kn, "M", "i0");
  stage_load(&s, k, mm->b, dt, acc, &gb, kn, "N", "j0");
  put(&s, "      }\n");
  put(&s, "      if (k0 + %d <= K) {\n        TC_UNROLL\n        for (int kk = 0; kk < %d; kk++) {\n", STEP, STEP);
  emit_k(&s, acc, vw, vt, fma, "kk", "          ");
  put(&s, "        }\n      } else {\n");
  put(&s, "        for (int kk = 0; kk < (int)(K - k0); kk++) { /* only real k */\n");
  emit_k(&s, acc, vw, vt, fma, "kk", "          ");
  put(&s, "        }\n      }\n");
  put(&s, "      if (tc_more) {\n");
  stage_store(&s, &ga, "(tc_cur ^ 1)");
  stage_store(&s, &gb, "(tc_cur ^ 1)");
  put(&s, "      }\n      __syncthreads();\n    }\n");
  char ri[96], cj[96];
  snprintf(ri, sizeof ri, SUB, "i", "tc_ty", "i", "tc_ty", "i");
  snprintf(cj, sizeof cj, SUB, "j", "tc_tx", "j", "tc_tx", "j");
  put(&s, "    TC_UNROLL\n    for (int i = 0; i < 8; i++)\n      TC_UNROLL\n      for (int j = 0; j < 8; j++) {\n");
  put(&s, "        const long long gi = i0 + %s, gj = j0 + %s, at = tc_c0 + gi * N + gj;\n", ri, cj);
  put(&s, "        if (gi < M && gj < N && at >= tc_begin && at < tc_end) {\n");
  put(&s, "          ((%s *)b%d)[at] = (%s)tc_acc[i][j];\n", cg_cu_mtype(dt), st->buf, cg_cu_ctype(dt));
  if (epi) { /* the later stages at the point, reading back what it stored */
    put(&s, "          %s_epi(", name);
    for (int b = 0; b < k->nbufs; b++) put(&s, "b%d, ", b);
    for (int i = 0; i < k->nparams; i++) put(&s, "tc_arg%d, ", i);
    put(&s, "at);\n");
  }
  put(&s, "        }\n");
  put(&s, "      }\n  }\n}\n");
  if (s.oom) {
    free(s.p);
    snprintf(err, cap, "out of memory");
    return NULL;
  }
  return s.p;
}

int64_t cg_cuda_matmul_tiles(const kernel *k) {
  int nb = k->nouter - 2;
  int64_t t = ((k->outer[nb] + TILE - 1) / TILE) * ((k->outer[nb + 1] + TILE - 1) / TILE);
  for (int d = 0; d < nb; d++) t *= k->outer[d];
  return t;
}
