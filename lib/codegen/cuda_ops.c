/*
 * cuda_ops.c — how kernel.h's scalar semantics are spelled in CUDA C: the
 * expression for each op on each dtype, casts, constants and reduction
 * identities (cuda_gen.h), and the device helpers those expressions call.
 * cuda.c puts in front of a kernel the helpers its code names: float16/
 * bfloat16 conversions with kc_f32_to_f16/kc_f32_to_bf16's exact rules,
 * float -> int saturation, Python-style integer floor division, remainder,
 * shifts and power, the float floor_divide/remainder/maximum/minimum of
 * kernel.h, argmax/argmin pair comparison, online log-sum-exp steps, and
 * Philox4x32-10 with the RNG transforms. Each transcribes interp.c's scalar
 * code with every float operation's rounding spelled out (__fadd_rn, ...),
 * so no compiler flag can contract or reorder it. Only what a kernel uses
 * is sent to NVRTC, which compiles a kernel noticeably faster than with the
 * whole set.
 *
 * The text is plain CUDA C++ for NVRTC (no #include: NVRTC has no system
 * headers, so no INFINITY or stdint types either); the head is guarded by
 * TC_CUDA_PRELUDE and each helper by TC_HAVE_<name>, so several kernels can
 * share one program. test/cuda_emu.h provides the same builtins on the host
 * so g++ can build and run it.
 */
#include <stdio.h>
#include <string.h>

#include "cuda_gen.h"

const char cg_cuda_prelude_head[] =
    "#ifndef TC_CUDA_PRELUDE\n"
    "#define TC_CUDA_PRELUDE\n"
    "#define TC_D __device__ __forceinline__\n"
    "#define TC_I64_MAX 0x7fffffffffffffffLL\n"
    "#define TC_I64_MIN (-0x7fffffffffffffffLL - 1)\n"
    "#ifdef __CUDACC__\n"
    "#define TC_UNROLL _Pragma(\"unroll\")\n"
    "#else\n"
    "#define TC_UNROLL\n"
    "#endif\n"
    "#endif\n";

