/*
 * numpy_print.c — NumPy's printing with its default print options: arrays
 * laid out as numpy.array2string does (precision 8 in 'maxprec' mode,
 * line width 75, more than 1000 elements summarized with 3 edge items per
 * dim), repr's "array(...)" with the dtype= and shape= NumPy adds when they
 * cannot be read from the elements, and scalars (str: the shortest digits
 * that read back in their own dtype, laid out as Python's repr with the
 * dtype's own scientific cutoff; repr: np.float32(0.1), np.int64(3),
 * np.True_).
 *
 * Floats follow FloatingFormat: scientific when a finite non-zero value is
 * below 1e-4, the largest over the smallest exceeds 1000, or the largest
 * reaches 10**min(8, digits of the dtype); otherwise positional, padded so
 * that the decimal points line up. Digits come from the shortest
 * round-tripping string of the value's own dtype (NumPy's Dragon4 'unique'
 * mode), cut at 8 fractional digits.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "numpy.h"

enum { LINE_WIDTH = 75, EDGE_ITEMS = 3, THRESHOLD = 1000, PRECISION = 8 };

/* ---- rounding to a dtype and shortest digits ------------------------------------ */

static double round_half(double x) {
  if (!isfinite(x) || x == 0) return x;
  int e;
  frexp(fabs(x), &e);
  int ulp = e - 11 < -24 ? -24 : e - 11; /* 11 significant bits; subnormals below 2^-14 */
  double r = ldexp(nearbyint(ldexp(fabs(x), -ulp)), ulp);
  if (r > 65504.0) r = INFINITY;
  return copysign(r, x);
}

double np_round_to(tc_dtype dt, double x) {
  if (dt == TC_F32) return (double)(float)x;
  if (dt == TC_F16) return round_half(x);
  return x;
}

/* The shortest digits of |x| (finite, non-zero) that read back as x in dt:
 * |x| = d[0].d[1]d[2]... * 10^*exp10. Returns the digit count. */
static int shortest(double x, tc_dtype dt, char *digits, int *exp10) {
  char tmp[48];
  double a = fabs(x);
  int maxp = dt == TC_F64 ? 17 : dt == TC_F32 ? 9 : 5;
  for (int p = 1; p <= maxp; p++) {
    snprintf(tmp, sizeof tmp, "%.*e", p - 1, a);
    double back = dt == TC_F32 ? (double)strtof(tmp, NULL) : np_round_to(dt, strtod(tmp, NULL));
    if (back == a) break;
  }
  int nd = 0;
  const char *p = tmp;
  for (; *p && *p != 'e'; p++)
    if (*p != '.') digits[nd++] = *p;
  *exp10 = atoi(p + 1);
  while (nd > 1 && digits[nd - 1] == '0') nd--;
  digits[nd] = 0;
  return nd;
}

/* Digits and exponent of a "%.*e" rendering of |x|, trailing zeros kept. */
static int fixed_digits(double x, int frac, char *digits, int *exp10) {
  char tmp[64];
  snprintf(tmp, sizeof tmp, "%.*e", frac, fabs(x));
  int nd = 0;
  const char *p = tmp;
  for (; *p && *p != 'e'; p++)
    if (*p != '.') digits[nd++] = *p;
  digits[nd] = 0;
  *exp10 = atoi(p + 1);
  return nd;
}

/* ---- floats ------------------------------------------------------------------------ */

/* dragon4_positional(x, precision=8, unique=True, trim='.'): "0.1", "10.",
 * "-2.5", "0.33333333". */
