/*
 * cuda.h — the compile half of the CUDA backend: kernel IR (kernel.h) to
 * CUDA C source (cuda.c), and CUDA C to PTX through NVRTC opened at run time
 * (nvrtc.c). Nothing here needs a GPU, a driver or the CUDA headers; loading
 * and launching the PTX belongs to the runtime.
 *
 * The kernel ABI. cg_cuda_source(k, "name") returns the text of
 *   extern "C" __global__ void name(void *b0, ..., void *b<nbufs-1>,
 *                                   long long begin, long long end)
 * one untyped pointer per buffer of k (buffer i's device base address, in
 * the buffer's element layout: bool as one byte 0/1, float16/bfloat16 as
 * their 16 bits), then the outer points to compute: the row-major flat
 * indices in [begin, end) with 0 <= begin <= end <= kc_outer_numel(k) (the
 * same contract as kc_fn, so a big launch may be split). With the driver
 * API: void *args[] = {&dptr0, ..., &dptr_{n-1}, &begin, &end} (CUdeviceptr,
 * CUdeviceptr, ..., int64_t, int64_t) to cuLaunchKernel. Launch geometry:
 * a 1-D grid of any size (the kernel loops grid-stride over the points) and
 * a 1-D block (any size in thread mode, a multiple of 8 in group mode, so
 * that a group of 8 never straddles two warps; cg_cuda_launch_dims picks
 * 256); no shared memory. Buffers may alias (in-place writes: no pointer is
 * __restrict__), but, as kernel.h says, outer points must be independent:
 * no point may read an element another point writes.
 *
 * Two shapes of code, chosen per kernel:
 *   thread mode (no KS_REDUCE stage whose result is read; a reduction that
 *     nothing reads has no effect and is not emitted): one thread per
 *     outer point; consecutive threads take consecutive points, so a kernel
 *     whose innermost outer dim is unit-stride in memory reads and writes
 *     coalesced. A store stage with n > 1 is a sequential loop.
 *   group mode (a live KS_REDUCE stage): KC_LANES (8) consecutive threads
 *     of a warp per outer point, thread l of the group being reduction lane l: it
 *     folds the elements r = l, l+8, l+16, ... in increasing r from the
 *     identity, exactly kernel.h's lane order; the 8 lanes then combine with
 *     three __shfl_xor_sync steps (distance 1, 2, 4), each lane putting the
 *     lower lane's value on the left, which is the fixed tree
 *     ((L0 L1)(L2 L3))((L4 L5)(L6 L7)); every lane ends with the result,
 *     bitwise what kc_interp computes (argmax/argmin carry (value, r) pairs,
 *     logsumexp its (m, s) pairs). A store stage with n > 1 whose index is
 *     affine in its variable with a nonzero coefficient (so each j writes
 *     its own element) is split j = l, l+8, ... over the group; other stores
 *     run on lane 0 in order. Between stages the group meets at
 *     __syncwarp(mask) so a stage sees what the previous one stored. Within
 *     one store stage, element j's value must not read what another j of the
 *     same stage writes (the planner writes in place only when a WRITE
 *     reads the old version at the element it writes; cg_lowered's
 *     reads_output_elsewhere).
 * Index arithmetic is 32-bit when every index expression's value range, the
 * outer space and every stage extent fit in int32; else 64-bit (decoding
 * the flat point index uses unsigned division by the constant dims).
 *
 * Floating point: the source states every rounding itself (__fadd_rn,
 * __fmul_rn, __fdiv_rn, __fsqrt_rn, ... cannot be contracted to FMA) and
 * cg_nvrtc_compile passes -fmad=false -ftz=false -prec-div=true
 * -prec-sqrt=true as well; float16/bfloat16 conversions are device
 * functions with kc_f32_to_f16/kc_f32_to_bf16's exact rules (no cuda_fp16.h).
 * Integer and exactly rounded ops (and casts, min/max, floor/round, fmod,
 * Philox) are bitwise the interpreter's; transcendentals (expf, logf, erff,
 * powf, sinf, ...) are CUDA's libdevice ones, within DESIGN.md's tolerances.
 */
#ifndef TC_CODEGEN_CUDA_H
#define TC_CODEGEN_CUDA_H
#include <stddef.h>
#include <stdint.h>
#include "kernel.h"

/* CUDA C source (malloc'd, NUL-terminated; the caller frees it) of kernel k
 * as the __global__ function `name` (a C identifier) with the ABI above. The
 * text starts with the device helpers the kernel calls, each guarded, so
 * several kernels' sources may be concatenated into one program. Returns NULL with a message
 * in err (capacity errcap) for a malformed kernel (an index using a variable
 * outside its loop, an op on a dtype kernel.h does not define, ...) or when
 * out of memory. Thread-safe (no shared state). */
char *cg_cuda_source(const kernel *k, const char *name, char *err,
                     size_t errcap);

/* Threads per outer point: 1 in thread mode, KC_LANES in group mode. */
int cg_cuda_threads_per_point(const kernel *k);

/* A launch geometry for `npoints` outer points: *block threads per block
 * (256) and *grid blocks, at most max_blocks (0: no cap but the
 * hardware's 2^31 - 1; pass e.g. 32 * SM count to keep the grid resident). */
void cg_cuda_launch_dims(const kernel *k, int64_t npoints, int64_t max_blocks,
                         unsigned *grid, unsigned *block);

/* ---- NVRTC (nvrtc.c): opened with dlopen on first use, never linked ----
 * The library tried is libnvrtc.so.13, then the same under $CUDA_HOME and
 * $CUDA_PATH (lib64, targets/x86_64-linux/lib) and /usr/local/cuda. Without
 * it every call fails with "CUDA is not available: <reason>". Thread-safe:
 * the first use loads the library under a mutex; compiles may then run
 * concurrently (NVRTC programs are independent). */

/* Compiles CUDA C `src` (program name `name`, used in messages) for `arch`
 * ("sm_90", "compute_90", ...) with -fmad=false -ftz=false -prec-div=true
 * -prec-sqrt=true --std=c++17. On success returns 0 and sets *ptx to the PTX
 * text (malloc'd). If log is not NULL, *log receives NVRTC's log (malloc'd,
 * possibly empty) on success and on a compile error. Returns -1 with a
 * message in err on failure (then *ptx is untouched). */
int cg_nvrtc_compile(const char *src, const char *name, const char *arch,
                     char **ptx, char **log, char *err, size_t errcap);

/* "nvrtc 13.0" (static storage), or NULL when NVRTC cannot be loaded. Part of
 * the kernel cache key for PTX. */
const char *cg_nvrtc_version(void);

/* 1 when NVRTC can be loaded; else 0 with "CUDA is not available: ..." in
 * err. */
int cg_nvrtc_available(char *err, size_t errcap);

#endif
