/*
 * cuda_vec.c — the CUDA generator's vector mode: an elementwise kernel
 * whose store and some loads are 4-element aligned accesses takes 4
 * consecutive points a thread, each such access one 4 * size-byte load or
 * store (16 bytes for float32). The choice (cu_choose_vec), the lanes of a
 * vector load as values (cu_vec_extract) and the code of a group of 4
 * points (cu_emit_vec_group); cuda.c emits everything else.
 */
#include <stdio.h>
#include <string.h>
#include "cuda_cgen.h"
#include "cuda_gen.h"

/* ---- vector mode's loads ---- */

int cu_vec_load_num(const cgen *g, const kval *v) {
  for (int i = 0; i < g->nvl; i++)
    if (g->vl[i] == v) return i;
  return -1;
}

static const char comp[] = "xyzw";

/* Lane j of vector load i (dtype dt, 4 elements in words of tc_vl<i>) as
 * the value load_expr would give. */
void cu_vec_extract(char *out, size_t cap, tc_dtype dt, int i, int j) {
  switch (dt_bits(dt)) {
  case 64:
    snprintf(out, cap, "%s(((unsigned long long)tc_vl%d_%d.%c << 32) | tc_vl%d_%d.%c))",
             dt == TC_F64 ? "__longlong_as_double((long long)" : "(long long)(", i, j / 2,
             comp[2 * (j % 2) + 1], i, j / 2, comp[2 * (j % 2)]);
    break;
  case 32:
    if (dt == TC_F32) snprintf(out, cap, "__uint_as_float(tc_vl%d.%c)", i, comp[j]);
    else snprintf(out, cap, "(int)tc_vl%d.%c", i, comp[j]);
    break;
  case 16:
    snprintf(out, cap, "%s(unsigned short)(tc_vl%d.%c >> %d))",
             dt == TC_F16 ? "tc_h2f(" : dt == TC_BF16 ? "tc_bf2f(" : "(short)(", i, comp[j / 2],
             16 * (j % 2));
    break;
  default:
    if (dt == TC_BOOL) snprintf(out, cap, "(((tc_vl%d >> %d) & 0xffu) != 0u)", i, 8 * j);
    else snprintf(out, cap, "(%s)(tc_vl%d >> %d)", dt == TC_U8 ? "unsigned char" : "signed char",
                  i, 8 * j);
  }
}

/* ---- vector mode: the analysis ---- */

/* Whether index e moves by one element per step of the innermost outer
 * variable and starts each group of 4 points (that variable a multiple of
 * 4) at a multiple of 4: a 4-element access aligned to 4 elements. */
static bool vec_index(const cgen *g, const ix *e) {
  int64_t coef[NVARS], c0;
  int D = g->k->nouter - 1;
  if (!e || !ix_affine(e, NVARS, coef, &c0) || coef[D] != 1 || c0 % 4 != 0) return false;
  for (int d = 0; d < D; d++)
    if (coef[d] % 4 != 0) return false;
  return true;
}

static bool collect_vec_load(cgen *g, const kval *v) {
  if (v->kind == KV_LOAD && !v->a && v->buf >= 0 && v->buf < g->k->nbufs && vec_index(g, v->index) &&
      g->nvl < (int)(sizeof g->vl / sizeof *g->vl))
    g->vl[g->nvl++] = v;
  return true;
}

/* Vector mode: an elementwise kernel (no live reduction; one plain store
 * stage) whose innermost outer dim is a multiple of 4 and whose store is a
 * 4-element aligned access: each thread takes 4 consecutive points, the
 * store and every load of that shape become one access of 4 * size bytes
 * (16 for float32: ld.global.v4), other loads stay scalar per point. All of
 * a group's loads come before its store, which keeps in-place kernels (a
 * point reading the element it writes) exact. */
bool cu_choose_vec(cgen *g) {
  const kernel *k = g->k;
  if (g->W || k->nouter < 1 || k->nstages != 1) return false;
  const kstage *st = &k->stages[0];
  int64_t inner = k->outer[k->nouter - 1];
  if (st->kind != KS_STORE || st->n != 1 || inner < 4 || inner % 4 != 0 || st->dyn || st->accumulate ||
      k->serial)
    return false;
  if (st->buf < 0 || st->buf >= k->nbufs || !vec_index(g, st->index)) return false;
  g->nvl = 0;
  cu_walk(g, st->val, collect_vec_load);
  return true;
}

