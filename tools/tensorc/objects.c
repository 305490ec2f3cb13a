/*
 * objects.c — the protocols every value takes part in: truth value,
 * iteration, attributes, and subscripting, for Python's own types (lists,
 * tuples, strings, ranges, torch.Size, exceptions, dtypes, devices) with
 * their common methods; tensors, NumPy arrays and modules are dispatched
 * to tensor_methods.c / tensor_index.c, numpy_array.c and torch_module.c.
 */
#include <string.h>

#include "interp.h"
#include "numpy.h"
#include "sbuf.h"

#define MAX_LIST_ITEMS (1 << 26)

int truthy(interp *I, value *v) {
  switch (v->kind) {
  case V_NONE: return 0;
  case V_BOOL: return v->b;
  case V_INT: return v->i != 0;
  case V_FLOAT: return v->f != 0;
  case V_STR: return v->str.n != 0;
  case V_TUPLE: case V_LIST: case V_SIZE: case V_STRUCTSEQ: return v->seq.n != 0;
  case V_RANGE:
    return v->range.step > 0 ? v->range.start < v->range.stop : v->range.start > v->range.stop;
  case V_TENSOR: {
    int64_t n = tc_tensor_numel(v->t);
    if (n != 1) {
      ex_raise(I, X_RUNTIME, "Boolean value of Tensor with %s is ambiguous",
               n == 0 ? "no values" : "more than one value");
      return -1;
    }
    double x = tc_item(v->t);
    if (tc_last_status(I->ctx) != TC_OK) {
      ex_from_ctx(I);
      return -1;
    }
    return x != 0;
  }
  case V_NDARRAY: return ndarray_truthy(I, v);
  default: return 1;
  }
}

static int64_t range_len(const value *r) {
  int64_t a = r->range.start, b = r->range.stop, s = r->range.step;
  if (s > 0 && a < b) return (int64_t)(((uint64_t)b - (uint64_t)a - 1) / (uint64_t)s + 1);
  if (s < 0 && a > b) return (int64_t)(((uint64_t)a - (uint64_t)b - 1) / (0 - (uint64_t)s) + 1);
  return 0;
}

value *iter_to_list(interp *I, value *v) {
  value *out;
  switch (v->kind) {
  case V_TUPLE: case V_LIST: case V_SIZE: case V_STRUCTSEQ:
    out = v_seq_new(V_LIST, v->seq.n);
    if (!out) return ex_nomem(I);
    for (int i = 0; i < v->seq.n; i++) v_seq_set(out, i, v_incref(v->seq.items[i]));
    return out;
  case V_STR: {
    out = v_seq_new(V_LIST, 0);
    if (!out) return ex_nomem(I);
    for (size_t i = 0; i < v->str.n;) {
      size_t k = 1;
      while (i + k < v->str.n && ((unsigned char)v->str.s[i + k] & 0xC0) == 0x80) k++;
      value *c = v_str(v->str.s + i, k);
      bool ok = c && v_list_append(out, c);
      v_decref(c);
      if (!ok) {
        v_decref(out);
        return ex_nomem(I);
      }
      i += k;
    }
    return out;
  }
  case V_RANGE: {
    int64_t n = range_len(v);
    if (n > MAX_LIST_ITEMS) return ex_raise(I, X_MEMORY, "range of %lld items is too long to materialize", (long long)n);
    out = v_seq_new(V_LIST, (int)n);
    if (!out) return ex_nomem(I);
    for (int64_t i = 0; i < n; i++) {
      value *x = v_int(v->range.start + i * v->range.step);
      if (!x) {
        v_decref(out);
        return ex_nomem(I);
      }
      v_seq_set(out, (int)i, x);
    }
    return out;
  }
  case V_TENSOR: {
    if (tc_tensor_ndim(v->t) == 0) return ex_raise(I, X_TYPE, "iteration over a 0-d tensor");
    int64_t n = tc_tensor_size(v->t, 0);
    if (n > MAX_LIST_ITEMS) return ex_raise(I, X_MEMORY, "tensor is too long to iterate");
    out = v_seq_new(V_LIST, (int)n);
    if (!out) return ex_nomem(I);
    for (int64_t i = 0; i < n; i++) {
      value *x = tensor_result(I, tc_select(v->t, 0, i));
      if (!x) {
        v_decref(out);
        return NULL;
      }
      v_seq_set(out, (int)i, x);
    }
    return out;
  }
  case V_NDARRAY: return ndarray_iter(I, v);
  default: return ex_raise(I, X_TYPE, "'%s' object is not iterable", v_type_name(v));
  }
}