const cg_cu_helper cg_cuda_helpers[] = {
    {"tc_inf_f",
     "TC_D float tc_inf_f() { return __int_as_float(0x7f800000); }\n"},
    {"tc_inf_d",
     "TC_D double tc_inf_d() { return __longlong_as_double(0x7ff0000000000000LL); }\n"},
    {"tc_expf",
     "/* kernel.h's kc_expf, step for step: the CPU's bits */\n"
     "TC_D float tc_expf(float x) {\n"
     "  if (x != x) return __fadd_rn(x, x);\n"
     "  x = x > -110.0f ? x : -110.0f;\n"
     "  x = x < 89.0f ? x : 89.0f;\n"
     "  const float n = rintf(__fmul_rn(x, 0x1.715476p+0f));\n"
     "  float r = __fmaf_rn(n, -0x1.62e4p-1f, x);\n"
     "  r = __fmaf_rn(n, -0x1.7f7d1cp-20f, r);\n"
     "  float p = 1.9875691500e-4f;\n"
     "  p = __fmaf_rn(p, r, 1.3981999507e-3f);\n"
     "  p = __fmaf_rn(p, r, 8.3334519073e-3f);\n"
     "  p = __fmaf_rn(p, r, 4.1665795894e-2f);\n"
     "  p = __fmaf_rn(p, r, 1.6666665459e-1f);\n"
     "  p = __fmaf_rn(p, r, 5.0000001201e-1f);\n"
     "  const float y = __fadd_rn(__fmaf_rn(p, __fmul_rn(r, r), r), 1.0f);\n"
     "  const int i = (int)n, i1 = i / 2, i2 = i - i1;\n"
     "  return __fmul_rn(__fmul_rn(y, __int_as_float((i1 + 127) << 23)), __int_as_float((i2 + 127) << 23));\n"
     "}\n"},
    {"tc_exp",
     "/* kernel.h's kc_exp, step for step: the CPU's bits */\n"
     "TC_D double tc_exp(double x) {\n"
     "  if (x != x) return __dadd_rn(x, x);\n"
     "  x = x > -760.0 ? x : -760.0;\n"
     "  x = x < 710.0 ? x : 710.0;\n"
     "  const double n = rint(__dmul_rn(x, 0x1.71547652b82fep+0));\n"
     "  double r = __fma_rn(n, -0x1.62e42feep-1, x);\n"
     "  r = __fma_rn(n, -0x1.a39ef35793c76p-33, r);\n"
     "  double p = 0x1.6124613a86d09p-33;\n"
     "  p = __fma_rn(p, r, 0x1.1eed8eff8d898p-29);\n"
     "  p = __fma_rn(p, r, 0x1.ae64567f544e4p-26);\n"
     "  p = __fma_rn(p, r, 0x1.27e4fb7789f5cp-22);\n"
     "  p = __fma_rn(p, r, 0x1.71de3a556c734p-19);\n"
     "  p = __fma_rn(p, r, 0x1.a01a01a01a01ap-16);\n"
     "  p = __fma_rn(p, r, 0x1.a01a01a01a01ap-13);\n"
     "  p = __fma_rn(p, r, 0x1.6c16c16c16c17p-10);\n"
     "  p = __fma_rn(p, r, 0x1.1111111111111p-7);\n"
     "  p = __fma_rn(p, r, 0x1.5555555555555p-5);\n"
     "  p = __fma_rn(p, r, 0x1.5555555555555p-3);\n"
     "  p = __fma_rn(p, r, 0x1.0000000000000p-1);\n"
     "  const double y = __dadd_rn(__fma_rn(p, __dmul_rn(r, r), r), 1.0);\n"
     "  const long long i = (long long)n, i1 = i / 2, i2 = i - i1;\n"
     "  return __dmul_rn(__dmul_rn(y, __longlong_as_double((i1 + 1023) << 52)),\n"
     "                  __longlong_as_double((i2 + 1023) << 52));\n"
     "}\n"},
    {"tc_h2f",
     "/* float16 / bfloat16 bits <-> float (kernel.c's rules): one cvt on the\n"
     "   GPU (IEEE round to nearest even; NaN payloads aside, which kernel.h\n"
     "   leaves open), the same rules in C elsewhere */\n"
     "TC_D float tc_h2f(unsigned short h) {\n"
     "#ifdef __CUDACC__\n"
     "  float f;\n"
     "  asm(\"cvt.f32.f16 %0, %1;\" : \"=f\"(f) : \"h\"(h));\n"
     "  return f;\n"
     "#else\n"
     "  unsigned sign = (unsigned)(h & 0x8000u) << 16, e = (h >> 10) & 0x1fu, m = h & 0x3ffu;\n"
     "  if (e == 0u) return __uint_as_float(__float_as_uint(__fmul_rn((float)m, 0x1p-24f)) | sign);\n"
     "  if (e == 31u) return __uint_as_float(sign | 0x7f800000u | (m ? 0x400000u | (m << 13) : 0u));\n"
     "  return __uint_as_float(sign | ((e + 112u) << 23) | (m << 13));\n"
     "#endif\n"
     "}\n"},
    {"tc_f2h",
     "TC_D unsigned short tc_f2h(float f) {\n"
     "#ifdef __CUDACC__\n"
     "  unsigned short h;\n"
     "  asm(\"cvt.rn.f16.f32 %0, %1;\" : \"=h\"(h) : \"f\"(f));\n"
     "  return h;\n"
     "#else\n"
     "  unsigned x = __float_as_uint(f), sign = (x >> 16) & 0x8000u, ax = x & 0x7fffffffu;\n"
     "  if (ax > 0x7f800000u) return (unsigned short)(sign | 0x7e00u | ((ax >> 13) & 0x3ffu));\n"
     "  if (ax >= 0x477ff000u) return (unsigned short)(sign | 0x7c00u);\n"
     "  if (ax >= 0x38800000u) {\n"
     "    unsigned h = (ax - 0x38000000u) >> 13, rem = ax & 0x1fffu;\n"
     "    if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) h++;\n"
     "    return (unsigned short)(sign | h);\n"
     "  }\n"
     "  unsigned e = ax >> 23;\n"
     "  if (e < 102u) return (unsigned short)sign;\n"
     "  unsigned mant = (ax & 0x7fffffu) | 0x800000u, s = 126u - e;\n"
     "  unsigned h = mant >> s, rem = mant & ((1u << s) - 1u), half = 1u << (s - 1u);\n"
     "  if (rem > half || (rem == half && (h & 1u))) h++;\n"
     "  return (unsigned short)(sign | h);\n"
     "#endif\n"
     "}\n"},
    {"tc_bf2f",
     "TC_D float tc_bf2f(unsigned short h) { return __uint_as_float((unsigned)h << 16); }\n"},
    {"tc_f2bf",
     "TC_D unsigned short tc_f2bf(float f) {\n"
     "#ifdef __CUDACC__\n"
     "  unsigned short h;\n"
     "  asm(\"cvt.rn.bf16.f32 %0, %1;\" : \"=h\"(h) : \"f\"(f));\n"
     "  return h;\n"
     "#else\n"
     "  unsigned x = __float_as_uint(f);\n"
     "  if ((x & 0x7fffffffu) > 0x7f800000u) return (unsigned short)((x >> 16) | 0x40u);\n"
     "  x += 0x7fffu + ((x >> 16) & 1u);\n"
     "  return (unsigned short)(x >> 16);\n"
     "#endif\n"
     "}\n"},
    {"tc_rh",
     "TC_D float tc_rh(float f) { return tc_h2f(tc_f2h(f)); }\n"},
    {"tc_rbf",
     "TC_D float tc_rbf(float f) { return tc_bf2f(tc_f2bf(f)); }\n"},
    {"tc_f2i_d",
     "/* float -> int64 as x86 PyTorch: NaN or out of range -> INT64_MIN */\n"
     "TC_D long long tc_f2i_d(double x) {\n"
     "  return (x >= -9223372036854775808.0 && x < 9223372036854775808.0) ? (long long)x : TC_I64_MIN;\n"
     "}\n"},
    {"tc_f2i_f",
     "TC_D long long tc_f2i_f(float x) {\n"
     "  return (x >= -9223372036854775808.0f && x < 9223372036854775808.0f) ? (long long)x : TC_I64_MIN;\n"
     "}\n"},
    {"tc_f2i32_d",
     "/* float -> narrower ints: through int32 (NaN or out of range -> INT32_MIN) */\n"
     "TC_D int tc_f2i32_d(double x) {\n"
     "  return (x >= -2147483648.0 && x < 2147483648.0) ? (int)x : (int)0x80000000u;\n"
     "}\n"},
    {"tc_f2i32_f",
     "TC_D int tc_f2i32_f(float x) {\n"
     "  return (x >= -2147483648.0f && x < 2147483648.0f) ? (int)x : (int)0x80000000u;\n"
     "}\n"},
    {"tc_fdiv_s",
     "/* integers: floor division and remainder (0 for a zero divisor, MIN / -1\n"
     "   wraps), shifts with out-of-range counts, power by squaring */\n"
     "template <class T> TC_D T tc_fdiv_s(T a, T b) {\n"
     "  if (b == 0) return 0;\n"
     "  if (b == (T)-1) return (T)(0ull - (unsigned long long)(long long)a);\n"
     "  T q = (T)(a / b);\n"
     "  if (a % b != 0 && ((a < 0) != (b < 0))) q = (T)(q - 1);\n"
     "  return q;\n"
     "}\n"},
    {"tc_frem_s",
     "template <class T> TC_D T tc_frem_s(T a, T b) {\n"
     "  if (b == 0 || b == (T)-1) return 0;\n"
     "  T r = (T)(a % b);\n"
     "  if (r != 0 && ((r < 0) != (b < 0))) r = (T)(r + b);\n"
     "  return r;\n"
     "}\n"},
    {"tc_fdiv_u",
     "template <class T> TC_D T tc_fdiv_u(T a, T b) { return b == 0 ? (T)0 : (T)(a / b); }\n"},
    {"tc_frem_u",
     "template <class T> TC_D T tc_frem_u(T a, T b) { return b == 0 ? (T)0 : (T)(a % b); }\n"},
    {"tc_shl",
     "template <class T> TC_D T tc_shl(T a, T b, int w) {\n"
     "  long long s = (long long)b;\n"
     "  if (s < 0 || s >= w) return (T)0;\n"
     "  return (T)((unsigned long long)(long long)a << s);\n"
     "}\n"},
    {"tc_shr",
     "template <class T> TC_D T tc_shr(T a, T b, int w) {\n"
     "  long long s = (long long)b, x = (long long)a;\n"
     "  if (s < 0 || s >= w) return (T)(x < 0 ? -1 : 0);\n"
     "  return (T)(x >> s);\n"
     "}\n"},
    {"tc_ipow",
     "TC_D long long tc_ipow(long long a, long long e) {\n"
     "  if (e < 0) return a == 1 ? 1 : a == -1 ? ((e & 1) ? -1 : 1) : 0;\n"
     "  unsigned long long r = 1, b = (unsigned long long)a, n = (unsigned long long)e;\n"
     "  while (n) {\n"
     "    if (n & 1u) r *= b;\n"
     "    b *= b;\n"
     "    n >>= 1;\n"
     "  }\n"
     "  return (long long)r;\n"
     "}\n"},
    {"tc_max_f",
     "/* floats: maximum/minimum (NaN wins, -0 < +0), Python floor_divide and\n"
     "   remainder */\n"
     "TC_D float tc_max_f(float a, float b) {\n"
     "  if (a != a) return a;\n"
     "  if (b != b) return b;\n"
     "  if (a == b) return __float_as_int(a) < 0 ? b : a;\n"
     "  return a > b ? a : b;\n"
     "}\n"},
    {"tc_min_f",
     "TC_D float tc_min_f(float a, float b) {\n"
     "  if (a != a) return a;\n"
     "  if (b != b) return b;\n"
     "  if (a == b) return __float_as_int(a) < 0 ? a : b;\n"
     "  return a < b ? a : b;\n"
     "}\n"},
    {"tc_max_d",
     "TC_D double tc_max_d(double a, double b) {\n"
     "  if (a != a) return a;\n"
     "  if (b != b) return b;\n"
     "  if (a == b) return __double_as_longlong(a) < 0 ? b : a;\n"
     "  return a > b ? a : b;\n"
     "}\n"},
    {"tc_min_d",
     "TC_D double tc_min_d(double a, double b) {\n"
     "  if (a != a) return a;\n"
     "  if (b != b) return b;\n"
     "  if (a == b) return __double_as_longlong(a) < 0 ? a : b;\n"
     "  return a < b ? a : b;\n"
     "}\n"},
    {"tc_floordiv_f",
     "TC_D float tc_floordiv_f(float a, float b) {\n"
     "  if (b == 0.0f) return __fdiv_rn(a, b);\n"
     "  float m = fmodf(a, b), d = __fdiv_rn(__fsub_rn(a, m), b);\n"
     "  if (m != 0.0f && ((b < 0.0f) != (m < 0.0f))) d = __fsub_rn(d, 1.0f);\n"
     "  if (d == 0.0f) return copysignf(0.0f, __fdiv_rn(a, b));\n"
     "  float f = floorf(d);\n"
     "  return __fsub_rn(d, f) > 0.5f ? __fadd_rn(f, 1.0f) : f;\n"
     "}\n"},
    {"tc_floordiv_d",
     "TC_D double tc_floordiv_d(double a, double b) {\n"
     "  if (b == 0.0) return __ddiv_rn(a, b);\n"
     "  double m = fmod(a, b), d = __ddiv_rn(__dsub_rn(a, m), b);\n"
     "  if (m != 0.0 && ((b < 0.0) != (m < 0.0))) d = __dsub_rn(d, 1.0);\n"
     "  if (d == 0.0) return copysign(0.0, __ddiv_rn(a, b));\n"
     "  double f = floor(d);\n"
     "  return __dsub_rn(d, f) > 0.5 ? __dadd_rn(f, 1.0) : f;\n"
     "}\n"},
    {"tc_rem_f",
     "TC_D float tc_rem_f(float a, float b) {\n"
     "  float r = fmodf(a, b);\n"
     "  if (r != 0.0f && ((r < 0.0f) != (b < 0.0f))) r = __fadd_rn(r, b);\n"
     "  return r;\n"
     "}\n"},
    {"tc_rem_d",
     "TC_D double tc_rem_d(double a, double b) {\n"
     "  double r = fmod(a, b);\n"
     "  if (r != 0.0 && ((r < 0.0) != (b < 0.0))) r = __dadd_rn(r, b);\n"
     "  return r;\n"
     "}\n"},
    {"tc_beats_fmax",
     "/* argmax/argmin: does (x, i) beat (y, j)? NaN beats every number; ties\n"
     "   and NaN pairs go to the smaller index */\n"
     "template <class T> TC_D bool tc_beats_fmax(T x, long long i, T y, long long j) {\n"
     "  bool nx = x != x, ny = y != y;\n"
     "  if (nx || ny) return nx && (!ny || i < j);\n"
     "  if (x != y) return x > y;\n"
     "  return i < j;\n"
     "}\n"},
    {"tc_beats_fmin",
     "template <class T> TC_D bool tc_beats_fmin(T x, long long i, T y, long long j) {\n"
     "  bool nx = x != x, ny = y != y;\n"
     "  if (nx || ny) return nx && (!ny || i < j);\n"
     "  if (x != y) return x < y;\n"
     "  return i < j;\n"
     "}\n"},
    {"tc_beats_imax",
     "template <class T> TC_D bool tc_beats_imax(T x, long long i, T y, long long j) {\n"
     "  return x != y ? x > y : i < j;\n"
     "}\n"},
    {"tc_beats_imin",
     "template <class T> TC_D bool tc_beats_imin(T x, long long i, T y, long long j) {\n"
     "  return x != y ? x < y : i < j;\n"
     "}\n"},
    {"tc_lse_add_f",
     "/* online log-sum-exp: a lane takes x; two lanes (left, right) combine */\n"
     "TC_D void tc_lse_add_f(float &m, float &s, float x) {\n"
     "  if (x > m) {\n"
     "    s = __fadd_rn(__fmul_rn(s, tc_expf(__fsub_rn(m, x))), 1.0f);\n"
     "    m = x;\n"
     "  } else if (x == m) {\n"
     "    s = __fadd_rn(s, 1.0f);\n"
     "  } else {\n"
     "    s = __fadd_rn(s, tc_expf(__fsub_rn(x, m)));\n"
     "  }\n"
     "}\n"},
    {"tc_lse_comb_f",
     "TC_D void tc_lse_comb_f(float &m1, float &s1, float m2, float s2) {\n"
     "  if (m2 > m1) {\n"
     "    float t = m1; m1 = m2; m2 = t;\n"
     "    t = s1; s1 = s2; s2 = t;\n"
     "  }\n"
     "  s1 = m1 == m2 ? __fadd_rn(s1, s2) : __fadd_rn(s1, __fmul_rn(s2, tc_expf(__fsub_rn(m2, m1))));\n"
     "}\n"},
    {"tc_lse_add_d",
     "TC_D void tc_lse_add_d(double &m, double &s, double x) {\n"
     "  if (x > m) {\n"
     "    s = __dadd_rn(__dmul_rn(s, tc_exp(__dsub_rn(m, x))), 1.0);\n"
     "    m = x;\n"
     "  } else if (x == m) {\n"
     "    s = __dadd_rn(s, 1.0);\n"
     "  } else {\n"
     "    s = __dadd_rn(s, tc_exp(__dsub_rn(x, m)));\n"
     "  }\n"
     "}\n"},
    {"tc_lse_comb_d",
     "TC_D void tc_lse_comb_d(double &m1, double &s1, double m2, double s2) {\n"
     "  if (m2 > m1) {\n"
     "    double t = m1; m1 = m2; m2 = t;\n"
     "    t = s1; s1 = s2; s2 = t;\n"
     "  }\n"
     "  s1 = m1 == m2 ? __dadd_rn(s1, s2) : __dadd_rn(s1, __dmul_rn(s2, tc_exp(__dsub_rn(m2, m1))));\n"
     "}\n"},
    {"tc_philox",
     "/* Philox4x32-10 (kc_philox) and the RNG transforms of kernel.h */\n"
     "TC_D void tc_philox(unsigned long long seed, unsigned long long ctr, unsigned *o) {\n"
     "  unsigned c0 = (unsigned)ctr, c1 = (unsigned)(ctr >> 32), c2 = 0u, c3 = 0u;\n"
     "  unsigned k0 = (unsigned)seed, k1 = (unsigned)(seed >> 32);\n"
     "  for (int r = 0; r < 10; r++) {\n"
     "    unsigned long long p0 = 0xD2511F53ull * c0, p1 = 0xCD9E8D57ull * c2;\n"
     "    c0 = (unsigned)(p1 >> 32) ^ c1 ^ k0;\n"
     "    c1 = (unsigned)p1;\n"
     "    c2 = (unsigned)(p0 >> 32) ^ c3 ^ k1;\n"
     "    c3 = (unsigned)p0;\n"
     "    k0 += 0x9E3779B9u;\n"
     "    k1 += 0xBB67AE85u;\n"
     "  }\n"
     "  o[0] = c0; o[1] = c1; o[2] = c2; o[3] = c3;\n"
     "}\n"},
    {"tc_rand",
     "TC_D float tc_rand(unsigned long long seed, long long ctr) {\n"
     "  unsigned x[4];\n"
     "  tc_philox(seed, (unsigned long long)ctr, x);\n"
     "  return __fmul_rn((float)(x[0] >> 8), 0x1p-24f);\n"
     "}\n"},
    {"tc_randn",
     "TC_D float tc_randn(unsigned long long seed, long long ctr) {\n"
     "  unsigned x[4];\n"
     "  tc_philox(seed, (unsigned long long)ctr, x);\n"
     "  float u1 = __fmul_rn((float)((x[0] >> 8) + 1u), 0x1p-24f);\n"
     "  float u2 = __fmul_rn((float)(x[1] >> 8), 0x1p-24f);\n"
     "  return __fmul_rn(__fsqrt_rn(__fmul_rn(-2.0f, logf(u1))),\n"
     "                   cosf(__fmul_rn(0x1.921fb6p+2f, u2)));\n"
     "}\n"},
    {"tc_randbits",
     "TC_D long long tc_randbits(unsigned long long seed, long long ctr) {\n"
     "  unsigned x[4];\n"
     "  tc_philox(seed, (unsigned long long)ctr, x);\n"
     "  return (long long)((((unsigned long long)x[2] << 32) | x[3]) >> 1);\n"
     "}\n"},
    {NULL, NULL}};

