/*
 * cuda.h — the compile half of the CUDA backend: kernel IR (kernel.h) to
 * CUDA C source (cuda.c), and CUDA C to PTX through NVRTC opened at run time
 * (nvrtc.c). Nothing here needs a GPU, a driver or the CUDA headers; loading
 * and launching the PTX belongs to the runtime.
 *
 * The kernel ABI. cg_cuda_source(k, "name") returns the text of
 *   extern "C" __global__ void name(void *b0, ..., void *b<nbufs-1>,
 *                                   double|long long tc_arg0, ...,
 *                                   long long begin, long long end)
 * one untyped pointer per buffer of k (buffer i's device base address, in
 * the buffer's element layout: bool as one byte 0/1, float16/bfloat16 as
 * their 16 bits), one 8-byte scalar per param of k (kernel.h's kc_param: a
 * double for a float dtype, a long long otherwise), then the outer points
 * to compute: the row-major flat
 * indices in [begin, end) with 0 <= begin <= end <= kc_outer_numel(k) (the
 * same contract as kc_fn, so a big launch may be split). With the driver
 * API: void *args[] = {&dptr0, ..., &dptr_{n-1}, &param0, ..., &begin,
 * &end} (CUdeviceptr, ..., kc_param, ..., int64_t, int64_t) to
 * cuLaunchKernel. Launch geometry:
 * a 1-D grid of any size (the kernel loops grid-stride over the points) and
 * a 1-D block whose size is a multiple of cg_cuda_threads_per_point(k) (any
 * size in thread mode; cg_cuda_launch_dims picks 256); shared memory only
 * as the kernel declares it. Buffers may alias (in-place writes: no pointer is
 * __restrict__), but, as kernel.h says, outer points must be independent:
 * no point may read an element another point writes.
 *
 * Two shapes of code, chosen per kernel:
 *   thread mode (no live KS_REDUCE stage, or only short ones (< 64
 *     elements) or ones that do not read memory along their own variable,
 *     e.g. a sum over a strided dim): one thread per outer point;
 *     consecutive threads take consecutive points, so a kernel whose
 *     innermost outer dim is unit-stride in memory reads and writes
 *     coalesced. A store stage with n > 1 is a sequential loop; a
 *     reduction runs kernel.h's tree a lane at a time (lane l: the elements
 *     l, l+8, ...; a binary counter keeps a stack of perfect subtrees in
 *     local memory), then the lane tree.
 *   cooperative mode (a live reduction of >= 64 elements read along its
 *     variable): P = 32 W threads per point, W = 1..8 warps growing with
 *     the longest reduction (about 4 tiles of 64 elements a warp; W = 1
 *     when the reductions' static shared memory, 256 values and indices
 *     each, would pass 40 KiB of the 48 allowed). A warp
 *     takes tiles of 64 elements: thread u loads elements 64q + u and
 *     64q + 32 + u (coalesced); the tile's 8 elements of each lane combine
 *     in the tree's order by __shfl_xor_sync 8 and 16 and then the thread's
 *     two halves; warp w folds the aligned block of tiles [wS, wS + S) (a
 *     subtree) with a binary counter; the W warps' subtrees combine in the
 *     tree over w through shared memory (__syncthreads), then the lane tree
 *     by xor 1, 2, 4, each step putting the thread whose bit is clear on
 *     the left. Every thread of the point ends with the result, bitwise
 *     what kc_interp computes (argmax/argmin carry (value, r) pairs,
 *     logsumexp (m, s) pairs). No float atomics; the order does not depend
 *     on the grid or block size. A store stage with n > 1 whose index is
 *     affine in its variable with a nonzero coefficient (so each j writes
 *     its own element) is split j = t, t+P, ... over the point's threads
 *     (coalesced); other stores run on the point's thread 0. Between stages
 *     the point's threads meet (__syncthreads, or __syncwarp when W == 1)
 *     so a stage sees what the previous one stored. A block holds
 *     blockDim / P points; its loop over points is uniform (a thread whose
 *     point is past the end computes a duplicate and stores nothing), so
 *     every barrier is reached by the whole block. Within one store stage,
 *     element j's value must not read what another j of the same stage
 *     writes (the planner writes in place only when a WRITE reads the old
 *     version at the element it writes; cg_lowered's
 *     reads_output_elsewhere).
 * Large single-output reductions are split by the graph IR into 256
 * partial reductions and a second kernel (lib/ir/reduce.c), the same on
 * every backend: the two-pass reduction, deterministic by construction.
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

/* Threads per outer point: 1 in thread mode, 32 * W in cooperative mode. */
int cg_cuda_threads_per_point(const kernel *k);

/* KS_MATMUL kernels (cuda_matmul.c): whether k is one (its first stage; the
 * later ones are an epilogue at each point), its kernel's text (without the
 * prelude; with `epi`, calling <name>_epi(buffers, params, point) after
 * each element's store; malloc'd, NULL with err set), and its tiles. */
bool cg_cuda_is_matmul(const kernel *k);
char *cg_cuda_matmul_body(const kernel *k, const char *name, bool epi, char *err, size_t cap);
int64_t cg_cuda_matmul_tiles(const kernel *k);

/* The argument list of a call of the kernel from C++ with the buffers and
 * params of a kc_fn-style array named `bufs` ("bufs[0], ..., ((const double
 * *)bufs[nbufs])[0], ..., "), for host launchers (the emulator); malloc'd,
 * NULL when out of memory. */
char *cg_cuda_call_args(const kernel *k, const char *bufs);

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

/* The options cg_nvrtc_compile passes besides the architecture, as one
 * string (static storage): part of the PTX cache key. */
#define CG_NVRTC_OPTIONS "-fmad=false -ftz=false -prec-div=true -prec-sqrt=true --std=c++17"

/* "nvrtc 13.0" (static storage), or NULL when NVRTC cannot be loaded. Part of
 * the kernel cache key for PTX. */
const char *cg_nvrtc_version(void);

/* 1 when NVRTC can be loaded; else 0 with "CUDA is not available: ..." in
 * err. */
int cg_nvrtc_available(char *err, size_t errcap);

#endif
