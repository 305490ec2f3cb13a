/*
 * embed.c — CPython inside the CLI's runner (libtensorc_run.so): the
 * interpreter that runs scripts, and `run`.
 *
 * load.c has loaded a CPython's shared library; this file uses only the
 * stable ABI (Py_LIMITED_API 3.9), so it runs on whichever one that is.
 * The tensorc extension (python/, linked into the runner) is registered as
 * a built-in module before CPython starts, and install_as_torch() makes a
 * script's `import torch` give tensorc.torch. Everything else is CPython as
 * `python3 FILE` has it: its configuration from the environment
 * (PYTHONPATH...), the standard library and site-packages of the python3
 * executable load.c found (so a script's `import numpy` is the real NumPy),
 * sys.argv, sys.path[0] the script's folder, __main__ with __file__ the
 * absolute path, CPython's tracebacks and syntax errors, SystemExit's code.
 *
 * The script is compiled and run here rather than by Py_RunMain so that a
 * process can run it more than once (bench), read the library's counters
 * around a run, and keep control after a SystemExit (dump commands print
 * their output after the script). The library calls the debug sink from
 * inside the extension's calls, which hold the GIL, so the sink may ask
 * CPython for the running line (py_script_line).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "tensorc_python.h"

PyMODINIT_FUNC PyInit_tensorc(void);

static PyObject *g_file; /* the script's filename as CPython shows it (str) */

/* ---- the interpreter ----------------------------------------------------------------- */

/* Run once before the script, in a private namespace: `import torch` is
 * tensorc.torch, sys.argv the script's, and sys.path[0] the script's folder
 * as python3 puts it (the folder of the file a symlink points to; '' for
 * stdin), unless PYTHONSAFEPATH says not to. */
static const char *prelude =
    "import os, sys, tensorc\n"
    "tensorc.install_as_torch()\n"
    "sys.argv[:] = _argv\n"
    "if not getattr(sys.flags, 'safe_path', False):\n"
    "    sys.path.insert(0, '' if _file == '<stdin>' else os.path.dirname(os.path.realpath(_file)))\n";

int py_start(const tcli_request *r, const tc_ctx_options *opts) {
  tcpy_set_context_options(opts);
  if (PyImport_AppendInittab("tensorc", PyInit_tensorc) < 0) {
    fprintf(stderr, "tensorc: cannot register the tensorc module with CPython\n");
    return EXIT_SCRIPT;
  }
  /* CPython finds its prefix (stdlib, site-packages) from the executable's
     path; Py_SetProgramName is the stable ABI's way to give it */
  static wchar_t *program;
  if (r->python && (program = Py_DecodeLocale(r->python, NULL))) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    Py_SetProgramName(program);
#pragma GCC diagnostic pop
  }
  Py_InitializeEx(1);
  const script *s = r->s;
  g_file = PyUnicode_DecodeFSDefault(s->abspath);
  PyObject *ns = PyDict_New(), *argv = PyList_New(0), *code = NULL, *res = NULL;
  for (int i = 0; argv && i < r->argc; i++) {
    PyObject *a = PyUnicode_DecodeFSDefault(r->argv[i]);
    if (!a || PyList_Append(argv, a) < 0) Py_CLEAR(argv);
    Py_XDECREF(a);
  }
  if (g_file && ns && argv && PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins()) == 0 &&
      PyDict_SetItemString(ns, "_file", g_file) == 0 && PyDict_SetItemString(ns, "_argv", argv) == 0 &&
      (code = Py_CompileString(prelude, "<tensorc>", Py_file_input)))
    res = PyEval_EvalCode(code, ns, ns);
  Py_XDECREF(code);
  Py_XDECREF(ns);
  Py_XDECREF(argv);
  if (!res) {
    fprintf(stderr, "tensorc: cannot set up Python for the script:\n");
    PyErr_Print();
    return EXIT_SCRIPT;
  }
  Py_DECREF(res);
  return EXIT_OK;
}

