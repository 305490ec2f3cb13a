/*
 * load.c — finding a CPython for the script, and the runner.
 *
 * A script runs on CPython 3.9 or later that has its shared library
 * (libpython3.X.so). The first of these that works is used:
 *   1. $TENSORC_PYTHON, a python3 executable (the user's choice: no other
 *      is tried when it does not work);
 *   2. the active virtual environment's python3 ($VIRTUAL_ENV/bin/python3);
 *   3. the Python tensorc was built with, when its library is still there
 *      (no process to start: the common case costs nothing);
 *   4. python3 on PATH (a moved build, a GPU machine).
 * A python3 executable is asked for its sys.executable, version and shared
 * library (a child process running sysconfig). The library is loaded
 * RTLD_GLOBAL, as the `python3` program has it, so the runner and every
 * extension module a script imports (NumPy) resolve CPython's symbols in
 * it; CPython is told the executable's path (Py_SetProgramName), from
 * which it finds that Python's standard library and site-packages.
 *
 * The runner, libtensorc_run.so, lies beside the executable (or in
 * ../lib); it uses only CPython's stable ABI, so it works with any of them.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

#ifndef TC_BUILD_PYTHON
#define TC_BUILD_PYTHON ""
#endif
#ifndef TC_BUILD_LIBPYTHON
#define TC_BUILD_LIBPYTHON ""
#endif
#ifndef TC_BUILD_PYTHON_VERSION
#define TC_BUILD_PYTHON_VERSION ""
#endif

typedef struct python {
  char exe[PATH_MAX];  /* sys.executable */
  char lib[PATH_MAX];  /* its shared library (a path, or a name for dlopen's search) */
  char version[32];    /* "3.11" */
} python;

/* What was tried, for the message when nothing works. */
static char tried[4096];

static void note(const char *fmt, const char *a, const char *b, const char *c) {
  size_t n = strlen(tried);
  if (n + 16 >= sizeof tried) return;
  snprintf(tried + n, sizeof tried - n, "  - ");
  n = strlen(tried);
  snprintf(tried + n, sizeof tried - n, fmt, a, b, c);
  n = strlen(tried);
  snprintf(tried + n, sizeof tried - n, "\n");
}

static const char *ask_code =
    "import os, sys, sysconfig\n"
    "v = sysconfig.get_config_var\n"
    "print(sys.executable)\n"
    "print('%d.%d' % sys.version_info[:2])\n"
    "names = [n for n in (v('INSTSONAME'), v('LDLIBRARY')) if n and '.so' in n]\n"
    "paths = [os.path.join(v('LIBDIR') or '', n) for n in names]\n"
    "print(next((p for p in paths if os.path.exists(p)), names[0] if names else ''))\n";

/* Runs `exe -S -c ask_code`; fills *p from its three lines. */
static bool ask(const char *exe, python *p) {
  int fd[2];
  if (pipe(fd) < 0) return false;
  pid_t pid = fork();
  if (pid < 0) {
    close(fd[0]);
    close(fd[1]);
    return false;
  }
  if (pid == 0) {
    dup2(fd[1], 1);
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) dup2(null, 2);
    close(fd[0]);
    close(fd[1]);
    execlp(exe, exe, "-S", "-c", ask_code, (char *)NULL);
    _exit(127);
  }
  close(fd[1]);
  char out[3 * PATH_MAX + 64];
  size_t n = 0;
  ssize_t k;
  while (n + 1 < sizeof out && (k = read(fd[0], out + n, sizeof out - 1 - n)) > 0) n += (size_t)k;
  out[n] = 0;
  close(fd[0]);
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  char *exe_line = strtok(out, "\n"), *ver = strtok(NULL, "\n"), *lib = strtok(NULL, "\n");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !exe_line || !ver) {
    note("%s: not found, or not a working Python%s%s", exe, "", "");
    return false;
  }
  snprintf(p->exe, sizeof p->exe, "%s", exe_line);
  snprintf(p->version, sizeof p->version, "%s", ver);
  snprintf(p->lib, sizeof p->lib, "%s", lib ? lib : "");
  return true;
}

static bool version_ok(const char *v) {
  int major = 0, minor = 0;
  return sscanf(v, "%d.%d", &major, &minor) == 2 && (major > 3 || (major == 3 && minor >= 9));
}