static void positional(double x, tc_dtype dt, char *out, size_t n) {
  if (x == 0) {
    snprintf(out, n, signbit(x) ? "-0." : "0.");
    return;
  }
  char d[48];
  int e, nd = shortest(x, dt, d, &e);
  int frac = nd - 1 - e > 0 ? nd - 1 - e : 0;
  if (frac > PRECISION) {
    snprintf(out, n, "%.*f", PRECISION, x);
    size_t k = strlen(out);
    while (k && out[k - 1] == '0') out[--k] = 0;
    return;
  }
  sbuf b = {0};
  if (x < 0) sb_addc(&b, '-');
  if (e < 0) {
    sb_add(&b, "0.");
    for (int i = 0; i < -e - 1; i++) sb_addc(&b, '0');
    sb_add(&b, d);
  } else {
    for (int i = 0; i <= e; i++) sb_addc(&b, i < nd ? d[i] : '0');
    sb_addc(&b, '.');
    if (nd > e + 1) sb_add(&b, d + e + 1);
  }
  snprintf(out, n, "%s", b.s ? b.s : "?");
  sb_free(&b);
}

/* dragon4_scientific(x, precision=8, unique=True, trim='.'): the number of
 * fractional mantissa digits and the exponent's digit count. */
static void scientific_sizes(double x, tc_dtype dt, int *frac, int *exp_digits) {
  char d[48];
  int e, nd;
  if (x == 0) {
    nd = 1;
    e = 0;
  } else {
    nd = shortest(x, dt, d, &e);
    if (nd - 1 > PRECISION) {
      nd = fixed_digits(x, PRECISION, d, &e);
      while (nd > 1 && d[nd - 1] == '0') nd--;
    }
  }
  *frac = nd - 1;
  int a = abs(e), k = 0;
  do k++; while (a /= 10);
  *exp_digits = k < 2 ? 2 : k;
}

/* The second pass: `prec` fractional digits of the exact value (more than
 * the unique ones when another element needs them, as NumPy's min_digits
 * does), the exponent padded to `exp_digits`, the mantissa's integer part
 * to `pad_left`. */
static void scientific(double x, int prec, int exp_digits, int pad_left, char *out, size_t n) {
  char d[64], mant[80];
  int e;
  fixed_digits(x, prec, d, &e);
  snprintf(mant, sizeof mant, "%s%c.%s", signbit(x) ? "-" : "", d[0], d + 1);
  int intlen = (int)(strchr(mant, '.') - mant);
  snprintf(out, n, "%*s%se%c%0*d", pad_left - intlen > 0 ? pad_left - intlen : 0, "", mant, e < 0 ? '-' : '+',
           exp_digits, abs(e));
}

/* ---- the element formatter ------------------------------------------------------- */

typedef struct npfmt {
  tc_dtype dt;
  bool zero_d;
  int width;                 /* ints */
  bool exp;                  /* floats: scientific */
  int pad_left, pad_right;   /* floats */
  int prec, exp_digits;      /* scientific */
} npfmt;

static bool is_float(tc_dtype dt) { return tc_dtype_is_floating(dt); }

static void int_fmt(npfmt *f, const int64_t *v, int64_t n) {
  f->width = 0;
  for (int64_t k = 0; k < n; k++) {
    char tmp[32];
    int w = snprintf(tmp, sizeof tmp, "%lld", (long long)v[k]);
    if (w > f->width) f->width = w;
  }
}

