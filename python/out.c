/*
 * out.c — PyTorch's out= keyword, one way for every function that takes it.
 *
 * torch.NAME(..., out=t) computes its result as without out= (lazily, as
 * every op), then tcpy_out writes it into t:
 *   1. out is a Tensor of this thread (a tuple or list of n Tensors for a
 *      function of n results: sort, topk, max(dim)...), on the result's
 *      device, of a dtype the function's rule accepts (the table below: a
 *      cast where torch.can_cast allows it, as TensorIterator does, or the
 *      result's own dtype, in the words of the kernel that says it);
 *   2. where PyTorch checks it (OUT_APART: elementwise ops, joins, gathers,
 *      sorts, scans; not reductions nor matrix products), out may not
 *      partially overlap an input (tc_check_inplace); the same memory is
 *      fine, so torch.add(a, b, out=a) is a.add_(b);
 *   3. out of another shape is resized in place (tc_resize_: its handle,
 *      so every Python reference to it sees the new shape): silently when
 *      it has no elements, else with PyTorch's deprecation UserWarning.
 *      It takes the result's layout when that is dense (PyTorch's
 *      TensorIterator gives a resized out the layout it computed), else
 *      contiguous; out of the right shape keeps its strides;
 *   4. the values are copied through out's storage (tc_copy_, cast to
 *      out's dtype), so views of out and its aliases see them, and out
 *      itself is returned (n results: torch.return_types.NAME_out of the
 *      out tensors, as PyTorch's).
 * Each step is a write recorded like any other: a loop of
 * torch.add(x, 1, out=x) builds the same graph each step, and reuses one
 * schedule and kernel.
 *
 * The op table's functions get this from the Op type (ops.c calls
 * tcpy_out_op by the entry's `out` column); the other torch functions
 * (creation, cat/stack, where, bucketize, randperm) call tcpy_out.
 */
#include <string.h>
#include "tcpy.h"

/* ---- dtype rules ------------------------------------------------------------ */

enum { CK_NONE, CK_CAST, CK_SAME, CK_FLOAT, CK_BOOL };

/* Each rule: what it checks and PyTorch's message when that fails.
 * %R/%O: the result's and out's dtype as PyTorch names them (Float);
 * %r/%o: as C++ names them (float, long int); %F: the function; %B:
 * True when the result is int32 (searchsorted's out_int32 flag). */
static const struct {
  int check;
  bool type_error; /* TypeError, else RuntimeError */
  const char *fmt;
} rules[OUT_RULES] = {
    [OUT_CAST] = {CK_CAST, false, "result type %R can't be cast to the desired output type %O"},
    [OUT_SAME] = {CK_SAME, false, "Found dtype %O but expected %R"},
    [OUT_EXACT] = {CK_SAME, false, "Expected out tensor to have dtype %r, but got %o instead"},
    [OUT_ACC] = {CK_SAME, false, "Expected out tensor to have dtype %r, but got %o instead"},
    [OUT_ANY] = {CK_NONE, false, ""},
    [OUT_AMAX] = {CK_SAME, false,
                  "Expected the dtype for input and out to match, but got %R for input's dtype and %O for out's dtype."},
    [OUT_FLOAT] = {CK_FLOAT, false, "%F(): Expected floating point type for result tensor, but got: %O"},
    [OUT_BOOL] = {CK_BOOL, false, "%F only supports bool tensor for result, got: %O"},
    [OUT_DOT] = {CK_SAME, false, "result dtype %O does not match input dtype %R"},
    [OUT_WHERE] = {CK_SAME, false, "Expected out type to be %R but got %O"},
    [OUT_CAT] = {CK_CAST, true, "torch.cat(): input types can't be cast to the desired output type %O"},
    [OUT_SELECT] = {CK_SAME, false, "%F(): self and result must have the same scalar type"},
    [OUT_TAKE] = {CK_SAME, false,
                  "take(): self and out expected to have the same dtype, but got self.dtype = %R and out.dtype = %O"},
    [OUT_NONZERO] = {CK_SAME, false, "nonzero: Expected out tensor to have scalar type Long but got scalar type%O"},
    [OUT_SCAN] = {CK_SAME, false, "expected scalar_type %R but found %O"},
    [OUT_HISTC] = {CK_SAME, false,
                   "torch.histogram: input tensor and hist tensor should have the same dtype, but got input %r and "
                   "hist %o"},
    [OUT_SEARCH] = {CK_SAME, false,
                    "torch.searchsorted(): output tensor's dtype is wrong, it can only be Int(int32) or Long(int64) "
                    "depending on whether out_int32 flag is True, but we got output tensor's dtype %O and out_int32 "
                    "flag is %B"},
    [OUT_LONG] = {CK_SAME, false, "%F expects Long tensor out, got: %O"},
    [OUT_KTH] = {CK_SAME, false, "output values must be of same type as input"},
    [OUT_MEDIAN] = {CK_SAME, false,
                    "Expected tensor for 'values' to have the same type as tensor for argument #2 'self'; but type "
                    "torch.%LTensor does not equal torch.%MTensor (while checking arguments for %F)"},
    [OUT_MODE] = {CK_SAME, false, "expected scalar type '%R' but got '%O' for values output"},
    [OUT_MADE] = {CK_NONE, false, ""},
    [OUT_MINMAX_ALL] = {CK_CAST, false,
                        "Expected canCast( typeMetaToScalarType(self.dtype()), typeMetaToScalarType(out.dtype())) to "
                        "be true, but got false.  (Could this error message be improved?  If so, please report an "
                        "enhancement request to PyTorch.)"},
};

