/*
 * diskcache.h — compiled code kept on disk between processes (diskcache.c).
 */
#ifndef TC_RUNTIME_DISKCACHE_H
#define TC_RUNTIME_DISKCACHE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The cache's folder (made when missing); false when there is none or
 * TC_CACHE_DIR=off. */
bool rt_disk_dir(char *buf, size_t cap);
/* The payload stored under (kind, hash) when its key is exactly `key`
 * (malloc'd, *len bytes), else NULL. */
void *rt_disk_get(const char *kind, uint64_t hash, const void *key, size_t klen, size_t *len);
/* Whether an entry (kind, hash) exists (its key is checked when it is read). */
bool rt_disk_has(const char *kind, uint64_t hash);
/* Stores it, atomically (best effort: a failure leaves no entry). */
void rt_disk_put(const char *kind, uint64_t hash, const void *key, size_t klen, const void *data, size_t len);

#endif