static void float_fmt(npfmt *f, const double *v, int64_t n) {
  double mx = 0, mn = INFINITY;
  int64_t finite = 0;
  bool neginf = false;
  for (int64_t k = 0; k < n; k++) {
    if (!isfinite(v[k])) {
      neginf |= isinf(v[k]) && v[k] < 0;
      continue;
    }
    finite++;
    double a = fabs(v[k]);
    if (a == 0) continue;
    mx = a > mx ? a : mx;
    mn = a < mn ? a : mn;
  }
  double cutoff = f->dt == TC_F16 ? 1e3 : f->dt == TC_F32 ? 1e6 : 1e8; /* 10**min(8, finfo.precision) */
  f->exp = mx > 0 && (mx >= cutoff || mn < 1e-4 || mx / mn > 1000.0);
  f->pad_left = f->pad_right = 0;
  f->prec = 0;
  f->exp_digits = 2;
  for (int64_t k = 0; k < n; k++) {
    if (!isfinite(v[k])) continue;
    if (f->exp) {
      int frac, ed;
      scientific_sizes(v[k], f->dt, &frac, &ed);
      f->prec = frac > f->prec ? frac : f->prec;
      f->exp_digits = ed > f->exp_digits ? ed : f->exp_digits;
      int il = signbit(v[k]) ? 2 : 1;
      f->pad_left = il > f->pad_left ? il : f->pad_left;
    } else {
      char s[96];
      positional(v[k], f->dt, s, sizeof s);
      int il = (int)(strchr(s, '.') - s), fl = (int)strlen(s) - il - 1;
      f->pad_left = il > f->pad_left ? il : f->pad_left;
      f->pad_right = fl > f->pad_right ? fl : f->pad_right;
    }
  }
  if (f->exp) f->pad_right = f->exp_digits + 2 + f->prec;
  if (finite < n) { /* room for nan and [-]inf */
    int offset = f->pad_right + 1;
    if (3 - offset > f->pad_left) f->pad_left = 3 - offset;
    if (3 + neginf - offset > f->pad_left) f->pad_left = 3 + neginf - offset;
  }
}

static void float_elem(const npfmt *f, double x, char *out, size_t n) {
  if (!isfinite(x)) {
    const char *s = isnan(x) ? "nan" : x < 0 ? "-inf" : "inf";
    snprintf(out, n, "%*s", f->pad_left + f->pad_right + 1, s);
    return;
  }
  if (f->exp) {
    scientific(x, f->prec, f->exp_digits, f->pad_left, out, n);
    return;
  }
  char s[96];
  positional(x, f->dt, s, sizeof s);
  int il = (int)(strchr(s, '.') - s), fl = (int)strlen(s) - il - 1;
  snprintf(out, n, "%*s%s%*s", f->pad_left - il > 0 ? f->pad_left - il : 0, "", s,
           f->pad_right - fl > 0 ? f->pad_right - fl : 0, "");
}

/* ---- layout (numpy's _formatArray) ------------------------------------------------ */

typedef struct pctx {
  const double *f;  /* float data, or NULL */
  const int64_t *i; /* int and bool data */
  int nd;
  int64_t shape[TC_MAX_DIMS], stride[TC_MAX_DIMS];
  bool summary;
  const char *sep;
  npfmt fmt;
} pctx;

static void elem(const pctx *c, int64_t k, char *out, size_t n) {
  if (c->fmt.dt == TC_BOOL) snprintf(out, n, "%s", c->i[k] ? (c->fmt.zero_d ? "True" : " True") : "False");
  else if (c->f) float_elem(&c->fmt, c->f[k], out, n);
  else snprintf(out, n, "%*lld", c->fmt.width, (long long)c->i[k]);
}

static bool summarized(const pctx *c, int axis) { return c->summary && 2 * EDGE_ITEMS < c->shape[axis]; }

/* Whether element k is printed (not hidden by a summary). */
static bool shown(const pctx *c, int64_t k) {
  for (int d = 0; d < c->nd; d++) {
    int64_t i = k / c->stride[d] % c->shape[d];
    if (summarized(c, d) && i >= EDGE_ITEMS && i < c->shape[d] - EDGE_ITEMS) return false;
  }
  return true;
}

static size_t rstrip_len(const char *s, size_t n) {
  while (n && s[n - 1] == ' ') n--;
  return n;
}

/* _extendLine: wrap before `word` when the line would pass `width`. */
static void extend_line(sbuf *s, sbuf *line, const char *word, int width, const char *hang) {
  size_t hl = strlen(hang);
  bool wrap = line->n + strlen(word) > (size_t)(width > 0 ? width : 0) && line->n > hl;
  if (wrap) {
    sb_addn(s, line->s, rstrip_len(line->s, line->n));
    sb_addc(s, '\n');
    line->n = 0;
    sb_add(line, hang);
  }
  sb_add(line, word);
}