static const char *const cpp_name[TC_NUM_DTYPES] = {"bool", "unsigned char", "signed char", "short int", "int",
                                                    "long int", "c10::Half", "c10::BFloat16", "float", "double"};
static const char *const legacy_name[TC_NUM_DTYPES] = {"Bool", "Byte", "Char", "Short", "Int",
                                                       "Long", "Half", "BFloat16", "Float", "Double"};

/* torch.can_cast(from, to): no floating to integral, nothing but bool to bool. */
static bool can_cast(tc_dtype from, tc_dtype to) {
  if (tc_dtype_is_floating(from) && !tc_dtype_is_floating(to)) return false;
  return from == TC_BOOL || to != TC_BOOL;
}

static bool dtype_ok(int check, tc_dtype got, tc_dtype want) {
  switch (check) {
  case CK_CAST: return can_cast(got, want);
  case CK_SAME: return got == want;
  case CK_FLOAT: return tc_dtype_is_floating(want);
  case CK_BOOL: return want == TC_BOOL || want == TC_U8;
  default: return true;
  }
}

/* Raises rule's error for a result of dtype r and an out of dtype o. */
static bool dtype_error(int rule, const char *fn, tc_dtype r, tc_dtype o) {
  char msg[512];
  size_t n = 0;
  for (const char *f = rules[rule].fmt; *f && n + 64 < sizeof msg; f++) {
    if (*f != '%' || !f[1]) {
      msg[n++] = *f;
      continue;
    }
    const char *w = "";
    switch (*++f) {
    case 'R': w = tcpy_dtype_torch_name(r); break;
    case 'O': w = tcpy_dtype_torch_name(o); break;
    case 'r': w = cpp_name[r]; break;
    case 'o': w = cpp_name[o]; break;
    case 'L': w = legacy_name[o]; break;
    case 'M': w = legacy_name[r]; break;
    case 'F': w = fn; break;
    case 'B': w = r == TC_I32 ? "True" : "False"; break;
    default: break;
    }
    n += (size_t)snprintf(msg + n, sizeof msg - n, "%s", w);
  }
  msg[n < sizeof msg ? n : sizeof msg - 1] = 0;
  PyErr_SetString(rules[rule].type_error ? PyExc_TypeError : PyExc_RuntimeError, msg);
  return false;
}

