/*
 * dlpack.c — DLPack import and export (dlpack.h, written from the DLPack
 * specification v1.0): the versioned DLManagedTensorVersioned and the
 * legacy DLManagedTensor, both ways.
 *
 * Import wraps the producer's memory, host (kDLCPU, kDLCUDAHost) or CUDA
 * device (kDLCUDA), without copying (through tc_from_blob: the storage is
 * shared with its owner, so writes land in the producer's memory and its
 * changes are seen by later reads); the producer's deleter is called once
 * tensorc no longer uses the memory (for device memory, after the work
 * queued on the device has run). A tensor marked
 * DLPACK_FLAG_BITMASK_READ_ONLY gets a read-only storage: every in-place
 * write through tensorc is refused (ir_write_overlaps).
 *
 * Export shares t's storage with its owner (api_share: the memory that
 * holds its value now becomes the storage's home) and hands out a struct
 * that holds a reference to a handle on it; the consumer's call of the
 * deleter releases it. A CUDA tensor's export waits for the device first,
 * so the consumer may read it on any stream.
 */
#include <stdlib.h>
#include <string.h>
#include "api.h"
#include "dlpack.h"
#include "runtime/gpu.h"

/* ---- dtypes ------------------------------------------------------------ */

static void to_dl(tc_dtype dt, DLDataType *out) {
  out->lanes = 1;
  out->bits = (uint8_t)(ir_dtype_size(dt) * 8);
  switch (dt) {
  case TC_BOOL: out->code = kDLBool; break;
  case TC_U8: out->code = kDLUInt; break;
  case TC_BF16: out->code = kDLBfloat; break;
  default: out->code = ir_dtype_is_floating(dt) ? kDLFloat : kDLInt; break;
  }
}

static bool from_dl(DLDataType t, tc_dtype *dt) {
  if (t.lanes != 1) return false;
  switch (t.code) {
  case kDLBool: return t.bits == 8 ? (*dt = TC_BOOL, true) : false;
  case kDLUInt: return t.bits == 8 ? (*dt = TC_U8, true) : false;
  case kDLBfloat: return t.bits == 16 ? (*dt = TC_BF16, true) : false;
  case kDLInt:
    switch (t.bits) {
    case 8: *dt = TC_I8; return true;
    case 16: *dt = TC_I16; return true;
    case 32: *dt = TC_I32; return true;
    case 64: *dt = TC_I64; return true;
    default: return false;
    }
  case kDLFloat:
    switch (t.bits) {
    case 16: *dt = TC_F16; return true;
    case 32: *dt = TC_F32; return true;
    case 64: *dt = TC_F64; return true;
    default: return false;
    }
  default: return false;
  }
}

/* ---- import -------------------------------------------------------------- */

typedef struct imported {
  void *managed;
  bool versioned;
} imported;

static void imported_release(void *user) {
  imported *im = user;
  if (im->versioned) {
    DLManagedTensorVersioned *m = im->managed;
    if (m->deleter) m->deleter(m);
  } else {
    DLManagedTensor *m = im->managed;
    if (m->deleter) m->deleter(m);
  }
  free(im);
}

static tc_tensor *import(tc_ctx *ctx, const char *fn, void *managed, bool versioned, DLTensor *dl, bool readonly) {
  tc_device dev = {TC_CPU, 0};
  if (dl->device.device_type == kDLCUDA) dev = (tc_device){TC_CUDA, dl->device.device_id};
  else if (dl->device.device_type != kDLCPU && dl->device.device_type != kDLCUDAHost)
    return ir_error(ctx, TC_ERR_ARG,
                    "%s: host (kDLCPU, kDLCUDAHost) or CUDA (kDLCUDA) memory only; got DLPack device type %d", fn,
                    (int)dl->device.device_type);
  tc_dtype dt;
  if (!from_dl(dl->dtype, &dt))
    return ir_error(ctx, TC_ERR_ARG, "%s: unsupported DLPack dtype (code %d, %d bits, %d lanes)", fn,
                    (int)dl->dtype.code, (int)dl->dtype.bits, (int)dl->dtype.lanes);
  if (dl->ndim < 0 || dl->ndim > TC_MAX_DIMS)
    return ir_error(ctx, TC_ERR_ARG, "%s: tensorc supports at most %d dimensions (got %d)", fn, TC_MAX_DIMS,
                    (int)dl->ndim);
  if (dl->ndim && !dl->shape) return ir_error(ctx, TC_ERR_ARG, "%s: the DLTensor has no shape", fn);
  imported *im = malloc(sizeof *im);
  if (!im) return ir_error(ctx, TC_ERR_OOM, "%s: out of memory", fn);
  im->managed = managed, im->versioned = versioned;
  tc_tensor *t = tc_from_blob(ctx, dl->data ? (char *)dl->data + dl->byte_offset : NULL, dt, dev, dl->ndim,
                               dl->shape, dl->strides, imported_release, im);
  if (!t) { /* the producer still owns its tensor */
    free(im);
    ir_error_rename(ctx, fn);
    return NULL;
  }
  t->st->readonly = readonly;
  return t;
}

