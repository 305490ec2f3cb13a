/*
 * llvm.h — the CPU backend: kernel IR (kernel.h) to native code through the
 * LLVM-C API and one process-wide ORC LLJIT.
 *
 * A kernel becomes one function `void name(ptr bufs, i64 begin, i64 end)`
 * with the kc_fn ABI: it computes the outer points whose row-major flat
 * index lies in [begin, end), with exactly the semantics kernel.h defines
 * (bitwise the same results as kc_interp, NaN payloads aside). Each module
 * is optimized with the O3 pipeline for the host CPU before the JIT links
 * it; libm calls resolve against the running process.
 *
 * Threads: cg_llvm_get and cg_llvm_compile may be called from any thread
 * (compiles are serialized by a mutex); compiled functions may run
 * concurrently on disjoint or identical [begin, end) ranges (they only
 * touch the buffers they are given) and stay valid until cg_llvm_shutdown.
 */
#ifndef TC_CODEGEN_LLVM_H
#define TC_CODEGEN_LLVM_H
#include <stddef.h>
#include "kernel.h"

typedef struct cg_llvm cg_llvm; /* a process-wide JIT: one LLJIT */

/* The JIT, created on first use (thread-safe). Returns NULL with a message
 * in err (capacity errcap) when LLVM cannot target the host. Owned by the
 * process; never free it (see cg_llvm_shutdown). */
cg_llvm *cg_llvm_get(char *err, size_t errcap);

/* Compiles kernel k as the function `name` (a C identifier, unique within
 * the process: compiling the same name twice fails). On success *fn is
 * callable with the kc_fn ABI. If ir_out is not NULL, *ir_out receives a
 * malloc'd copy of the optimized LLVM IR text; if asm_out is not NULL, the
 * host assembly (malloc'd). Returns 0, or -1 with a message in err (then
 * *fn, *ir_out and *asm_out are untouched). Thread-safe (serialized). */
int cg_llvm_compile(cg_llvm *J, const kernel *k, const char *name, kc_fn *fn,
                    char **ir_out, char **asm_out, char *err, size_t errcap);

/* The same, also returning the kernel's object code (malloc'd, *obj_len
 * bytes; NULL when out of memory) for the disk cache. */
int cg_llvm_compile_obj(cg_llvm *J, const kernel *k, const char *name, kc_fn *fn, char **ir_out,
                        char **asm_out, void **obj_out, size_t *obj_len, char *err, size_t errcap);
/* Links object code made by cg_llvm_compile_obj (in any process, for this
 * target) that defines `name`; no compile. 0 and *fn set on success. */
int cg_llvm_load(cg_llvm *J, const char *name, const void *obj, size_t len, kc_fn *fn, char *err,
                 size_t errcap);
/* "x86_64-pc-linux-gnu znver5 +avx512f,... llvm-19.1.7 cg-2": triple, host
 * CPU name, host features, LLVM version and the revision of the code this
 * backend emits; the target part of kernel cache keys. Owned by J. */
const char *cg_llvm_target(cg_llvm *J);
/* Whether k compiles as a column-shaped kernel (llvm_colred.c: every
 * REDUCE strided along its own variable and contiguous along the last
 * outer dim, every STORE one element; panels of points vectorized). */
bool cg_llvm_columns(const kernel *k);

/* How the compiled code orders a kernel's outer points (llvm_tile.c): by
 * rows of the last dim, or in 2-D tiles of tp x tl points over outer dims
 * p and last, when some access has a large stride along the last dim. */
typedef struct cg_tile {
  int p, last;
  int64_t tp, tl;
  bool stream; /* whole tiles via scratch tiles and non-temporal stores */
  bool regs;   /* ... computed column by column, transposed in registers */
} cg_tile;
/* Whether kernel k is tiled (and how: t, filled in when true). */
bool cg_tile_plan(const kernel *k, cg_tile *t);

/* Disposes the singleton JIT (every compiled function becomes invalid); a
 * later cg_llvm_get creates a new one. For tests and leak checkers; not
 * thread-safe against concurrent compiles or running kernels. */
void cg_llvm_shutdown(void);

#endif
