/*
 * format.c — rt_format, a port of PyTorch's torch/_tensor_str.py for dense
 * tensors. It works in three steps, as PyTorch does:
 *   1. A formatter is built over the elements that will be shown (all of
 *      them, or only the 3 leading and 3 trailing entries of every dim longer
 *      than 6 when numel > 1000). For floating dtypes it looks at the nonzero
 *      finite values (converted exactly to double): int_mode when all are
 *      integers, sci_mode when max/min > 1000, max > 1e8 or min < 1e-4, and
 *      the width is the longest of those values once formatted. For integer
 *      and bool dtypes the width is the longest printed value.
 *   2. The nested brackets are written recursively: every element padded to
 *      that width, rows wrapped so that a line holds
 *      floor((80 - indent) / (width + 2)) elements, sibling slices joined by
 *      ",", (ndim - d - 1) newlines and indent + 1 spaces, and "..." standing
 *      for the elided middle of a summarized dim.
 *   3. The suffixes (device, size of empty tensors, dtype) are appended as
 *      _add_suffixes does, moving one to a new line when it would pass 80
 *      columns.
 * Non-finite values print as Python prints them: "nan", "inf", "-inf".
 * Output goes into a growing buffer; any allocation failure yields NULL.
 */
#include "runtime/format.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LINEWIDTH = 80, EDGEITEMS = 3, THRESHOLD = 1000, PRECISION = 4 };
enum { INDENT = 7 }; /* strlen("tensor(") */
enum { ELEM_MAX = 400 }; /* room for any formatted element ("%.0f" of 1e308) */

/* ---- a growing string ---------------------------------------------------- */

