# NumPy dtypes (seed section 5): inference, dtype objects, and the mapping to
# and from torch dtypes through from_numpy / numpy().
import numpy as np
import torch

for dt in [np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, np.float16, np.float32, np.float64]:
    x = np.zeros(2, dtype=dt)
    t = torch.from_numpy(x)
    print(dt, x.dtype, repr(x.dtype), t.dtype, t.numpy().dtype, x.dtype.itemsize, x.dtype.kind)
for tdt in [torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.float16, torch.float32,
            torch.float64]:
    print(tdt, torch.zeros(1, dtype=tdt).numpy().dtype)

# inference from Python data
print(np.array([1, 2]).dtype, np.array([1, 2.5]).dtype, np.array([True, False]).dtype, np.array([True, 2]).dtype)
print(np.array([]).dtype, np.array(3).dtype, np.array(3.0).dtype, np.arange(3).dtype, np.arange(3.0).dtype)
print(np.arange(0, 1, 0.5).dtype, np.zeros(2).dtype, np.ones(2, dtype=int).dtype, np.full(2, 7).dtype,
      np.full(2, 0.5).dtype, np.full(2, True).dtype)

# dtype objects, strings and Python types
a = np.arange(3, dtype=np.int64)
print(a.dtype == np.int64, a.dtype == 'int64', a.dtype == np.int32, a.dtype == np.dtype('i8'))
print(np.dtype('float32'), repr(np.dtype('f8')), np.dtype(float), np.dtype(int), np.dtype(bool), np.dtype('uint8').name)
print(np.zeros(2, dtype='float16').dtype, np.ones(2, dtype='i4').dtype, np.arange(3, dtype=float).dtype)
print(np.int64, np.float32, np.bool_, np.dtype('int8').type)

# astype
b = np.array([1.7, -1.7, 0.0])
print(repr(b.astype(np.int64)), repr(b.astype(np.int8)), repr(b.astype(bool)), repr(b.astype(np.float32)))
print(repr(a.astype('float16')), repr(a.astype(np.uint8)), a.astype(np.int64) is a)

# NumPy scalars keep their dtype
x = a[1]
print(x, repr(x), type(x), x.dtype, repr(np.float32(0.1)), repr(np.float16(1 / 3)), repr(np.int8(-5)))
print(repr(np.array([True])[0]), repr(np.float64(2)), np.float32(0.1), np.float32(0.1) * 3, repr(np.float32(1e7)))
print(torch.from_numpy(np.arange(3, dtype=np.int32)).dtype, torch.tensor(np.float64(1.5)), torch.tensor(np.int32(3)))
