/*
 * matmul.c — KS_MATMUL kernels on the CPU: packed panels and a
 * register-blocked micro-kernel, in the order kernel.h fixes.
 *
 * kernel.h defines each output element as a sequential fma chain over k
 * (acc = 0; acc = fma(a_k, b_k, acc) for k = 0, 1, ...). This driver keeps
 * exactly that order, so its results are the interpreter's, bit for bit,
 * whatever the tiling or the thread count: the k loop is split into KC
 * blocks, and each block continues the chain from the partial sums the
 * block before left in C (stored in the compute dtype, so nothing is
 * rounded in between); tiles over m and n only change which elements a
 * thread computes, never how.
 *
 * Layout (BLIS's): for each work item — a batch, a block of MC rows and a
 * block of NC columns — and each KC block, A's rows are packed into panels
 * of MR rows (k-major: the MR values of one k side by side) and B's columns
 * into panels of NR columns (the NR values of one k side by side), zero
 * padded at the edges, converting float16/bfloat16 to float32 on the way;
 * then an MR x NR micro-kernel keeps its tile of C in registers across the
 * KC block: per k, NR/W vector loads of B, MR broadcasts of A, MR * NR/W
 * vector fmas. Operands are strided views (transposed or broadcast
 * operands cost no copy). Work items are split over the context's threads.
 * Micro-kernels: AVX-512 (f32 8x32, f64 8x16), AVX2+FMA (f32 6x16, f64
 * 6x8), chosen at run time; plain C with fmaf/fma elsewhere — the same
 * bits, since an fma rounds once on every one of them. A matrix times a
 * vector (n == 1) packs nothing: 16 rows' chains at a time (matvec).
 * Integer dtypes run the sequential loop directly (wrapping, as kernel.h
 * says).
 */
#include <immintrin.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../codegen/kernel.h"
#include "pool.h"
#include "runtime.h"

#define KC 384
#define MC 96 /* a multiple of every MR */
#define NC 512

typedef struct mm_job {
  const kernel *k;
  const kstage *st;
  void *const *bufs;
  int nb;              /* batch dims */
  int64_t m, n, kk;    /* sizes */
  int64_t mblocks, nbatch;
  int mr, nr;          /* the micro-kernel's tile */
  int isa;             /* 2: AVX-512, 1: AVX2 + FMA, 0: plain C */
  kc_fn epi;           /* the later stages, on finished rows (or NULL) */
} mm_job;

/* The epilogue on rows [i0, i1) x columns [j0, j1) of the output at batch
 * offset pc (its flat outer points: C is contiguous). */
static void epilogue(const mm_job *J, int64_t pc, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
  if (!J->epi || j0 >= j1) return;
  for (int64_t i = i0; i < i1; i++) J->epi(J->bufs, pc + i * J->n + j0, pc + i * J->n + j1);
}

/* ---- element access ---- */

static double load_d(const void *base, tc_dtype dt, int64_t i) {
  switch (dt) {
  case TC_F64: return ((const double *)base)[i];
  case TC_F32: return ((const float *)base)[i];
  case TC_F16: return kc_f16_to_f32(((const uint16_t *)base)[i]);
  case TC_BF16: return kc_bf16_to_f32(((const uint16_t *)base)[i]);
  default: return 0;
  }
}

static float load_f(const void *base, tc_dtype dt, int64_t i) {
  switch (dt) {
  case TC_F32: return ((const float *)base)[i];
  case TC_F16: return kc_f16_to_f32(((const uint16_t *)base)[i]);
  case TC_BF16: return kc_bf16_to_f32(((const uint16_t *)base)[i]);
  default: return (float)load_d(base, dt, i);
  }
}

/* The offsets of batch bi's A, B and C (C is contiguous). */
static void batch_base(const mm_job *J, int64_t bi, int64_t *pa, int64_t *pb, int64_t *pc) {
  const kmm *mm = &J->st->mm;
  int64_t a = mm->a_off, b = mm->b_off, q = bi;
  for (int d = J->nb - 1; d >= 0; d--) {
    int64_t c = q % J->k->outer[d];
    q /= J->k->outer[d];
    a += c * mm->a_str[d];
    b += c * mm->b_str[d];
  }
  *pa = a;
  *pb = b;
  *pc = bi * J->m * J->n;
}

