/* ops.h — the op enum and its columns, generated from ops.def. */
#ifndef TC_IR_OPS_H
#define TC_IR_OPS_H
enum {
#define X(e, n, ar, kind) OP_##e,
#include "ops.def"
#undef X
  OP_COUNT
};
#endif
