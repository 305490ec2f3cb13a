/*
 * eval.c — evaluating expressions, assigning to targets, calling values.
 *
 * eval() returns a new reference or NULL with an exception set; when a node
 * fails and the exception has no location yet, the node's span becomes the
 * location, so the innermost failing expression is the one underlined.
 * I->depth bounds the recursion of eval and exec together (RecursionError
 * instead of a stack overflow). Names resolve through the local scopes,
 * then the globals, then the builtins; comprehensions and calls to `def`
 * functions get their own scope.
 */
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "sbuf.h"

#define MAX_EVAL_DEPTH 2000
#define MAX_CALL_DEPTH 150

/* ---- names ------------------------------------------------------------------- */

static bool declared_global(scope *s, const char *name) {
  for (int i = 0; s && i < s->nglobals; i++)
    if (!strcmp(s->globals[i], name)) return true;
  return false;
}

value *lookup_name(interp *I, const char *name) {
  for (scope *s = I->locals; s; s = s->parent) {
    value *v = env_get(&s->vars, name);
    if (v) return v_incref(v);
  }
  value *v = env_get(&I->globals, name);
  if (v) return v_incref(v);
  v = builtin_lookup(I, name);
  if (v || I->has_exc) return v;
  return ex_raise(I, X_NAME, "name '%s' is not defined", name);
}

bool bind_name(interp *I, const char *name, value *v) {
  env *e = I->locals && !declared_global(I->locals, name) ? &I->locals->vars : &I->globals;
  if (!env_set(e, name, v)) return ex_nomem(I), false;
  return true;
}

/* ---- assignment ---------------------------------------------------------------- */

static bool unpack(interp *I, expr *target, value *v) {
  bool iterable = v_is_seq(v) || v->kind == V_STR || v->kind == V_RANGE || v->kind == V_TENSOR || v->kind == V_NDARRAY;
  if (!iterable) return ex_raise(I, X_TYPE, "cannot unpack non-iterable %s object", v_type_name(v)), false;
  value *items = iter_to_list(I, v);
  if (!items) return false;
  int n = target->seq.n, star = -1;
  for (int i = 0; i < n; i++)
    if (target->seq.items[i]->kind == E_STARRED) {
      if (star >= 0) {
        v_decref(items);
        return ex_raise(I, X_SYNTAX, "multiple starred expressions in assignment"), false;
      }
      star = i;
    }
  int have = items->seq.n;
  bool ok = true;
  if (star < 0 && have != n) {
    if (have > n) ex_raise(I, X_VALUE, "too many values to unpack (expected %d)", n);
    else ex_raise(I, X_VALUE, "not enough values to unpack (expected %d, got %d)", n, have);
    ok = false;
  } else if (star >= 0 && have < n - 1) {
    ex_raise(I, X_VALUE, "not enough values to unpack (expected at least %d, got %d)", n - 1, have);
    ok = false;
  }
  for (int i = 0, k = 0; ok && i < n; i++) {
    expr *t = target->seq.items[i];
    if (i == star) {
      int take = have - (n - 1);
      value *rest = v_seq_new(V_LIST, take);
      if (!rest) {
        ok = ex_nomem(I) != NULL;
        break;
      }
      for (int j = 0; j < take; j++) v_seq_set(rest, j, v_incref(items->seq.items[k++]));
      ok = assign(I, t->unary.operand, rest);
      v_decref(rest);
    } else {
      ok = assign(I, t, items->seq.items[k++]);
    }
  }
  v_decref(items);
  return ok;
}

bool assign(interp *I, expr *target, value *v) {
  bool ok;
  switch (target->kind) {
  case E_NAME: return bind_name(I, target->name, v);
  case E_TUPLE: case E_LIST: ok = unpack(I, target, v); break;
  case E_ATTR: {
    value *obj = eval(I, target->attr.obj);
    ok = obj && set_attr(I, obj, target->attr.name, v);
    v_decref(obj);
    break;
  }
  case E_SUBSCRIPT: {
    value *obj = eval(I, target->sub.obj);
    value *idx = obj ? eval(I, target->sub.index) : NULL;
    ok = idx && set_item(I, obj, idx, v);
    v_decref(obj);
    v_decref(idx);
    break;
  }
  default:
    ex_raise(I, X_SYNTAX, "cannot assign to expression");
    ok = false;
  }
  if (!ok && I->has_exc && I->exc_sp.line == 0) I->exc_sp = target->sp;
  return ok;
}

