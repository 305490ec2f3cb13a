# NumPy's printing: repr and str of int, float and bool arrays of several
# ranks, the dtype= that repr adds, scientific notation, nan/inf, wrapping
# at 75 columns and summaries of large arrays.
import numpy as np

arrays = [
    np.arange(5),
    np.array([99, 1, 2, 3, 4]),
    np.arange(3.0),
    np.array([0.5, 1.25, -3.0]),
    np.array([0.1 + 0.2, 1 / 3]),
    np.array([1e-5, 1.0]),
    np.array([1e8, 1.0]),
    np.array([0.001, 10.0]),
    np.array([np.nan, 1.5, np.inf, -np.inf]),
    np.array([-0.0, 2.0]),
    np.array([True, False, True]),
    np.array([1, 2], dtype=np.int32),
    np.array([0.1, 0.25], dtype=np.float32),
    np.array([1 / 3, 2 / 3], dtype=np.float16),
    np.array([255, 0], dtype=np.uint8),
    np.arange(12).reshape(3, 4),
    np.arange(12.0).reshape(3, 4) / 7,
    np.array([[True, False], [False, True]]),
    np.arange(24).reshape(2, 3, 4),
    np.arange(6, dtype=np.int16).reshape(2, 1, 3),
    np.array(5),
    np.array(2.5),
    np.array(True),
    np.array(7, dtype=np.int8),
    np.array([]),
    np.zeros((2, 0)),
    np.zeros(0, dtype=np.int32),
    np.arange(30),
    np.arange(30.0) * 1.5,
    np.linspace(0, 1, 11),
    np.arange(2000),
    np.arange(3000.0).reshape(30, 100),
]
for a in arrays:
    print(repr(a))
    print(a)
print([np.arange(2), np.float32(0.5)], (np.int64(3), np.True_))
print(f"{np.arange(3)} {np.int64(7):4d} {np.float64(0.5):.3f} {np.float32(0.1)}")
print(str(np.float64(0.1) + np.float64(0.2)), repr(np.float64(1e20)), np.float32(16777217.0), np.float16(1000.0))