/* ---- dtypes ---- */

/* register type */
const char *cg_cu_ctype(tc_dtype dt) {
  static const char *const t[TC_NUM_DTYPES] = {
      "bool", "unsigned char", "signed char", "short", "int", "long long",
      "float", "float", "float", "double"};
  return t[dt];
}

/* element type in memory */
const char *cg_cu_mtype(tc_dtype dt) {
  static const char *const t[TC_NUM_DTYPES] = {
      "unsigned char", "unsigned char", "signed char", "short", "int",
      "long long", "unsigned short", "unsigned short", "float", "double"};
  return t[dt];
}

/* unsigned type for wrapping arithmetic of an integer dtype */
static const char *wtype(tc_dtype dt) {
  return dt == TC_I64 ? "unsigned long long" : "unsigned";
}

/* ---- literals ---- */

void cg_cu_int_lit(char *out, size_t cap, int64_t v, bool wide) {
  if (v == INT64_MIN) snprintf(out, cap, "TC_I64_MIN");
  else if (v < 0) snprintf(out, cap, "(%lld%s)", (long long)v, wide ? "LL" : "");
  else snprintf(out, cap, "%lld%s", (long long)v, wide ? "LL" : "");
}

void cg_cu_float_lit(char *out, size_t cap, double v, bool single) {
  if (single) {
    float f = (float)v;
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7f800000u) == 0x7f800000u)
      snprintf(out, cap, "__int_as_float(0x%08x)", (unsigned)u);
    else
      snprintf(out, cap, "%af", (double)f);
  } else {
    uint64_t u;
    memcpy(&u, &v, 8);
    if ((u & 0x7ff0000000000000ull) == 0x7ff0000000000000ull)
      snprintf(out, cap, "__longlong_as_double(0x%016llxLL)", (unsigned long long)u);
    else
      snprintf(out, cap, "%a", v);
  }
}