/* ---- list and str methods ---------------------------------------------------- */

static value *m_append(interp *I, value *self, call_args *a) {
  if (a->nargs != 1 || a->nkw) return ex_raise(I, X_TYPE, "list.append() takes exactly one argument (%d given)", a->nargs);
  return v_list_append(self, a->args[0]) ? v_none() : ex_nomem(I);
}

static value *m_extend(interp *I, value *self, call_args *a) {
  if (a->nargs != 1 || a->nkw) return ex_raise(I, X_TYPE, "list.extend() takes exactly one argument (%d given)", a->nargs);
  value *r = inplace_op(I, OP_ADD, self, a->args[0]);
  v_decref(r);
  return r ? v_none() : NULL;
}

static value *m_pop(interp *I, value *self, call_args *a) {
  int64_t i = -1;
  if (a->nargs > 1 || a->nkw) return ex_raise(I, X_TYPE, "pop expected at most 1 argument, got %d", a->nargs);
  if (a->nargs && !to_int(I, a->args[0], "index", &i)) return NULL;
  if (!self->seq.n) return ex_raise(I, X_INDEX, "pop from empty list");
  if (i < 0) i += self->seq.n;
  if (i < 0 || i >= self->seq.n) return ex_raise(I, X_INDEX, "pop index out of range");
  value *r = self->seq.items[i];
  memmove(self->seq.items + i, self->seq.items + i + 1, sizeof(value *) * (size_t)(self->seq.n - i - 1));
  self->seq.n--;
  return r;
}

static value *m_insert(interp *I, value *self, call_args *a) {
  int64_t i;
  if (a->nargs != 2 || a->nkw) return ex_raise(I, X_TYPE, "insert expected 2 arguments, got %d", a->nargs);
  if (!to_int(I, a->args[0], "index", &i)) return NULL;
  if (!v_list_append(self, a->args[1])) return ex_nomem(I);
  int n = self->seq.n - 1;
  if (i < 0) i += n;
  if (i < 0) i = 0;
  if (i > n) i = n;
  value *x = self->seq.items[n];
  memmove(self->seq.items + i + 1, self->seq.items + i, sizeof(value *) * (size_t)(n - i));
  self->seq.items[i] = x;
  return v_none();
}

static value *m_index_count(interp *I, value *self, call_args *a, bool count) {
  if (a->nargs != 1 || a->nkw) return ex_raise(I, X_TYPE, "%s() takes exactly one argument", count ? "count" : "index");
  int64_t c = 0;
  for (int i = 0; i < self->seq.n; i++) {
    int eq = values_equal(I, self->seq.items[i], a->args[0]);
    if (eq < 0) return NULL;
    if (eq && !count) return v_int(i);
    c += eq;
  }
  if (!count) return ex_raise(I, X_VALUE, "%s.index(x): x not in %s", v_type_name(self), v_type_name(self));
  return v_int(c);
}
static value *m_index(interp *I, value *self, call_args *a) { return m_index_count(I, self, a, false); }
static value *m_count(interp *I, value *self, call_args *a) { return m_index_count(I, self, a, true); }

static value *m_reverse(interp *I, value *self, call_args *a) {
  (void)I;
  (void)a;
  for (int i = 0, j = self->seq.n - 1; i < j; i++, j--) {
    value *t = self->seq.items[i];
    self->seq.items[i] = self->seq.items[j];
    self->seq.items[j] = t;
  }
  return v_none();
}

static value *m_copy(interp *I, value *self, call_args *a) {
  (void)a;
  return iter_to_list(I, self);
}

static value *m_clear(interp *I, value *self, call_args *a) {
  (void)I;
  (void)a;
  int n = self->seq.n;
  self->seq.n = 0;
  for (int i = 0; i < n; i++) v_decref(self->seq.items[i]);
  return v_none();
}

