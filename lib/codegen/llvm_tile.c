/*
 * llvm_tile.c — layout-bound kernels (transposes, permute().contiguous(),
 * elementwise ops on a transposed operand) iterated in 2-D tiles, so that
 * both the loads and the stores stream through cache lines and pages.
 *
 * The problem. llvm.c runs the outer points in row-major order, the last
 * outer dim innermost. When some access (a load, or the store) moves by a
 * large stride along that last dim — x.t().contiguous() reads input rows
 * 32 KiB apart for an 8192^2 float32 — every element of the row costs a
 * cache line and often a page walk, and by the time the next row comes
 * back to the neighbouring elements their lines are gone (about 6% of the
 * triad bandwidth).
 *
 * The plan (cg_tile_plan). Only kernels whose outer points may run in any
 * order and whose every stage is a plain store (KS_STORE with n == 1; not
 * `serial`) are tiled: a reduction or a store loop has its own inner
 * variable innermost, and a serial kernel's order is part of its meaning.
 * Each memory access's stride along each outer dim is read from its index
 * expression (the affine coefficient, or a finite difference at the middle
 * of the space when the index has div/mod). When some access moves at
 * least a cache line along the last dim (`last`) and at most a few
 * elements along an earlier dim `p`, dims p and last are iterated in
 * tiles of tp x tl points: within a tile the strided access reads tl runs
 * of tp neighbouring elements (whole cache lines), and the stores write
 * tp runs of tl. Only the order of the points changes, so the results are
 * bitwise those of the row-major loop.
 *
 * The loops (cg_emit_tiled). A thread's range [begin, end) of row-major
 * flat indices is cut into at most 2 * nouter boxes, each a product of
 * one range per dim: from the current position `pos` with coordinates c,
 * the box spans dim L from c[L] over n_L values and every later dim in
 * full, for the smallest L whose later coordinates are all 0 and whose
 * slab (points per step of dim L) fits n_L >= 1 times in what is left.
 * Each box runs as a loop nest with every dim in its own order except p
 * and last, which step by tp and tl; the two tile loops (p, then last)
 * are innermost, bounded by min(block + t, box end) so partial tiles and
 * partial boxes store exactly their points, once each. The innermost loop
 * runs along `last`: the store side is contiguous there in every case the
 * lowering produces, and LLVM vectorizes it with gathers on the strided
 * side (those come from at most tl pages that stay in the TLB for the
 * tile). Tile sizes are bytes per run (TILE_P, TILE_L) divided by the
 * element size of the strided access (tp) and of the widest other one (tl).
 *
 * Streamed tiles. With write-allocate caches a store first reads its line,
 * so a copy moves 3 bytes for every 2 it needs; non-temporal stores of
 * whole aligned lines do not, and they are what takes the 8192^2 float32
 * transpose from about 45% of the triad bandwidth to about 75%. They need
 * whole 64-byte vectors, which a computed value per point is not, so when
 * the outputs are big (STREAM_MIN: they would leave the caches anyway) and
 * deferring the stores of a tile cannot change what it reads (plain
 * stores, one per buffer, contiguous along last; no load of a buffer the
 * kernel writes — the planner's in-place writes read only the element they
 * store, which a deferred store has not yet written), each whole tile is
 * computed into 64-byte-aligned scratch tiles on the stack (the same
 * loops, the stores redirected: g->tile_buf) and then drained row by row,
 * each row a whole number of lines (tl = 64 bytes over the smallest stored
 * element): non-temporal where the row starts on a line, plain unaligned
 * stores where it does not. Partial tiles are stored directly. A fence
 * after the last box orders the non-temporal stores before the kernel
 * returns. Measured on the 8192^2 float32 transpose (tp x tl): 256 x 16
 * streamed, 128 x 32 direct.
 *
 * Transposed in registers. Computed row by row, a whole tile's strided
 * loads are gathers (vgatherqps: slow on every x86, very slow on AMD's).
 * When every stored element is 4 or 8 bytes and tp and tl are multiples of
 * N = 64 bytes / element, a whole streamed tile is instead computed column
 * by column (p innermost: the strided access is contiguous there, so LLVM
 * vectorizes it with plain loads) into a second scratch tile, which is then
 * transposed into the first in N x N blocks: N vector loads, N log2(N)
 * two-input shuffles (swap the off-diagonal halves at distances N/2, N/4,
 * ..., 1) and N vector stores, all in L1; the drain follows as before.
 * Tiles of REGS_P x REGS_L bytes (128 x 64 float32) take the 8192^2 float32
 * transpose on a 2-core AMD EPYC from 33% of the triad bandwidth (gathers,
 * 256 x 16) to about 100%.
 */
