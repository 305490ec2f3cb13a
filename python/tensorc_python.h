/*
 * tensorc_python.h — for programs that embed CPython and link the tensorc
 * extension's code into themselves (the `tensorc` CLI's `run`):
 *
 *   PyImport_AppendInittab("tensorc", PyInit_tensorc);   before Py_Initialize
 *   tcpy_set_context_options(&opts);                      debug flags, a sink
 *   Py_Initialize();
 *   PyRun_SimpleString("import tensorc; tensorc.install_as_torch()");
 *   ... run the script: its `import torch` is tensorc.torch ...
 *   tc_ctx *ctx = tcpy_thread_context();                 stats, dumps
 *
 * Both calls need the GIL (tcpy_set_context_options may also be called
 * before Py_Initialize). The module makes one context per Python thread,
 * with these options, the first time the thread uses tensorc.
 */
#ifndef TENSORC_PYTHON_H
#define TENSORC_PYTHON_H
#include "tensorc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Options for the contexts the module makes from now on (copied; NULL
 * resets them). A debug sink set here receives every dump of every thread's
 * context. */
void tcpy_set_context_options(const tc_ctx_options *opts);
/* The calling thread's context, made now if it has none (NULL with a
 * Python exception set on failure). Owned by the module. */
tc_ctx *tcpy_thread_context(void);

#ifdef __cplusplus
}
#endif
#endif