/* The rules that depend on how the function was called. */
static int resolve(int rule, PyObject *result, PyObject *args, PyObject *kw) {
  int flags = rule & OUT_APART, r = rule & ~OUT_APART;
  Py_ssize_t na = args ? PyTuple_Size(args) : 0;
  if (r == OUT_MAXMIN) { /* max(dim) -> (values, indices); max(other); max() */
    if (PyTuple_Check(result)) return OUT_EXACT;
    if (na >= 1 && tcpy_is_tensor(PyTuple_GetItem(args, 0))) return OUT_CAST | OUT_APART;
    if (kw && PyDict_GetItemString(kw, "other")) return OUT_CAST | OUT_APART;
    return OUT_MINMAX_ALL;
  }
  if (r == OUT_CLAMP) { /* clamp(Scalar) keeps the dtype; clamp(Tensor) is TensorIterator's */
    bool tensors = false;
    for (Py_ssize_t i = 0; i < na; i++) tensors |= tcpy_is_tensor(PyTuple_GetItem(args, i));
    PyObject *key, *val;
    Py_ssize_t pos = 0;
    while (kw && PyDict_Next(kw, &pos, &key, &val)) tensors |= tcpy_is_tensor(val);
    return (tensors ? OUT_CAST : OUT_SAME) | flags;
  }
  return rule;
}

/* ---- checks ------------------------------------------------------------------ */

static bool same_device(tc_device a, tc_device b) { return a.type == b.type && a.index == b.index; }

/* TensorIterator's words: the first device that is not the CPU first. */
static bool device_error(tc_device r, tc_device o) {
  char a[32], b[32];
  tc_device first = r.type != TC_CPU ? r : o, second = r.type != TC_CPU ? o : r;
  tc_device_str(first, a, sizeof a);
  tc_device_str(second, b, sizeof b);
  PyErr_Format(PyExc_RuntimeError, "Expected all tensors to be on the same device, but found at least two devices, %s and %s!",
               a, b);
  return false;
}

/* The i-th element of a tuple or list (borrowed). */
static PyObject *item(PyObject *seq, Py_ssize_t i) {
  return PyList_Check(seq) ? PyList_GetItem(seq, i) : PyTuple_GetItem(seq, i);
}

/* out must not partially overlap a tensor among self, args and kw's values
 * (and the tensors of a list among them: cat's). */
static bool apart_from(tcpy_tensor *o, PyObject *x) {
  if (tcpy_is_tensor(x)) return tc_check_inplace(o->t, TT(x)) == TC_OK || (tcpy_raise(o->ctx->ctx), false);
  if (PyList_Check(x) || PyTuple_Check(x)) {
    Py_ssize_t n = PySequence_Size(x);
    for (Py_ssize_t i = 0; i < n; i++) {
      PyObject *e = item(x, i);
      if (tcpy_is_tensor(e) && !apart_from(o, e)) return false;
    }
  }
  return true;
}

static bool apart(tcpy_tensor *o, PyObject *self, PyObject *args, PyObject *kw) {
  if (self && !apart_from(o, self)) return false;
  Py_ssize_t na = args ? PyTuple_Size(args) : 0;
  for (Py_ssize_t i = 0; i < na; i++)
    if (!apart_from(o, PyTuple_GetItem(args, i))) return false;
  PyObject *key, *val;
  Py_ssize_t pos = 0;
  while (kw && PyDict_Next(kw, &pos, &key, &val))
    if (!apart_from(o, val)) return false;
  return true;
}

/* "[2, 3]" */
static void shape_str(char *buf, size_t cap, const int64_t *shape, int nd) {
  size_t n = (size_t)snprintf(buf, cap, "[");
  for (int d = 0; d < nd && n < cap; d++) n += (size_t)snprintf(buf + n, cap - n, d ? ", %lld" : "%lld", (long long)shape[d]);
  if (n < cap) snprintf(buf + n, cap - n, "]");
}

