/*
 * limits.h — what one kernel may hold, on every backend. The plan
 * (lib/passes/plan.c) splits a group that would need more, so no program
 * meets these limits; kernel IR (lib/codegen/kernel.h) sizes its arrays by
 * them.
 */
#ifndef TC_IR_LIMITS_H
#define TC_IR_LIMITS_H

#define KC_LANES 8        /* lanes of the fixed reduction tree */
#define KC_MAX_BUFS 32    /* buffers a kernel reads and writes */
#define KC_MAX_STAGES 24  /* reduce and store stages of a kernel */
#define KC_MAX_SIDE 4     /* side outputs of a kernel (held nodes it stores
                             as it computes them) */
#define KC_MAX_PARAMS 64  /* scalar arguments (CUDA passes them by value) */

#endif
