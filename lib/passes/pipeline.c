/*
 * pipeline.c — the map of the compiler's graph half: the passes a
 * realization runs, in order (fuse: the boundaries it needs; plan: the
 * ones it chooses; epilogues: the matrix products their consumers compute;
 * order: the kernels' order), each followed by ir_verify
 * (debug builds) and a dump when TC_DEBUG asks. Broadcasting and type
 * promotion were already made explicit by the builders (lib/ir/build.c);
 * views fold into index expressions during lowering (lib/codegen/lower.c).
 * The whole realization — walk, schedule cache, these passes, lowering,
 * compile, run — is listed by rt_realize_nodes (lib/runtime/realize.c).
 */
#include <stdlib.h>
#include "passes.h"

static void dump(tc_ctx *ctx, const char *after, ir_node *const *t, int n) {
  if (!(ctx->debug & TC_DEBUG_IR)) return;
  char *text = ir_print(ctx, t, n);
  if (!text) return;
  ir_debug(ctx, "--- graph IR after %s ---\n", after);
  ir_debug_text(ctx, text);
  free(text);
}

bool pass_pipeline(tc_ctx *ctx, ir_node *const *targets, int n, pass_sched *s) {
  dump(ctx, "build", targets, n);
  if (!pass_fuse(ctx, targets, n, s)) return false;
#ifndef NDEBUG
  if (!ir_verify(ctx, s)) return false;
#endif
  dump(ctx, "fuse", targets, n);
  if (!pass_plan(ctx, targets, n, s)) return false;
  dump(ctx, "plan", targets, n);
  if (!pass_epilogues(ctx, s)) return false;
  return pass_order(ctx, targets, n, s);
}
