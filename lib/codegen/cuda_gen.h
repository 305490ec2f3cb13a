/*
 * cuda_gen.h — shared by the two halves of the CUDA C generator (internal
 * to lib/codegen): cuda.c walks the kernel (loops, stages, values, index
 * expressions); cuda_ops.c knows how each scalar op, cast, constant and
 * reduction identity is spelled in CUDA C, and holds the prelude of device
 * helpers those spellings call. Spellings are printed into caller buffers
 * (out, cap); operands are names of locals already emitted.
 */
#ifndef TC_CODEGEN_CUDA_GEN_H
#define TC_CODEGEN_CUDA_GEN_H
#include <stdbool.h>
#include <stddef.h>
#include "kernel.h"

/* The prelude: macros every kernel needs (guarded by TC_CUDA_PRELUDE), then
 * device helpers, in an order where each calls only earlier ones; a kernel
 * includes the helpers its code names (and what they call). Each helper's
 * text defines the function `name`. The table ends with {NULL, NULL}. */
typedef struct cg_cu_helper {
  const char *name;
  const char *text;
} cg_cu_helper;
extern const char cg_cuda_prelude_head[];
extern const cg_cu_helper cg_cuda_helpers[];

static inline bool dt_float(tc_dtype dt) { return dt >= TC_F16 && dt <= TC_F64; }
static inline bool dt_half(tc_dtype dt) { return dt == TC_F16 || dt == TC_BF16; }
static inline bool dt_signed(tc_dtype dt) { return dt >= TC_I8 && dt <= TC_I64; }
static inline int dt_bits(tc_dtype dt) {
  static const int b[TC_NUM_DTYPES] = {1, 8, 8, 16, 32, 64, 16, 16, 32, 64};
  return b[dt];
}
static inline int dt_bytes(tc_dtype dt) { return dt_bits(dt) < 8 ? 1 : dt_bits(dt) / 8; }

/* C type of a dtype's values in registers (float16/bfloat16: float). */
const char *cg_cu_ctype(tc_dtype dt);
/* C type of a dtype's elements in memory (bool: unsigned char, halves:
 * unsigned short). */
const char *cg_cu_mtype(tc_dtype dt);
/* An integer literal (wide: of long long). */
void cg_cu_int_lit(char *out, size_t cap, int64_t v, bool wide);
/* A float literal of v rounded to float (single) or as a double; exact
 * (hexadecimal), NaN and infinities through their bits. */
void cg_cu_float_lit(char *out, size_t cap, double v, bool single);
/* kc_interp's cast of value `a` from dtype `from` to `to`. */
void cg_cu_cast(char *out, size_t cap, tc_dtype from, tc_dtype to, const char *a);
/* Whether kernel.h defines the unary/binary EW op on operands of dtypes a, b
 * (b == dt for unary ops) with result dt (not CAST, WHERE, comparisons or
 * is*, which cuda.c checks itself). */
bool cg_cu_op_defined(int op, tc_dtype dt, tc_dtype a, tc_dtype b);
/* a (op) b on dtype dt; false when kernel.h does not define op on dt.
 * float16/bfloat16 (reduction accumulators only) round each result. */
bool cg_cu_binop(char *out, size_t cap, int op, tc_dtype dt, const char *a, const char *b);
/* op(a) on dtype dt; false when undefined. */
bool cg_cu_unop(char *out, size_t cap, int op, tc_dtype dt, const char *a);
/* The identity (lane start value) of reduction rop on accumulator dt. */
void cg_cu_identity(char *out, size_t cap, int rop, tc_dtype dt);

#endif