static char *rec(const pctx *c, int axis, int64_t base, const char *hang, int width);

static bool add_row_item(const pctx *c, int axis, int64_t i, sbuf *s, sbuf *line, const char *hang,
                         const char *next_hang, int width, int elem_width) {
  char *w = rec(c, axis + 1, i, next_hang, width - 1);
  if (!w) return false;
  extend_line(s, line, w, elem_width, hang);
  free(w);
  return true;
}

static char *rec(const pctx *c, int axis, int64_t base, const char *hang, int width) {
  if (axis == c->nd) {
    char buf[160];
    elem(c, base, buf, sizeof buf);
    return strdup(buf);
  }
  size_t hl = strlen(hang);
  char *next_hang = malloc(hl + 2);
  if (!next_hang) return NULL;
  memcpy(next_hang, hang, hl);
  next_hang[hl] = ' ';
  next_hang[hl + 1] = 0;
  int64_t len = c->shape[axis], st = c->stride[axis];
  bool show = summarized(c, axis);
  int64_t lead = show ? EDGE_ITEMS : 0, trail = show ? EDGE_ITEMS : len;
  size_t seplen = rstrip_len(c->sep, strlen(c->sep));
  sbuf s = {0};
  bool ok = true;
  if (axis == c->nd - 1) {
    int elem_width = width - (int)(seplen > 1 ? seplen : 1);
    sbuf line = {0};
    sb_add(&line, hang);
    for (int64_t i = 0; ok && i < lead; i++) {
      ok = add_row_item(c, axis, base + i * st, &s, &line, hang, next_hang, width, elem_width);
      sb_add(&line, c->sep);
    }
    if (show) {
      extend_line(&s, &line, "...", elem_width, hang);
      sb_add(&line, c->sep);
    }
    for (int64_t i = trail; ok && i > 1; i--) {
      ok = add_row_item(c, axis, base + (len - i) * st, &s, &line, hang, next_hang, width, elem_width);
      sb_add(&line, c->sep);
    }
    if (ok) ok = add_row_item(c, axis, base + (len - 1) * st, &s, &line, hang, next_hang, width, elem_width);
    sb_addn(&s, line.s, line.n);
    sb_free(&line);
  } else {
    sbuf line_sep = {0};
    sb_addn(&line_sep, c->sep, seplen);
    for (int d = axis + 1; d < c->nd; d++) sb_addc(&line_sep, '\n');
    const char *ls = line_sep.s ? line_sep.s : "";
    for (int64_t k = 0; ok && k < lead + trail; k++) {
      if (show && k == lead) {
        sb_add(&s, hang);
        sb_add(&s, "...");
        sb_add(&s, ls);
      }
      int64_t i = k < lead ? k : len - (lead + trail - k);
      char *nested = rec(c, axis + 1, base + i * st, next_hang, width - 1);
      if (!nested) {
        ok = false;
        break;
      }
      sb_add(&s, hang);
      sb_add(&s, nested);
      if (k + 1 < lead + trail) sb_add(&s, ls);
      free(nested);
    }
    sb_free(&line_sep);
  }
  free(next_hang);
  sbuf out = {0};
  sb_addc(&out, '[');
  if (s.n > hl) sb_addn(&out, s.s + hl, s.n - hl);
  sb_addc(&out, ']');
  sb_free(&s);
  if (!ok) {
    sb_free(&out);
    return NULL;
  }
  return sb_take(&out);
}

/* ---- arrays ------------------------------------------------------------------------ */