#include <stdlib.h>
#include <string.h>

#include "../ir/ir.h"
#include "llvm_gen.h"

enum {
  LINE = 64,        /* an access moving this many bytes a step is strided */
  NEAR = 16,        /* ... and this few along dim p is (near) contiguous */
  MAX_SEEN = 1024,  /* values examined before giving up (no tiling) */
  /* bytes of a tile's runs along p (of the strided access) and along last
   * (of the widest other one), measured on the 8192^2 float32 transpose */
  TILE_P = 512, TILE_L = 128,   /* stored directly */
  STREAM_P = 1024,              /* streamed: along last, one line per row */
  REGS_P = 512, REGS_L = 256,   /* streamed and transposed in registers */
};
#define STREAM_MIN ((int64_t)16 << 20) /* bytes written, for streamed tiles */
#define SCRATCH_MAX ((int64_t)64 << 10) /* bytes of scratch tiles */


typedef struct access {
  const ix *index;
  int esize, buf;
} access;

typedef struct walk {
  const kval *seen[MAX_SEEN];
  int nseen;
  access acc[MAX_SEEN];
  int nacc;
  bool overflow;
} walk;

static void add_access(walk *w, const ix *index, tc_dtype dt, int buf) {
  if (!index) return;
  if (w->nacc == MAX_SEEN) {
    w->overflow = true;
    return;
  }
  w->acc[w->nacc++] = (access){index, (int)ir_dtype_size(dt), buf};
}

static void collect(walk *w, const kval *v) {
  if (!v || w->overflow) return;
  for (int i = 0; i < w->nseen; i++)
    if (w->seen[i] == v) return;
  if (w->nseen == MAX_SEEN) {
    w->overflow = true;
    return;
  }
  w->seen[w->nseen++] = v;
  if (v->kind == KV_LOAD && v->a) w->overflow = true; /* a gather: no static access */
  if (v->kind == KV_LOAD) add_access(w, v->index, v->dt, v->buf);
  collect(w, v->a);
  collect(w, v->b);
  collect(w, v->c);
}

/* The step of index e when outer dim d goes up by one (other variables at
 * the middle of their range, stage variables 0). */
static int64_t stride(const kernel *k, const ix *e, int d) {
  int nv = k->nouter + k->nstages;
  int64_t coef[TC_MAX_DIMS + KC_MAX_STAGES], c0;
  if (ix_affine(e, nv, coef, &c0)) return coef[d];
  int64_t vars[TC_MAX_DIMS + KC_MAX_STAGES] = {0};
  for (int j = 0; j < k->nouter; j++) vars[j] = (k->outer[j] - 1) / 2;
  if (vars[d] + 1 >= k->outer[d]) return 0;
  int64_t a = ix_eval(e, vars);
  vars[d]++;
  return ix_eval(e, vars) - a;
}

static int64_t mag(int64_t v) { return v < 0 ? -v : v; }

static int64_t clamp(int64_t v, int64_t lo, int64_t hi) {
  return v < lo ? lo : v > hi ? hi : v;
}