/* ---- calls ----------------------------------------------------------------------- */

static value *call_func(interp *I, value *fn, call_args *a) {
  const params *p = fn->func.p;
  const char *name = fn->func.name;
  if (a->nargs > p->n)
    return ex_raise(I, X_TYPE, "%s() takes %d positional argument%s but %d %s given", name, p->n,
                    p->n == 1 ? "" : "s", a->nargs, a->nargs == 1 ? "was" : "were");
  if (I->call_depth >= MAX_CALL_DEPTH) return ex_raise(I, X_RECURSION, "maximum recursion depth exceeded");
  scope sc = {0};
  bool ok = true;
  for (int i = 0; ok && i < a->nargs; i++) ok = env_set(&sc.vars, p->names[i], a->args[i]);
  for (int k = 0; ok && k < a->nkw; k++) {
    int i = 0;
    while (i < p->n && strcmp(p->names[i], a->kwnames[k])) i++;
    if (i == p->n) {
      ex_raise(I, X_TYPE, "%s() got an unexpected keyword argument '%s'", name, a->kwnames[k]);
      ok = false;
    } else if (env_get(&sc.vars, p->names[i])) {
      ex_raise(I, X_TYPE, "%s() got multiple values for argument '%s'", name, a->kwnames[k]);
      ok = false;
    } else {
      ok = env_set(&sc.vars, p->names[i], a->kwvals[k]);
    }
  }
  for (int i = 0; ok && i < p->n; i++) {
    if (env_get(&sc.vars, p->names[i])) continue;
    if (!fn->func.defaults[i]) {
      ex_raise(I, X_TYPE, "%s() missing 1 required positional argument: '%s'", name, p->names[i]);
      ok = false;
    } else {
      ok = env_set(&sc.vars, p->names[i], fn->func.defaults[i]);
    }
  }
  if (!ok) {
    env_free(&sc.vars);
    if (!I->has_exc) ex_nomem(I);
    return NULL;
  }
  scope *saved = I->locals;
  I->locals = &sc;
  I->call_depth++;
  value *r = NULL;
  if (fn->func.lambda) {
    r = eval(I, fn->func.lambda);
  } else {
    int st = exec_block(I, fn->func.body);
    if (st == EX_RETURN) {
      r = I->retval;
      I->retval = NULL;
    } else if (st == EX_OK) {
      r = v_none();
    }
  }
  I->call_depth--;
  I->locals = saved;
  env_free(&sc.vars);
  free(sc.globals);
  return r;
}

value *call_value(interp *I, value *fn, call_args *a) {
  switch (fn->kind) {
  case V_BUILTIN: {
    const builtin_def *saved = I->calling;
    I->calling = fn->fn.def;
    value *r = fn->fn.def->fn(I, fn->fn.self, a);
    I->calling = saved;
    return r;
  }
  case V_FUNC: return call_func(I, fn, a);
  case V_EXCTYPE: {
    if (a->nkw) return ex_raise(I, X_TYPE, "%s() takes no keyword arguments", exc_name(fn->exct));
    value *e = v_exc(fn->exct, NULL);
    value *args = v_seq_new(V_TUPLE, a->nargs);
    if (!e || !args) {
      v_decref(e);
      v_decref(args);
      return ex_nomem(I);
    }
    for (int i = 0; i < a->nargs; i++) v_seq_set(args, i, v_incref(a->args[i]));
    v_decref(e->exc.args);
    e->exc.args = args;
    return e;
  }
  default: return ex_raise(I, X_TYPE, "'%s' object is not callable", v_type_name(fn));
  }
}