/* Loads p's library, RTLD_GLOBAL. */
static bool load(const char *what, const python *p) {
  if (!version_ok(p->version)) {
    note("%s (%s): Python %s is too old (3.9 or later is needed)", what, p->exe, p->version);
    return false;
  }
  if (!p->lib[0]) {
    note("%s (%s): has no shared library (Python built without --enable-shared)%s", what, p->exe, "");
    return false;
  }
  if (dlopen(p->lib, RTLD_NOW | RTLD_GLOBAL)) return true;
  char why[PATH_MAX + 600];
  snprintf(why, sizeof why, "cannot load %s (%s)", p->lib, dlerror());
  note("%s (%s): %s", what, p->exe, why);
  return false;
}

static bool find_python(python *p) {
  const char *env = getenv("TENSORC_PYTHON");
  if (env && *env) return ask(env, p) && load("$TENSORC_PYTHON", p);
  const char *venv = getenv("VIRTUAL_ENV");
  if (venv && *venv) {
    char exe[PATH_MAX];
    snprintf(exe, sizeof exe, "%s/bin/python3", venv);
    if (access(exe, X_OK) == 0 && ask(exe, p) && load("$VIRTUAL_ENV's python3", p)) return true;
  }
  if (TC_BUILD_LIBPYTHON[0] && access(TC_BUILD_LIBPYTHON, R_OK) == 0 && access(TC_BUILD_PYTHON, X_OK) == 0) {
    snprintf(p->exe, sizeof p->exe, "%s", TC_BUILD_PYTHON);
    snprintf(p->lib, sizeof p->lib, "%s", TC_BUILD_LIBPYTHON);
    snprintf(p->version, sizeof p->version, "%s", TC_BUILD_PYTHON_VERSION);
    if (load("the Python tensorc was built with", p)) return true;
  } else if (TC_BUILD_LIBPYTHON[0]) {
    note("the Python tensorc was built with (%s): %s is not there%s", TC_BUILD_PYTHON, TC_BUILD_LIBPYTHON, "");
  }
  return ask("python3", p) && load("python3 on PATH", p);
}

/* The runner: beside the executable, where the install put it
 * (TC_RUNNER_DIR, relative to bin/), or in ../lib or ../lib/tensorc. */
static void *open_runner(char *why, size_t n) {
  char exe[PATH_MAX];
  ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (k <= 0) {
    snprintf(why, n, "cannot find the tensorc executable's folder (/proc/self/exe)");
    return NULL;
  }
  exe[k] = 0;
  char *slash = strrchr(exe, '/');
  if (slash) *slash = 0;
#ifndef TC_RUNNER_DIR
#define TC_RUNNER_DIR "../lib/tensorc"
#endif
  static const char *const where[] = {"%s/libtensorc_run.so", "%s/" TC_RUNNER_DIR "/libtensorc_run.so",
                                      "%s/../lib/libtensorc_run.so", "%s/../lib/tensorc/libtensorc_run.so"};
  why[0] = 0;
  for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, where[i], exe);
    if (access(path, R_OK) != 0) continue;
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (h) return h;
    snprintf(why, n, "cannot load %s: %s", path, dlerror());
    return NULL;
  }
  snprintf(why, n, "libtensorc_run.so is not beside %s/tensorc (nor in " TC_RUNNER_DIR ", ../lib)", exe);
  return NULL;
}

int load_and_run(tcli_request *r) {
  python p;
  tried[0] = 0;
  if (!find_python(&p)) {
    fprintf(stderr,
            "tensorc: running a script needs CPython 3.9 or later with its shared library\n"
            "(libpython3.X.so), and none could be used:\n%s"
            "Install one (Debian: apt-get install python3 libpython3-dev; pyenv: build with\n"
            "PYTHON_CONFIGURE_OPTS=--enable-shared), or set TENSORC_PYTHON to such a python3.\n",
            tried);
    return EXIT_USAGE;
  }
  char why[PATH_MAX + 600];
  void *h = open_runner(why, sizeof why);
  tcli_main_fn run = h ? (tcli_main_fn)dlsym(h, TCLI_MAIN) : NULL;
  if (!run) {
    if (h) snprintf(why, sizeof why, "libtensorc_run.so has no %s", TCLI_MAIN);
    fprintf(stderr, "tensorc: %s\n", why);
    return EXIT_USAGE;
  }
  r->python = p.exe;
  return run(r);
}
