/*
 * exec.c — running statements: blocks, control flow, try/except/finally,
 * imports, def; the name maps (env) and the interpreter's life cycle.
 *
 * exec_block returns how a block ended (EX_OK, EX_ERR with the exception
 * set, EX_BREAK, EX_CONTINUE, EX_RETURN with I->retval). Library errors are
 * converted to exceptions where they happen, so `try:` catches them like
 * Python catches PyTorch's; the sticky context error is always clear
 * between statements.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"

/* ---- env ------------------------------------------------------------------------ */

static unsigned hash(const char *s) {
  unsigned h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

static int find(const env *e, const char *name) {
  if (!e->cap) return -1;
  unsigned m = (unsigned)e->cap - 1;
  for (unsigned i = hash(name) & m;; i = (i + 1) & m) {
    if (!e->keys[i]) return -1 - (int)i;
    if (!strcmp(e->keys[i], name)) return (int)i;
  }
}

value *env_get(const env *e, const char *name) {
  int i = find(e, name);
  return i >= 0 ? e->vals[i] : NULL;
}

static bool grow(env *e) {
  int cap = e->cap ? e->cap * 2 : 32;
  env n = {calloc((size_t)cap, sizeof(char *)), calloc((size_t)cap, sizeof(value *)), 0, cap};
  if (!n.keys || !n.vals) {
    free(n.keys);
    free(n.vals);
    return false;
  }
  for (int i = 0; i < e->cap; i++)
    if (e->keys[i] && e->vals[i]) {
      int j = -1 - find(&n, e->keys[i]);
      n.keys[j] = e->keys[i];
      n.vals[j] = e->vals[i];
      n.n++;
    }
  free(e->keys);
  free(e->vals);
  *e = n;
  return true;
}

bool env_set(env *e, const char *name, value *v) {
  int i = find(e, name);
  if (i >= 0) {
    value *old = e->vals[i];
    e->vals[i] = v_incref(v);
    v_decref(old);
    return true;
  }
  if ((e->n + 1) * 2 > e->cap) {
    if (!grow(e)) return false;
    i = find(e, name);
  }
  i = -1 - i;
  e->keys[i] = name;
  e->vals[i] = v_incref(v);
  e->n++;
  return true;
}

bool env_del(env *e, const char *name) {
  int i = find(e, name);
  if (i < 0 || !e->vals[i]) return false;
  /* keep the key (a tombstone with no value) so probing still works */
  v_decref(e->vals[i]);
  e->vals[i] = NULL;
  return true;
}

void env_free(env *e) {
  for (int i = 0; i < e->cap; i++) v_decref(e->vals[i]);
  free(e->keys);
  free(e->vals);
  *e = (env){0};
}

/* ---- statements ------------------------------------------------------------------ */

static int exec_stmt(interp *I, stmt *s);

int exec_block(interp *I, stmt *s) {
  for (; s; s = s->next) {
    int st = exec_stmt(I, s);
    if (st != EX_OK) return st;
  }
  return EX_OK;
}

static int fail_at(interp *I, span sp) {
  if (!I->has_exc) ex_nomem(I);
  if (I->exc_sp.line == 0) I->exc_sp = sp;
  return EX_ERR;
}

static int exec_for(interp *I, stmt *s) {
  value *it = eval(I, s->for_.iter);
  if (!it) return EX_ERR;
  int st = EX_OK;
  bool broke = false;
  if (it->kind == V_RANGE) { /* no list: ranges may be long */
    int64_t a = it->range.start, b = it->range.stop, step = it->range.step;
    for (int64_t i = a; step > 0 ? i < b : i > b; i += step) {
      value *v = v_int(i);
      bool ok = v && assign(I, s->for_.target, v);
      v_decref(v);
      if (!ok) {
        st = fail_at(I, s->for_.target->sp);
        break;
      }
      st = exec_block(I, s->for_.body);
      if (st == EX_CONTINUE) st = EX_OK;
      if (st == EX_BREAK) {
        st = EX_OK;
        broke = true;
        break;
      }
      if (st != EX_OK) break;
      if ((step > 0 && i > INT64_MAX - step) || (step < 0 && i < INT64_MIN - step)) break;
    }
  } else {
    value *items = iter_to_list(I, it);
    if (!items) {
      v_decref(it);
      return fail_at(I, s->for_.iter->sp);
    }
    for (int i = 0; i < items->seq.n; i++) {
      if (!assign(I, s->for_.target, items->seq.items[i])) {
        st = fail_at(I, s->for_.target->sp);
        break;
      }
      st = exec_block(I, s->for_.body);
      if (st == EX_CONTINUE) st = EX_OK;
      if (st == EX_BREAK) {
        st = EX_OK;
        broke = true;
        break;
      }
      if (st != EX_OK) break;
    }
    v_decref(items);
  }
  v_decref(it);
  if (st == EX_OK && !broke && s->for_.orelse) st = exec_block(I, s->for_.orelse);
  return st;
}

static int exec_while(interp *I, stmt *s) {
  for (;;) {
    value *c = eval(I, s->if_.cond);
    int t = c ? truthy(I, c) : -1;
    v_decref(c);
    if (t < 0) return fail_at(I, s->if_.cond->sp);
    if (!t) break;
    int st = exec_block(I, s->if_.body);
    if (st == EX_BREAK) return EX_OK;
    if (st == EX_CONTINUE || st == EX_OK) continue;
    return st;
  }
  return s->if_.orelse ? exec_block(I, s->if_.orelse) : EX_OK;
}

/* 1: the handler matches the exception in flight, 0: no, -1: error. */
static int handler_matches(interp *I, handler *h, value *exc) {
  if (!h->type) return 1;
  /* evaluate the type with the exception parked */
  value *saved = I->exc;
  span saved_sp = I->exc_sp;
  I->exc = NULL;
  I->has_exc = false;
  value *t = eval(I, h->type);
  int r = -1;
  if (t) {
    r = 0;
    if (t->kind == V_EXCTYPE) r = exc_matches(exc->exc.type, t->exct);
    else if (t->kind == V_TUPLE) {
      for (int i = 0; i < t->seq.n; i++) {
        value *x = t->seq.items[i];
        if (x->kind != V_EXCTYPE) {
          r = -1;
          break;
        }
        if (exc_matches(exc->exc.type, x->exct)) r = 1;
      }
    } else {
      r = -1;
    }
    if (r < 0) ex_raise(I, X_TYPE, "catching classes that do not inherit from BaseException is not allowed");
  }
  v_decref(t);
  if (r >= 0) {
    I->exc = saved;
    I->has_exc = true;
    I->exc_sp = saved_sp;
  } else {
    v_decref(saved);
    if (I->exc_sp.line == 0) I->exc_sp = h->type->sp;
  }
  return r;
}

static int exec_try(interp *I, stmt *s) {
  int st = exec_block(I, s->try_.body);
  if (st == EX_ERR) {
    for (int i = 0; i < s->try_.nhandlers; i++) {
      handler *h = &s->try_.handlers[i];
      value *exc = I->exc;
      int m = handler_matches(I, h, exc);
      if (m < 0) break;
      if (!m) continue;
      /* caught: take the exception out of flight */
      I->exc = NULL;
      I->has_exc = false;
      I->exc_sp = (span){0};
      if (h->name && !bind_name(I, h->name, exc)) {
        v_decref(exc);
        break;
      }
      value *outer = I->handling;
      I->handling = exc;
      st = exec_block(I, h->body);
      I->handling = outer;
      v_decref(exc);
      if (h->name) {
        if (I->locals) env_del(&I->locals->vars, h->name);
        else env_del(&I->globals, h->name);
      }
      break;
    }
  } else if (st == EX_OK && s->try_.orelse) {
    st = exec_block(I, s->try_.orelse);
  }
  if (s->try_.finally) {
    /* park whatever is in flight, run the finally block, then restore it
       unless the finally block raised or returned itself */
    value *exc = I->exc, *ret = I->retval;
    span sp = I->exc_sp;
    bool had = I->has_exc;
    I->exc = NULL;
    I->has_exc = false;
    I->retval = NULL;
    int fst = exec_block(I, s->try_.finally);
    if (fst != EX_OK) {
      v_decref(exc);
      v_decref(ret);
      return fst;
    }
    I->exc = exc;
    I->has_exc = had;
    I->exc_sp = sp;
    I->retval = ret;
  }
  return st;
}

static int exec_import(interp *I, stmt *s) {
  for (int i = 0; i < s->import.n; i++) {
    const char *m = s->import.modules[i], *alias = s->import.aliases[i];
    value *mod = module_import(I, m);
    if (!mod) return fail_at(I, s->sp);
    bool ok;
    if (alias) {
      ok = bind_name(I, alias, mod);
    } else {
      /* `import torch.nn` binds `torch` (the top module's static name) */
      size_t k = strcspn(m, ".");
      value *top = m[k] ? NULL : v_incref(mod);
      if (!top) {
        char first[64];
        snprintf(first, sizeof first, "%.*s", (int)k, m);
        top = module_import(I, first);
      }
      ok = top && bind_name(I, top->mod->name, top);
      v_decref(top);
    }
    v_decref(mod);
    if (!ok) return fail_at(I, s->sp);
  }
  return EX_OK;
}

static int exec_from(interp *I, stmt *s) {
  value *mod = module_import(I, s->from.module);
  if (!mod) return fail_at(I, s->sp);
  for (int i = 0; i < s->from.n; i++) {
    const char *name = s->from.names[i];
    value *v = get_attr(I, mod, name);
    if (!v) {
      ex_clear(I);
      v_decref(mod);
      ex_raise(I, X_IMPORT, "cannot import name '%s' from '%s' (unknown location)", name, s->from.module);
      return fail_at(I, s->sp);
    }
    bool ok = bind_name(I, s->from.aliases[i] ? s->from.aliases[i] : name, v);
    v_decref(v);
    if (!ok) {
      v_decref(mod);
      return fail_at(I, s->sp);
    }
  }
  v_decref(mod);
  return EX_OK;
}

static int exec_aug(interp *I, stmt *s) {
  expr *t = s->aug.target;
  value *obj = NULL, *idx = NULL, *old = NULL;
  if (t->kind == E_NAME) {
    old = lookup_name(I, t->name);
  } else if (t->kind == E_ATTR) {
    obj = eval(I, t->attr.obj);
    old = obj ? get_attr(I, obj, t->attr.name) : NULL;
  } else {
    obj = eval(I, t->sub.obj);
    idx = obj ? eval(I, t->sub.index) : NULL;
    old = idx ? get_item(I, obj, idx) : NULL;
  }
  value *rhs = old ? eval(I, s->aug.value) : NULL;
  value *res = rhs ? inplace_op(I, s->aug.op, old, rhs) : NULL;
  bool ok = res != NULL;
  if (ok) {
    if (t->kind == E_NAME) ok = bind_name(I, t->name, res);
    else if (t->kind == E_ATTR) ok = set_attr(I, obj, t->attr.name, res);
    else ok = set_item(I, obj, idx, res); /* x[i] op= v: always written back, as
                                              Python does (x[mask] was a copy) */
  }
  v_decref(obj);
  v_decref(idx);
  v_decref(old);
  v_decref(rhs);
  v_decref(res);
  return ok ? EX_OK : fail_at(I, s->sp);
}

static int exec_stmt_inner(interp *I, stmt *s) {
  switch (s->kind) {
  case S_EXPR: {
    value *v = eval(I, s->e);
    if (!v) return EX_ERR;
    v_decref(v);
    return EX_OK;
  }
  case S_ASSIGN: {
    value *v = eval(I, s->assign.value);
    if (!v) return EX_ERR;
    bool ok = true;
    for (int i = 0; ok && i < s->assign.ntargets; i++) ok = assign(I, s->assign.targets[i], v);
    v_decref(v);
    return ok ? EX_OK : fail_at(I, s->sp);
  }
  case S_AUGASSIGN: return exec_aug(I, s);
  case S_IF: {
    value *c = eval(I, s->if_.cond);
    int t = c ? truthy(I, c) : -1;
    v_decref(c);
    if (t < 0) return fail_at(I, s->if_.cond->sp);
    if (t) return exec_block(I, s->if_.body);
    return s->if_.orelse ? exec_block(I, s->if_.orelse) : EX_OK;
  }
  case S_WHILE: return exec_while(I, s);
  case S_FOR: return exec_for(I, s);
  case S_BREAK: return EX_BREAK;
  case S_CONTINUE: return EX_CONTINUE;
  case S_PASS: case S_GLOBAL:
    if (s->kind == S_GLOBAL && I->locals) {
      scope *sc = I->locals;
      for (int i = 0; i < s->global.n; i++) {
        if (sc->nglobals == sc->capglobals) {
          int cap = sc->capglobals ? sc->capglobals * 2 : 4;
          const char **g = realloc(sc->globals, sizeof(char *) * (size_t)cap);
          if (!g) return fail_at(I, s->sp);
          sc->globals = g;
          sc->capglobals = cap;
        }
        sc->globals[sc->nglobals++] = s->global.names[i];
      }
    }
    return EX_OK;
  case S_ASSERT: {
    value *c = eval(I, s->assert_.test);
    int t = c ? truthy(I, c) : -1;
    v_decref(c);
    if (t < 0) return fail_at(I, s->assert_.test->sp);
    if (t) return EX_OK;
    value *msg = NULL, *e = v_exc(X_ASSERTION, NULL);
    if (!e) return fail_at(I, s->sp);
    if (s->assert_.msg) {
      msg = eval(I, s->assert_.msg);
      if (!msg) {
        v_decref(e);
        return EX_ERR;
      }
      value *args = v_seq_new(V_TUPLE, 1);
      if (!args) {
        v_decref(e);
        v_decref(msg);
        return fail_at(I, s->sp);
      }
      v_seq_set(args, 0, msg);
      v_decref(e->exc.args);
      e->exc.args = args;
    }
    ex_raise_value(I, e);
    return fail_at(I, s->sp);
  }
  case S_TRY: return exec_try(I, s);
  case S_IMPORT: return exec_import(I, s);
  case S_FROM_IMPORT: return exec_from(I, s);
  case S_RAISE: {
    if (!s->e) {
      if (!I->handling) ex_raise(I, X_RUNTIME, "No active exception to reraise");
      else ex_raise_value(I, v_incref(I->handling));
      return fail_at(I, s->sp);
    }
    value *v = eval(I, s->e);
    if (!v) return EX_ERR;
    if (v->kind == V_EXCTYPE) {
      value *e = v_exc(v->exct, NULL);
      v_decref(v);
      v = e;
      if (!v) return fail_at(I, s->sp);
    }
    if (v->kind != V_EXC) {
      v_decref(v);
      ex_raise(I, X_TYPE, "exceptions must derive from BaseException");
    } else {
      ex_raise_value(I, v);
    }
    return fail_at(I, s->sp);
  }
  case S_DEL:
    for (int i = 0; i < s->del.n; i++) {
      expr *t = s->del.targets[i];
      if (t->kind == E_NAME) {
        env *e = I->locals ? &I->locals->vars : &I->globals;
        if (!env_del(e, t->name)) {
          ex_raise(I, X_NAME, "name '%s' is not defined", t->name);
          return fail_at(I, t->sp);
        }
      } else if (t->kind == E_SUBSCRIPT) {
        value *obj = eval(I, t->sub.obj);
        value *idx = obj ? eval(I, t->sub.index) : NULL;
        bool ok = idx && set_item(I, obj, idx, NULL);
        v_decref(obj);
        v_decref(idx);
        if (!ok) return fail_at(I, t->sp);
      } else {
        ex_raise(I, X_TYPE, "tensorc can delete names and list items only");
        return fail_at(I, t->sp);
      }
    }
    return EX_OK;
  case S_DEF: {
    value *f = calloc(1, sizeof *f);
    if (!f) return fail_at(I, s->sp);
    f->refs = 1;
    f->kind = V_FUNC;
    f->func.name = s->def.name;
    f->func.p = &s->def.p;
    f->func.body = s->def.body;
    f->func.defaults = calloc((size_t)(s->def.p.n ? s->def.p.n : 1), sizeof(value *));
    if (!f->func.defaults) {
      free(f);
      return fail_at(I, s->sp);
    }
    for (int i = 0; i < s->def.p.n; i++)
      if (s->def.p.defaults[i] && !(f->func.defaults[i] = eval(I, s->def.p.defaults[i]))) {
        v_decref(f);
        return EX_ERR;
      }
    bool ok = bind_name(I, s->def.name, f);
    v_decref(f);
    return ok ? EX_OK : fail_at(I, s->sp);
  }
  case S_RETURN: {
    value *v = s->e ? eval(I, s->e) : v_none();
    if (!v) return EX_ERR;
    v_decref(I->retval);
    I->retval = v;
    return EX_RETURN;
  }
  }
  return EX_OK;
}

static int exec_stmt(interp *I, stmt *s) {
  I->cur_line = s->sp.line;
  if (I->max_steps && ++I->steps > I->max_steps) {
    ex_raise(I, X_RUNTIME, "tensorc: step limit reached");
    return fail_at(I, s->sp);
  }
  if (++I->depth > 2000) {
    I->depth--;
    ex_raise(I, X_RECURSION, "maximum recursion depth exceeded");
    return fail_at(I, s->sp);
  }
  int st = exec_stmt_inner(I, s);
  I->depth--;
  if (st == EX_ERR) fail_at(I, s->sp);
  /* a library error that no value reported must not leak into the next
     statement */
  if (st != EX_ERR && tc_last_status(I->ctx) != TC_OK) {
    ex_from_ctx(I);
    return fail_at(I, s->sp);
  }
  return st;
}

/* ---- life cycle -------------------------------------------------------------------- */

bool interp_init(interp *I, tc_ctx *ctx, const char *filename, const char *src, size_t n) {
  memset(I, 0, sizeof *I);
  I->ctx = ctx;
  I->filename = filename;
  I->src = src;
  I->srclen = n;
  I->default_dtype = TC_F32;
  return true;
}

void interp_free(interp *I) {
  ex_clear(I);
  v_decref(I->retval);
  I->retval = NULL;
  env_free(&I->globals);
  v_collect_cycles();
}

bool interp_run(interp *I, const program *p) {
  int st = exec_block(I, p->body);
  return st != EX_ERR;
}
