/*
 * scope.c — who owns a handle: reference counts, scopes, and the last step
 * of every entry point that returns a handle (eager realization, then the
 * record in the innermost scope).
 *
 * A scope is an array of the handles returned while it was the innermost
 * open one; the one reference such a handle is returned with is the
 * scope's. lib/ir's builders return handles that no scope knows; the entry
 * point records its result (api_record), so a composite op's temporaries
 * never reach a scope. Each recorded handle knows its scope and slot
 * (tc_tensor.scope, .scope_slot), so that:
 *   - tc_keep moves it to the enclosing scope (or out, to the caller);
 *   - tc_tensor_release of it inside the scope gives the scope's reference
 *     back early: the slot is emptied and tc_scope_end does not release it
 *     a second time;
 *   - tc_scope_end releases what is left in the scope.
 * tc_tensor_retain adds a reference that belongs to the caller wherever it
 * is taken; no scope ever releases it.
 */
#include <string.h>
#include "api.h"

/* Room for one more handle in scope s. */
static bool scope_grow(tc_ctx *ctx, api_scope *s) {
  if (s->n < s->cap) return true;
  int cap = s->cap ? s->cap * 2 : 32;
  tc_tensor **items = ir_alloc(ctx, sizeof(tc_tensor *) * cap);
  if (!items) return false;
  if (s->items) memcpy(items, s->items, sizeof(tc_tensor *) * s->n);
  ir_free(ctx, s->items);
  s->items = items;
  s->cap = cap;
  return true;
}

/* t is the caller's beyond a scope's temporary use: its storage's value
 * will likely be read again (the plan may store it as a side output). */
static void caller_holds(tc_tensor *t) { t->st->version->user = true; }

tc_tensor *api_record(tc_tensor *t) {
  if (!t) return NULL;
  tc_ctx *ctx = t->ctx;
  /* a view of a base nothing else holds (a composite builder's temporary,
   * argmin's keepdim reshape) is a new tensor to the caller, as PyTorch's */
  if (t->base && t->base->refs == 1) ir_tensor_drop_base(t);
  if (ctx->nscopes == 0) {
    caller_holds(t);
    return t;
  }
  api_scope *s = &ctx->scopes[ctx->nscopes - 1];
  if (!scope_grow(ctx, s)) {
    ir_tensor_release(t);
    return ir_error(ctx, TC_ERR_OOM, "out of memory recording a scope");
  }
  t->scope = ctx->nscopes;
  t->scope_slot = s->n;
  s->items[s->n++] = t; /* the handle's one reference is the scope's */
  return t;
}

tc_tensor *api_eager(tc_tensor *t) {
  if (!t) return NULL;
  /* eager mode, or the op read memory shared with the host: that memory
     may change under a lazy read, so the op reads it now */
  bool now = t->ctx->eager || t->ctx->read_shared;
  t->ctx->read_shared = false;
  if (now) {
    ir_node *v = t->st->version;
    if (rt_realize_nodes(t->ctx, &v, 1) != TC_OK) {
      ir_tensor_release(t);
      return NULL;
    }
  }
  return api_record(t);
}

tc_status api_eager_write(tc_tensor *dst, tc_status st) {
  if (st != TC_OK) return st;
  if (dst->st->home) return api_shared_write(dst);
  dst->ctx->read_shared = false;
  if (!dst->ctx->eager) return st;
  ir_node *v = dst->st->version;
  tc_status r = rt_realize_nodes(dst->ctx, &v, 1);
  if (r != TC_OK) api_undo_writes(dst->ctx, dst->st);
  return r;
}

bool api_same_ctx(const char *fn, tc_tensor *const *ts, int n) {
  for (int i = 1; i < n; i++)
    if (ts[i] && ts[i]->ctx != ts[0]->ctx) {
      ir_error(ts[0]->ctx, TC_ERR_ARG, "%s: expected all tensors to belong to the same context", fn);
      return false;
    }
  return true;
}

/* ---- handles ----------------------------------------------------------- */

tc_tensor *tc_tensor_retain(tc_tensor *t) {
  if (t) {
    t->refs++;
    caller_holds(t);
  }
  return t;
}

/* Empties the slot of the open scope holding t's reference, if any. */
static void unrecord(tc_tensor *t) {
  tc_ctx *ctx = t->ctx;
  if (t->scope > 0 && t->scope <= ctx->nscopes) {
    api_scope *s = &ctx->scopes[t->scope - 1];
    if (t->scope_slot < s->n && s->items[t->scope_slot] == t) s->items[t->scope_slot] = NULL;
  }
  t->scope = 0;
}

void tc_tensor_release(tc_tensor *t) {
  if (!t) return;
  unrecord(t); /* a release inside the scope gives the scope's reference back */
  ir_tensor_release(t);
}

/* ---- scopes ------------------------------------------------------------ */

void tc_scope_begin(tc_ctx *ctx) {
  if (!ctx) return;
  if (ctx->nscopes == ctx->scopes_cap) {
    int cap = ctx->scopes_cap ? ctx->scopes_cap * 2 : 8;
    api_scope *s = ir_alloc(ctx, sizeof(api_scope) * cap);
    if (!s) {
      ir_error(ctx, TC_ERR_OOM, "tc_scope_begin: out of memory");
      return;
    }
    if (ctx->scopes) memcpy(s, ctx->scopes, sizeof(api_scope) * ctx->nscopes);
    ir_free(ctx, ctx->scopes);
    ctx->scopes = s;
    ctx->scopes_cap = cap;
  }
  ctx->scopes[ctx->nscopes++] = (api_scope){0};
}

tc_tensor *tc_keep(tc_tensor *t) {
  if (!t) return NULL;
  tc_ctx *ctx = t->ctx;
  caller_holds(t);
  /* only a handle of the innermost scope moves; any other stays where it is */
  if (ctx->nscopes == 0 || t->scope != ctx->nscopes) return t;
  /* a view of a temporary of the same scope (a composite op's result made
   * by a view of its own work) is a new tensor to the caller: no base */
  if (t->base && t->base->scope == ctx->nscopes) ir_tensor_drop_base(t);
  if (ctx->nscopes >= 2) {
    api_scope *outer = &ctx->scopes[ctx->nscopes - 2];
    if (!scope_grow(ctx, outer)) return ir_error(ctx, TC_ERR_OOM, "tc_keep: out of memory");
    unrecord(t);
    t->scope = ctx->nscopes - 1;
    t->scope_slot = outer->n;
    outer->items[outer->n++] = t;
  } else {
    unrecord(t); /* the caller's now */
  }
  return t;
}

void tc_scope_end(tc_ctx *ctx) {
  if (!ctx || ctx->nscopes == 0) return;
  api_scope *s = &ctx->scopes[ctx->nscopes - 1];
  for (int i = 0; i < s->n; i++)
    if (s->items[i]) {
      s->items[i]->scope = 0;
      ir_tensor_release(s->items[i]);
    }
  ir_free(ctx, s->items);
  ctx->nscopes--;
}

void api_scopes_free(tc_ctx *ctx) {
  while (ctx->nscopes) tc_scope_end(ctx);
  ir_free(ctx, ctx->scopes);
  ctx->scopes = NULL;
  ctx->scopes_cap = 0;
}