/* ---- micro-kernels: C[0..mr) x [0..nr) (+)= A panel . B panel over kc ---- */

/* The tile through a buffer of the full MR x NR (edges, or plain C). */
#define TILE_IN(T, C, ldc, mr, nr, first, MR, NR)                                                     \
  for (int r = 0; r < (MR); r++)                                                                      \
    for (int c = 0; c < (NR); c++) (T)[r * (NR) + c] = (first) || r >= (mr) || c >= (nr) ? 0 : (C)[r * (ldc) + c];
#define TILE_OUT(T, C, ldc, mr, nr, NR)                                                               \
  for (int r = 0; r < (mr); r++)                                                                      \
    for (int c = 0; c < (nr); c++) (C)[r * (ldc) + c] = (T)[r * (NR) + c];

static void mk_f32_c(int64_t kc, const float *A, const float *B, float *C, int64_t ldc, int mr, int nr,
                     bool first) {
  float T[4 * 8];
  TILE_IN(T, C, ldc, mr, nr, first, 4, 8);
  for (int64_t k = 0; k < kc; k++)
    for (int r = 0; r < 4; r++)
      for (int c = 0; c < 8; c++) T[r * 8 + c] = fmaf(A[k * 4 + r], B[k * 8 + c], T[r * 8 + c]);
  TILE_OUT(T, C, ldc, mr, nr, 8);
}

static void mk_f64_c(int64_t kc, const double *A, const double *B, double *C, int64_t ldc, int mr, int nr,
                     bool first) {
  double T[4 * 8];
  TILE_IN(T, C, ldc, mr, nr, first, 4, 8);
  for (int64_t k = 0; k < kc; k++)
    for (int r = 0; r < 4; r++)
      for (int c = 0; c < 8; c++) T[r * 8 + c] = fma(A[k * 4 + r], B[k * 8 + c], T[r * 8 + c]);
  TILE_OUT(T, C, ldc, mr, nr, 8);
}

#if defined(__x86_64__)
#define AVX512 __attribute__((target("avx512f")))
#define AVX2 __attribute__((target("avx2,fma")))

AVX512 static void mk_f32_avx512(int64_t kc, const float *A, int64_t lda, const float *B, float *C, int64_t ldc,
                                 int mr, int nr, bool first) {
  float T[8 * 32] __attribute__((aligned(64)));
  bool full = mr == 8 && nr == 32;
  const float *src = C;
  int64_t ld = ldc;
  if (!full) {
    TILE_IN(T, C, ldc, mr, nr, first, 8, 32);
    src = T, ld = 32;
  }
  __m512 c0[8], c1[8];
#pragma GCC unroll 8
  for (int r = 0; r < 8; r++) {
    c0[r] = first && full ? _mm512_setzero_ps() : _mm512_loadu_ps(src + r * ld);
    c1[r] = first && full ? _mm512_setzero_ps() : _mm512_loadu_ps(src + r * ld + 16);
  }
  const float *ar[8]; /* A's rows (row-major, lda apart; rows past mr repeat row 0) */
  for (int r = 0; r < 8; r++) ar[r] = A + (r < mr ? r : 0) * lda;
  for (int64_t k = 0; k < kc; k++) {
    __m512 b0 = _mm512_loadu_ps(B + k * 32), b1 = _mm512_loadu_ps(B + k * 32 + 16);
#pragma GCC unroll 8
    for (int r = 0; r < 8; r++) {
      __m512 a = _mm512_set1_ps(ar[r][k]);
      c0[r] = _mm512_fmadd_ps(a, b0, c0[r]);
      c1[r] = _mm512_fmadd_ps(a, b1, c1[r]);
    }
  }
  float *dst = full ? C : T;
#pragma GCC unroll 8
  for (int r = 0; r < 8; r++) {
    _mm512_storeu_ps(dst + r * ld, c0[r]);
    _mm512_storeu_ps(dst + r * ld + 16, c1[r]);
  }
  if (!full) TILE_OUT(T, C, ldc, mr, nr, 32);
}