/* Whether whole tiles may be computed into scratch tiles and then copied
 * out with non-temporal stores: the stores must be plain (no scatter, no
 * accumulation), one per buffer, contiguous along `last` with rows of
 * whole 64-byte chunks, and nothing in the kernel may read a buffer it
 * writes (the copy-out comes after the tile's loads); the outputs must be
 * big enough not to stay in the caches anyway. */
static bool streamable(const kernel *k, cg_tile *t, const access *loads, int nloads) {
  /* TC_STREAM=0: never; =1: whatever the size (tests); unset: by size */
  const char *e = getenv("TC_STREAM");
  if (e && *e == '0') return false;
  bool force = e && *e == '1';
  int64_t written = 0, scratch = 0, min_es = 8;
  for (int s = 0; s < k->nstages; s++) {
    const kstage *st = &k->stages[s];
    if (st->dyn || st->accumulate || st->scan || st->keep) return false;
    for (int s2 = 0; s2 < s; s2++)
      if (k->stages[s2].buf == st->buf) return false;
    int64_t es = (int64_t)ir_dtype_size(k->bufs[st->buf].dt);
    int64_t coef[TC_MAX_DIMS + KC_MAX_STAGES], c0;
    if (!ix_affine(st->index, k->nouter + k->nstages, coef, &c0) || coef[t->last] != 1) return false;
    written += k->bufs[st->buf].nelem * es;
    scratch += es;
    if (es < min_es) min_es = es;
  }
  for (int i = 0; i < nloads; i++)
    if (k->bufs[loads[i].buf].written) return false;
  if (!force && written < STREAM_MIN) return false;
  /* rows of whole lines in every output (element sizes are powers of 2) */
  t->tl = LINE / min_es;
  while (t->tp > 16 && t->tp * t->tl * scratch > SCRATCH_MAX) t->tp /= 2;
  return t->tp * t->tl * scratch <= SCRATCH_MAX;
}

/* Whether whole streamed tiles go through emit_tile_cols and
 * emit_transpose: every stored element 4 or 8 bytes, tp and tl multiples
 * of each N = 64 / element size. */
static bool transposable(const kernel *k, const cg_tile *t) {
  for (int s = 0; s < k->nstages; s++) {
    int64_t es = (int64_t)ir_dtype_size(k->bufs[k->stages[s].buf].dt);
    if ((es != 4 && es != 8) || t->tp % (64 / es) || t->tl % (64 / es)) return false;
  }
  return true;
}