static value *m_sort(interp *I, value *self, call_args *a) {
  value *rev = NULL;
  static const char *const kw[] = {"reverse", NULL};
  if (!args_check(I, a, "sort", 0, kw) || !arg_get(I, a, "sort", -1, "reverse", &rev)) return NULL;
  bool r = false;
  if (rev && !to_bool(I, rev, &r)) return NULL;
  /* insertion sort: stable, and fine for script-sized lists */
  for (int i = 1; i < self->seq.n; i++) {
    value *x = self->seq.items[i];
    int j = i - 1;
    while (j >= 0) {
      value *c = compare_op(I, CMP_LT, r ? self->seq.items[j] : x, r ? x : self->seq.items[j]);
      int lt = c ? truthy(I, c) : -1;
      v_decref(c);
      if (lt < 0) return NULL;
      if (!lt) break;
      self->seq.items[j + 1] = self->seq.items[j];
      j--;
    }
    self->seq.items[j + 1] = x;
  }
  return v_none();
}

static value *m_join(interp *I, value *self, call_args *a) {
  if (a->nargs != 1 || a->nkw) return ex_raise(I, X_TYPE, "str.join() takes exactly one argument (%d given)", a->nargs);
  value *items = iter_to_list(I, a->args[0]);
  if (!items) return NULL;
  sbuf b = {0};
  for (int i = 0; i < items->seq.n; i++) {
    value *x = items->seq.items[i];
    if (x->kind != V_STR) {
      sb_free(&b);
      v_decref(items);
      return ex_raise(I, X_TYPE, "sequence item %d: expected str instance, %s found", i, v_type_name(x));
    }
    if (i) sb_addn(&b, self->str.s, self->str.n);
    sb_addn(&b, x->str.s, x->str.n);
  }
  v_decref(items);
  size_t n = b.n;
  char *s = sb_take(&b);
  return (s ? v_str_take(s, n) : NULL) ?: ex_nomem(I);
}

static value *m_case(interp *I, value *self, call_args *a, bool upper) {
  (void)a;
  value *r = v_str(self->str.s, self->str.n);
  if (!r) return ex_nomem(I);
  for (size_t i = 0; i < r->str.n; i++) {
    char c = r->str.s[i];
    if (upper && c >= 'a' && c <= 'z') r->str.s[i] = (char)(c - 32);
    if (!upper && c >= 'A' && c <= 'Z') r->str.s[i] = (char)(c + 32);
  }
  return r;
}
static value *m_upper(interp *I, value *self, call_args *a) { return m_case(I, self, a, true); }
static value *m_lower(interp *I, value *self, call_args *a) { return m_case(I, self, a, false); }

static value *m_strip(interp *I, value *self, call_args *a) {
  (void)a;
  size_t s = 0, e = self->str.n;
  while (s < e && strchr(" \t\n\r\f\v", self->str.s[s])) s++;
  while (e > s && strchr(" \t\n\r\f\v", self->str.s[e - 1])) e--;
  return v_str(self->str.s + s, e - s) ?: ex_nomem(I);
}

static value *m_affix(interp *I, value *self, call_args *a, bool start) {
  if (a->nargs != 1 || a->args[0]->kind != V_STR)
    return ex_raise(I, X_TYPE, "%swith arg must be str", start ? "starts" : "ends");
  value *p = a->args[0];
  if (p->str.n > self->str.n) return v_bool(false);
  const char *at = start ? self->str.s : self->str.s + self->str.n - p->str.n;
  return v_bool(!memcmp(at, p->str.s, p->str.n));
}
static value *m_startswith(interp *I, value *self, call_args *a) { return m_affix(I, self, a, true); }
static value *m_endswith(interp *I, value *self, call_args *a) { return m_affix(I, self, a, false); }

static value *m_split(interp *I, value *self, call_args *a) {
  value *sep = a->nargs ? a->args[0] : NULL;
  if (sep && sep->kind == V_NONE) sep = NULL;
  if (sep && (sep->kind != V_STR || !sep->str.n)) return ex_raise(I, X_VALUE, "empty separator");
  value *out = v_seq_new(V_LIST, 0);
  if (!out) return ex_nomem(I);
  const char *s = self->str.s, *end = s + self->str.n;
  while (s <= end) {
    const char *e;
    if (!sep) {
      while (s < end && strchr(" \t\n\r\f\v", *s)) s++;
      if (s == end) break;
      e = s;
      while (e < end && !strchr(" \t\n\r\f\v", *e)) e++;
    } else {
      e = s;
      while (e + sep->str.n <= end && memcmp(e, sep->str.s, sep->str.n)) e++;
      if (e + sep->str.n > end) e = end;
    }
    value *x = v_str(s, (size_t)(e - s));
    bool ok = x && v_list_append(out, x);
    v_decref(x);
    if (!ok) {
      v_decref(out);
      return ex_nomem(I);
    }
    s = e + (sep ? sep->str.n : 0);
    if (sep && e == end) break;
  }
  return out;
}

