# NumPy arrays in expressions: indexing reads and writes, arithmetic with
# NumPy's result dtypes (NEP 50: Python numbers take the array's dtype),
# comparisons, reductions, creation functions, and a few numpy functions.
import numpy as np

a = np.arange(12).reshape(3, 4)
print(a[1], a[1, 2], repr(a[1, 2]), a[-1, -1], a[:, 1], a[1:, ::2], a[..., 0], a[None, 0].shape)
print(a[a > 5], a[[0, 2]], a[np.array([2, 0])], a[[0, 1], [1, 2]])
print(a.shape, a.ndim, a.size, len(a), a.itemsize, a.nbytes, a.strides, a.T.strides)
print(list(a[0]), [int(x) for x in a[1]], a.tolist(), a[0, 0].item(), a[2].sum())
print(a.reshape(4, 3), a.reshape(-1), a.reshape((2, -1)).shape, a.flatten(), a.ravel().shape, a.T, a.transpose(1, 0).shape)
x, y, z = np.arange(3)
print(x, y, z, 3 in a, 99 in a)

# writes
b = np.zeros((2, 3))
b[0] = 1
b[1, 2] = 7.5
b[:, 0] = [3, 4]
b[b > 5] = -1
d = np.zeros(2)
d.fill(3)
print(d)
print(b)
c = np.arange(5)
c[1:3] = 9
c[0] = 2.9  # truncates, as in NumPy
print(c)

# arithmetic and result dtypes
i8 = np.array([1, -2, 100], dtype=np.int8)
i64 = np.array([1, -2, 3])
f32 = np.array([0.1, -2.5, 3.0], dtype=np.float32)
f64 = np.array([0.1, -2.5, 3.0])
bl = np.array([True, False, True])
for r in [i64 + 1, i64 / 2, i64 // 2, i64 % 2, i64 ** 2, i64 * 1.5, i64 - i64, i8 + 1, i8 * 2, i8 + i64, i8 / 2,
          f32 + 1, f32 * 2.5, f32 + f64, f32 + i8, f32 + i64, bl + 1, bl + bl, bl * bl, bl & bl, ~bl, -i64,
          abs(f64), f64 ** 2, 2 ** np.arange(4), i64 & 6, i64 < 2, f32 == f32, i8 >= -2]:
    print(repr(r))
print(repr(np.int64(5) + 1), repr(np.int64(5) / 2), repr(np.float32(0.5) + 1), repr(np.int8(100) + np.int8(100)))
print(repr(1 + np.float64(0.5)), repr(np.int64(7) // 2), repr(-np.int64(3)), repr(np.int64(2) == 2))
print(a + [10, 20, 30, 40])
print(a * a[0])
print(a @ a.T)
for f in [lambda: i8 + 1000, lambda: i64 + np.arange(2), lambda: bl - bl, lambda: -bl, lambda: f64 & f64,
          lambda: i64 ** -1, lambda: a.reshape(5), lambda: a[3], lambda: a[1, 2, 3], lambda: bool(a),
          lambda: np.array([[1, 2], [3]])]:
    try:
        f()
    except (OverflowError, ValueError, TypeError, IndexError) as e:
        print(type(e).__name__ + ":", e)

# reductions
for r in [a.sum(), a.sum(axis=0), a.sum(axis=1), a.mean(), a.mean(axis=0), a.max(), a.min(axis=1), a.argmax(),
          a.argmin(axis=0), a.std(), a.var(ddof=1), a.prod(axis=1), (a > 3).all(), (a > 3).any(axis=1),
          f32.sum(), f32.mean(), f32.std(), bl.sum(), np.arange(10, dtype=np.float32).mean()]:
    print(repr(r))

# creation and functions
print(np.zeros(3), np.ones((2, 2), dtype=np.int32), np.full((2,), 7), np.zeros_like(a[0]), np.ones_like(f32))
print(np.arange(2, 10, 3), np.arange(10, 0, -3), np.arange(0, 1, 0.25), np.arange(-1, 1, 0.3))
print(np.linspace(0, 1, 5), np.linspace(0, 10, 4, endpoint=False), np.eye(2))
print(np.sum(a), np.sum(a, axis=0), np.mean([1, 2, 3, 4]), np.max(a), np.abs(-a[0]), np.sqrt(a[0]))
print(np.maximum(a[0], 2), np.minimum([1, 5], [3, 2]), np.add(1, 2), np.array_equal(a, a.copy()),
      np.allclose([1.0, 2.0], [1.0, 2.0 + 1e-9]))
print(sum(np.arange(4)), max(np.arange(4)), sorted(np.array([3, 1, 2])), abs(np.array([-1.5, 2])))