/* Vector mode's group of 4 points tc_p .. tc_p + 3 (see choose_vec). */
void cu_emit_vec_group(cgen *g) {
  const kernel *k = g->k;
  const kstage *st = &k->stages[0];
  int D = k->nouter - 1, sv = kc_stage_var(k, 0);
  tc_dtype bdt = k->bufs[st->buf].dt;
  for (int d = 0; d < k->nouter; d++) g->var_live[d] = true;
  cu_emit_decode(g);
  cu_memo_clear(g);
  for (int i = 0; i < g->nvl; i++) { /* the group's 4-element loads */
    const kval *v = g->vl[i];
    int e = dt_bytes(v->dt);
    name idx = cu_ix_emit(g, v->index);
    const char *base = "const unsigned char *";
    if (e == 8) {
      for (int h = 0; h < 2; h++)
        cu_line(g, "const uint4 tc_vl%d_%d = *(const uint4 *)((%s)b%d + (size_t)%s * 8u + %du);", i, h,
             base, v->buf, idx.s, 16 * h);
    } else {
      cu_line(g, "const %s tc_vl%d = *(const %s *)((%s)b%d + (size_t)%s * %du);",
           e == 4 ? "uint4" : e == 2 ? "uint2" : "unsigned", i,
           e == 4 ? "uint4" : e == 2 ? "uint2" : "unsigned", base, v->buf, idx.s, e);
    }
  }
  int e = dt_bytes(bdt), words = e; /* 4 elements of e bytes: e words */
  cu_line(g, "unsigned tc_sw[%d] = {0u};", words);
  if (g->var_used[sv]) cu_line(g, "const %s v%d = 0;", g->I, sv);
  g->var_live[sv] = true;
  char ex[1200];
  for (int j = 0; j < 4; j++) {
    cu_line(g, "{");
    g->ind++;
    if (g->var_used[D]) {
      cu_line(g, "const %s tc_vj = v%d + %d;", g->I, D, j);
      cu_line(g, "const %s v%d = tc_vj; (void)v%d;", g->I, D, D);
    }
    g->vec_lane = j;
    cu_stage_value(g, st, bdt, ex, sizeof ex);
    g->vec_lane = -1;
    switch (e) {
    case 8:
      cu_line(g, "const unsigned long long tc_bits = (unsigned long long)%s(%s);",
           bdt == TC_F64 ? "__double_as_longlong" : "", ex);
      cu_line(g, "tc_sw[%d] = (unsigned)tc_bits;", 2 * j);
      cu_line(g, "tc_sw[%d] = (unsigned)(tc_bits >> 32);", 2 * j + 1);
      break;
    case 4:
      cu_line(g, "tc_sw[%d] = %s(%s);", j, bdt == TC_F32 ? "__float_as_uint" : "(unsigned)", ex);
      break;
    case 2:
      cu_line(g, "tc_sw[%d] |= (unsigned)%s(%s) << %d;", j / 2,
           bdt == TC_F16 ? "tc_f2h" : bdt == TC_BF16 ? "tc_f2bf" : "(unsigned short)", ex,
           16 * (j % 2));
      break;
    default:
      cu_line(g, "tc_sw[0] |= (unsigned)(unsigned char)(%s) << %d;", ex, 8 * j);
    }
    g->ind--;
    cu_line(g, "}");
  }
  cu_memo_clear(g);
  name idx = cu_ix_emit(g, st->index);
  const char *b = "unsigned char *";
  if (e == 8) {
    for (int h = 0; h < 2; h++)
      cu_line(g, "*(uint4 *)((%s)b%d + (size_t)%s * 8u + %du) = make_uint4(tc_sw[%d], tc_sw[%d], "
              "tc_sw[%d], tc_sw[%d]);", b, st->buf, idx.s, 16 * h, 4 * h, 4 * h + 1, 4 * h + 2,
           4 * h + 3);
  } else if (e == 4) {
    cu_line(g, "*(uint4 *)((%s)b%d + (size_t)%s * 4u) = make_uint4(tc_sw[0], tc_sw[1], tc_sw[2], "
            "tc_sw[3]);", b, st->buf, idx.s);
  } else if (e == 2) {
    cu_line(g, "*(uint2 *)((%s)b%d + (size_t)%s * 2u) = make_uint2(tc_sw[0], tc_sw[1]);", b,
         st->buf, idx.s);
  } else {
    cu_line(g, "*(unsigned *)((%s)b%d + (size_t)%s) = tc_sw[0];", b, st->buf, idx.s);
  }
  g->var_live[sv] = false;
  for (int d = 0; d < k->nouter; d++) g->var_live[d] = false;
}