/* PyTorch's is_non_overlapping_and_dense, from a layout. */
static bool dense(const int64_t *shape, const int64_t *strides, int nd) {
  int d[TC_MAX_DIMS], m = 0;
  for (int i = 0; i < nd; i++)
    if (shape[i] >= 2) d[m++] = i;
  for (int i = 1; i < m; i++) /* by stride, smallest first */
    for (int j = i; j > 0 && strides[d[j]] < strides[d[j - 1]]; j--) {
      int x = d[j];
      d[j] = d[j - 1], d[j - 1] = x;
    }
  int64_t expect = 1;
  for (int i = 0; i < m; i++) {
    if (strides[d[i]] != expect) return false;
    expect *= shape[d[i]];
  }
  return true;
}

/* PyTorch's warning about a resized out that had elements, in `warn`
 * (empty when there is none). */
typedef char resize_warning[2 * TC_MAX_DIMS * 24 + 400];

/* out (o) given the shape of r: resized in place when it differs. */
static bool fit(tcpy_tensor *o, tc_tensor *r, resize_warning warn) {
  int64_t os[TC_MAX_DIMS], rs[TC_MAX_DIMS], st[TC_MAX_DIMS];
  int on = tc_tensor_shape(o->t, os), rn = tc_tensor_shape(r, rs);
  bool same = on == rn;
  for (int d = 0; same && d < rn; d++) same = os[d] == rs[d];
  warn[0] = 0;
  if (same) return true;
  if (tc_tensor_numel(o->t) != 0) {
    char a[TC_MAX_DIMS * 24], b[TC_MAX_DIMS * 24];
    shape_str(a, sizeof a, os, on);
    shape_str(b, sizeof b, rs, rn);
    snprintf(warn, sizeof(resize_warning),
             "An output with one or more elements was resized since it had shape %s, which does not match the "
             "required output shape %s. This behavior is deprecated, and in a future PyTorch release outputs will "
             "not be resized unless they have zero elements. You can explicitly reuse an out tensor t by resizing "
             "it, inplace, to zero elements with t.resize_(0).", a, b);
  }
  tc_tensor_strides(r, st);
  if (tc_resize_(o->t, rn, rs, dense(rs, st, rn) ? st : NULL) != TC_OK) return tcpy_raise(o->ctx->ctx), false;
  return true;
}

static PyObject *type_name(PyObject *o) { return PyObject_GetAttrString((PyObject *)Py_TYPE(o), "__name__"); }

/* The first line of PyTorch's argument parser's error for a call that
 * matches no signature: "max() received an invalid combination of
 * arguments - got (Tensor, int, out=Tensor), but expected one of:". */
static void no_signature(const char *fn, PyObject *self, PyObject *args, PyObject *kw, PyObject *out) {
  PyObject *parts = PyList_New(0), *key, *val;
  Py_ssize_t na = args ? PyTuple_Size(args) : 0, pos = 0;
  bool ok = parts != NULL;
  for (Py_ssize_t i = -1; ok && i < na; i++) {
    PyObject *x = i < 0 ? self : PyTuple_GetItem(args, i);
    PyObject *tn = x ? type_name(x) : NULL;
    ok = !x || (tn && PyList_Append(parts, tn) == 0);
    Py_XDECREF(tn);
  }
  while (ok && kw && PyDict_Next(kw, &pos, &key, &val)) {
    PyObject *tn = type_name(val), *s = tn ? PyUnicode_FromFormat("%U=%U", key, tn) : NULL;
    ok = s && PyList_Append(parts, s) == 0;
    Py_XDECREF(tn);
    Py_XDECREF(s);
  }
  PyObject *tn = ok ? type_name(out) : NULL, *s = tn ? PyUnicode_FromFormat("out=%U", tn) : NULL;
  ok = s && PyList_Append(parts, s) == 0;
  Py_XDECREF(tn);
  Py_XDECREF(s);
  PyObject *sep = ok ? PyUnicode_FromString(", ") : NULL, *got = sep ? PyUnicode_Join(sep, parts) : NULL;
  if (got)
    PyErr_Format(PyExc_TypeError, "%s() received an invalid combination of arguments - got (%U), but expected one of:",
                 fn, got);
  Py_XDECREF(sep);
  Py_XDECREF(got);
  Py_XDECREF(parts);
}

/* ---- out= -------------------------------------------------------------------- */