typedef struct sbuf {
  char *p;
  size_t len, cap;
  int oom;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n + 1) {
      if (cap > SIZE_MAX / 2) {
        b->oom = 1;
        return;
      }
      cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (!p) {
      b->oom = 1;
      return;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_repeat(sbuf *b, char c, int n) {
  char chunk[64];
  memset(chunk, c, sizeof chunk);
  while (n > 0) {
    int k = n < (int)sizeof chunk ? n : (int)sizeof chunk;
    sb_put(b, chunk, (size_t)k);
    n -= k;
  }
}

/* ---- element access ------------------------------------------------------ */

static float half_to_float(uint16_t h) {
  int sign = h >> 15, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  float v;
  if (exp == 0)
    v = ldexpf((float)man, -24); /* zero or subnormal */
  else if (exp == 31)
    v = man ? NAN : INFINITY;
  else
    v = ldexpf((float)(man | 0x400), exp - 25);
  return sign ? -v : v;
}

static float bf16_to_float(uint16_t h) {
  uint32_t bits = (uint32_t)h << 16;
  float v;
  memcpy(&v, &bits, sizeof v);
  return v;
}

typedef struct fmt {
  const unsigned char *data;
  tc_dtype dt;
  size_t esize;
  int ndim;
  const int64_t *shape;
  int64_t strides[TC_MAX_DIMS];
  int summarize;
  int floating, int_mode, sci_mode, width;
  /* statistics over the shown nonzero finite values */
  int64_t count;
  double min, max;
} fmt;

static size_t dtype_size(tc_dtype dt) {
  switch (dt) {
  case TC_BOOL: case TC_U8: case TC_I8: return 1;
  case TC_I16: case TC_F16: case TC_BF16: return 2;
  case TC_I32: case TC_F32: return 4;
  case TC_I64: case TC_F64: return 8;
  default: return 0;
  }
}

static const char *dtype_name(tc_dtype dt) {
  static const char *names[TC_NUM_DTYPES] = {
      "bool", "uint8", "int8", "int16", "int32",
      "int64", "float16", "bfloat16", "float32", "float64"};
  return names[dt];
}

static double load_float(const fmt *f, int64_t i) {
  const unsigned char *p = f->data + (size_t)i * f->esize;
  uint16_t h;
  float s;
  double d;
  switch (f->dt) {
  case TC_F16: memcpy(&h, p, 2); return half_to_float(h);
  case TC_BF16: memcpy(&h, p, 2); return bf16_to_float(h);
  case TC_F32: memcpy(&s, p, 4); return s;
  default: memcpy(&d, p, 8); return d;
  }
}

static int64_t load_int(const fmt *f, int64_t i) {
  const unsigned char *p = f->data + (size_t)i * f->esize;
  int8_t i8;
  int16_t i16;
  int32_t i32;
  int64_t i64;
  switch (f->dt) {
  case TC_BOOL: return *p != 0;
  case TC_U8: return *p;
  case TC_I8: memcpy(&i8, p, 1); return i8;
  case TC_I16: memcpy(&i16, p, 2); return i16;
  case TC_I32: memcpy(&i32, p, 4); return i32;
  default: memcpy(&i64, p, 8); return i64;
  }
}

/* ---- formatting one element ---------------------------------------------- */

/* Python's spelling of a non-finite float; NULL for finite values. */
static const char *nonfinite_name(double v) {
  if (isnan(v)) return "nan";
  if (isinf(v)) return v < 0 ? "-inf" : "inf";
  return NULL;
}

/* The element at flat offset i, unpadded, as _Formatter.format writes it. */
static int format_elem(const fmt *f, int64_t i, char *buf) {
  if (!f->floating) {
    if (f->dt == TC_BOOL)
      return snprintf(buf, ELEM_MAX, "%s", load_int(f, i) ? "True" : "False");
    return snprintf(buf, ELEM_MAX, "%" PRId64, load_int(f, i));
  }
  double v = load_float(f, i);
  const char *name = nonfinite_name(v);
  if (name) return snprintf(buf, ELEM_MAX, "%s", name);
  if (f->sci_mode) return snprintf(buf, ELEM_MAX, "%.*e", PRECISION, v);
  if (f->int_mode) return snprintf(buf, ELEM_MAX, "%.0f.", v);
  return snprintf(buf, ELEM_MAX, "%.*f", PRECISION, v);
}

static void put_elem(const fmt *f, sbuf *b, int64_t i) {
  char buf[ELEM_MAX];
  int n = format_elem(f, i, buf);
  if (n < 0) n = 0;
  if (n >= ELEM_MAX) n = ELEM_MAX - 1;
  sb_repeat(b, ' ', f->width - n);
  sb_put(b, buf, (size_t)n);
}

/* ---- the formatter -------------------------------------------------------- */

/* Whether index k of dim d is elided by summarization. */
static int elided(const fmt *f, int d, int64_t k) {
  int64_t n = f->shape[d];
  return f->summarize && n > 2 * EDGEITEMS && k >= EDGEITEMS &&
         k < n - EDGEITEMS;
}

typedef void (*visit_fn)(fmt *f, int64_t i);

/* Calls fn on every shown element (get_summarized_data's elements). */
static void walk(fmt *f, int d, int64_t off, visit_fn fn) {
  if (d == f->ndim) {
    fn(f, off);
    return;
  }
  for (int64_t k = 0; k < f->shape[d]; k++) {
    if (elided(f, d, k)) k = f->shape[d] - EDGEITEMS;
    walk(f, d + 1, off + k * f->strides[d], fn);
  }
}

static void gather_stats(fmt *f, int64_t i) {
  double v = load_float(f, i);
  if (!isfinite(v) || v == 0) return;
  double a = fabs(v);
  if (f->count == 0 || a < f->min) f->min = a;
  if (f->count == 0 || a > f->max) f->max = a;
  if (v != ceil(v)) f->int_mode = 0;
  f->count++;
}

static void measure(fmt *f, int64_t i) {
  char buf[ELEM_MAX];
  if (f->floating) {
    double v = load_float(f, i);
    if (!isfinite(v) || v == 0) return; /* only nonzero finite values count */
  }
  int n = format_elem(f, i, buf);
  if (n > f->width) f->width = n; /* int_mode's "." is the "+ 1" of PyTorch */
}

static void build_formatter(fmt *f) {
  f->floating = f->dt == TC_F16 || f->dt == TC_BF16 || f->dt == TC_F32 ||
                f->dt == TC_F64;
  f->int_mode = 1;
  f->sci_mode = 0;
  f->width = 1;
  f->count = 0;
  if (f->floating) {
    walk(f, 0, 0, gather_stats);
    if (f->count == 0) return;
    f->sci_mode = f->max / f->min > 1000.0 || f->max > 1.0e8 || f->min < 1.0e-4;
  }
  walk(f, 0, 0, measure);
}

/* ---- the nested brackets -------------------------------------------------- */

static void put_vector(const fmt *f, sbuf *b, int64_t off, int indent) {
  int d = f->ndim - 1;
  int64_t n = f->shape[d], count = 0;
  int per_line = (LINEWIDTH - indent) / (f->width + 2);
  if (per_line < 1) per_line = 1;
  sb_puts(b, "[");
  for (int64_t k = 0; k < n; k++, count++) {
    if (count > 0) {
      if (count % per_line == 0) {
        sb_puts(b, ",\n");
        sb_repeat(b, ' ', indent + 1);
      } else {
        sb_puts(b, ", ");
      }
    }
    if (elided(f, d, k)) {
      sb_puts(b, " ...");
      k = n - EDGEITEMS - 1;
      continue;
    }
    put_elem(f, b, off + k * f->strides[d]);
  }
  sb_puts(b, "]");
}

static void put_tensor(const fmt *f, sbuf *b, int d, int64_t off, int indent) {
  if (d == f->ndim - 1) {
    put_vector(f, b, off, indent);
    return;
  }
  sb_puts(b, "[");
  for (int64_t k = 0; k < f->shape[d]; k++) {
    if (b->oom) return;
    if (k > 0) {
      sb_puts(b, ",");
      sb_repeat(b, '\n', f->ndim - d - 1);
      sb_repeat(b, ' ', indent + 1);
    }
    if (elided(f, d, k)) {
      sb_puts(b, "...");
      k = f->shape[d] - EDGEITEMS - 1;
      continue;
    }
    put_tensor(f, b, d + 1, off + k * f->strides[d], indent + 1);
  }
  sb_puts(b, "]");
}

/* ---- suffixes ------------------------------------------------------------- */

/* _add_suffixes: ", suffix" on the last line, or ",\n" + indent + suffix
 * when the line would pass LINEWIDTH. `last` tracks the quirky
 * last_line_len of PyTorch (line length + 2 at the start). */
static void put_suffix(sbuf *b, size_t *last, const char *suffix) {
  size_t n = strlen(suffix);
  if (*last + n + 2 > LINEWIDTH) {
    sb_puts(b, ",\n");
    sb_repeat(b, ' ', INDENT);
    *last = INDENT + n;
  } else {
    sb_puts(b, ", ");
    *last += n + 2;
  }
  sb_puts(b, suffix);
}

static void put_suffixes(sbuf *b, const char *device, tc_dtype dt, int ndim,
                         const int64_t *shape, int64_t numel) {
  if (b->oom) return;
  char *nl = strrchr(b->p, '\n');
  size_t last = (nl ? strlen(nl + 1) : b->len) + 2;
  if (device) {
    sbuf s = {0};
    sb_puts(&s, "device='");
    sb_puts(&s, device);
    sb_puts(&s, "'");
    if (s.oom) b->oom = 1;
    else put_suffix(b, &last, s.p);
    free(s.p);
  }
  if (numel == 0 && ndim != 1) {
    char size[32 + TC_MAX_DIMS * 24];
    int n = snprintf(size, sizeof size, "size=(");
    for (int d = 0; d < ndim; d++)
      n += snprintf(size + n, sizeof size - (size_t)n, "%s%" PRId64,
                    d ? ", " : "", shape[d]);
    snprintf(size + n, sizeof size - (size_t)n, ")");
    put_suffix(b, &last, size);
  }
  /* Empty tensors name every non-float32 dtype; others skip the defaults. */
  int show = numel == 0 ? dt != TC_F32
                        : dt != TC_F32 && dt != TC_I64 && dt != TC_BOOL;
  if (show) {
    char name[32];
    snprintf(name, sizeof name, "dtype=torch.%s", dtype_name(dt));
    put_suffix(b, &last, name);
  }
  sb_puts(b, ")");
}

/* ---- entry point ---------------------------------------------------------- */

char *rt_format(const void *data, tc_dtype dt, int ndim, const int64_t *shape,
                const char *device) {
  if ((int)dt < 0 || dt >= TC_NUM_DTYPES || ndim < 0 || ndim > TC_MAX_DIMS ||
      (ndim > 0 && !shape))
    return NULL;
  int64_t numel = 1;
  int has_zero = 0;
  for (int d = 0; d < ndim; d++) {
    if (shape[d] < 0) return NULL;
    if (shape[d] == 0) has_zero = 1;
  }
  if (has_zero) {
    numel = 0;
  } else {
    for (int d = 0; d < ndim; d++) {
      if (numel > INT64_MAX / shape[d]) return NULL;
      numel *= shape[d];
    }
  }
  if (numel > 0 && !data) return NULL;

  fmt f = {0};
  f.data = data;
  f.dt = dt;
  f.esize = dtype_size(dt);
  f.ndim = ndim;
  f.shape = shape;
  int64_t stride = 1;
  for (int d = ndim - 1; d >= 0; d--) {
    f.strides[d] = stride;
    stride *= shape[d] ? shape[d] : 1;
  }
  f.summarize = numel > THRESHOLD;

  sbuf b = {0};
  sb_puts(&b, "tensor(");
  if (numel == 0) {
    sb_puts(&b, "[]");
  } else {
    build_formatter(&f);
    if (ndim == 0)
      put_elem(&f, &b, 0);
    else
      put_tensor(&f, &b, 0, 0, INDENT);
  }
  put_suffixes(&b, device, dt, ndim, shape, numel);
  if (b.oom) {
    free(b.p);
    return NULL;
  }
  return b.p;
}