static void free_args(call_args *a) {
  for (int i = 0; i < a->nargs; i++) v_decref(a->args[i]);
  for (int i = 0; i < a->nkw; i++) v_decref(a->kwvals[i]);
  free(a->args);
  free(a->kwvals);
  free(a->kwnames);
}

static bool push_arg(interp *I, call_args *a, int *cap, value *v) {
  if (a->nargs == *cap) {
    int nc = *cap ? *cap * 2 : 8;
    value **n = realloc(a->args, sizeof(value *) * (size_t)nc);
    if (!n) {
      v_decref(v);
      return ex_nomem(I), false;
    }
    a->args = n;
    *cap = nc;
  }
  a->args[a->nargs++] = v;
  return true;
}

static value *eval_call(interp *I, expr *e) {
  value *fn = eval(I, e->call.fn);
  if (!fn) return NULL;
  call_args a = {0};
  int cap = 0;
  bool ok = true;
  for (int i = 0; ok && i < e->call.nargs; i++) {
    expr *x = e->call.args[i];
    if (x->kind == E_STARRED) {
      value *v = eval(I, x->unary.operand);
      value *items = v ? iter_to_list(I, v) : NULL;
      v_decref(v);
      ok = items != NULL;
      for (int k = 0; ok && items && k < items->seq.n; k++) ok = push_arg(I, &a, &cap, v_incref(items->seq.items[k]));
      v_decref(items);
    } else {
      value *v = eval(I, x);
      ok = v && push_arg(I, &a, &cap, v);
    }
  }
  if (ok && e->call.nkws) {
    a.kwnames = calloc((size_t)e->call.nkws, sizeof(char *));
    a.kwvals = calloc((size_t)e->call.nkws, sizeof(value *));
    if (!a.kwnames || !a.kwvals) ok = ex_nomem(I) != NULL;
  }
  for (int i = 0; ok && i < e->call.nkws; i++) {
    keyword *k = &e->call.kws[i];
    if (!k->name) {
      ok = false;
      ex_raise(I, X_TYPE, "**kwargs in calls is not supported by tensorc");
      break;
    }
    for (int j = 0; j < a.nkw; j++)
      if (!strcmp(a.kwnames[j], k->name)) {
        ex_raise(I, X_SYNTAX, "keyword argument repeated: %s", k->name);
        ok = false;
      }
    value *v = ok ? eval(I, k->value) : NULL;
    if (!v) {
      ok = false;
      break;
    }
    a.kwnames[a.nkw] = k->name;
    a.kwvals[a.nkw++] = v;
  }
  value *r = ok ? call_value(I, fn, &a) : NULL;
  free_args(&a);
  v_decref(fn);
  return r;
}

/* ---- displays, f-strings, comprehensions ---------------------------------------- */

static value *eval_display(interp *I, expr *e) {
  value *out = v_seq_new(V_LIST, 0);
  if (!out) return ex_nomem(I);
  for (int i = 0; i < e->seq.n; i++) {
    expr *x = e->seq.items[i];
    value *v = eval(I, x->kind == E_STARRED ? x->unary.operand : x);
    bool ok = v != NULL;
    if (ok && x->kind == E_STARRED) {
      value *items = iter_to_list(I, v);
      ok = items != NULL;
      for (int k = 0; ok && k < items->seq.n; k++) ok = v_list_append(out, items->seq.items[k]) || ex_nomem(I);
      v_decref(items);
    } else if (ok) {
      ok = v_list_append(out, v) || ex_nomem(I);
    }
    v_decref(v);
    if (!ok) {
      v_decref(out);
      return NULL;
    }
  }
  if (e->kind == E_LIST) return out;
  value *t = v_seq_new(V_TUPLE, out->seq.n);
  if (!t) {
    v_decref(out);
    return ex_nomem(I);
  }
  for (int i = 0; i < out->seq.n; i++) v_seq_set(t, i, v_incref(out->seq.items[i]));
  v_decref(out);
  return t;
}

