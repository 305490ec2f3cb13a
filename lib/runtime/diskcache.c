/*
 * diskcache.c — compiled code kept on disk between processes: CPU object
 * code (exec.c) beside the PTX (gpu_kernels.c), under $TC_CACHE_DIR, else
 * $XDG_CACHE_HOME/tensorc, else ~/.cache/tensorc (TC_CACHE_DIR=off: none).
 *
 * An entry is one file, <hash>.<kind>: a magic, the lengths, the full key
 * (the kernel's canonical form and the target: CPU name and features, the
 * compiler's version), then the payload. A reader takes the payload only
 * when the whole key matches, so a hash collision, a foreign or a corrupt
 * file is ignored (and rewritten by the next compile). Writers write a
 * private temporary file and rename it into place, so several processes
 * may fill the cache at once and a reader never sees half an entry.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "diskcache.h"

static const char MAGIC[8] = {'t', 'c', 'c', 'a', 'c', 'h', 'e', '1'};

bool rt_disk_dir(char *buf, size_t cap) {
  const char *d = getenv("TC_CACHE_DIR");
  if (d && (!strcmp(d, "off") || !strcmp(d, "0"))) return false;
  if (d && *d) snprintf(buf, cap, "%s", d);
  else if ((d = getenv("XDG_CACHE_HOME")) && *d) snprintf(buf, cap, "%s/tensorc", d);
  else if ((d = getenv("HOME")) && *d) snprintf(buf, cap, "%s/.cache/tensorc", d);
  else return false;
  for (char *p = buf + 1; *p; p++) /* the folder and its parents */
    if (*p == '/') {
      *p = 0;
      mkdir(buf, 0755);
      *p = '/';
    }
  mkdir(buf, 0755);
  struct stat st;
  return stat(buf, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool path_of(char *buf, size_t cap, const char *kind, uint64_t hash) {
  char dir[1024];
  if (!rt_disk_dir(dir, sizeof dir)) return false;
  snprintf(buf, cap, "%s/%016llx.%s", dir, (unsigned long long)hash, kind);
  return true;
}

bool rt_disk_has(const char *kind, uint64_t hash) {
  char path[1200];
  return path_of(path, sizeof path, kind, hash) && access(path, R_OK) == 0;
}

void *rt_disk_get(const char *kind, uint64_t hash, const void *key, size_t klen, size_t *len) {
  char path[1200];
  if (!path_of(path, sizeof path, kind, hash)) return NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char magic[8];
  uint64_t kl = 0, dl = 0;
  void *key2 = NULL, *data = NULL;
  bool ok = fread(magic, 1, 8, f) == 8 && !memcmp(magic, MAGIC, 8) && fread(&kl, 8, 1, f) == 1 &&
            fread(&dl, 8, 1, f) == 1 && kl == klen && dl < ((uint64_t)1 << 32);
  if (ok) {
    key2 = malloc(klen ? klen : 1);
    data = malloc(dl ? dl : 1);
    ok = key2 && data && fread(key2, 1, klen, f) == klen && !memcmp(key2, key, klen) &&
         fread(data, 1, dl, f) == dl;
  }
  fclose(f);
  free(key2);
  if (!ok) {
    free(data);
    return NULL;
  }
  *len = (size_t)dl;
  return data;
}

void rt_disk_put(const char *kind, uint64_t hash, const void *key, size_t klen, const void *data, size_t len) {
  char path[1200], tmp[1300];
  if (!path_of(path, sizeof path, kind, hash)) return;
  snprintf(tmp, sizeof tmp, "%s.%d.%llx.tmp", path, (int)getpid(), (unsigned long long)(uintptr_t)pthread_self());
  FILE *f = fopen(tmp, "wb");
  if (!f) return;
  uint64_t kl = klen, dl = len;
  bool ok = fwrite(MAGIC, 1, 8, f) == 8 && fwrite(&kl, 8, 1, f) == 1 && fwrite(&dl, 8, 1, f) == 1 &&
            fwrite(key, 1, klen, f) == klen && fwrite(data, 1, len, f) == len;
  ok = fclose(f) == 0 && ok;
  if (ok) ok = rename(tmp, path) == 0;
  if (!ok) unlink(tmp);
}