AVX512 static void mk_f64_avx512(int64_t kc, const double *A, const double *B, double *C, int64_t ldc, int mr,
                                 int nr, bool first) {
  double T[8 * 16] __attribute__((aligned(64)));
  bool full = mr == 8 && nr == 16;
  const double *src = C;
  int64_t ld = ldc;
  if (!full) {
    TILE_IN(T, C, ldc, mr, nr, first, 8, 16);
    src = T, ld = 16;
  }
  __m512d c0[8], c1[8];
#pragma GCC unroll 8
  for (int r = 0; r < 8; r++) {
    c0[r] = first && full ? _mm512_setzero_pd() : _mm512_loadu_pd(src + r * ld);
    c1[r] = first && full ? _mm512_setzero_pd() : _mm512_loadu_pd(src + r * ld + 8);
  }
  for (int64_t k = 0; k < kc; k++) {
    __m512d b0 = _mm512_loadu_pd(B + k * 16), b1 = _mm512_loadu_pd(B + k * 16 + 8);
#pragma GCC unroll 8
    for (int r = 0; r < 8; r++) {
      __m512d a = _mm512_set1_pd(A[k * 8 + r]);
      c0[r] = _mm512_fmadd_pd(a, b0, c0[r]);
      c1[r] = _mm512_fmadd_pd(a, b1, c1[r]);
    }
  }
  double *dst = full ? C : T;
#pragma GCC unroll 8
  for (int r = 0; r < 8; r++) {
    _mm512_storeu_pd(dst + r * ld, c0[r]);
    _mm512_storeu_pd(dst + r * ld + 8, c1[r]);
  }
  if (!full) TILE_OUT(T, C, ldc, mr, nr, 16);
}

AVX2 static void mk_f32_avx2(int64_t kc, const float *A, const float *B, float *C, int64_t ldc, int mr, int nr,
                             bool first) {
  float T[6 * 16] __attribute__((aligned(32)));
  bool full = mr == 6 && nr == 16;
  const float *src = C;
  int64_t ld = ldc;
  if (!full) {
    TILE_IN(T, C, ldc, mr, nr, first, 6, 16);
    src = T, ld = 16;
  }
  __m256 c0[6], c1[6];
#pragma GCC unroll 6
  for (int r = 0; r < 6; r++) {
    c0[r] = first && full ? _mm256_setzero_ps() : _mm256_loadu_ps(src + r * ld);
    c1[r] = first && full ? _mm256_setzero_ps() : _mm256_loadu_ps(src + r * ld + 8);
  }
  for (int64_t k = 0; k < kc; k++) {
    __m256 b0 = _mm256_loadu_ps(B + k * 16), b1 = _mm256_loadu_ps(B + k * 16 + 8);
#pragma GCC unroll 6
    for (int r = 0; r < 6; r++) {
      __m256 a = _mm256_broadcast_ss(A + k * 6 + r);
      c0[r] = _mm256_fmadd_ps(a, b0, c0[r]);
      c1[r] = _mm256_fmadd_ps(a, b1, c1[r]);
    }
  }
  float *dst = full ? C : T;
#pragma GCC unroll 6
  for (int r = 0; r < 6; r++) {
    _mm256_storeu_ps(dst + r * ld, c0[r]);
    _mm256_storeu_ps(dst + r * ld + 8, c1[r]);
  }
  if (!full) TILE_OUT(T, C, ldc, mr, nr, 16);
}