static value *eval_fstring(interp *I, expr *e) {
  sbuf b = {0};
  for (int i = 0; i < e->fstr.n; i++) {
    fpart *p = &e->fstr.parts[i];
    if (p->lit) {
      sb_addn(&b, p->lit, p->litn);
      continue;
    }
    value *v = eval(I, p->value);
    if (v && p->conv) {
      value *c = p->conv == 's' ? v_to_str(I, v) : v_to_repr(I, v);
      v_decref(v);
      v = c;
    }
    value *spec = v && p->spec ? eval(I, p->spec) : NULL;
    value *s = v && (!p->spec || spec) ? v_format(I, v, spec ? spec->str.s : "") : NULL;
    v_decref(v);
    v_decref(spec);
    if (!s) {
      sb_free(&b);
      return NULL;
    }
    sb_addn(&b, s->str.s, s->str.n);
    v_decref(s);
  }
  size_t n = b.n;
  char *s = sb_take(&b);
  value *r = s ? v_str_take(s, n) : NULL;
  return r ? r : ex_nomem(I);
}

static bool comp_loop(interp *I, expr *e, int level, value *out) {
  if (level == e->comp.nfors) {
    value *v = eval(I, e->comp.elt);
    bool ok = v && (v_list_append(out, v) || ex_nomem(I));
    v_decref(v);
    return ok;
  }
  comp_for *f = &e->comp.fors[level];
  value *it = eval(I, f->iter);
  value *items = it ? iter_to_list(I, it) : NULL;
  v_decref(it);
  if (!items) return false;
  bool ok = true;
  for (int i = 0; ok && i < items->seq.n; i++) {
    ok = assign(I, f->target, items->seq.items[i]);
    bool take = true;
    for (int k = 0; ok && take && k < f->nconds; k++) {
      value *c = eval(I, f->conds[k]);
      int t = c ? truthy(I, c) : -1;
      v_decref(c);
      if (t < 0) ok = false;
      take = t > 0;
    }
    if (ok && take) ok = comp_loop(I, e, level + 1, out);
  }
  v_decref(items);
  return ok;
}

static value *eval_listcomp(interp *I, expr *e) {
  value *out = v_seq_new(V_LIST, 0);
  if (!out) return ex_nomem(I);
  scope sc = {.parent = I->locals};
  /* the first iterable is evaluated in the enclosing scope, as Python does */
  scope *saved = I->locals;
  I->locals = &sc;
  bool ok = comp_loop(I, e, 0, out);
  I->locals = saved;
  env_free(&sc.vars);
  if (!ok) {
    v_decref(out);
    return NULL;
  }
  return out;
}

static value *make_lambda(interp *I, expr *e) {
  value *f = calloc(1, sizeof *f);
  if (!f) return ex_nomem(I);
  f->refs = 1;
  f->kind = V_FUNC;
  f->func.name = "<lambda>";
  f->func.p = &e->lambda.p;
  f->func.lambda = e->lambda.body;
  f->func.defaults = calloc((size_t)(e->lambda.p.n ? e->lambda.p.n : 1), sizeof(value *));
  if (!f->func.defaults) {
    free(f);
    return ex_nomem(I);
  }
  for (int i = 0; i < e->lambda.p.n; i++)
    if (e->lambda.p.defaults[i] && !(f->func.defaults[i] = eval(I, e->lambda.p.defaults[i]))) {
      v_decref(f);
      return NULL;
    }
  return f;
}

/* ---- the evaluator ------------------------------------------------------------- */

static value *eval_compare(interp *I, expr *e) {
  value *l = eval(I, e->cmp.first);
  if (!l) return NULL;
  for (int i = 0; i < e->cmp.n; i++) {
    value *r = eval(I, e->cmp.rest[i]);
    if (!r) {
      v_decref(l);
      return NULL;
    }
    value *res = compare_op(I, e->cmp.ops[i], l, r);
    v_decref(l);
    if (!res || i == e->cmp.n - 1) {
      v_decref(r);
      return res;
    }
    int t = truthy(I, res);
    if (t <= 0) {
      v_decref(r);
      if (t < 0) {
        v_decref(res);
        return NULL;
      }
      return res;
    }
    v_decref(res);
    l = r;
  }
  return l;
}

