/*
 * cuda_cgen.h — the CUDA C generator's state, shared by the files that
 * emit a kernel (internal to lib/codegen): cuda.c (values, index
 * expressions, stores, the loops and the code shape), cuda_vec.c (vector
 * mode: 4 points a thread) and cuda_reduce.c
 * (reductions: thread mode a lane at a time, cooperative mode over warps,
 * and the choice of warps per point). cuda_gen.h has the op spellings.
 */
#ifndef TC_CODEGEN_CUDA_CGEN_H
#define TC_CODEGEN_CUDA_CGEN_H
#include <stdbool.h>
#include <stddef.h>
#include "kernel.h"

#define NVARS (TC_MAX_DIMS + KC_MAX_STAGES)

/* a growing string */
typedef struct sbuf {
  char *p;
  size_t n, cap;
  bool oom;
} sbuf;


/* a short expression (an index) */
typedef struct name {
  char s[48];
} name;

typedef struct memo_ent {
  const void *key; /* a kval* or ix* (NULL: empty) */
  int num;
} memo_ent;

typedef struct cgen {
  const kernel *k;
  sbuf out;
  bool i32;                  /* 32-bit index arithmetic */
  int W;                     /* cooperative mode: warps per point (0: thread mode) */
  bool used_sync;            /* __syncthreads is called */
  const char *I, *UI;        /* index type and its unsigned twin */
  int ind;                   /* indentation depth */
  memo_ent *memo;            /* current evaluation's locals */
  size_t memo_cap, memo_n;
  int ntemp;
  bool var_live[NVARS];      /* variables in scope */
  bool acc_live[KC_MAX_STAGES];
  bool acc_used[KC_MAX_STAGES]; /* some value reads the stage's result */
  bool var_used[NVARS];      /* some index expression reads the variable */
  bool used_lane, used_mask;
  int probe_var;             /* choose_warps' walk */
  /* vector mode: 4 consecutive points a thread, 4 * size-byte accesses */
  bool vec;
  int vec_lane;              /* the lane being emitted (-1: scalar code) */
  int nvl;                   /* vectorized loads */
  const kval *vl[KC_MAX_BUFS * 4];
  bool probe_hit;
  char *err;
  size_t errcap;
  bool failed;
} cgen;


/* dtype and op names for messages and comments */
const char *cu_dtn(tc_dtype dt);
const char *cu_opn(int op);
/* Records the first error (later ones are dropped). */
void cu_fail(cgen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One line of code at the current indentation. */
void cu_line(cgen *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Emits stage st's value at the current variables, cast to `to`; its
 * expression goes to out. */
void cu_stage_value(cgen *g, const kstage *st, tc_dtype to, char *out, size_t cap);
/* The C expression of buffer buf's element at index idx, as a value. */
void cu_load_expr(cgen *g, char *out, size_t cap, int buf, const char *idx);
/* Store stage s at the current point (cuda_store.c). */
void cu_emit_store(cgen *g, int s);
/* Calls visit on every value of root's DAG once; false when visit stops. */
bool cu_walk(cgen *g, const kval *root, bool (*visit)(cgen *, const kval *));
/* Emits root and what it needs as locals (in the current evaluation's
 * memo); returns root's local number (t<n>). */
int cu_dag_emit(cgen *g, const kval *root);

/* An index expression's value (a local or a literal). */
name cu_ix_emit(cgen *g, const ix *e);
/* Forgets the current evaluation's locals. */
void cu_memo_clear(cgen *g);
/* Declares the live outer variables from the point number tc_p. */
void cu_emit_decode(cgen *g);

/* cuda_vec.c: vector mode (4 points a thread): whether kernel g->k takes
 * it (collecting its vector loads), vector load v's number (-1: none),
 * lane j of vector load i as an expression of dtype dt, and the code of
 * one group of 4 points. */
bool cu_choose_vec(cgen *g);
int cu_vec_load_num(const cgen *g, const kval *v);
void cu_vec_extract(char *out, size_t cap, tc_dtype dt, int i, int j);
void cu_emit_vec_group(cgen *g);

/* cuda_reduce.c: reduction stage s into a<s> (thread or cooperative mode,
 * by g->W), and the warps per point for kernel g->k (0: thread mode). */
void cu_emit_reduce(cgen *g, int s);
int cu_choose_warps(cgen *g);

#endif