int py_finish(int rc) {
  if (Py_FinalizeEx() < 0 && rc == EXIT_OK) rc = 120;
  return rc;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The exit code of the SystemExit being raised, as python3 computes it:
 * None 0, an int itself, anything else printed to sys.stderr and 1. */
static int system_exit_code(void) {
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  PyErr_NormalizeException(&type, &value, &tb);
  int rc = EXIT_SCRIPT;
  PyObject *code = value ? PyObject_GetAttrString(value, "code") : NULL;
  if (!code) {
    PyErr_Clear();
  } else if (code == Py_None) {
    rc = EXIT_OK;
  } else if (PyLong_Check(code)) {
    rc = (int)PyLong_AsLong(code);
    if (PyErr_Occurred()) {
      PyErr_Clear();
      rc = -1;
    }
  } else {
    PyObject *err = PySys_GetObject("stderr");
    if (err && err != Py_None && PyFile_WriteObject(code, err, Py_PRINT_RAW) == 0) {
      PyFile_WriteString("\n", err);
    } else {
      PyErr_Clear();
      PyObject *str = PyObject_Str(code), *b = str ? PyUnicode_AsUTF8String(str) : NULL;
      if (b) fprintf(stderr, "%s\n", PyBytes_AsString(b));
      Py_XDECREF(b);
      Py_XDECREF(str);
    }
    PyErr_Clear();
  }
  Py_XDECREF(code);
  Py_XDECREF(type);
  Py_XDECREF(value);
  Py_XDECREF(tb);
  return rc;
}

/* sys.stdout to os.devnull; returns the stream it replaced (NULL: failed). */
static PyObject *stdout_to_devnull(PyObject **devnull) {
  PyObject *io = PyImport_ImportModule("io");
  *devnull = io ? PyObject_CallMethod(io, "open", "ss", "/dev/null", "w") : NULL;
  Py_XDECREF(io);
  PyObject *old = PySys_GetObject("stdout");
  if (!*devnull || !old) return NULL;
  Py_INCREF(old);
  if (PySys_SetObject("stdout", *devnull) < 0) {
    Py_DECREF(old);
    return NULL;
  }
  return old;
}

int py_run(const script *s, bool quiet, tc_stats *stats, double *seconds) {
  PyObject *main = PyModule_New("__main__"), *d = main ? PyModule_GetDict(main) : NULL;
  bool stdin_ = !strcmp(s->abspath, "<stdin>");
  if (!d || PyDict_SetItemString(d, "__builtins__", PyEval_GetBuiltins()) < 0 ||
      (!stdin_ && PyDict_SetItemString(d, "__file__", g_file) < 0) ||
      (!stdin_ && PyDict_SetItemString(d, "__cached__", Py_None) < 0) ||
      PyDict_SetItemString(PyImport_GetModuleDict(), "__main__", main) < 0) {
    Py_XDECREF(main);
    PyErr_Print();
    return EXIT_SCRIPT;
  }
  PyObject *devnull = NULL, *saved = NULL;
  if (quiet && !(saved = stdout_to_devnull(&devnull))) {
    Py_XDECREF(devnull);
    Py_DECREF(main);
    PyErr_Print();
    return EXIT_SCRIPT;
  }
  tc_ctx *ctx = tcpy_thread_context();
  if (!ctx) PyErr_Clear();
  if (ctx) tc_reset_stats(ctx);
  int rc = EXIT_OK;
  double t0 = now();
  PyObject *code = Py_CompileString(s->src, s->abspath, Py_file_input);
  PyObject *res = code ? PyEval_EvalCode(code, d, d) : NULL;
  double t1 = now();
  Py_XDECREF(code);
  if (res) {
    Py_DECREF(res);
  } else if (PyErr_ExceptionMatches(PyExc_SystemExit)) {
    rc = system_exit_code();
  } else {
    bool interrupted = PyErr_ExceptionMatches(PyExc_KeyboardInterrupt);
    PyErr_Print(); /* CPython's traceback, through sys.excepthook */
    rc = interrupted ? 128 + SIGINT : EXIT_SCRIPT;
  }
  if (saved) {
    PySys_SetObject("stdout", saved);
    Py_DECREF(saved);
    PyObject *r = PyObject_CallMethod(devnull, "close", NULL);
    if (!r) PyErr_Clear();
    Py_XDECREF(r);
    Py_DECREF(devnull);
  }
  if (stats) *stats = ctx ? tc_get_stats(ctx) : (tc_stats){0};
  if (seconds) *seconds = t1 - t0;
  Py_DECREF(main);
  return rc;
}

void py_forget_main(void) {
  PyObject *main = PyDict_GetItemString(PyImport_GetModuleDict(), "__main__");
  if (main && PyModule_Check(main)) PyDict_Clear(PyModule_GetDict(main));
  PyObject *gc = PyImport_ImportModule("gc");
  PyObject *r = gc ? PyObject_CallMethod(gc, "collect", NULL) : NULL;
  if (!r) PyErr_Clear();
  Py_XDECREF(r);
  Py_XDECREF(gc);
}

int py_script_line(void) {
  PyGILState_STATE g = PyGILState_Ensure();
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  int line = 0;
  PyObject *f = (PyObject *)PyEval_GetFrame();
  Py_XINCREF(f);
  while (f && f != Py_None && g_file) {
    PyObject *co = PyObject_GetAttrString(f, "f_code");
    PyObject *fn = co ? PyObject_GetAttrString(co, "co_filename") : NULL;
    bool mine = fn && PyUnicode_Check(fn) && PyUnicode_Compare(fn, g_file) == 0;
    Py_XDECREF(fn);
    Py_XDECREF(co);
    if (mine) {
      line = PyFrame_GetLineNumber((PyFrameObject *)f);
      break;
    }
    PyObject *back = PyObject_GetAttrString(f, "f_back");
    Py_DECREF(f);
    f = back;
  }
  Py_XDECREF(f);
  PyErr_Clear();
  PyErr_Restore(type, value, tb);
  PyGILState_Release(g);
  return line;
}

void py_flush_stdout(void) {
  PyGILState_STATE g = PyGILState_Ensure();
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  PyObject *out = PySys_GetObject("stdout");
  PyObject *r = out && out != Py_None ? PyObject_CallMethod(out, "flush", NULL) : NULL;
  Py_XDECREF(r);
  PyErr_Clear();
  PyErr_Restore(type, value, tb);
  PyGILState_Release(g);
}

tc_ctx *py_context(void) {
  tc_ctx *c = tcpy_thread_context();
  if (!c) PyErr_Clear();
  return c;
}

/* ---- the runner's entry ------------------------------------------------------------- */

static int cmd_run(const tcli_request *r) {
  tc_ctx_options o = {0};
  o.eager = r->eager;
  int rc = py_start(r, &o);
  if (rc != EXIT_OK) return rc;
  rc = py_run(r->s, false, NULL, NULL);
  return py_finish(rc);
}

__attribute__((visibility("default"))) int tcli_main(const tcli_request *r) {
  if (r->version != TCLI_REQUEST_VERSION) {
    fprintf(stderr, "tensorc: libtensorc_run.so is from another build of tensorc\n");
    return EXIT_USAGE;
  }
  switch (r->cmd) {
  case TCLI_RUN: return cmd_run(r);
  case TCLI_DUMP: return cmd_dump(r);
  case TCLI_BENCH: return cmd_bench(r);
  }
  return EXIT_USAGE;
}
