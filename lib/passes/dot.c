/*
 * dot.c — Graphviz source of a realization's graph: one cluster per kernel
 * (its root and the nodes inlined into it; a node recomputed by several
 * kernels appears in each), buffers as boxes outside every cluster, edges
 * from inputs to consumers. For `tensorc dot` and TC_DEBUG=dot.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "passes.h"

typedef struct out {
  char *s;
  size_t n, cap;
} out;

static void put(out *o, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char tmp[512];
  int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (k < 0) return;
  if ((size_t)k >= sizeof tmp) k = sizeof tmp - 1;
  if (o->n + (size_t)k + 1 > o->cap) {
    size_t cap = o->cap ? o->cap * 2 : 1024;
    while (cap < o->n + (size_t)k + 1) cap *= 2;
    char *s = realloc(o->s, cap);
    if (!s) return;
    o->s = s;
    o->cap = cap;
  }
  memcpy(o->s + o->n, tmp, (size_t)k + 1);
  o->n += (size_t)k;
}

static void label(out *o, ir_node *n) {
  put(o, "%s %s[", ir_op_name[n->op], ir_dtype_name(n->dt));
  for (int d = 0; d < n->ndim; d++) put(o, d ? ",%lld" : "%lld", (long long)n->shape[d]);
  put(o, "]");
}

/* Emits the nodes of kernel `k` (ids prefixed so recomputed nodes repeat). */
static void group(out *o, ir_node *n, ir_node *root, int k, ir_node ***seen, int *ns, int *cap) {
  for (int i = 0; i < *ns; i++)
    if ((*seen)[i] == n) return;
  if (*ns == *cap) {
    int c = *cap ? *cap * 2 : 64;
    ir_node **a = realloc(*seen, sizeof(ir_node *) * c);
    if (!a) return;
    *seen = a;
    *cap = c;
  }
  (*seen)[(*ns)++] = n;
  put(o, "    k%d_n%llu [label=\"", k, (unsigned long long)n->id);
  label(o, n);
  put(o, "\"%s];\n", n == root ? ", style=bold" : "");
  for (int i = 0; i < n->nin; i++) {
    ir_node *in = n->in[i];
    bool leaf = in->op == OP_BUFFER || ((in->mark & PM_MAT) && in != root);
    if (leaf) {
      put(o, "    n%llu -> k%d_n%llu;\n", (unsigned long long)in->id, k, (unsigned long long)n->id);
    } else {
      put(o, "    k%d_n%llu -> k%d_n%llu;\n", k, (unsigned long long)in->id, k,
          (unsigned long long)n->id);
      group(o, in, root, k, seen, ns, cap);
    }
  }
}

char *pass_dot(tc_ctx *ctx, pass_sched *s) {
  (void)ctx;
  out o = {0};
  put(&o, "digraph tensorc {\n  rankdir=BT;\n  node [shape=ellipse, fontname=\"monospace\", fontsize=10];\n");
  for (int i = 0; i < s->nall; i++) {
    ir_node *n = s->all[i];
    if (n->op != OP_BUFFER && !(n->mark & PM_MAT)) continue;
    put(&o, "  n%llu [shape=box, label=\"", (unsigned long long)n->id);
    if (n->op == OP_BUFFER) {
      label(&o, n);
    } else {
      int k = 0;
      while (k < s->n && s->nodes[k] != n) k++;
      put(&o, "output of kernel %d", k);
    }
    put(&o, "\"];\n");
  }
  ir_node **seen = NULL;
  int cap = 0;
  for (int k = 0; k < s->n; k++) {
    ir_node *root = s->nodes[k];
    int ns = 0;
    put(&o, "  subgraph cluster_%d {\n    label=\"kernel %d\";\n    style=rounded;\n", k, k);
    group(&o, root, root, k, &seen, &ns, &cap);
    put(&o, "  }\n  k%d_n%llu -> n%llu [style=dashed];\n", k, (unsigned long long)root->id,
        (unsigned long long)root->id);
  }
  free(seen);
  put(&o, "}\n");
  return o.s;
}