bool cg_cu_op_defined(int op, tc_dtype dt, tc_dtype a, tc_dtype b) {
  if (a != dt || b != dt || dt_half(dt)) return false;
  bool is_float = dt_float(dt);
  switch (op) { /* ops kernel.h leaves undefined on these dtypes */
  case OP_DIV: case OP_EXP: case OP_EXP2: case OP_LOG: case OP_LOG2: case OP_LOG1P:
  case OP_EXPM1: case OP_SQRT: case OP_RSQRT: case OP_SIN: case OP_COS: case OP_TAN:
  case OP_TANH: case OP_SIGMOID: case OP_GELU: case OP_ERF: case OP_RECIP:
    if (!is_float) return false;
    break;
  case OP_NOT: case OP_AND: case OP_OR: case OP_XOR:
    if (dt != TC_BOOL) return false;
    break;
  case OP_BITAND: case OP_BITOR: case OP_BITXOR: case OP_BITNOT:
    if (is_float) return false;
    break;
  case OP_SHL: case OP_SHR:
    if (is_float || dt == TC_BOOL) return false;
    break;
  case OP_NEG: case OP_SUB: case OP_FLOORDIV: case OP_REM: case OP_POW:
    if (dt == TC_BOOL) return false;
    break;
  default: break;
  }
  return true;
}