/* The elements, row-major, as float64 (floats) or int64 (ints, bools). */
static void *read_host(interp *I, tc_tensor *t, bool *as_float) {
  tc_dtype dt = tc_tensor_dtype(t);
  *as_float = is_float(dt);
  tc_dtype host = *as_float ? TC_F64 : TC_I64;
  int64_t n = tc_tensor_numel(t);
  size_t bytes = (size_t)(n ? n : 1) * 8;
  void *buf = malloc(bytes);
  tc_tensor *c = tc_to_dtype(t, host);
  if (!buf || !c) {
    free(buf);
    tc_tensor_release(c);
    return c ? ex_nomem(I) : ex_from_ctx(I);
  }
  tc_status st = n ? tc_copy_to_host(c, buf, bytes) : TC_OK;
  tc_tensor_release(c);
  if (st != TC_OK) {
    free(buf);
    return ex_from_ctx(I);
  }
  return buf;
}

/* The format of the shown elements (NumPy formats only what it prints). */
static bool make_format(interp *I, pctx *c, int64_t n) {
  int64_t m = 0;
  double *fs = c->f ? malloc(sizeof(double) * (size_t)(n ? n : 1)) : NULL;
  int64_t *is = c->f ? NULL : malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
  if (!fs && !is) return ex_nomem(I), false;
  for (int64_t k = 0; k < n; k++) {
    if (!shown(c, k)) continue;
    if (fs) fs[m++] = c->f[k];
    else is[m++] = c->i[k];
  }
  if (fs) float_fmt(&c->fmt, fs, m);
  else if (c->fmt.dt != TC_BOOL) int_fmt(&c->fmt, is, m);
  free(fs);
  free(is);
  return true;
}

/* array2string: "[]" for an empty array, else the laid-out elements. */
static char *array2string(interp *I, tc_tensor *t, const char *sep, size_t prefix_len, int width) {
  pctx c = {.sep = sep};
  c.fmt.dt = tc_tensor_dtype(t);
  c.nd = tc_tensor_shape(t, c.shape);
  c.fmt.zero_d = c.nd == 0;
  int64_t n = tc_tensor_numel(t);
  if (n == 0) {
    char *s = strdup("[]");
    return s ? s : ex_nomem(I);
  }
  int64_t acc = 1;
  for (int d = c.nd - 1; d >= 0; d--) {
    c.stride[d] = acc;
    acc *= c.shape[d];
  }
  c.summary = n > THRESHOLD;
  bool as_float;
  void *buf = read_host(I, t, &as_float);
  if (!buf) return NULL;
  if (as_float) c.f = buf;
  else c.i = buf;
  char *r = NULL;
  if (make_format(I, &c, n)) {
    char hang[64];
    size_t hl = prefix_len + 1 < sizeof hang ? prefix_len + 1 : sizeof hang - 1;
    memset(hang, ' ', hl);
    hang[hl] = 0;
    r = rec(&c, 0, 0, hang, width);
    if (!r) ex_nomem(I);
  }
  free(buf);
  return r;
}

static void shape_repr(sbuf *b, tc_tensor *t) {
  int64_t shape[TC_MAX_DIMS];
  int nd = tc_tensor_shape(t, shape);
  sb_addc(b, '(');
  for (int d = 0; d < nd; d++) sb_printf(b, "%s%lld", d ? ", " : "", (long long)shape[d]);
  if (nd == 1) sb_addc(b, ',');
  sb_addc(b, ')');
}

/* str of one element (for str of a 0-d array). */
static bool zero_d_str(interp *I, sbuf *b, tc_tensor *t) {
  value *s = np_scalar_of(I, t);
  if (!s) return false;
  npscalar_print(b, s, false);
  v_decref(s);
  return true;
}