bool cg_tile_plan(const kernel *k, cg_tile *t) {
  memset(t, 0, sizeof *t);
  int D = k->nouter, last = D - 1;
  if (D < 2 || k->serial || k->nstages < 1 || k->outer[last] < 4) return false;
  for (int s = 0; s < k->nstages; s++) {
    const kstage *st = &k->stages[s];
    if (st->kind != KS_STORE || st->n != 1) return false;
    if (st->buf < 0 || st->buf >= k->nbufs) return false;
  }
  walk *w = malloc(sizeof *w);
  if (!w) return false;
  w->nseen = w->nacc = 0;
  w->overflow = false;
  for (int s = 0; s < k->nstages; s++) {
    const kstage *st = &k->stages[s];
    collect(w, st->val);
    collect(w, st->dyn);
    collect(w, st->keep);
  }
  int nloads = w->nacc;
  for (int s = 0; s < k->nstages; s++)
    add_access(w, k->stages[s].index, k->bufs[k->stages[s].buf].dt, -1);
  bool ok = false;
  int strided_esize = 0, other_esize = 1;
  for (int i = 0; i < w->nacc && !w->overflow; i++) {
    const access *a = &w->acc[i];
    if (mag(stride(k, a->index, last)) * a->esize < LINE) {
      if (a->esize > other_esize) other_esize = a->esize;
      continue;
    }
    int best = -1;
    int64_t bb = NEAR + 1;
    for (int d = 0; d < last; d++) {
      int64_t b = mag(stride(k, a->index, d)) * a->esize;
      if (k->outer[d] >= 2 && b > 0 && b < bb) best = d, bb = b;
    }
    if (best < 0) continue;
    if (!ok || a->esize > strided_esize) {
      t->p = best;
      strided_esize = a->esize;
    }
    ok = true;
  }
  if (w->overflow) ok = false;
  if (ok) {
    t->last = last;
    /* (no longer than dim p: a band of p is then one whole tile) */
    t->tp = clamp(STREAM_P / strided_esize, 16, 1024);
    if (t->tp > k->outer[t->p]) t->tp = k->outer[t->p];
    t->stream = streamable(k, t, w->acc, nloads);
    if (t->stream) { /* wider tiles when they can be transposed in registers */
      cg_tile r = *t;
      int64_t scratch = 0;
      for (int s = 0; s < k->nstages; s++) scratch += (int64_t)ir_dtype_size(k->bufs[k->stages[s].buf].dt);
      r.tp = clamp(REGS_P / strided_esize, 16, 1024);
      r.tl = t->tl * (REGS_L / LINE);
      while (r.tl > t->tl && r.tl > k->outer[last]) r.tl /= 2;
      if (transposable(k, &r) && 2 * r.tp * r.tl * scratch <= 2 * SCRATCH_MAX) {
        r.regs = true;
        *t = r;
      }
    }
    if (!t->stream) {
      t->tp = clamp(TILE_P / strided_esize, 4, 1024);
      if (t->tp > k->outer[t->p]) t->tp = k->outer[t->p];
      t->tl = clamp(TILE_L / other_esize, 4, 1024);
    }
  }
  free(w);
  return ok;
}

/* ---- emission ---- */

static LLVMValueRef smin(cg_gen *g, LLVMValueRef a, LLVMValueRef b) {
  return sel(g, icmp(g, LLVMIntSLT, a, b), a, b);
}

/* A 64-byte-aligned scratch array of `bytes` in the entry block. */
static LLVMValueRef entry_alloca(cg_gen *g, int64_t bytes) {
  LLVMBuilderRef eb = LLVMCreateBuilderInContext(g->C);
  LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(g->fn);
  LLVMValueRef first = LLVMGetFirstInstruction(entry);
  if (first)
    LLVMPositionBuilderBefore(eb, first);
  else
    LLVMPositionBuilderAtEnd(eb, entry);
  LLVMValueRef a = LLVMBuildAlloca(eb, LLVMArrayType2(g->t_i8, (uint64_t)bytes), "tile");
  LLVMSetAlignment(a, 64);
  LLVMDisposeBuilder(eb);
  return a;
}

/* The tile's points, row by row (p outer, last inner) from (p0, l0) to
 * (pend, lend): into the scratch tiles when `scratch` is set. */
static void emit_tile(cg_gen *g, const cg_tile *t, LLVMValueRef p0, LLVMValueRef pend,
                      LLVMValueRef l0, LLVMValueRef lend, LLVMValueRef const *scratch) {
  LLVMBuilderRef B = g->B;
  cg_loop lp, ll;
  cg_loop_begin(g, &lp, p0, "tp");
  g->var[t->p] = lp.iv;
  cg_loop_begin(g, &ll, l0, "tl");
  g->var[t->last] = ll.iv;
  if (scratch) {
    LLVMValueRef row = LLVMBuildMul(B, LLVMBuildSub(B, lp.iv, p0, ""), cg_c64(g, t->tl), "");
    g->tile_at = LLVMBuildAdd(B, row, LLVMBuildSub(B, ll.iv, l0, ""), "");
    for (int b = 0; b < g->k->nbufs; b++) g->tile_buf[b] = scratch[b];
  }
  cg_emit_point(g);
  for (int b = 0; b < g->k->nbufs; b++) g->tile_buf[b] = NULL;
  cg_loop_end(g, &ll, 1, lend, "tl.end");
  cg_loop_end(g, &lp, 1, pend, "tp.end");
}