PyObject *tcpy_out(PyObject *out, PyObject *result, int rule, const char *fn, PyObject *self, PyObject *args,
                   PyObject *kw) {
  if (!result) return NULL;
  bool pair = PyTuple_Check(result); /* (values, indices): the only results of several tensors */
  int n = pair ? 2 : 1;
  PyObject *outs[2] = {out, NULL}, *res[2] = {result, NULL}, *r = NULL;
  resize_warning warn[2];
  warn[0][0] = warn[1][0] = 0;
  if (pair ? PyTuple_Size(result) != 2 || !tcpy_is_tensor(PyTuple_GetItem(result, 0)) ||
                  !tcpy_is_tensor(PyTuple_GetItem(result, 1))
           : !tcpy_is_tensor(result)) { /* a table's entry marked wrongly */
    PyErr_Format(PyExc_TypeError, "%s(): tensorc gives this result no out=", fn);
    goto done;
  }
  if (!pair && !tcpy_is_tensor(out)) {
    PyObject *tn = type_name(out);
    PyErr_Format(PyExc_TypeError, "%s(): argument 'out' must be Tensor, not %U", fn, tn);
    Py_XDECREF(tn);
    goto done;
  }
  if (pair) {
    if (!PyTuple_Check(out) && !PyList_Check(out)) {
      /* PyTorch's parser: several signatures (max, min, sort) or one */
      if (!strcmp(fn, "max") || !strcmp(fn, "min") || !strcmp(fn, "sort")) {
        no_signature(fn, self, args, kw, out);
      } else {
        PyObject *tn = type_name(out);
        PyErr_Format(PyExc_TypeError, "%s(): argument 'out' must be tuple of Tensors, not %U", fn, tn);
        Py_XDECREF(tn);
      }
      goto done;
    }
    if (PySequence_Size(out) != 2) {
      PyErr_Format(PyExc_TypeError, "expected tuple of 2 elements but got %zd", PySequence_Size(out));
      goto done;
    }
    for (int i = 0; i < 2; i++) {
      outs[i] = item(out, i);
      res[i] = PyTuple_GetItem(result, i);
      if (!tcpy_is_tensor(outs[i])) {
        PyObject *tn = type_name(outs[i]);
        PyErr_Format(PyExc_TypeError, "expected Tensor as element %d in argument 'out', but got %U", i, tn);
        Py_XDECREF(tn);
        goto done;
      }
    }
  }
  rule = resolve(rule, result, args, kw);
  int k = rule & ~OUT_APART;
  for (int i = 0; i < n; i++) { /* every check before the first write, in TensorIterator's order */
    tcpy_tensor *o = (tcpy_tensor *)outs[i];
    tc_tensor *x = TT(res[i]);
    if (!tcpy_check_thread(o)) goto done;
    if ((rule & OUT_APART) && !apart(o, self, args, kw)) goto done;
    if (!same_device(tc_tensor_device(x), tc_tensor_device(o->t))) {
      device_error(tc_tensor_device(x), tc_tensor_device(o->t));
      goto done;
    }
    if (!dtype_ok(rules[k].check, tc_tensor_dtype(x), tc_tensor_dtype(o->t))) {
      dtype_error(k, fn, tc_tensor_dtype(x), tc_tensor_dtype(o->t));
      goto done;
    }
  }
  for (int i = 0; i < n; i++) {
    tcpy_tensor *o = (tcpy_tensor *)outs[i];
    if (!fit(o, TT(res[i]), warn[i])) goto done;
    if (tc_copy_(o->t, TT(res[i])) != TC_OK) {
      tcpy_raise(o->ctx->ctx);
      goto done;
    }
  }
  /* PyTorch issues a kernel's warnings when it returns: the values are
     written even when a warning filter makes the warning an error */
  for (int i = 0; i < n; i++) {
    if (!warn[i][0]) continue;
    int st = PyErr_WarnEx(PyExc_UserWarning, warn[i], 1);
    warn[i][0] = 0; /* issued */
    if (st < 0) goto done;
  }
  if (pair) {
    char name[64];
    snprintf(name, sizeof name, "%s_out", fn);
    Py_INCREF(outs[0]);
    Py_INCREF(outs[1]);
    r = tcpy_return_pair(name, outs[0], outs[1]);
  } else {
    Py_INCREF(out);
    r = out;
  }
done:
  if (!r && (warn[0][0] || warn[1][0])) { /* and when it fails: the warnings, then its error */
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    for (int i = 0; i < 2; i++)
      if (warn[i][0] && PyErr_WarnEx(PyExc_UserWarning, warn[i], 1) < 0) PyErr_Clear();
    PyErr_Restore(type, value, tb);
  }
  Py_DECREF(result);
  return r;
}