AVX2 static void mk_f64_avx2(int64_t kc, const double *A, const double *B, double *C, int64_t ldc, int mr,
                             int nr, bool first) {
  double T[6 * 8] __attribute__((aligned(32)));
  bool full = mr == 6 && nr == 8;
  const double *src = C;
  int64_t ld = ldc;
  if (!full) {
    TILE_IN(T, C, ldc, mr, nr, first, 6, 8);
    src = T, ld = 8;
  }
  __m256d c0[6], c1[6];
#pragma GCC unroll 6
  for (int r = 0; r < 6; r++) {
    c0[r] = first && full ? _mm256_setzero_pd() : _mm256_loadu_pd(src + r * ld);
    c1[r] = first && full ? _mm256_setzero_pd() : _mm256_loadu_pd(src + r * ld + 4);
  }
  for (int64_t k = 0; k < kc; k++) {
    __m256d b0 = _mm256_loadu_pd(B + k * 8), b1 = _mm256_loadu_pd(B + k * 8 + 4);
#pragma GCC unroll 6
    for (int r = 0; r < 6; r++) {
      __m256d a = _mm256_broadcast_sd(A + k * 6 + r);
      c0[r] = _mm256_fmadd_pd(a, b0, c0[r]);
      c1[r] = _mm256_fmadd_pd(a, b1, c1[r]);
    }
  }
  double *dst = full ? C : T;
#pragma GCC unroll 6
  for (int r = 0; r < 6; r++) {
    _mm256_storeu_pd(dst + r * ld, c0[r]);
    _mm256_storeu_pd(dst + r * ld + 4, c1[r]);
  }
  if (!full) TILE_OUT(T, C, ldc, mr, nr, 8);
}
#endif

/* ---- the work ---- */

/* One KC block of one NC block of one batch: B's block packed once (in
 * parallel, by panels), then items of (MC rows, a group of B's panels),
 * each packing its rows of A and running the micro-kernel over its tiles. */
typedef struct block {
  const mm_job *J;
  int64_t pa, pb, pc;  /* batch offsets */
  int64_t j0, nc, k0, kc;
  int64_t nq, qgroup, ngroups; /* B's panels, panels an item takes, groups */
  void *bp;            /* B's packed block */
  bool first;
} block;

static void pack_b(void *arg, int64_t q0, int64_t q1) {
  block *Bk = arg;
  const mm_job *J = Bk->J;
  const kmm *mm = &J->st->mm;
  int nr = J->nr;
  int64_t kc = Bk->kc, k0 = Bk->k0, j0 = Bk->j0, pb = Bk->pb;
  int64_t bk = mm->b_k, bn = mm->b_str[J->nb + 1];
  const void *Bb = J->bufs[mm->b];
  tc_dtype bdt = J->k->bufs[mm->b].dt;
  for (int64_t q = q0; q < q1; q++) {
    int64_t nc = Bk->nc - q * nr < nr ? Bk->nc - q * nr : nr;
    if (J->st->acc_dt == TC_F64) {
      double *T = (double *)Bk->bp + q * kc * nr;
      const double *b = Bb;
      for (int64_t k = 0; k < kc; k++)
        for (int c = 0; c < nr; c++) T[k * nr + c] = c < nc ? b[pb + (k0 + k) * bk + (j0 + q * nr + c) * bn] : 0;
    } else {
      float *T = (float *)Bk->bp + q * kc * nr;
      const float *b = Bb;
      for (int64_t k = 0; k < kc; k++) {
        const int64_t at = pb + (k0 + k) * bk + (j0 + q * nr) * bn;
        if (bdt == TC_F32 && bn == 1 && nc == nr) /* a full row of the panel: a plain copy */
          memcpy(T + k * nr, b + at, sizeof(float) * (size_t)nr);
        else if (bdt == TC_F32)
          for (int c = 0; c < nr; c++) T[k * nr + c] = c < nc ? b[at + c * bn] : 0;
        else
          for (int c = 0; c < nr; c++) T[k * nr + c] = c < nc ? load_f(Bb, bdt, at + c * bn) : 0;
      }
    }
  }
}

