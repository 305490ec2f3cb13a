/*
 * pyrepr.c — str(), repr() and format() exactly as Python and PyTorch print
 * them: floats as the shortest string that round-trips (Python's repr,
 * scientific below 1e-4 and from 1e16), strings quoted the way Python picks
 * quotes, containers recursively (with a depth limit that raises
 * RecursionError instead of overflowing the stack), tensors through
 * tc_format, torch.Size([3, 4]), torch.float32, device(type='cpu'), and
 * the format-spec mini-language for f-strings ([[fill]align][sign][0]
 * [width][,][.precision][type]). A 0-d tensor formats as its item(), as
 * Tensor.__format__ does. NumPy arrays, dtypes and scalars print as NumPy
 * prints them (numpy_print.c).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "numpy.h"
#include "sbuf.h"

#define REPR_MAX_DEPTH 200

void float_repr(double f, char *buf, size_t n) {
  if (isnan(f)) {
    snprintf(buf, n, "nan");
    return;
  }
  if (isinf(f)) {
    snprintf(buf, n, f < 0 ? "-inf" : "inf");
    return;
  }
  if (f == 0) {
    snprintf(buf, n, signbit(f) ? "-0.0" : "0.0");
    return;
  }
  char tmp[64];
  for (int p = 1; p <= 17; p++) {
    snprintf(tmp, sizeof tmp, "%.*e", p - 1, f);
    if (strtod(tmp, NULL) == f) break;
  }
  /* tmp: [-]d[.ddd]e[+-]xx */
  bool neg = tmp[0] == '-';
  char digits[32];
  int nd = 0;
  const char *p = tmp + neg;
  for (; *p && *p != 'e'; p++)
    if (*p != '.') digits[nd++] = *p;
  int e = atoi(p + 1);
  while (nd > 1 && digits[nd - 1] == '0') nd--;
  digits[nd] = 0;
  sbuf b = {0};
  if (neg) sb_addc(&b, '-');
  if (e < -4 || e >= 16) {
    sb_addc(&b, digits[0]);
    if (nd > 1) {
      sb_addc(&b, '.');
      sb_add(&b, digits + 1);
    }
    sb_printf(&b, "e%c%02d", e < 0 ? '-' : '+', abs(e));
  } else if (e < 0) {
    sb_add(&b, "0.");
    for (int i = 0; i < -e - 1; i++) sb_addc(&b, '0');
    sb_add(&b, digits);
  } else if (e + 1 >= nd) {
    sb_add(&b, digits);
    for (int i = nd; i < e + 1; i++) sb_addc(&b, '0');
    sb_add(&b, ".0");
  } else {
    sb_addn(&b, digits, (size_t)e + 1);
    sb_addc(&b, '.');
    sb_add(&b, digits + e + 1);
  }
  char *s = sb_take(&b);
  snprintf(buf, n, "%s", s ? s : "?");
  free(s);
}

static void str_repr(sbuf *b, const char *s, size_t n) {
  bool sq = memchr(s, '\'', n) != NULL, dq = memchr(s, '"', n) != NULL;
  char q = sq && !dq ? '"' : '\'';
  sb_addc(b, q);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '\\') sb_add(b, "\\\\");
    else if (c == (unsigned char)q) {
      sb_addc(b, '\\');
      sb_addc(b, (char)c);
    } else if (c == '\n') sb_add(b, "\\n");
    else if (c == '\r') sb_add(b, "\\r");
    else if (c == '\t') sb_add(b, "\\t");
    else if (c < 0x20 || c == 0x7f) sb_printf(b, "\\x%02x", c);
    else sb_addc(b, (char)c);
  }
  sb_addc(b, q);
}

static bool repr_into(interp *I, sbuf *b, value *v, bool as_repr, int depth);

static bool seq_into(interp *I, sbuf *b, value *v, const char *open, const char *close, int depth) {
  sb_add(b, open);
  for (int i = 0; i < v->seq.n; i++) {
    if (i) sb_add(b, ", ");
    if (!repr_into(I, b, v->seq.items[i], true, depth + 1)) return false;
  }
  if (v->kind == V_TUPLE && v->seq.n == 1) sb_addc(b, ',');
  sb_add(b, close);
  return true;
}

