/*
 * embed.c — CPython inside the CLI: the interpreter that runs scripts.
 *
 * The tensorc extension (python/, linked into this program) is registered
 * as a built-in module before CPython starts, and install_as_torch() makes
 * a script's `import torch` give tensorc.torch. Everything else is CPython
 * as `python3 FILE` has it: its configuration from the environment
 * (PYTHONPATH...), its standard library and site-packages (so a script's
 * `import numpy` is the real NumPy), sys.argv, sys.path[0] the script's
 * folder, __main__ with __file__ the absolute path, CPython's tracebacks
 * and syntax errors, SystemExit's code.
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

/* ---- loading ----------------------------------------------------------------------- */

static char *read_all(FILE *f, size_t *n) {
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap + 1);
  while (buf) {
    size_t k = fread(buf + len, 1, cap - len, f);
    len += k;
    if (len < cap) break;
    if (cap > ((size_t)1 << 30)) {
      free(buf);
      return NULL;
    }
    char *nb = realloc(buf, cap * 2 + 1);
    if (!nb) {
      free(buf);
      return NULL;
    }
    buf = nb;
    cap *= 2;
  }
  if (buf) buf[len] = 0;
  *n = len;
  return buf;
}

int script_load(const char *path, script *s) {
  memset(s, 0, sizeof *s);
  bool in = !strcmp(path, "-");
  s->path = in ? "<stdin>" : path;
  FILE *f = in ? stdin : fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "tensorc: can't open file '%s': [Errno %d] %s\n", path, errno, strerror(errno));
    return EXIT_USAGE;
  }
  s->src = read_all(f, &s->n);
  if (!in) fclose(f);
  if (!s->src) {
    fprintf(stderr, "tensorc: can't read file '%s'\n", path);
    return EXIT_USAGE;
  }
  if (strlen(s->src) != s->n) {
    fprintf(stderr, "tensorc: file '%s' contains a NUL byte\n", path);
    return EXIT_USAGE;
  }
  /* CPython (3.9+) runs `python3 FILE` with __file__ absolute */
  if (in || path[0] == '/') {
    s->abspath = strdup(s->path);
  } else {
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd)) {
      const char *p = path;
      while (!strncmp(p, "./", 2)) p += 2;
      size_t n = strlen(cwd) + strlen(p) + 2;
      s->abspath = malloc(n);
      if (s->abspath) snprintf(s->abspath, n, "%s/%s", cwd, p);
    } else {
      s->abspath = strdup(path);
    }
  }
  if (!s->abspath) {
    fprintf(stderr, "tensorc: out of memory\n");
    return EXIT_USAGE;
  }
  return EXIT_OK;
}

void script_free(script *s) {
  free(s->src);
  free(s->abspath);
  s->src = s->abspath = NULL;
}

/* ---- the interpreter ----------------------------------------------------------------- */

/* Run once before the script, in a private namespace: `import torch` is
 * tensorc.torch, and sys.path[0] is the script's folder as python3 puts it
 * (the folder of the file a symlink points to; '' for stdin), unless
 * PYTHONSAFEPATH says not to. */
static const char *prelude =
    "import os, sys, tensorc\n"
    "tensorc.install_as_torch()\n"
    "if not sys.flags.safe_path:\n"
    "    sys.path.insert(0, '' if _file == '<stdin>' else os.path.dirname(os.path.realpath(_file)))\n";

int py_start(const script *s, int argc, char **argv, const tc_ctx_options *opts) {
  tcpy_set_context_options(opts);
  if (PyImport_AppendInittab("tensorc", PyInit_tensorc) < 0) {
    fprintf(stderr, "tensorc: cannot register the tensorc module with CPython\n");
    return EXIT_SCRIPT;
  }
  PyConfig c;
  PyConfig_InitPythonConfig(&c);
  c.parse_argv = 0;
  PyStatus st = PyConfig_SetBytesArgv(&c, argc, argv);
  if (!PyStatus_Exception(st)) st = Py_InitializeFromConfig(&c);
  PyConfig_Clear(&c);
  if (PyStatus_Exception(st)) {
    if (PyStatus_IsExit(st)) return st.exitcode;
    fprintf(stderr, "tensorc: cannot start Python %s: %s%s%s\n", PY_VERSION, st.func ? st.func : "",
            st.func ? ": " : "", st.err_msg ? st.err_msg : "");
    return EXIT_SCRIPT;
  }
  g_file = PyUnicode_DecodeFSDefault(s->abspath);
  PyObject *ns = PyDict_New();
  PyObject *r = NULL;
  if (g_file && ns && PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins()) == 0 &&
      PyDict_SetItemString(ns, "_file", g_file) == 0)
    r = PyRun_String(prelude, Py_file_input, ns, ns);
  Py_XDECREF(ns);
  if (!r) {
    fprintf(stderr, "tensorc: cannot set up Python for the script:\n");
    PyErr_Print();
    return EXIT_SCRIPT;
  }
  Py_DECREF(r);
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
      PyObject_Print(code, stderr, Py_PRINT_RAW);
      fputc('\n', stderr);
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
  PyObject *code = Py_CompileStringObject(s->src, g_file, Py_file_input, NULL, -1);
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

int py_script_line(const script *s) {
  (void)s;
  PyGILState_STATE g = PyGILState_Ensure();
  PyObject *type, *value, *tb;
  PyErr_Fetch(&type, &value, &tb);
  int line = 0;
  PyFrameObject *f = PyEval_GetFrame();
  Py_XINCREF(f);
  while (f && g_file) {
    PyCodeObject *co = PyFrame_GetCode(f);
    PyObject *fn = PyObject_GetAttrString((PyObject *)co, "co_filename");
    bool mine = fn && PyUnicode_Check(fn) && PyUnicode_Compare(fn, g_file) == 0;
    Py_XDECREF(fn);
    Py_DECREF(co);
    if (mine) {
      line = PyFrame_GetLineNumber(f);
      Py_DECREF(f);
      break;
    }
    PyFrameObject *back = PyFrame_GetBack(f);
    Py_DECREF(f);
    f = back;
  }
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