PyObject *tcpy_out_op(const tcpy_opdef *d, tcpy_tensor *self, PyObject *args, PyObject *kw) {
  PyObject *out = PyDict_GetItemString(kw, "out"); /* borrowed: kw holds it while we run */
  PyObject *kw2 = PyDict_Copy(kw);
  if (!kw2 || PyDict_DelItemString(kw2, "out") < 0) {
    Py_XDECREF(kw2);
    return NULL;
  }
  Py_INCREF(out);
  int rule = d->out;
  PyObject *r = NULL, *dtype = PyDict_GetItemString(kw2, "dtype");
  bool has_dtype = dtype && dtype != Py_None;
  bool sum = !strcmp(d->name, "sum"), prod = !strcmp(d->name, "prod");
  if (out != Py_None && (sum || prod) && PyTuple_Size(args) == 0 && !PyDict_GetItemString(kw2, "dim") &&
      !PyDict_GetItemString(kw2, "axis")) { /* out= needs a dim, in PyTorch's words */
    if (PyDict_Size(kw2) == 0)
      PyErr_Format(PyExc_TypeError,
                   "%s() received an invalid combination of arguments - got (Tensor, out=Tensor), but expected one "
                   "of:\n * (Tensor input, *, torch.dtype dtype = None)\n * (Tensor input, %s dim, bool keepdim = "
                   "False, *, torch.dtype dtype = None, Tensor out = None)\n",
                   d->name, sum ? "tuple of ints" : "int");
    else
      PyErr_Format(PyExc_TypeError, "%s() missing 1 required positional arguments: \"dim\"", d->name);
    goto done;
  }
  if (out != Py_None && has_dtype && ((rule & ~OUT_APART) == OUT_CAST || (rule & ~OUT_APART) == OUT_ACC))
    rule = OUT_EXACT | (rule & OUT_APART); /* dtype= given: out must be of it */
  else if (out != Py_None && (rule & ~OUT_APART) == OUT_ACC && tcpy_is_tensor(out)) {
    /* sum(..., out=t) sums in t's dtype, as dtype=t.dtype */
    PyObject *dt = tcpy_dtype_obj(tc_tensor_dtype(TT(out)));
    if (!dt || PyDict_SetItemString(kw2, "dtype", dt) < 0) {
      Py_XDECREF(dt);
      goto done;
    }
    Py_DECREF(dt);
  }
  r = d->fn(self, args, kw2, d->tag, d->name);
  if (out != Py_None) r = tcpy_out(out, r, rule, d->name, (PyObject *)self, args, kw2);
done:
  Py_DECREF(out);
  Py_DECREF(kw2);
  return r;
}

bool tcpy_out_dtype(PyObject *out, const char *fn, bool *has, tc_dtype *dt) {
  if (!out || out == Py_None) return true;
  if (!tcpy_is_tensor(out)) {
    PyObject *tn = type_name(out);
    PyErr_Format(PyExc_TypeError, "%s(): argument 'out' must be Tensor, not %U", fn, tn);
    Py_XDECREF(tn);
    return false;
  }
  tc_dtype want = tc_tensor_dtype(TT(out));
  if (*has && *dt != want) {
    PyErr_Format(PyExc_RuntimeError, "dtype %s does not match dtype of out parameter (%s)", tcpy_dtype_torch_name(*dt),
                 tcpy_dtype_torch_name(want));
    return false;
  }
  *has = true;
  *dt = want;
  return true;
}