/* ---- scalar ops ---- */

/* a cast from -> to of the value `a` (kc_interp's cast) */
void cg_cu_cast(char *out, size_t cap, tc_dtype from, tc_dtype to, const char *a) {
  if (from == to) {
    snprintf(out, cap, "%s", a);
    return;
  }
  if (to == TC_BOOL) {
    snprintf(out, cap, "(%s != %s)", a, from == TC_F64 ? "0.0" : dt_float(from) ? "0.0f" : "0");
    return;
  }
  const char *round = to == TC_F16 ? "tc_rh" : to == TC_BF16 ? "tc_rbf" : NULL;
  if (dt_float(from)) {
    if (to == TC_F64) snprintf(out, cap, "(double)%s", a);
    else if (to == TC_F32) snprintf(out, cap, from == TC_F64 ? "(float)%s" : "%s", a);
    else if (round) snprintf(out, cap, from == TC_F64 ? "%s((float)%s)" : "%s(%s)", round, a);
    else snprintf(out, cap, "(%s)tc_f2i%s_%c(%s)", cg_cu_ctype(to), to == TC_I64 ? "" : "32",
                  from == TC_F64 ? 'd' : 'f', a);
  } else {
    if (to == TC_F64) snprintf(out, cap, "(double)%s", a);
    else if (to == TC_F32) snprintf(out, cap, "(float)%s", a);
    else if (round) snprintf(out, cap, "%s((float)%s)", round, a);
    else snprintf(out, cap, "(%s)%s", cg_cu_ctype(to), a);
  }
}