static const builtin_def list_methods[] = {
    {"append", m_append}, {"extend", m_extend}, {"pop", m_pop}, {"insert", m_insert},
    {"index", m_index}, {"count", m_count}, {"reverse", m_reverse}, {"copy", m_copy},
    {"clear", m_clear}, {"sort", m_sort}, {NULL, NULL}};
static const builtin_def tuple_methods[] = {{"index", m_index}, {"count", m_count}, {NULL, NULL}};
static const builtin_def str_methods[] = {
    {"join", m_join}, {"upper", m_upper}, {"lower", m_lower}, {"strip", m_strip},
    {"startswith", m_startswith}, {"endswith", m_endswith}, {"split", m_split}, {NULL, NULL}};

static value *size_numel(interp *I, value *self, call_args *a) {
  (void)a;
  int64_t n = 1;
  for (int i = 0; i < self->seq.n; i++) n *= v_as_int(self->seq.items[i]);
  return v_int(n) ?: ex_nomem(I);
}
static const builtin_def size_methods[] = {{"numel", size_numel}, {"index", m_index}, {"count", m_count}, {NULL, NULL}};

static value *method_of(interp *I, const builtin_def *table, value *self, const char *name) {
  for (const builtin_def *d = table; d->name; d++)
    if (!strcmp(d->name, name)) return v_builtin(d, self) ?: ex_nomem(I);
  return NULL;
}

/* ---- attributes -------------------------------------------------------------- */

value *get_attr(interp *I, value *obj, const char *name) {
  value *r = NULL;
  switch (obj->kind) {
  case V_TENSOR: return tensor_getattr(I, obj, name);
  case V_NDARRAY: return ndarray_getattr(I, obj, name);
  case V_NPDTYPE: r = npdtype_getattr(I, obj, name); break;
  case V_BOOL: case V_INT: case V_FLOAT: r = npscalar_getattr(I, obj, name); break;
  case V_MODULE:
    r = obj->mod->getattr(I, name);
    if (r || I->has_exc) return r;
    return ex_raise(I, X_ATTRIBUTE, "module '%s' has no attribute '%s'", obj->mod->name, name);
  case V_LIST: r = method_of(I, list_methods, obj, name); break;
  case V_TUPLE: r = method_of(I, tuple_methods, obj, name); break;
  case V_SIZE: r = method_of(I, size_methods, obj, name); break;
  case V_STR: r = method_of(I, str_methods, obj, name); break;
  case V_STRUCTSEQ:
    for (int i = 0; i < obj->seq.n; i++)
      if (!strcmp(obj->seq.fields[i], name)) return v_incref(obj->seq.items[i]);
    break;
  case V_EXC:
    if (!strcmp(name, "args")) return v_incref(obj->exc.args);
    break;
  case V_DTYPE:
    if (!strcmp(name, "is_floating_point")) return v_bool(tc_dtype_is_floating(obj->dt));
    if (!strcmp(name, "itemsize")) return v_int((int64_t)tc_dtype_size(obj->dt)) ?: ex_nomem(I);
    if (!strcmp(name, "is_signed")) return v_bool(obj->dt != TC_BOOL && obj->dt != TC_U8);
    break;
  case V_DEVICE:
    if (!strcmp(name, "type")) return v_cstr(obj->dev.type == TC_CUDA ? "cuda" : "cpu") ?: ex_nomem(I);
    if (!strcmp(name, "index")) return obj->dev.index >= 0 ? v_int(obj->dev.index) ?: ex_nomem(I) : v_none();
    break;
  case V_RANGE:
    if (!strcmp(name, "start")) return v_int(obj->range.start) ?: ex_nomem(I);
    if (!strcmp(name, "stop")) return v_int(obj->range.stop) ?: ex_nomem(I);
    if (!strcmp(name, "step")) return v_int(obj->range.step) ?: ex_nomem(I);
    break;
  case V_FUNC: case V_BUILTIN: case V_EXCTYPE:
    if (!strcmp(name, "__qualname__") && obj->kind == V_BUILTIN && (obj->fn.def->flags & BF_TYPE) && obj->fn.def->tag)
      return v_cstr((const char *)obj->fn.def->tag) ?: ex_nomem(I);
    if (!strcmp(name, "__name__"))
      return v_cstr(obj->kind == V_FUNC ? obj->func.name : obj->kind == V_BUILTIN ? obj->fn.def->name
                                                                                : exc_name(obj->exct)) ?: ex_nomem(I);
    break;
  default: break;
  }
  if (r || I->has_exc) return r;
  return ex_raise(I, X_ATTRIBUTE, "'%s' object has no attribute '%s'", v_type_name(obj), name);
}