static bool repr_into(interp *I, sbuf *b, value *v, bool as_repr, int depth) {
  if (depth > REPR_MAX_DEPTH) {
    ex_raise(I, X_RECURSION, "maximum recursion depth exceeded while getting the repr of an object");
    return false;
  }
  char tmp[64];
  tc_dtype npdt;
  if (v_npscalar_dtype(v, &npdt)) {
    npscalar_print(b, v, as_repr);
    return true;
  }
  switch (v->kind) {
  case V_NONE: sb_add(b, "None"); break;
  case V_BOOL: sb_add(b, v->b ? "True" : "False"); break;
  case V_INT: sb_printf(b, "%lld", (long long)v->i); break;
  case V_FLOAT:
    float_repr(v->f, tmp, sizeof tmp);
    sb_add(b, tmp);
    break;
  case V_STR:
    if (as_repr) str_repr(b, v->str.s, v->str.n);
    else sb_addn(b, v->str.s, v->str.n);
    break;
  case V_TUPLE: return seq_into(I, b, v, "(", ")", depth);
  case V_LIST: return seq_into(I, b, v, "[", "]", depth);
  case V_SIZE: return seq_into(I, b, v, "torch.Size([", "])", depth);
  case V_STRUCTSEQ:
    sb_printf(b, "%s(\n", v->seq.name);
    for (int i = 0; i < v->seq.n; i++) {
      sb_printf(b, "%s%s=", i ? ",\n" : "", v->seq.fields[i]);
      if (!repr_into(I, b, v->seq.items[i], true, depth + 1)) return false;
    }
    sb_addc(b, ')');
    break;
  case V_TENSOR: {
    char *s = tc_format(v->t);
    if (!s) {
      ex_from_ctx(I);
      return false;
    }
    sb_add(b, s);
    tc_free_string(s);
    break;
  }
  case V_DTYPE: sb_printf(b, "torch.%s", tc_dtype_name(v->dt)); break;
  case V_DEVICE: {
    const char *type = v->dev.type == TC_CUDA ? "cuda" : "cpu";
    if (!as_repr) {
      sb_add(b, type);
      if (v->dev.index >= 0) sb_printf(b, ":%d", v->dev.index);
    } else {
      sb_printf(b, "device(type='%s'", type);
      if (v->dev.index >= 0) sb_printf(b, ", index=%d", v->dev.index);
      sb_addc(b, ')');
    }
    break;
  }
  case V_MODULE: sb_printf(b, "<module '%s'>", v->mod->name); break;
  case V_BUILTIN:
    if (!v->fn.self && (v->fn.def->flags & BF_TYPE))
      sb_printf(b, "<class '%s'>", v->fn.def->tag ? (const char *)v->fn.def->tag : v->fn.def->name);
    else if (v->fn.self) sb_printf(b, "<built-in method %s of %s object>", v->fn.def->name, v_type_name(v->fn.self));
    else sb_printf(b, "<built-in function %s>", v->fn.def->name);
    break;
  case V_FUNC: sb_printf(b, "<function %s>", v->func.name); break;
  case V_EXC: {
    value *args = v->exc.args;
    if (as_repr) {
      sb_add(b, exc_name(v->exc.type));
      if (args->seq.n == 1) {
        sb_addc(b, '(');
        if (!repr_into(I, b, args->seq.items[0], true, depth + 1)) return false;
        sb_addc(b, ')');
      } else {
        return seq_into(I, b, args, "(", ")", depth);
      }
    } else if (args->seq.n == 1) {
      return repr_into(I, b, args->seq.items[0], false, depth + 1);
    } else if (args->seq.n > 1) {
      return seq_into(I, b, args, "(", ")", depth);
    }
    break;
  }
  case V_EXCTYPE: sb_printf(b, "<class '%s'>", exc_name(v->exct)); break;
  case V_RANGE:
    sb_printf(b, "range(%lld, %lld", (long long)v->range.start, (long long)v->range.stop);
    if (v->range.step != 1) sb_printf(b, ", %lld", (long long)v->range.step);
    sb_addc(b, ')');
    break;
  case V_SLICE:
    sb_add(b, "slice(");
    if (!repr_into(I, b, v->slice.lo, true, depth + 1)) return false;
    sb_add(b, ", ");
    if (!repr_into(I, b, v->slice.hi, true, depth + 1)) return false;
    sb_add(b, ", ");
    if (!repr_into(I, b, v->slice.step, true, depth + 1)) return false;
    sb_addc(b, ')');
    break;
  case V_ELLIPSIS: sb_add(b, "Ellipsis"); break;
  case V_NDARRAY: return ndarray_print(I, b, v->t, as_repr);
  case V_NPDTYPE: sb_printf(b, as_repr ? "dtype('%s')" : "%s", np_dtype_name(v->dt)); break;
  }
  return true;
}

