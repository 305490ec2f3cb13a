/*
 * cuda_matmul.c — KS_MATMUL kernels as CUDA C: shared-memory tiles, in the
 * order kernel.h fixes, so a GPU's results are the CPU's bits.
 *
 * A block of 256 threads computes a 128 x 128 tile of one batch's output: for
 * each 8-wide step of k it stages an 128 x 8 slice of A and an 8 x 128 slice
 * of B in shared memory (zero beyond the edges, converted to the compute
 * dtype), and each thread keeps an 8 x 8 sub-tile in registers, adding the
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

bool cg_cuda_is_matmul(const kernel *k) { return k && k->nstages == 1 && k->stages[0].kind == KS_MATMUL; }

/* A load of buffer b at expression `at`, converted to the compute dtype. */
static void load(char *out, size_t cap, const kernel *k, int b, tc_dtype to, const char *at) {
  tc_dtype dt = k->bufs[b].dt;
  char raw[256];
  if (dt == TC_F16) snprintf(raw, sizeof raw, "tc_h2f(((const unsigned short *)b%d)[%s])", b, at);
  else if (dt == TC_BF16) snprintf(raw, sizeof raw, "tc_bf2f(((const unsigned short *)b%d)[%s])", b, at);
  else snprintf(raw, sizeof raw, "((const %s *)b%d)[%s]", cg_cu_mtype(dt), b, at);
  snprintf(out, cap, "(%s)%s", to == TC_F32 || to == TC_F64 ? cg_cu_ctype(to) : "unsigned long long", raw);
}