static void compute(void *arg, int64_t begin, int64_t end) {
  block *Bk = arg;
  const mm_job *J = Bk->J;
  const kmm *mm = &J->st->mm;
  bool f64 = J->st->acc_dt == TC_F64;
  int mr = J->mr, nr = J->nr;
  int64_t kc = Bk->kc, k0 = Bk->k0, pa = Bk->pa;
  int64_t am = mm->a_str[J->nb], ak = mm->a_k;
  const void *Ab = J->bufs[mm->a];
  tc_dtype adt = J->k->bufs[mm->a].dt;
  void *ap = aligned_alloc(64, (size_t)MC * KC * (f64 ? 8 : 4));
  if (!ap) return;
  int64_t packed = -1; /* the row block in ap */
  for (int64_t it = begin; it < end; it++) {
    int64_t ib = it / Bk->ngroups, g = it % Bk->ngroups;
    int64_t i0 = ib * MC, mc = J->m - i0 < MC ? J->m - i0 : MC;
    bool rows = !f64 && J->isa == 2; /* the AVX-512 float32 kernel reads A's rows as they are */
    bool direct = rows && adt == TC_F32 && ak == 1;
    if (rows && !direct && packed != ib) { /* rows [i0, i0+mc) x [k0, k0+kc), row-major, lda kc */
      for (int64_t i = 0; i < mc; i++) {
        float *T = (float *)ap + i * kc;
        int64_t at = pa + (i0 + i) * am + k0 * ak;
        for (int64_t k = 0; k < kc; k++) T[k] = load_f(Ab, adt, at + k * ak);
      }
      packed = ib;
    } else if (!rows && packed != ib) { /* A's rows [i0, i0+mc) x [k0, k0+kc), panels of mr rows */
      for (int64_t p = 0; p * mr < mc; p++)
        for (int r = 0; r < mr; r++) { /* a row at a time: A is usually row-major */
          int64_t i = p * mr + r, at = pa + (i0 + i) * am + k0 * ak;
          if (f64) {
            double *T = (double *)ap + p * kc * mr + r;
            const double *a = (const double *)Ab + at;
            for (int64_t k = 0; k < kc; k++) T[k * mr] = i < mc ? a[k * ak] : 0;
          } else if (adt == TC_F32) {
            float *T = (float *)ap + p * kc * mr + r;
            const float *a = (const float *)Ab + at;
            if (i >= mc)
              for (int64_t k = 0; k < kc; k++) T[k * mr] = 0;
            else if (ak == 1)
              for (int64_t k = 0; k < kc; k++) T[k * mr] = a[k];
            else
              for (int64_t k = 0; k < kc; k++) T[k * mr] = a[k * ak];
          } else {
            float *T = (float *)ap + p * kc * mr + r;
            for (int64_t k = 0; k < kc; k++) T[k * mr] = i < mc ? load_f(Ab, adt, at + k * ak) : 0;
          }
        }
      packed = ib;
    }
    int64_t q1 = (g + 1) * Bk->qgroup < Bk->nq ? (g + 1) * Bk->qgroup : Bk->nq;
    for (int64_t q = g * Bk->qgroup; q < q1; q++)
      for (int64_t p = 0; p * mr < mc; p++) {
        int tm = mc - p * mr < mr ? (int)(mc - p * mr) : mr;
        int tn = Bk->nc - q * nr < nr ? (int)(Bk->nc - q * nr) : nr;
        int64_t co = Bk->pc + (i0 + p * mr) * J->n + Bk->j0 + q * nr;
        if (f64) {
          const double *A = (const double *)ap + p * kc * mr, *B = (const double *)Bk->bp + q * kc * nr;
          double *C = (double *)J->bufs[J->st->buf] + co;
#if defined(__x86_64__)
          if (J->isa == 2) mk_f64_avx512(kc, A, B, C, J->n, tm, tn, Bk->first);
          else if (J->isa == 1) mk_f64_avx2(kc, A, B, C, J->n, tm, tn, Bk->first);
          else
#endif
            mk_f64_c(kc, A, B, C, J->n, tm, tn, Bk->first);
        } else {
          const float *A = (const float *)ap + p * kc * mr, *B = (const float *)Bk->bp + q * kc * nr;
          float *C = (float *)J->bufs[J->st->buf] + co;
#if defined(__x86_64__)
          if (J->isa == 2)
            mk_f32_avx512(kc, direct ? (const float *)Ab + pa + (i0 + p * mr) * am + k0 : (const float *)ap + p * mr * kc,
                          direct ? am : kc, B, C, J->n, tm, tn, Bk->first);
          else if (J->isa == 1) mk_f32_avx2(kc, A, B, C, J->n, tm, tn, Bk->first);
          else
#endif
            mk_f32_c(kc, A, B, C, J->n, tm, tn, Bk->first);
        }
      }
    if (Bk->k0 + kc == J->kk) { /* the item's tile is final: its epilogue while in cache */
      int64_t c0 = Bk->j0 + g * Bk->qgroup * nr, c1 = Bk->j0 + q1 * nr;
      epilogue(J, Bk->pc, i0, i0 + mc, c0, c1 < Bk->j0 + Bk->nc ? c1 : Bk->j0 + Bk->nc);
    }
  }
  free(ap);
}