static value *eval_inner(interp *I, expr *e) {
  switch (e->kind) {
  case E_NAME: return lookup_name(I, e->name);
  case E_INT: return v_int(e->ival) ?: ex_nomem(I);
  case E_FLOAT: return v_float(e->fval) ?: ex_nomem(I);
  case E_STR: return v_str(e->str.s, e->str.n) ?: ex_nomem(I);
  case E_BOOL: return v_bool(e->bval);
  case E_NONE: return v_none();
  case E_ELLIPSIS: return v_incref(&v_ellipsis_);
  case E_TUPLE: case E_LIST: return eval_display(I, e);
  case E_UNARY: {
    value *x = eval(I, e->unary.operand);
    value *r = x ? unary_op(I, e->unary.op, x) : NULL;
    v_decref(x);
    return r;
  }
  case E_NOT: {
    value *x = eval(I, e->unary.operand);
    int t = x ? truthy(I, x) : -1;
    v_decref(x);
    return t < 0 ? NULL : v_bool(!t);
  }
  case E_BINARY: {
    value *l = eval(I, e->bin.l);
    value *r = l ? eval(I, e->bin.r) : NULL;
    value *res = r ? binary_op(I, e->bin.op, l, r) : NULL;
    v_decref(l);
    v_decref(r);
    return res;
  }
  case E_BOOLOP: {
    value *v = NULL;
    for (int i = 0; i < e->boolop.n; i++) {
      v_decref(v);
      v = eval(I, e->boolop.items[i]);
      if (!v) return NULL;
      int t = truthy(I, v);
      if (t < 0) {
        v_decref(v);
        return NULL;
      }
      if (t != e->boolop.is_and) break;
    }
    return v;
  }
  case E_COMPARE: return eval_compare(I, e);
  case E_CALL: return eval_call(I, e);
  case E_ATTR: {
    value *obj = eval(I, e->attr.obj);
    value *r = obj ? get_attr(I, obj, e->attr.name) : NULL;
    v_decref(obj);
    return r;
  }
  case E_SUBSCRIPT: {
    value *obj = eval(I, e->sub.obj);
    value *idx = obj ? eval(I, e->sub.index) : NULL;
    value *r = idx ? get_item(I, obj, idx) : NULL;
    v_decref(obj);
    v_decref(idx);
    return r;
  }
  case E_SLICE: {
    value *lo = e->slice.lo ? eval(I, e->slice.lo) : v_none();
    value *hi = lo && e->slice.hi ? eval(I, e->slice.hi) : lo ? v_none() : NULL;
    value *st = hi && e->slice.step ? eval(I, e->slice.step) : hi ? v_none() : NULL;
    if (!st) {
      v_decref(lo);
      v_decref(hi);
      return NULL;
    }
    return v_slice(lo, hi, st) ?: ex_nomem(I);
  }
  case E_IFEXP: {
    value *c = eval(I, e->ifexp.cond);
    int t = c ? truthy(I, c) : -1;
    v_decref(c);
    if (t < 0) return NULL;
    return eval(I, t ? e->ifexp.then : e->ifexp.orelse);
  }
  case E_FSTRING: return eval_fstring(I, e);
  case E_LISTCOMP: return eval_listcomp(I, e);
  case E_LAMBDA: return make_lambda(I, e);
  case E_STARRED: return ex_raise(I, X_SYNTAX, "can't use starred expression here");
  }
  return ex_raise(I, X_RUNTIME, "tensorc: unknown expression");
}

value *eval(interp *I, expr *e) {
  if (++I->depth > MAX_EVAL_DEPTH) {
    I->depth--;
    ex_raise(I, X_RECURSION, "maximum recursion depth exceeded");
    if (I->exc_sp.line == 0) I->exc_sp = e->sp;
    return NULL;
  }
  value *v = eval_inner(I, e);
  I->depth--;
  if (!v && !I->has_exc) ex_nomem(I);
  if (!v && I->exc_sp.line == 0) I->exc_sp = e->sp;
  return v;
}