tc_tensor *tc_from_dlpack(tc_ctx *ctx, struct DLManagedTensorVersioned *m) {
  if (!ctx) return NULL;
  if (!m) return ir_error(ctx, TC_ERR_ARG, "tc_from_dlpack: the managed tensor is NULL");
  if (m->version.major > DLPACK_MAJOR_VERSION)
    return ir_error(ctx, TC_ERR_ARG, "tc_from_dlpack: DLPack %u.%u is newer than this build understands (%d.%d)",
                    m->version.major, m->version.minor, DLPACK_MAJOR_VERSION, DLPACK_MINOR_VERSION);
  return import(ctx, "tc_from_dlpack", m, true, &m->dl_tensor, (m->flags & DLPACK_FLAG_BITMASK_READ_ONLY) != 0);
}

tc_tensor *tc_from_dlpack_legacy(tc_ctx *ctx, struct DLManagedTensor *m) {
  if (!ctx) return NULL;
  if (!m) return ir_error(ctx, TC_ERR_ARG, "tc_from_dlpack_legacy: the managed tensor is NULL");
  return import(ctx, "tc_from_dlpack_legacy", m, false, &m->dl_tensor, false);
}

/* ---- export -------------------------------------------------------------- */

typedef struct exported {
  DLManagedTensor legacy;
  DLManagedTensorVersioned versioned;
  int64_t shape[TC_MAX_DIMS], strides[TC_MAX_DIMS];
  tc_tensor *t; /* the handle the struct holds */
} exported;

static void exported_free(exported *e) {
  tc_tensor_release(e->t);
  free(e);
}
static void legacy_deleter(DLManagedTensor *m) { exported_free(m->manager_ctx); }
static void versioned_deleter(DLManagedTensorVersioned *m) { exported_free(m->manager_ctx); }

static exported *export(tc_tensor *t, const char *fn, bool copy, DLTensor **dl) {
  if (!t) return NULL;
  tc_ctx *ctx = t->ctx;
  tc_device dev = ir_tensor_device(t);
  /* the struct's own handle, in no scope (a retain of t would be given back
   * by the deleter's release as t's scope reference) */
  tc_tensor *h = copy ? ir_op_clone_preserve(t) : ir_tensor_alias(t, t->ndim, t->shape, t->strides, t->offset);
  if (!h) return NULL;
  void *p = api_share(h);
  if (p && dev.type == TC_CUDA && rt_gpu_sync(ctx, dev.index) != TC_OK) p = NULL; /* ready for any stream */
  exported *e = (p || !ir_tensor_numel(h)) ? calloc(1, sizeof *e) : NULL;
  if (!e) {
    tc_tensor_release(h);
    return p || !ir_tensor_numel(h) ? ir_error(ctx, TC_ERR_OOM, "%s: out of memory", fn) : NULL;
  }
  e->t = h;
  static char empty[8]; /* DLPack wants a pointer even for no elements */
  DLTensor *d = &e->versioned.dl_tensor; /* the caller moves it where it goes */
  d->data = p ? p : empty;
  d->device = dev.type == TC_CUDA ? (DLDevice){kDLCUDA, dev.index} : (DLDevice){kDLCPU, 0};
  d->ndim = tc_tensor_shape(h, e->shape);
  tc_tensor_strides(h, e->strides);
  d->shape = e->shape;
  d->strides = e->strides;
  d->byte_offset = 0;
  to_dl(h->dt, &d->dtype);
  *dl = d;
  return e;
}

struct DLManagedTensorVersioned *tc_to_dlpack(tc_tensor *t, bool copy) {
  DLTensor *d;
  exported *e = export(t, "tc_to_dlpack", copy, &d);
  if (!e) return NULL;
  e->versioned.version = (DLPackVersion){DLPACK_MAJOR_VERSION, DLPACK_MINOR_VERSION};
  e->versioned.manager_ctx = e;
  e->versioned.deleter = versioned_deleter;
  e->versioned.flags = copy ? DLPACK_FLAG_BITMASK_IS_COPIED : 0;
  return &e->versioned;
}

struct DLManagedTensor *tc_to_dlpack_legacy(tc_tensor *t, bool copy) {
  DLTensor *d;
  exported *e = export(t, "tc_to_dlpack_legacy", copy, &d);
  if (!e) return NULL;
  e->legacy.dl_tensor = *d;
  e->legacy.manager_ctx = e;
  e->legacy.deleter = legacy_deleter;
  return &e->legacy;
}