/* float binary op on F32/F64 (NULL name: not a float op) */
static bool fbin(char *out, size_t cap, int op, bool dbl, const char *a, const char *b) {
  const char *f = NULL;
  switch (op) {
  case OP_ADD: f = dbl ? "__dadd_rn" : "__fadd_rn"; break;
  case OP_SUB: f = dbl ? "__dsub_rn" : "__fsub_rn"; break;
  case OP_MUL: f = dbl ? "__dmul_rn" : "__fmul_rn"; break;
  case OP_DIV: f = dbl ? "__ddiv_rn" : "__fdiv_rn"; break;
  case OP_FLOORDIV: f = dbl ? "tc_floordiv_d" : "tc_floordiv_f"; break;
  case OP_REM: f = dbl ? "tc_rem_d" : "tc_rem_f"; break;
  case OP_POW: f = dbl ? "pow" : "powf"; break;
  case OP_MAX: f = dbl ? "tc_max_d" : "tc_max_f"; break;
  case OP_MIN: f = dbl ? "tc_min_d" : "tc_min_f"; break;
  default: return false;
  }
  snprintf(out, cap, "%s(%s, %s)", f, a, b);
  return true;
}

/* binary op on dtype dt (operands and result of dt) */
bool cg_cu_binop(char *out, size_t cap, int op, tc_dtype dt, const char *a,
                 const char *b) {
  if (dt_float(dt)) {
    if (!dt_half(dt)) return fbin(out, cap, op, dt == TC_F64, a, b);
    char in[384]; /* float16/bfloat16 (reductions only): rounded per op */
    if (!fbin(in, sizeof in, op, false, a, b)) return false;
    snprintf(out, cap, "%s(%s)", dt == TC_F16 ? "tc_rh" : "tc_rbf", in);
    return true;
  }
  if (dt == TC_BOOL) {
    switch (op) {
    case OP_ADD: case OP_MAX: case OP_OR: case OP_BITOR:
      snprintf(out, cap, "(%s || %s)", a, b); return true;
    case OP_MUL: case OP_MIN: case OP_AND: case OP_BITAND:
      snprintf(out, cap, "(%s && %s)", a, b); return true;
    case OP_XOR: case OP_BITXOR: snprintf(out, cap, "(%s != %s)", a, b); return true;
    default: return false;
    }
  }
  const char *T = cg_cu_ctype(dt), *U = wtype(dt);
  bool s = dt_signed(dt);
  switch (op) {
  case OP_ADD: case OP_SUB: case OP_MUL:
    snprintf(out, cap, "(%s)((%s)%s %c (%s)%s)", T, U, a,
             op == OP_ADD ? '+' : op == OP_SUB ? '-' : '*', U, b);
    return true;
  case OP_FLOORDIV: case OP_REM:
    snprintf(out, cap, "tc_%s_%c<%s>(%s, %s)", op == OP_REM ? "frem" : "fdiv",
             s ? 's' : 'u', T, a, b);
    return true;
  case OP_POW:
    snprintf(out, cap, "(%s)tc_ipow((long long)%s, (long long)%s)", T, a, b);
    return true;
  case OP_MAX: snprintf(out, cap, "(%s > %s ? %s : %s)", a, b, a, b); return true;
  case OP_MIN: snprintf(out, cap, "(%s < %s ? %s : %s)", a, b, a, b); return true;
  case OP_BITAND: snprintf(out, cap, "(%s)(%s & %s)", T, a, b); return true;
  case OP_BITOR: snprintf(out, cap, "(%s)(%s | %s)", T, a, b); return true;
  case OP_BITXOR: snprintf(out, cap, "(%s)(%s ^ %s)", T, a, b); return true;
  case OP_SHL: case OP_SHR:
    snprintf(out, cap, "tc_sh%c<%s>(%s, %s, %d)", op == OP_SHL ? 'l' : 'r', T, a, b,
             dt_bits(dt));
    return true;
  default: return false;
  }
}