/* Integers (and anything without a packed path): the sequential loop, rows
 * split over the threads. */
static void chunk_rows(void *arg, int64_t begin, int64_t end) {
  const mm_job *J = arg;
  for (int64_t p = begin; p < end; p++) kc_interp(J->k, J->bufs, p * J->n, (p + 1) * J->n);
}

/* Points [begin, end) of the whole kernel, interpreted. */
static void whole(void *arg, int64_t begin, int64_t end) {
  const mm_job *J = arg;
  kc_interp(J->k, J->bufs, begin, end);
}

/* Whole batches on one thread: the blocks of rt_matmul_run's loop, each
 * packed by this thread alone. */
static void batch_chunk(void *arg, int64_t begin, int64_t end) {
  const mm_job *J = arg;
  size_t es = J->st->acc_dt == TC_F64 ? 8 : 4;
  void *bp = aligned_alloc(64, (size_t)(NC + J->nr) * KC * es);
  if (!bp) {
    for (int64_t bi = begin; bi < end; bi++) chunk_rows((void *)J, bi * J->m, (bi + 1) * J->m);
    return;
  }
  for (int64_t bi = begin; bi < end; bi++)
    for (int64_t j0 = 0; j0 < J->n; j0 += NC) {
      block Bk = {.J = J, .j0 = j0, .bp = bp};
      batch_base(J, bi, &Bk.pa, &Bk.pb, &Bk.pc);
      Bk.nc = J->n - j0 < NC ? J->n - j0 : NC;
      Bk.nq = (Bk.nc + J->nr - 1) / J->nr;
      Bk.ngroups = 1;
      Bk.qgroup = Bk.nq;
      if (J->kk == 0) {
        for (int64_t i = 0; i < J->m; i++)
          memset((char *)J->bufs[J->st->buf] + (size_t)(Bk.pc + i * J->n + j0) * es, 0, (size_t)Bk.nc * es);
        epilogue(J, Bk.pc, 0, J->m, j0, j0 + Bk.nc);
        continue;
      }
      for (Bk.k0 = 0; Bk.k0 < J->kk; Bk.k0 += KC) {
        Bk.kc = J->kk - Bk.k0 < KC ? J->kk - Bk.k0 : KC;
        Bk.first = Bk.k0 == 0;
        pack_b(&Bk, 0, Bk.nq);
        compute(&Bk, 0, J->mblocks);
      }
    }
  free(bp);
}

/* ---- a matrix times a vector (n == 1) ---- */

/* Nothing to reuse, so nothing to pack: each output element's chain runs
 * as kernel.h says (acc = 0, then acc = fma(a_k, b_k, acc) in k order), MV
 * rows at a time so that the chains interleave instead of waiting on each
 * fma's latency (rows past the end repeat the last one and are dropped).
 * Items are (batch, block of MV rows). */
#define MV 16