bool set_attr(interp *I, value *obj, const char *name, value *v) {
  if (obj->kind == V_MODULE && obj->mod->setattr) return obj->mod->setattr(I, name, v);
  if (obj->kind == V_TENSOR) {
    ex_raise(I, X_ATTRIBUTE, "attribute '%s' of 'torch._C.TensorBase' objects is not writable", name);
    return false;
  }
  ex_raise(I, X_ATTRIBUTE, "'%s' object attribute '%s' is read-only", v_type_name(obj), name);
  return false;
}

/* ---- subscripts ---------------------------------------------------------------- */

/* An integer index from an int, a bool or a one-element integer tensor. */
static bool index_int(interp *I, value *v, int64_t *out) {
  if (v->kind == V_INT || v->kind == V_BOOL) {
    *out = v_as_int(v);
    return true;
  }
  if (v->kind == V_TENSOR && !tc_dtype_is_floating(tc_tensor_dtype(v->t)) && tc_tensor_numel(v->t) == 1) {
    *out = tc_item_int(v->t);
    if (tc_last_status(I->ctx) != TC_OK) return ex_from_ctx(I), false;
    return true;
  }
  return false;
}

/* Python's slice.indices(): start, step and the number of items. */
static bool slice_range(interp *I, value *s, int64_t len, int64_t *start, int64_t *step, int64_t *count) {
  int64_t st = 1, lo, hi;
  if (s->slice.step->kind != V_NONE && !index_int(I, s->slice.step, &st))
    return ex_raise(I, X_TYPE, "slice indices must be integers or None or have an __index__ method"), false;
  if (st == 0) return ex_raise(I, X_VALUE, "slice step cannot be zero"), false;
  bool has_lo = s->slice.lo->kind != V_NONE, has_hi = s->slice.hi->kind != V_NONE;
  if ((has_lo && !index_int(I, s->slice.lo, &lo)) || (has_hi && !index_int(I, s->slice.hi, &hi)))
    return ex_raise(I, X_TYPE, "slice indices must be integers or None or have an __index__ method"), false;
  if (!has_lo) lo = st > 0 ? 0 : len - 1;
  else {
    if (lo < 0) lo += len;
    if (lo < 0) lo = st > 0 ? 0 : -1;
    if (lo >= len) lo = st > 0 ? len : len - 1;
  }
  if (!has_hi) hi = st > 0 ? len : -1;
  else {
    if (hi < 0) hi += len;
    if (hi < 0) hi = st > 0 ? 0 : -1;
    if (hi >= len) hi = st > 0 ? len : len - 1;
  }
  int64_t n = 0;
  if (st > 0 && lo < hi) n = (hi - lo - 1) / st + 1;
  if (st < 0 && lo > hi) n = (lo - hi - 1) / (-st) + 1;
  *start = lo;
  *step = st;
  *count = n;
  return true;
}

/* Indexes a non-ASCII string by code points: as a list of characters. */
static value *utf8_item(interp *I, value *obj, value *index) {
  value *chars = iter_to_list(I, obj);
  value *r = chars ? get_item(I, chars, index) : NULL;
  v_decref(chars);
  if (!r || r->kind != V_LIST) return r;
  sbuf b = {0};
  for (int i = 0; i < r->seq.n; i++) sb_addn(&b, r->seq.items[i]->str.s, r->seq.items[i]->str.n);
  v_decref(r);
  size_t n = b.n;
  char *s = sb_take(&b);
  return (s ? v_str_take(s, n) : NULL) ?: ex_nomem(I);
}