char *cg_cuda_matmul_body(const kernel *k, const char *name, char *err, size_t cap) {
  const kstage *st = &k->stages[0];
  const kmm *mm = &st->mm;
  int nb = k->nouter - 2;
  if (nb < 0 || k->nbufs != 3) {
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
  int64_t M = k->outer[nb], N = k->outer[nb + 1], K = st->n, nbatch = 1;
  for (int d = 0; d < nb; d++) nbatch *= k->outer[d];
  sb s = {0};
  put(&s, "extern \"C\" __global__ void __launch_bounds__(256) %s(void *b0, void *b1, void *b2, long long tc_begin, "
          "long long tc_end) {\n", name);
  put(&s, "  /* C (batch %lld x %lld x %lld) = A . B over k < %lld, %d x %d tiles */\n", (long long)nbatch,
      (long long)M, (long long)N, (long long)K, TILE, TILE);
  put(&s, "  const long long M = %lldLL, N = %lldLL, K = %lldLL;\n", (long long)M, (long long)N, (long long)K);
  put(&s, "  const long long TM = (M + %d) / %d, TN = (N + %d) / %d, NT = %lldLL * TM * TN;\n", TILE - 1, TILE,
      TILE - 1, TILE, (long long)nbatch);
  put(&s, "  __shared__ %s tc_as[%d][%d];\n  __shared__ %s tc_bs[%d][%d];\n", acc, STEP, TILE, acc, STEP, TILE);
  put(&s, "  const int tc_tx = threadIdx.x %% 16, tc_ty = threadIdx.x / 16;\n");
  put(&s, "  for (long long tc_t = blockIdx.x; tc_t < NT; tc_t += gridDim.x) {\n");
  put(&s, "    const long long tc_b = tc_t / (TM * TN), tc_r = tc_t %% (TM * TN);\n");
  put(&s, "    const long long i0 = tc_r / TN * %d, j0 = tc_r %% TN * %d;\n", TILE, TILE);
  put(&s, "    const long long tc_c0 = tc_b * M * N;\n");
  put(&s, "    const long long tc_first = tc_c0 + i0 * N + j0;\n");
  put(&s, "    const long long tc_last = tc_c0 + (i0 + %d < M ? i0 + %d : M - 1) * N + (j0 + %d < N ? j0 + %d : N - 1);\n",
      TILE - 1, TILE - 1, TILE - 1, TILE - 1);
  put(&s, "    if (tc_last < tc_begin || tc_first >= tc_end) continue; /* the whole block skips it */\n");
  /* the batch's offsets */
  put(&s, "    long long pa = %lldLL, pb = %lldLL, tc_q = tc_b;\n", (long long)mm->a_off, (long long)mm->b_off);
  for (int d = nb - 1; d >= 0; d--) {
    put(&s, "    { const long long c = tc_q %% %lldLL; tc_q /= %lldLL; pa += c * %lldLL; pb += c * %lldLL; }\n",
        (long long)k->outer[d], (long long)k->outer[d], (long long)mm->a_str[d], (long long)mm->b_str[d]);
  }
  put(&s, "    (void)tc_q;\n");
  put(&s, "    %s tc_acc[8][8];\n", acc);
  put(&s, "    TC_UNROLL\n    for (int i = 0; i < 8; i++)\n      TC_UNROLL\n      for (int j = 0; j < 8; j++) tc_acc[i][j] = 0;\n");
  put(&s, "    for (long long k0 = 0; k0 < K; k0 += %d) {\n", STEP);
  char la[512], lb[512], at[256];
  snprintf(at, sizeof at, "pa + gi * %lldLL + gk * %lldLL", (long long)mm->a_str[nb], (long long)mm->a_k);
  load(la, sizeof la, k, mm->a, dt, at);
  snprintf(at, sizeof at, "pb + gk * %lldLL + gj * %lldLL", (long long)mm->b_k, (long long)mm->b_str[nb + 1]);
  load(lb, sizeof lb, k, mm->b, dt, at);
  put(&s, "      for (int e = threadIdx.x; e < %d; e += 256) {\n", TILE * STEP);
  put(&s, "        const int i = e / %d, kk = e %% %d;\n", STEP, STEP);
  put(&s, "        const long long gi = i0 + i, gk = k0 + kk;\n");
  put(&s, "        tc_as[kk][i] = gi < M && gk < K ? %s : (%s)0;\n", la, acc);
  put(&s, "      }\n");
  put(&s, "      for (int e = threadIdx.x; e < %d; e += 256) {\n", TILE * STEP);
  put(&s, "        const int kk = e / %d, j = e %% %d;\n", TILE, TILE);
  put(&s, "        const long long gk = k0 + kk, gj = j0 + j;\n");
  put(&s, "        tc_bs[kk][j] = gk < K && gj < N ? %s : (%s)0;\n", lb, acc);
  put(&s, "      }\n");
  put(&s, "      __syncthreads();\n");
  put(&s, "      const int tc_kn = K - k0 < %d ? (int)(K - k0) : %d; /* only real k */\n", STEP, STEP);
  put(&s, "      for (int kk = 0; kk < tc_kn; kk++) {\n");
  put(&s, "        %s a[8], b[8];\n", acc);
  put(&s, "        TC_UNROLL\n        for (int i = 0; i < 8; i++) a[i] = tc_as[kk][tc_ty * 8 + i];\n");
  put(&s, "        TC_UNROLL\n        for (int j = 0; j < 8; j++) b[j] = tc_bs[kk][tc_tx * 8 + j];\n");
  char f[160];
  snprintf(f, sizeof f, fma, "a[i]", "b[j]", "tc_acc[i][j]");
  put(&s, "        TC_UNROLL\n        for (int i = 0; i < 8; i++)\n          TC_UNROLL\n"
          "          for (int j = 0; j < 8; j++) tc_acc[i][j] = %s;\n", f);
  put(&s, "      }\n      __syncthreads();\n    }\n");
  put(&s, "    TC_UNROLL\n    for (int i = 0; i < 8; i++)\n      TC_UNROLL\n      for (int j = 0; j < 8; j++) {\n");
  put(&s, "        const long long gi = i0 + tc_ty * 8 + i, gj = j0 + tc_tx * 8 + j, at = tc_c0 + gi * N + gj;\n");
  put(&s, "        if (gi < M && gj < N && at >= tc_begin && at < tc_end) ((%s *)b0)[at] = (%s)tc_acc[i][j];\n",
      cg_cu_mtype(dt), cg_cu_ctype(dt));
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