#define MV_FN(name, ATTR)                                                                           \
  ATTR static void name(const mm_job *J, int64_t pa, int64_t pb, int64_t pc, int64_t i0, int mc) {  \
    const kmm *mm = &J->st->mm;                                                                    \
    int64_t am = mm->a_str[J->nb], ak = mm->a_k, bk = mm->b_k, kk = J->kk;                         \
    const void *Ab = J->bufs[mm->a], *Bb = J->bufs[mm->b];                                         \
    tc_dtype adt = J->k->bufs[mm->a].dt, bdt = J->k->bufs[mm->b].dt;                               \
    int64_t at[MV];                                                                                \
    for (int r = 0; r < MV; r++) at[r] = pa + (i0 + (r < mc ? r : mc - 1)) * am;                  \
    if (J->st->acc_dt == TC_F64) {                                                                 \
      const double *A = Ab, *B = Bb;                                                               \
      double acc[MV] = {0};                                                                        \
      for (int64_t k = 0; k < kk; k++) {                                                           \
        double bv = B[pb + k * bk];                                                                \
        _Pragma("GCC unroll 16") for (int r = 0; r < MV; r++) acc[r] = fma(A[at[r] + k * ak], bv, acc[r]); \
      }                                                                                            \
      double *c = (double *)J->bufs[J->st->buf] + pc + i0;                                          \
      for (int r = 0; r < mc; r++) c[r] = acc[r];                                                  \
      return;                                                                                      \
    }                                                                                              \
    float acc[MV] = {0};                                                                           \
    if (adt == TC_F32 && bdt == TC_F32) {                                                          \
      const float *A = Ab, *B = Bb;                                                                \
      for (int64_t k = 0; k < kk; k++) {                                                           \
        float bv = B[pb + k * bk];                                                                 \
        _Pragma("GCC unroll 16") for (int r = 0; r < MV; r++) acc[r] = fmaf(A[at[r] + k * ak], bv, acc[r]); \
      }                                                                                            \
    } else {                                                                                       \
      for (int64_t k = 0; k < kk; k++) {                                                           \
        float bv = load_f(Bb, bdt, pb + k * bk);                                                   \
        for (int r = 0; r < MV; r++) acc[r] = fmaf(load_f(Ab, adt, at[r] + k * ak), bv, acc[r]);   \
      }                                                                                            \
    }                                                                                              \
    float *c = (float *)J->bufs[J->st->buf] + pc + i0;                                              \
    for (int r = 0; r < mc; r++) c[r] = acc[r];                                                    \
  }

MV_FN(mv_c, )
#if defined(__x86_64__)
MV_FN(mv_fma, __attribute__((target("avx2,fma"))))
#endif

static void matvec(void *arg, int64_t begin, int64_t end) {
  const mm_job *J = arg;
  int64_t rb = (J->m + MV - 1) / MV;
  for (int64_t it = begin; it < end; it++) {
    int64_t bi = it / rb, i0 = it % rb * MV, pa, pb, pc;
    int mc = J->m - i0 < MV ? (int)(J->m - i0) : MV;
    batch_base(J, bi, &pa, &pb, &pc);
#if defined(__x86_64__)
    if (J->isa >= 1) mv_fma(J, pa, pb, pc, i0, mc);
    else
#endif
      mv_c(J, pa, pb, pc, i0, mc);
    epilogue(J, pc, i0, i0 + mc, 0, 1);
  }
}

static int isa(void) {
#if defined(__x86_64__)
  static int level = -1;
  if (level < 0) {
    __builtin_cpu_init();
    level = __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
  }
  return level;
#else
  return 0;
#endif
}

bool rt_matmul_kernel(const kernel *k) { return k->nstages >= 1 && k->stages[0].kind == KS_MATMUL; }

/* the epilogue of an empty sum, rows split over the threads */
static void epi_rows(void *arg, int64_t begin, int64_t end) {
  const block *Bk = arg;
  epilogue(Bk->J, Bk->pc, begin, end, Bk->j0, Bk->j0 + Bk->nc);
}