static value *to_string(interp *I, value *v, bool as_repr) {
  if (v->kind == V_STR && !as_repr) return v_incref(v);
  sbuf b = {0};
  if (!repr_into(I, &b, v, as_repr, 0)) {
    sb_free(&b);
    return NULL;
  }
  size_t n = b.n;
  char *s = sb_take(&b);
  if (!s) return ex_nomem(I);
  value *r = v_str_take(s, n);
  return r ? r : ex_nomem(I);
}

value *v_to_str(interp *I, value *v) { return to_string(I, v, false); }
value *v_to_repr(interp *I, value *v) { return to_string(I, v, true); }

/* ---- format specs ----------------------------------------------------------- */

typedef struct fspec {
  char fill, align, sign, type;
  bool alt, zero, comma;
  int width, prec; /* -1: none */
} fspec;

static bool parse_spec(const char *s, fspec *f) {
  *f = (fspec){.fill = ' ', .width = -1, .prec = -1};
  size_t n = strlen(s), i = 0;
  if (n >= 2 && strchr("<>=^", s[1])) {
    f->fill = s[0];
    f->align = s[1];
    i = 2;
  } else if (n >= 1 && strchr("<>=^", s[0])) {
    f->align = s[0];
    i = 1;
  }
  if (i < n && strchr("+- ", s[i])) f->sign = s[i++];
  if (i < n && s[i] == '#') f->alt = true, i++;
  if (i < n && s[i] == '0') {
    f->zero = true;
    i++;
  }
  if (i < n && s[i] >= '0' && s[i] <= '9') {
    f->width = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && f->width < 100000) f->width = f->width * 10 + (s[i++] - '0');
  }
  if (i < n && (s[i] == ',' || s[i] == '_')) f->comma = true, i++;
  if (i < n && s[i] == '.') {
    i++;
    if (i >= n || s[i] < '0' || s[i] > '9') return false;
    f->prec = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && f->prec < 10000) f->prec = f->prec * 10 + (s[i++] - '0');
  }
  if (i < n) f->type = s[i++];
  return i == n;
}

static void group_thousands(sbuf *b, const char *digits) {
  size_t n = strcspn(digits, ".eE");
  for (size_t i = 0; i < n; i++) {
    sb_addc(b, digits[i]);
    if ((n - 1 - i) % 3 == 0 && i + 1 < n) sb_addc(b, ',');
  }
  sb_add(b, digits + n);
}

/* Pads `body` (with its sign split off in `sign`) per the spec. */
static value *pad(interp *I, const fspec *f, const char *sign, const char *body, char default_align) {
  size_t len = strlen(sign) + strlen(body);
  char align = f->align ? f->align : (f->zero ? '=' : default_align);
  char fill = f->zero && !f->align ? '0' : f->fill;
  size_t w = f->width > 0 ? (size_t)f->width : 0, padn = w > len ? w - len : 0;
  sbuf b = {0};
  if (align == '>') for (size_t i = 0; i < padn; i++) sb_addc(&b, fill);
  if (align == '^') for (size_t i = 0; i < padn / 2; i++) sb_addc(&b, fill);
  sb_add(&b, sign);
  if (align == '=') for (size_t i = 0; i < padn; i++) sb_addc(&b, fill);
  sb_add(&b, body);
  if (align == '<') for (size_t i = 0; i < padn; i++) sb_addc(&b, fill);
  if (align == '^') for (size_t i = 0; i < padn - padn / 2; i++) sb_addc(&b, fill);
  size_t n = b.n;
  char *s = sb_take(&b);
  value *r = s ? v_str_take(s, n) : NULL;
  return r ? r : ex_nomem(I);
}