bool cg_cu_unop(char *out, size_t cap, int op, tc_dtype dt, const char *a) {
  if (dt == TC_F32 || dt == TC_F64) {
    bool d = dt == TC_F64;
    const char *S = d ? "" : "f";               /* libm suffix */
    const char *one = d ? "1.0" : "1.0f", *zero = d ? "0.0" : "0.0f";
    const char *div = d ? "__ddiv_rn" : "__fdiv_rn", *add = d ? "__dadd_rn" : "__fadd_rn";
    const char *mul = d ? "__dmul_rn" : "__fmul_rn", *sq = d ? "__dsqrt_rn" : "__fsqrt_rn";
    const char *lib = NULL;
    switch (op) {
    case OP_NEG: snprintf(out, cap, "(-%s)", a); return true;
    case OP_ABS: lib = "fabs"; break;
    case OP_SIGN:
      snprintf(out, cap, "(%s > %s ? %s : %s < %s ? -%s : %s)", a, zero, one, a, zero, one, zero);
      return true;
    case OP_EXP: snprintf(out, cap, "%s(%s)", d ? "tc_exp" : "tc_expf", a); return true;
    case OP_EXP2: lib = "exp2"; break;
    case OP_LOG: lib = "log"; break;
    case OP_LOG2: lib = "log2"; break;
    case OP_LOG1P: lib = "log1p"; break;
    case OP_EXPM1: lib = "expm1"; break;
    case OP_SIN: lib = "sin"; break;
    case OP_COS: lib = "cos"; break;
    case OP_TAN: lib = "tan"; break;
    case OP_TANH: lib = "tanh"; break;
    case OP_ERF: lib = "erf"; break;
    case OP_FLOOR: lib = "floor"; break;
    case OP_CEIL: lib = "ceil"; break;
    case OP_ROUND: lib = "rint"; break; /* half to even */
    case OP_TRUNC: lib = "trunc"; break;
    case OP_SQRT: snprintf(out, cap, "%s(%s)", sq, a); return true;
    case OP_RSQRT: snprintf(out, cap, "%s(%s, %s(%s))", div, one, sq, a); return true;
    case OP_RECIP: snprintf(out, cap, "%s(%s, %s)", div, one, a); return true;
    case OP_SIGMOID:
      snprintf(out, cap, "%s(%s, %s(%s, %s(-%s)))", div, one, add, one, d ? "tc_exp" : "tc_expf", a);
      return true;
    case OP_RELU: snprintf(out, cap, "(%s < %s ? %s : %s)", a, zero, zero, a); return true;
    case OP_GELU: {
      char k[64];
      cg_cu_float_lit(k, sizeof k, 0.70710678118654752440, !d);
      if (!d) /* float32: 0.5 * (x + x*erf(x*c)), PyTorch's sign of zero */
        snprintf(out, cap, "%s(0.5f, %s(%s, %s(%s, erff(%s(%s, %s)))))", mul, add, a, mul, a, mul, a, k);
      else
        snprintf(out, cap, "%s(%s(%s, %s), %s(%s, erf%s(%s(%s, %s))))", mul, mul,
                 "0.5", a, add, one, S, mul, a, k);
      return true;
    }
    default: return false;
    }
    snprintf(out, cap, "%s%s(%s)", lib, S, a);
    return true;
  }
  if (dt_float(dt)) return false; /* float16/bfloat16: only casts */
  if (dt == TC_BOOL) {
    switch (op) {
    case OP_NOT: case OP_BITNOT: snprintf(out, cap, "(!%s)", a); return true;
    case OP_ABS: case OP_SIGN: case OP_RELU: case OP_FLOOR: case OP_CEIL:
    case OP_ROUND: case OP_TRUNC: snprintf(out, cap, "%s", a); return true;
    default: return false;
    }
  }
  const char *T = cg_cu_ctype(dt);
  bool s = dt_signed(dt);
  char neg[160];
  snprintf(neg, sizeof neg, "(%s)(0ull - (unsigned long long)(long long)%s)", T, a);
  switch (op) {
  case OP_NEG: snprintf(out, cap, "%s", neg); return true;
  case OP_ABS:
    if (s) snprintf(out, cap, "(%s < 0 ? %s : %s)", a, neg, a);
    else snprintf(out, cap, "%s", a);
    return true;
  case OP_SIGN:
    if (s) snprintf(out, cap, "(%s)((%s > 0) - (%s < 0))", T, a, a);
    else snprintf(out, cap, "(%s)(%s != 0)", T, a);
    return true;
  case OP_RELU:
    if (s) snprintf(out, cap, "(%s < 0 ? (%s)0 : %s)", a, T, a);
    else snprintf(out, cap, "%s", a);
    return true;
  case OP_BITNOT: snprintf(out, cap, "(%s)~%s", T, a); return true;
  case OP_FLOOR: case OP_CEIL: case OP_ROUND: case OP_TRUNC:
    snprintf(out, cap, "%s", a);
    return true;
  default: return false;
  }
}