void rt_matmul_run(tc_ctx *ctx, const kernel *k, void *const *bufs, kc_fn epi) {
  const kstage *st = &k->stages[0];
  mm_job J = {.k = k, .st = st, .bufs = bufs, .nb = k->nouter - 2, .kk = st->n, .epi = epi};
  if (k->nstages > 1 && !epi) { /* no code for the epilogue: the reference, same bits */
    rt_pool_run(ctx->pool, kc_outer_numel(k), 1 + (1 << 12) / (k->stages[0].n + 1), whole, &J);
    return;
  }
  J.m = k->outer[J.nb];
  J.n = k->outer[J.nb + 1];
  J.nbatch = 1;
  for (int d = 0; d < J.nb; d++) J.nbatch *= k->outer[d];
  if (J.m <= 0 || J.n <= 0 || J.nbatch <= 0) return;
  tc_dtype dt = st->acc_dt;
  if (dt != TC_F32 && dt != TC_F64) { /* integers */
    rt_pool_run(ctx->pool, J.nbatch * J.m, 1 + (1 << 14) / (J.n * (J.kk + 1)), chunk_rows, &J);
    return;
  }
  J.isa = isa();
  if (J.n == 1 && J.kk > 0) { /* a matrix times a vector */
    int64_t items = J.nbatch * ((J.m + MV - 1) / MV);
    rt_pool_run(ctx->pool, items, 1 + (1 << 14) / (MV * J.kk), matvec, &J);
    return;
  }
  J.mr = J.isa == 2 ? 8 : J.isa == 1 ? 6 : 4;
  J.nr = dt == TC_F32 ? (J.isa == 2 ? 32 : J.isa == 1 ? 16 : 8) : (J.isa == 2 ? 16 : J.isa == 1 ? 8 : 8);
  J.mblocks = (J.m + MC - 1) / MC;
  size_t es = dt == TC_F64 ? 8 : 4;
  void *bp = aligned_alloc(64, (size_t)(NC + J.nr) * KC * es);
  if (!bp) { /* out of memory for the panels: the sequential loop, same bits */
    rt_pool_run(ctx->pool, J.nbatch * J.m, 1, chunk_rows, &J);
    return;
  }
  int threads = rt_pool_size(ctx->pool);
  if (J.nbatch >= 2 * threads && J.m * J.n * J.kk <= ((int64_t)1 << 27)) {
    /* many small products: a thread per batch, each on its own panels */
    free(bp);
    rt_pool_run(ctx->pool, J.nbatch, 1, batch_chunk, &J);
    return;
  }
  for (int64_t bi = 0; bi < J.nbatch; bi++)
    for (int64_t j0 = 0; j0 < J.n; j0 += NC) {
      block Bk = {.J = &J, .j0 = j0, .bp = bp};
      batch_base(&J, bi, &Bk.pa, &Bk.pb, &Bk.pc);
      Bk.nc = J.n - j0 < NC ? J.n - j0 : NC;
      Bk.nq = (Bk.nc + J.nr - 1) / J.nr;
      /* enough items for the threads: split B's panels when rows are few */
      Bk.ngroups = 1;
      /* items of (a row block, a group of B's panels): enough, and a
       * multiple of the threads where the panels allow, so no thread waits
       * long at the end of a block */
      while ((J.mblocks * Bk.ngroups < 8 * threads || (J.mblocks * Bk.ngroups) % threads) &&
             Bk.ngroups < Bk.nq)
        Bk.ngroups++;
      Bk.qgroup = (Bk.nq + Bk.ngroups - 1) / Bk.ngroups;
      Bk.ngroups = (Bk.nq + Bk.qgroup - 1) / Bk.qgroup;
      if (J.kk == 0) { /* an empty sum: zeros */
        for (int64_t i = 0; i < J.m; i++)
          memset((char *)bufs[st->buf] + (size_t)(Bk.pc + i * J.n + j0) * es, 0, (size_t)Bk.nc * es);
        rt_pool_run(ctx->pool, J.m, 1 + (1 << 14) / Bk.nc, epi_rows, &Bk);
        continue;
      }
      for (Bk.k0 = 0; Bk.k0 < J.kk; Bk.k0 += KC) {
        Bk.kc = J.kk - Bk.k0 < KC ? J.kk - Bk.k0 : KC;
        Bk.first = Bk.k0 == 0;
        int64_t small = Bk.kc * Bk.nc < (1 << 14);
        rt_pool_run(ctx->pool, Bk.nq, small ? Bk.nq : 1, pack_b, &Bk);
        int64_t items = J.mblocks * Bk.ngroups;
        small = J.m * Bk.nc * Bk.kc < (1 << 16);
        rt_pool_run(ctx->pool, items, small ? items : 1, compute, &Bk);
      }
    }
  free(bp);
}