/* The tile's points column by column (last outer, p inner) into the
 * scratch tiles `cols`, each tl rows of tp elements. */
static void emit_tile_cols(cg_gen *g, const cg_tile *t, LLVMValueRef p0, LLVMValueRef l0,
                           LLVMValueRef const *cols) {
  LLVMBuilderRef B = g->B;
  cg_loop ll, lp;
  cg_loop_begin(g, &ll, l0, "cl");
  g->var[t->last] = ll.iv;
  LLVMValueRef col = LLVMBuildMul(B, LLVMBuildSub(B, ll.iv, l0, ""), cg_c64(g, t->tp), "");
  cg_loop_begin(g, &lp, p0, "cp");
  g->var[t->p] = lp.iv;
  g->tile_at = LLVMBuildAdd(B, col, LLVMBuildSub(B, lp.iv, p0, ""), "");
  for (int b = 0; b < g->k->nbufs; b++) g->tile_buf[b] = cols[b];
  cg_emit_point(g);
  for (int b = 0; b < g->k->nbufs; b++) g->tile_buf[b] = NULL;
  cg_loop_end(g, &lp, 1, LLVMBuildAdd(B, p0, cg_c64(g, t->tp), ""), "cp.end");
  cg_loop_end(g, &ll, 1, LLVMBuildAdd(B, l0, cg_c64(g, t->tl), ""), "cl.end");
}

/* Scratch tile src (tl rows of tp elements of es bytes) transposed into
 * dst (tp rows of tl), in blocks of N x N: N vector loads, the shuffles,
 * N vector stores. Swapping, for each pair of rows (r, r + h) with bit h
 * of r clear, element c + h of row r with element c of row r + h (c with
 * bit h clear), for h = N/2, ..., 1, transposes the block. */
static void emit_transpose(cg_gen *g, const cg_tile *t, int64_t es, LLVMValueRef src, LLVMValueRef dst) {
  LLVMBuilderRef B = g->B;
  enum { NMAX = 16 };
  int N = (int)(64 / es);
  LLVMTypeRef vt = LLVMVectorType(es == 4 ? g->t_i32 : g->t_i64, (unsigned)N);
  LLVMValueRef R[NMAX], ma[NMAX], mb[NMAX];
  cg_loop lb, pb;
  cg_loop_begin(g, &lb, cg_c64(g, 0), "trl");
  cg_loop_begin(g, &pb, cg_c64(g, 0), "trp");
  for (int i = 0; i < N; i++) {
    LLVMValueRef row = LLVMBuildAdd(B, lb.iv, cg_c64(g, i), "");
    LLVMValueRef off = LLVMBuildMul(B, LLVMBuildAdd(B, LLVMBuildMul(B, row, cg_c64(g, t->tp), ""), pb.iv, ""),
                                    cg_c64(g, es), "");
    R[i] = LLVMBuildLoad2(B, vt, LLVMBuildInBoundsGEP2(B, g->t_i8, src, &off, 1, ""), "");
    LLVMSetAlignment(R[i], 64);
  }
  for (int h = N / 2; h >= 1; h /= 2) {
    for (int c = 0; c < N; c++) {
      ma[c] = LLVMConstInt(g->t_i32, (unsigned)((c & h) ? N + c - h : c), 0);
      mb[c] = LLVMConstInt(g->t_i32, (unsigned)((c & h) ? N + c : c + h), 0);
    }
    LLVMValueRef MA = LLVMConstVector(ma, (unsigned)N), MB = LLVMConstVector(mb, (unsigned)N);
    for (int r = 0; r < N; r++) {
      if (r & h) continue;
      LLVMValueRef a = LLVMBuildShuffleVector(B, R[r], R[r + h], MA, "");
      R[r + h] = LLVMBuildShuffleVector(B, R[r], R[r + h], MB, "");
      R[r] = a;
    }
  }
  for (int i = 0; i < N; i++) {
    LLVMValueRef row = LLVMBuildAdd(B, pb.iv, cg_c64(g, i), "");
    LLVMValueRef off = LLVMBuildMul(B, LLVMBuildAdd(B, LLVMBuildMul(B, row, cg_c64(g, t->tl), ""), lb.iv, ""),
                                    cg_c64(g, es), "");
    LLVMValueRef w = LLVMBuildStore(B, R[i], LLVMBuildInBoundsGEP2(B, g->t_i8, dst, &off, 1, ""));
    LLVMSetAlignment(w, 64);
  }
  cg_loop_end(g, &pb, N, cg_c64(g, t->tp), "trp.end");
  cg_loop_end(g, &lb, N, cg_c64(g, t->tl), "trl.end");
}