value *get_item(interp *I, value *obj, value *index) {
  if (obj->kind == V_TENSOR) return tensor_index(I, obj, index);
  if (obj->kind == V_NDARRAY) return ndarray_index(I, obj, index);
  if (obj->kind == V_STR)
    for (size_t i = 0; i < obj->str.n; i++)
      if ((unsigned char)obj->str.s[i] >= 0x80) return utf8_item(I, obj, index);
  bool seq = v_is_seq(obj) || obj->kind == V_STR || obj->kind == V_RANGE;
  if (!seq) return ex_raise(I, X_TYPE, "'%s' object is not subscriptable", v_type_name(obj));
  int64_t len = obj->kind == V_STR ? (int64_t)obj->str.n : obj->kind == V_RANGE ? range_len(obj) : obj->seq.n;
  const char *what = obj->kind == V_LIST ? "list" : obj->kind == V_STR ? "string"
                     : obj->kind == V_RANGE ? "range object" : "tuple";
  int64_t i;
  if (index->kind == V_SLICE) {
    int64_t start, step, n;
    if (!slice_range(I, index, len, &start, &step, &n)) return NULL;
    if (obj->kind == V_STR) {
      char *s = malloc((size_t)n + 1);
      if (!s) return ex_nomem(I);
      for (int64_t k = 0; k < n; k++) s[k] = obj->str.s[start + k * step];
      s[n] = 0;
      return v_str_take(s, (size_t)n) ?: ex_nomem(I);
    }
    if (obj->kind == V_RANGE)
      return v_range(obj->range.start + start * obj->range.step, obj->range.start + (start + n * step) * obj->range.step,
                     obj->range.step * step) ?: ex_nomem(I);
    value *r = v_seq_new(obj->kind == V_LIST ? V_LIST : obj->kind == V_SIZE ? V_SIZE : V_TUPLE, (int)n);
    if (!r) return ex_nomem(I);
    for (int64_t k = 0; k < n; k++) v_seq_set(r, (int)k, v_incref(obj->seq.items[start + k * step]));
    return r;
  }
  if (I->has_exc || !index_int(I, index, &i)) {
    if (I->has_exc) return NULL;
    return ex_raise(I, X_TYPE, "%s indices must be integers or slices, not %s",
                    obj->kind == V_STR ? "string" : obj->kind == V_RANGE ? "range" : obj->kind == V_LIST ? "list" : "tuple",
                    v_type_name(index));
  }
  if (i < 0) i += len;
  if (i < 0 || i >= len) return ex_raise(I, X_INDEX, "%s index out of range", what);
  if (obj->kind == V_STR) return v_str(obj->str.s + i, 1) ?: ex_nomem(I);
  if (obj->kind == V_RANGE) return v_int(obj->range.start + i * obj->range.step) ?: ex_nomem(I);
  return v_incref(obj->seq.items[i]);
}

bool set_item(interp *I, value *obj, value *index, value *v) {
  if (obj->kind == V_TENSOR) {
    if (!v) return ex_raise(I, X_TYPE, "tensorc cannot delete tensor elements"), false;
    if (v->kind == V_NDARRAY) { /* PyTorch refuses arrays here */
      bool cuda = tc_tensor_device(obj->t).type == TC_CUDA;
      ex_raise(I, X_TYPE, "can't assign a numpy.ndarray to a torch.%s%sTensor", cuda ? "cuda." : "",
               dtype_torch_name(tc_tensor_dtype(obj->t)));
      return false;
    }
    return tensor_setitem(I, obj, index, v);
  }
  if (obj->kind == V_NDARRAY) return ndarray_setitem(I, obj, index, v);
  if (obj->kind != V_LIST) {
    ex_raise(I, X_TYPE, "'%s' object does not support item %s", v_type_name(obj), v ? "assignment" : "deletion");
    return false;
  }
  int64_t i;
  if (index->kind == V_SLICE) {
    ex_raise(I, X_TYPE, "tensorc does not support slice assignment on lists");
    return false;
  }
  if (!index_int(I, index, &i)) {
    if (!I->has_exc) ex_raise(I, X_TYPE, "list indices must be integers or slices, not %s", v_type_name(index));
    return false;
  }
  if (i < 0) i += obj->seq.n;
  if (i < 0 || i >= obj->seq.n) {
    ex_raise(I, X_INDEX, "list assignment index out of range");
    return false;
  }
  if (v) {
    v_seq_set(obj, (int)i, v_incref(v));
  } else {
    value *x = obj->seq.items[i];
    memmove(obj->seq.items + i, obj->seq.items + i + 1, sizeof(value *) * (size_t)(obj->seq.n - i - 1));
    obj->seq.n--;
    v_decref(x);
  }
  return true;
}