static value *format_number(interp *I, value *v, const fspec *f) {
  char type = f->type;
  bool is_int = v->kind != V_FLOAT;
  if (is_int && strchr("eEfFgG%", type ? type : 'd')) {
    if (type) is_int = false;
  }
  char body[512];
  const char *sign = "";
  if (is_int) {
    if (type && !strchr("dnxXobc", type))
      return ex_raise(I, X_VALUE, "Unknown format code '%c' for object of type '%s'", type, v_type_name(v));
    int64_t x = v_as_int(v);
    unsigned long long mag = x < 0 ? (unsigned long long)0 - (unsigned long long)x : (unsigned long long)x;
    if (x < 0) sign = "-";
    else if (f->sign == '+') sign = "+";
    else if (f->sign == ' ') sign = " ";
    if (type == 'x' || type == 'X' || type == 'o') {
      snprintf(body, sizeof body, type == 'x' ? "%s%llx" : type == 'X' ? "%s%llX" : "%s%llo",
               f->alt ? (type == 'o' ? "0o" : type == 'x' ? "0x" : "0X") : "", mag);
    } else if (type == 'b') {
      char bits[80];
      int k = 0;
      do bits[k++] = (char)('0' + (mag & 1)); while ((mag >>= 1) && k < 70);
      int o = 0;
      if (f->alt) body[o++] = '0', body[o++] = 'b';
      while (k) body[o++] = bits[--k];
      body[o] = 0;
    } else if (type == 'c') {
      snprintf(body, sizeof body, "%c", (char)mag);
      sign = "";
    } else {
      snprintf(body, sizeof body, "%llu", mag);
    }
  } else {
    if (type && !strchr("eEfFgG%n", type))
      return ex_raise(I, X_VALUE, "Unknown format code '%c' for object of type '%s'", type, v_type_name(v));
    double x = v_as_double(v);
    if (signbit(x) && !isnan(x)) sign = "-";
    else if (f->sign == '+') sign = "+";
    else if (f->sign == ' ') sign = " ";
    double m = fabs(x);
    int prec = f->prec >= 0 ? f->prec : 6;
    if (prec > 400) prec = 400;
    if (!type && f->prec < 0) {
      float_repr(m, body, sizeof body);
    } else if (isinf(m) || isnan(m)) {
      snprintf(body, sizeof body, "%s%s", isnan(m) ? "nan" : "inf", type == '%' ? "%" : "");
      if (type && strchr("EFG", type)) for (char *c = body; *c; c++) *c = (char)(*c - 32);
    } else if (type == '%') {
      snprintf(body, sizeof body, "%.*f%%", prec, m * 100);
    } else if (!type || type == 'n') {
      snprintf(body, sizeof body, "%.*g", prec ? prec : 1, m);
      if (!type && !strpbrk(body, ".e")) strncat(body, ".0", sizeof body - strlen(body) - 1);
    } else {
      char fmt[8] = {'%', '.', '*', type == 'F' ? 'f' : type, 0};
      snprintf(body, sizeof body, fmt, prec, m);
      if (type == 'F') for (char *c = body; *c; c++) *c = (char)(*c >= 'a' && *c <= 'z' ? *c - 32 : *c);
    }
  }
  if (f->comma) {
    sbuf g = {0};
    group_thousands(&g, body);
    char *s = sb_take(&g);
    if (!s) return ex_nomem(I);
    value *r = pad(I, f, sign, s, '>');
    free(s);
    return r;
  }
  return pad(I, f, sign, body, '>');
}

value *v_format(interp *I, value *v, const char *spec) {
  if ((v->kind == V_TENSOR || v->kind == V_NDARRAY) && tc_tensor_ndim(v->t) == 0 && (*spec || v->kind == V_TENSOR)) {
    value *item = v->kind == V_TENSOR ? tensor_item(I, v->t) : np_scalar_of(I, v->t);
    if (!item) return NULL;
    value *r = v_format(I, item, spec);
    v_decref(item);
    return r;
  }
  tc_dtype npdt;
  if (!*spec && v->kind == V_FLOAT && v_npscalar_dtype(v, &npdt) && npdt != TC_F64) {
    char buf[64]; /* format(np.float32(0.1), '') formats the Python float */
    float_repr(v->f, buf, sizeof buf);
    return v_cstr(buf) ?: ex_nomem(I);
  }
  if (!*spec) return v_to_str(I, v);
  fspec f;
  if (v->kind == V_INT || v->kind == V_FLOAT || v->kind == V_BOOL) {
    if (!parse_spec(spec, &f)) return ex_raise(I, X_VALUE, "Invalid format specifier '%s' for object of type '%s'", spec, v_type_name(v));
    return format_number(I, v, &f);
  }
  if (v->kind == V_STR) {
    if (!parse_spec(spec, &f)) return ex_raise(I, X_VALUE, "Invalid format specifier '%s' for object of type 'str'", spec);
    if (f.type && f.type != 's') return ex_raise(I, X_VALUE, "Unknown format code '%c' for object of type 'str'", f.type);
    if (f.sign) return ex_raise(I, X_VALUE, "Sign not allowed in string format specifier");
    size_t n = v->str.n;
    if (f.prec >= 0 && (size_t)f.prec < n) n = (size_t)f.prec;
    char *body = malloc(n + 1);
    if (!body) return ex_nomem(I);
    memcpy(body, v->str.s, n);
    body[n] = 0;
    f.zero = false;
    value *r = pad(I, &f, "", body, '<');
    free(body);
    return r;
  }
  return ex_raise(I, X_TYPE, "unsupported format string passed to %s.__format__", v_type_name(v));
}