/* Copies each scratch tile's rows to their places in the buffers: 64-byte
 * chunks, stored non-temporally where a row starts on a 64-byte boundary. */
static void emit_drain(cg_gen *g, const cg_tile *t, LLVMValueRef p0, LLVMValueRef l0,
                       LLVMValueRef const *scratch) {
  const kernel *k = g->k;
  LLVMBuilderRef B = g->B;
  LLVMTypeRef vt = LLVMVectorType(g->t_i32, 16);
  LLVMValueRef one = LLVMConstInt(g->t_i32, 1, 0);
  LLVMValueRef nt = LLVMMDNodeInContext(g->C, &one, 1);
  unsigned ntk = LLVMGetMDKindIDInContext(g->C, "nontemporal", 11);
  cg_loop lr;
  cg_loop_begin(g, &lr, cg_c64(g, 0), "drain");
  g->var[t->p] = LLVMBuildAdd(B, p0, lr.iv, "");
  g->var[t->last] = l0;
  for (int s = 0; s < k->nstages; s++) {
    const kstage *st = &k->stages[s];
    int64_t es = (int64_t)ir_dtype_size(k->bufs[st->buf].dt), row = t->tl * es;
    g->var[kc_stage_var(k, s)] = cg_c64(g, 0);
    cg_memo_clear(g);
    LLVMValueRef at = LLVMBuildMul(B, cg_ix(g, st->index), cg_c64(g, es), "");
    LLVMValueRef dst = LLVMBuildInBoundsGEP2(B, g->t_i8, g->bufp[st->buf], &at, 1, "dst");
    LLVMValueRef soff = LLVMBuildMul(B, lr.iv, cg_c64(g, row), "");
    LLVMValueRef src = LLVMBuildInBoundsGEP2(B, g->t_i8, scratch[st->buf], &soff, 1, "");
    LLVMValueRef mis = LLVMBuildAnd(B, LLVMBuildPtrToInt(B, dst, g->t_i64, ""), cg_c64(g, 63), "");
    LLVMBasicBlockRef bnt = cg_block(g, "nt"), bun = cg_block(g, "unaligned"), join = cg_block(g, "drained");
    LLVMBuildCondBr(B, icmp(g, LLVMIntEQ, mis, cg_c64(g, 0)), bnt, bun);
    for (int aligned = 1; aligned >= 0; aligned--) {
      LLVMPositionBuilderAtEnd(B, aligned ? bnt : bun);
      for (int64_t off = 0; off < row; off += 64) {
        LLVMValueRef o = cg_c64(g, off);
        LLVMValueRef v = LLVMBuildLoad2(B, vt, LLVMBuildInBoundsGEP2(B, g->t_i8, src, &o, 1, ""), "");
        LLVMSetAlignment(v, 64);
        LLVMValueRef w = LLVMBuildStore(B, v, LLVMBuildInBoundsGEP2(B, g->t_i8, dst, &o, 1, ""));
        LLVMSetAlignment(w, aligned ? 64 : 1);
        if (aligned) LLVMSetMetadata(w, ntk, nt);
      }
      LLVMBuildBr(B, join);
    }
    LLVMPositionBuilderAtEnd(B, join);
    g->var[kc_stage_var(k, s)] = NULL;
  }
  cg_memo_clear(g);
  cg_loop_end(g, &lr, 1, cg_c64(g, t->tp), "drain.end");
}