bool ndarray_print(interp *I, sbuf *b, tc_tensor *t, bool as_repr) {
  if (!as_repr && tc_tensor_ndim(t) == 0) return zero_d_str(I, b, t);
  static const char prefix[] = "array(";
  char *lst = array2string(I, t, as_repr ? ", " : " ", as_repr ? strlen(prefix) : 0, LINE_WIDTH - (as_repr ? 1 : 0));
  if (!lst) return false;
  if (!as_repr) {
    sb_add(b, lst);
    free(lst);
    return true;
  }
  tc_dtype dt = tc_tensor_dtype(t);
  int64_t n = tc_tensor_numel(t), shape[TC_MAX_DIMS];
  int nd = tc_tensor_shape(t, shape);
  sbuf extra = {0};
  if ((n == 0 && !(nd == 1 && shape[0] == 0)) || n > THRESHOLD) {
    sb_add(&extra, "shape=");
    shape_repr(&extra, t);
  }
  if ((dt != TC_BOOL && dt != TC_I64 && dt != TC_F64) || n == 0)
    sb_printf(&extra, "%sdtype=%s", extra.n ? ", " : "", np_dtype_name(dt));
  sbuf arr = {0};
  sb_add(&arr, prefix);
  sb_add(&arr, lst);
  free(lst);
  if (!extra.n) {
    sb_addc(&arr, ')');
  } else {
    sb_addc(&arr, ',');
    const char *nl = arr.s ? strrchr(arr.s, '\n') : NULL;
    size_t last = nl ? arr.n - (size_t)(nl - arr.s + 1) : arr.n;
    if (last + extra.n + 2 > LINE_WIDTH) sb_printf(&arr, "\n%*s", (int)strlen(prefix), "");
    else sb_addc(&arr, ' ');
    sb_addn(&arr, extra.s, extra.n);
    sb_addc(&arr, ')');
  }
  sb_free(&extra);
  bool ok = !arr.oom;
  if (ok) sb_addn(b, arr.s, arr.n);
  sb_free(&arr);
  return ok || ex_nomem(I);
}

/* ---- scalars ----------------------------------------------------------------------- */

/* Python's float repr with the shortest digits of dtype dt, positional from
 * 1e-4 up to 10**precision of the dtype (1e3, 1e6, 1e16), as NumPy 2. */
static void float_str(sbuf *b, double x, tc_dtype dt) {
  if (isnan(x)) {
    sb_add(b, "nan");
    return;
  }
  if (isinf(x)) {
    sb_add(b, x < 0 ? "-inf" : "inf");
    return;
  }
  if (x == 0) {
    sb_add(b, signbit(x) ? "-0.0" : "0.0");
    return;
  }
  char d[48];
  int e, nd = shortest(x, dt, d, &e);
  if (x < 0) sb_addc(b, '-');
  double max_positional = dt == TC_F16 ? 1e3 : dt == TC_F32 ? 1e6 : 1e16;
  if (fabs(x) < 1e-4 || fabs(x) >= max_positional) {
    sb_addc(b, d[0]);
    if (nd > 1) sb_printf(b, ".%s", d + 1);
    sb_printf(b, "e%c%02d", e < 0 ? '-' : '+', abs(e));
  } else if (e < 0) {
    sb_add(b, "0.");
    for (int i = 0; i < -e - 1; i++) sb_addc(b, '0');
    sb_add(b, d);
  } else {
    for (int i = 0; i <= e; i++) sb_addc(b, i < nd ? d[i] : '0');
    sb_addc(b, '.');
    sb_add(b, nd > e + 1 ? d + e + 1 : "0");
  }
}

void npscalar_print(sbuf *b, const value *v, bool as_repr) {
  tc_dtype dt = TC_F64;
  v_npscalar_dtype(v, &dt);
  if (v->kind == V_BOOL) {
    sb_add(b, as_repr ? (v->b ? "np.True_" : "np.False_") : (v->b ? "True" : "False"));
    return;
  }
  if (as_repr) sb_printf(b, "np.%s(", np_dtype_name(dt));
  if (v->kind == V_INT) sb_printf(b, "%lld", (long long)v->i);
  else float_str(b, v->f, dt);
  if (as_repr) sb_addc(b, ')');
}