void cg_cu_identity(char *out, size_t cap, int rop, tc_dtype adt) {
  bool big = rop == OP_RMIN || rop == OP_RARGMIN;
  if (rop == OP_RSUM || rop == OP_RPROD) {
    int one = rop == OP_RPROD;
    if (adt == TC_F64) snprintf(out, cap, "%d.0", one);
    else if (dt_float(adt)) snprintf(out, cap, "%d.0f", one);
    else if (adt == TC_BOOL) snprintf(out, cap, "%s", one ? "true" : "false");
    else snprintf(out, cap, "(%s)%d", cg_cu_ctype(adt), one);
  } else if (dt_float(adt)) {
    snprintf(out, cap, "%stc_inf_%c()", big ? "" : "-", adt == TC_F64 ? 'd' : 'f');
  } else if (adt == TC_BOOL) {
    snprintf(out, cap, "%s", big ? "true" : "false");
  } else if (adt == TC_U8) {
    snprintf(out, cap, "(unsigned char)%d", big ? 255 : 0);
  } else {
    int w = dt_bits(adt);
    int64_t mx = (int64_t)(UINT64_MAX >> (65 - w));
    char lit[40];
    cg_cu_int_lit(lit, sizeof lit, big ? mx : -mx - 1, adt == TC_I64);
    snprintf(out, cap, "(%s)%s", cg_cu_ctype(adt), lit);
  }
}