void cg_emit_tiled(cg_gen *g, const cg_tile *t, LLVMValueRef begin, LLVMValueRef end,
                   LLVMBasicBlockRef exit) {
  const kernel *k = g->k;
  LLVMBuilderRef B = g->B;
  int D = k->nouter, p = t->p, last = t->last;
  int64_t slab[TC_MAX_DIMS];
  slab[D - 1] = 1;
  for (int d = D - 2; d >= 0; d--) slab[d] = slab[d + 1] * k->outer[d + 1];
  LLVMValueRef scratch[KC_MAX_BUFS] = {0}, cols[KC_MAX_BUFS] = {0};
  bool regs = t->stream && t->regs;
  if (t->stream)
    for (int s = 0; s < k->nstages; s++) {
      int b = k->stages[s].buf;
      scratch[b] = entry_alloca(g, t->tp * t->tl * (int64_t)ir_dtype_size(k->bufs[b].dt));
      if (regs) cols[b] = entry_alloca(g, t->tp * t->tl * (int64_t)ir_dtype_size(k->bufs[b].dt));
    }

  /* box: decompose pos, pick L, the range [lo, hi) of every dim */
  LLVMBasicBlockRef pre = LLVMGetInsertBlock(B);
  LLVMBasicBlockRef box = cg_block(g, "box");
  LLVMBuildBr(B, box);
  LLVMPositionBuilderAtEnd(B, box);
  LLVMValueRef pos = LLVMBuildPhi(B, g->t_i64, "pos");
  LLVMAddIncoming(pos, &begin, &pre, 1);
  LLVMValueRef c[TC_MAX_DIMS], rest = pos;
  for (int d = D - 1; d > 0; d--) {
    LLVMValueRef od = cg_c64(g, k->outer[d]);
    c[d] = LLVMBuildURem(B, rest, od, "");
    rest = LLVMBuildUDiv(B, rest, od, "");
  }
  c[0] = rest;
  LLVMValueRef left = LLVMBuildSub(B, end, pos, "left");
  LLVMValueRef z[TC_MAX_DIMS]; /* every coordinate after d is 0 */
  z[D - 1] = LLVMConstInt(g->t_i1, 1, 0);
  for (int d = D - 2; d >= 0; d--)
    z[d] = LLVMBuildAnd(B, z[d + 1], icmp(g, LLVMIntEQ, c[d + 1], cg_c64(g, 0)), "");
  LLVMValueRef any = LLVMConstInt(g->t_i1, 0, 0), size = cg_c64(g, 0);
  LLVMValueRef lo[TC_MAX_DIMS], hi[TC_MAX_DIMS];
  for (int d = 0; d < D; d++) {
    LLVMValueRef fits = icmp(g, LLVMIntSGE, left, cg_c64(g, slab[d]));
    LLVMValueRef q = LLVMBuildAnd(B, z[d], fits, "");
    LLVMValueRef isL = LLVMBuildAnd(B, q, LLVMBuildNot(B, any, ""), "");
    LLVMValueRef n = smin(g, LLVMBuildSub(B, cg_c64(g, k->outer[d]), c[d], ""),
                          LLVMBuildSDiv(B, left, cg_c64(g, slab[d]), ""));
    LLVMValueRef h = sel(g, isL, LLVMBuildAdd(B, c[d], n, ""), LLVMBuildAdd(B, c[d], cg_c64(g, 1), ""));
    hi[d] = sel(g, any, cg_c64(g, k->outer[d]), h);
    lo[d] = c[d];
    size = sel(g, isL, LLVMBuildMul(B, n, cg_c64(g, slab[d]), ""), size);
    any = LLVMBuildOr(B, any, q, "");
  }

  /* the nest: every dim in order (p and last by blocks), then the tile */
  cg_loop L[TC_MAX_DIMS];
  LLVMValueRef blk[TC_MAX_DIMS];
  for (int d = 0; d < D; d++) {
    cg_loop_begin(g, &L[d], lo[d], d == p ? "pb" : d == last ? "lb" : "o");
    blk[d] = L[d].iv;
  }
  for (int d = 0; d < D; d++)
    if (d != p && d != last) g->var[d] = blk[d];
  LLVMValueRef pend = smin(g, LLVMBuildAdd(B, blk[p], cg_c64(g, t->tp), ""), hi[p]);
  LLVMValueRef lend = smin(g, LLVMBuildAdd(B, blk[last], cg_c64(g, t->tl), ""), hi[last]);
  if (t->stream) { /* whole tiles through the scratch tiles, the rest direct */
    LLVMValueRef full = LLVMBuildAnd(
        B, icmp(g, LLVMIntEQ, LLVMBuildSub(B, pend, blk[p], ""), cg_c64(g, t->tp)),
        icmp(g, LLVMIntEQ, LLVMBuildSub(B, lend, blk[last], ""), cg_c64(g, t->tl)), "");
    LLVMBasicBlockRef bs = cg_block(g, "whole"), bd = cg_block(g, "part"), join = cg_block(g, "tiled");
    LLVMBuildCondBr(B, full, bs, bd);
    LLVMPositionBuilderAtEnd(B, bs);
    LLVMValueRef pe = LLVMBuildAdd(B, blk[p], cg_c64(g, t->tp), "");
    LLVMValueRef le = LLVMBuildAdd(B, blk[last], cg_c64(g, t->tl), "");
    if (regs) {
      emit_tile_cols(g, t, blk[p], blk[last], cols);
      for (int s = 0; s < k->nstages; s++) {
        int b = k->stages[s].buf;
        emit_transpose(g, t, (int64_t)ir_dtype_size(k->bufs[b].dt), cols[b], scratch[b]);
      }
    } else {
      emit_tile(g, t, blk[p], pe, blk[last], le, scratch);
    }
    emit_drain(g, t, blk[p], blk[last], scratch);
    LLVMBuildBr(B, join);
    LLVMPositionBuilderAtEnd(B, bd);
    emit_tile(g, t, blk[p], pend, blk[last], lend, NULL);
    LLVMBuildBr(B, join);
    LLVMPositionBuilderAtEnd(B, join);
  } else {
    emit_tile(g, t, blk[p], pend, blk[last], lend, NULL);
  }
  for (int d = D - 1; d >= 0; d--) {
    int64_t step = d == p ? t->tp : d == last ? t->tl : 1;
    cg_loop_end(g, &L[d], step, hi[d], "o.end");
  }
  for (int d = 0; d < D; d++) g->var[d] = NULL;
  LLVMValueRef npos = LLVMBuildAdd(B, pos, size, "");
  LLVMBasicBlockRef latch = LLVMGetInsertBlock(B);
  LLVMBasicBlockRef done = exit;
  if (t->stream) /* non-temporal stores are weakly ordered: fence them */
    done = cg_block(g, "fence");
  LLVMBuildCondBr(B, icmp(g, LLVMIntSLT, npos, end), box, done);
  LLVMAddIncoming(pos, &npos, &latch, 1);
  if (t->stream) {
    LLVMPositionBuilderAtEnd(B, done);
    LLVMBuildFence(B, LLVMAtomicOrderingSequentiallyConsistent, 0, "");
    LLVMBuildBr(B, exit);
  }
}
