"""tensorc.array_api: the Python array API standard (version 2024.12) on tensorc.

    import tensorc.array_api as xp        # or: xp = x.__array_namespace__()
    x = xp.linspace(0.0, 1.0, 5)
    y = xp.sum(xp.sin(x) ** 2, axis=0)

The arrays are tensorc's own Tensor objects and the dtypes tensorc.torch's
(xp.float32 is torch.float32), so the namespace and tensorc.torch mix
freely. The functions follow the standard where it and PyTorch differ
(type promotion of 0-d arrays, sum/prod dtypes, keyword names, sorting
order, special cases); tensorc.torch stays PyTorch. The README lists the
differences and what is missing (complex dtypes, uint16/32/64).

This file is not installed as Python: CMake embeds its text into the
extension (cmake/embed_text.cmake), and module.c executes it into the
module `tensorc.array_api` while `import tensorc` runs, with `_torch`
(tensorc.torch) already in its globals, since `import tensorc.torch` would
recurse into an import that has not finished. Each function is a
composition of tensorc.torch calls: no loop over elements runs in Python.
Functions the library has no op for (atan, sinh, hypot, nextafter...) are
written from the ops it has (a Cephes rational approximation for atan,
exp/log1p identities elsewhere), still lazy, fused like any expression.
"""
import builtins as _b
import math as _math

_T = _torch.Tensor  # noqa: F821 (set by module.c before this runs)
_t = _torch  # noqa: F821

__array_api_version__ = "2024.12"
_VERSIONS = (None, "2024.12", "2023.12", "2022.12")

# ---- constants and dtypes -----------------------------------------------------
e = _math.e
inf = float("inf")
nan = float("nan")
newaxis = None
pi = _math.pi

bool = _t.bool
int8 = _t.int8
int16 = _t.int16
int32 = _t.int32
int64 = _t.int64
uint8 = _t.uint8
float32 = _t.float32
float64 = _t.float64

_SIGNED = (int8, int16, int32, int64)
_UNSIGNED = (uint8,)
_INTS = _SIGNED + _UNSIGNED
_FLOATS = (float32, float64)
_NUMERIC = _INTS + _FLOATS
_DTYPES = (bool,) + _NUMERIC
_NAMES = {bool: "bool", int8: "int8", int16: "int16", int32: "int32", int64: "int64", uint8: "uint8",
          float32: "float32", float64: "float64"}
_BITS = {bool: 8, int8: 8, int16: 16, int32: 32, int64: 64, uint8: 8, float32: 32, float64: 64}


def _default_float():
    d = _t.get_default_dtype()
    return d if d in _FLOATS else float32


def _kind(dt):
    if dt == bool:
        return 0
    if dt in _INTS:
        return 1
    if dt in _FLOATS or (isinstance(dt, _t.dtype) and dt.is_floating_point):
        return 2  # float16 and bfloat16 too: tensorc's, outside the standard
    raise TypeError(f"tensorc.array_api: {dt} is not a data type of the array API standard")


# ---- type promotion -------------------------------------------------------------
def _promote(a, b):
    """The standard's table within a kind; across kinds (which the standard
    leaves unspecified) PyTorch's rule: bool < integers < floats, and a
    float dtype wins whatever integer it meets."""
    if a == b:
        return a
    ka, kb = _kind(a), _kind(b)
    if ka != kb:
        return a if ka > kb else b
    if ka == 2:
        return float64 if float64 in (a, b) else _t.promote_types(a, b)
    if a in _SIGNED and b in _SIGNED:
        return a if _BITS[a] >= _BITS[b] else b
    if a in _UNSIGNED and b in _UNSIGNED:
        return a if _BITS[a] >= _BITS[b] else b
    s, u = (a, b) if a in _SIGNED else (b, a)
    if _BITS[s] > _BITS[u]:
        return s
    return {8: int16, 16: int32, 32: int64}.get(_BITS[u], int64)


def _is_scalar(x):
    return isinstance(x, (_b.bool, int, float)) and not isinstance(x, _T)


def _scalar_kind(s):
    return 0 if isinstance(s, _b.bool) else 1 if isinstance(s, int) else 2


def _scalar_default(s):
    return (bool, int64, _default_float())[_scalar_kind(s)]


def _with_scalar(dt, s):
    """The dtype of `array of dt OP scalar s`: the array's unless the
    scalar's kind is higher (then that kind's default dtype)."""
    if _scalar_kind(s) <= _kind(dt):
        return dt
    return _scalar_default(s)


def result_type(*arrays_and_dtypes):
    if not arrays_and_dtypes:
        raise ValueError("result_type() needs at least one array, dtype or scalar")
    res = None
    scalars = []
    for a in arrays_and_dtypes:
        if isinstance(a, _T):
            dt = a.dtype
        elif _is_scalar(a):
            scalars.append(a)
            continue
        elif isinstance(a, _t.dtype):
            dt = a
        else:
            raise TypeError(f"result_type(): {a!r} is neither an array, a dtype nor a Python scalar")
        _kind(dt)
        res = dt if res is None else _promote(res, dt)
    if res is None:
        # only scalars: the standard leaves it unspecified; the highest kind's default
        res = _scalar_default(scalars[0])
        for s in scalars[1:]:
            res = _with_scalar(res, s)
        return res
    for s in scalars:
        res = _with_scalar(res, s)
    return res


def can_cast(from_, to, /):
    f = from_.dtype if isinstance(from_, _T) else from_
    _kind(f)
    _kind(to)
    if _kind(f) != _kind(to):
        return f == bool and to == bool
    return _promote(f, to) == to


def isdtype(dtype, kind):
    if not isinstance(dtype, _t.dtype):
        raise TypeError(f"isdtype(): {dtype!r} is not a dtype")
    if isinstance(kind, tuple):
        return _b.any(isdtype(dtype, k) for k in kind)
    if isinstance(kind, _t.dtype):
        return dtype == kind
    table = {"bool": (bool,), "signed integer": _SIGNED, "unsigned integer": _UNSIGNED, "integral": _INTS,
             "real floating": _FLOATS, "complex floating": (), "numeric": _NUMERIC}
    if kind not in table:
        raise ValueError(f"isdtype(): unknown kind {kind!r}")
    return dtype in table[kind]


class finfo_object:
    def __init__(self, dtype, bits, eps, max, min, smallest_normal):
        self.dtype, self.bits, self.eps, self.max, self.min = dtype, bits, eps, max, min
        self.smallest_normal = smallest_normal

    def __repr__(self):
        return (f"finfo(bits={self.bits}, eps={self.eps}, max={self.max}, min={self.min}, "
                f"smallest_normal={self.smallest_normal}, dtype={_NAMES[self.dtype]})")


class iinfo_object:
    def __init__(self, dtype, bits, max, min):
        self.dtype, self.bits, self.max, self.min = dtype, bits, max, min

    def __repr__(self):
        return f"iinfo(bits={self.bits}, max={self.max}, min={self.min}, dtype={_NAMES[self.dtype]})"


def finfo(type, /):
    dt = type.dtype if isinstance(type, _T) else type
    if dt == float32:
        m = 3.4028234663852886e38
        return finfo_object(float32, 32, 1.1920928955078125e-07, m, -m, 1.1754943508222875e-38)
    if dt == float64:
        m = 1.7976931348623157e308
        return finfo_object(float64, 64, 2.220446049250313e-16, m, -m, 2.2250738585072014e-308)
    raise TypeError(f"finfo(): {dt} is not a real floating-point dtype")


def iinfo(type, /):
    dt = type.dtype if isinstance(type, _T) else type
    if dt not in _INTS:
        raise TypeError(f"iinfo(): {dt} is not an integer dtype")
    bits = _BITS[dt]
    if dt in _UNSIGNED:
        return iinfo_object(dt, bits, (1 << bits) - 1, 0)
    return iinfo_object(dt, bits, (1 << (bits - 1)) - 1, -(1 << (bits - 1)))


# ---- helpers ----------------------------------------------------------------------
def _arr(x, like=None):
    if isinstance(x, _T):
        return x
    if like is not None and _is_scalar(x):
        return _t.full((), x, dtype=_with_scalar(like.dtype, x), device=like.device)
    return asarray(x)


def _two(x1, x2):
    """Both operands as arrays of one dtype, by the standard's promotion
    (a 0-d array counts as much as any other; a Python scalar takes the
    array's dtype when its kind allows)."""
    a1, a2 = isinstance(x1, _T), isinstance(x2, _T)
    if a1 and a2:
        dt = _promote(x1.dtype, x2.dtype)
    elif a1 and _is_scalar(x2):
        dt = _with_scalar(x1.dtype, x2)
        x2 = _t.full((), x2, dtype=dt, device=x1.device)
    elif a2 and _is_scalar(x1):
        dt = _with_scalar(x2.dtype, x1)
        x1 = _t.full((), x1, dtype=dt, device=x2.device)
    elif isinstance(x1, complex) or isinstance(x2, complex):
        raise TypeError("tensorc.array_api: complex numbers are not supported (no complex dtype)")
    else:
        raise TypeError(f"expected at least one array and a Python scalar or array, "
                        f"got {type(x1).__name__} and {type(x2).__name__}")
    if x1.dtype != dt:
        x1 = x1.to(dt)
    if x2.dtype != dt:
        x2 = x2.to(dt)
    return x1, x2


def _float(x):
    """x as an array of a floating dtype (integers and bool: the default one)."""
    x = _arr(x)
    return x if x.dtype in _FLOATS else x.to(_default_float())


def _axis(a, n, what="axis"):
    if not isinstance(a, int) or isinstance(a, _b.bool):
        raise TypeError(f"{what} must be an integer, got {a!r}")
    if not -n <= a < n:
        raise IndexError(f"{what} {a} is out of bounds for an array of {n} dimensions")
    return a % n


def _axes(axis, n):
    if axis is None:
        return tuple(range(n))
    if isinstance(axis, int):
        axis = (axis,)
    r = tuple(_axis(a, n) for a in axis)
    if len(set(r)) != len(r):
        raise ValueError(f"repeated axis in {axis!r}")
    return r


def _collapse(x, axis):
    """x with the axes to reduce moved to the end and flattened into one,
    and the shapes of the result with and without keepdims."""
    n = x.ndim
    ax = _axes(axis, n)
    keep = [i for i in range(n) if i not in ax]
    shape = tuple(x.shape)
    kd = tuple(1 if i in ax else shape[i] for i in range(n))
    nk = tuple(shape[i] for i in keep)
    y = x.permute(*(keep + list(ax))) if n else x
    m = 1
    for a in ax:
        m *= shape[a]
    y = y.reshape(nk + (m,))
    return y, kd, nk


def _reduce(fn, x, axis, keepdims):
    y, kd, nk = _collapse(x, axis)
    r = fn(y)
    return r.reshape(kd if keepdims else nk)


def _signbit(x):
    if x.dtype not in _FLOATS:
        return x < 0 if x.dtype != bool else _t.zeros_like(x, dtype=bool)
    return (x < 0) | ((x == 0) & (_t.reciprocal(x) < 0))


def _negate_where(cond, r):
    return _t.where(cond, -r, r)


# ---- the info object ------------------------------------------------------------
class _Info:
    __module__ = "tensorc.array_api"

    def capabilities(self):
        return {"boolean indexing": True, "data-dependent shapes": True, "max dimensions": 8}

    def default_device(self):
        return _t.device("cpu")

    def devices(self):
        ds = [_t.device("cpu")]
        if _t.cuda.is_available():
            ds += [_t.device("cuda", i) for i in range(_t.cuda.device_count())]
        return ds

    def default_dtypes(self, *, device=None):
        return {"real floating": _default_float(), "complex floating": None, "integral": int64,
                "indexing": int64}

    def dtypes(self, *, device=None, kind=None):
        if kind is None:
            return {_NAMES[d]: d for d in _DTYPES}
        return {_NAMES[d]: d for d in _DTYPES if isdtype(d, kind)}


def __array_namespace_info__():
    return _Info()


# ---- creation ---------------------------------------------------------------------
def _dev(device):
    return device if device is not None else _t.get_default_device()


def arange(start, /, stop=None, step=1, *, dtype=None, device=None):
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        dtype = result_type(start, stop, step) if not _b.any(isinstance(v, float) for v in (start, stop, step)) \
            else _default_float()
        if dtype == bool:
            dtype = int64
    n = _b.max(0, _math.ceil((stop - start) / step))
    if dtype in _INTS:
        return _t.arange(start, start + n * step, step, dtype=int64, device=_dev(device)).to(dtype)[:n]
    return (_t.arange(0, n, dtype=float64, device=_dev(device)) * step + start).to(dtype)


def asarray(obj, /, *, dtype=None, device=None, copy=None):
    if isinstance(obj, _T):
        x = obj
        need = (dtype is not None and dtype != x.dtype) or (device is not None and _t.device(device) != x.device)
        if copy is False and need:
            raise ValueError("asarray(copy=False): the array would need a copy (dtype or device differs)")
        if dtype is not None and dtype != x.dtype:
            x = x.to(dtype)
        if device is not None:
            x = x.to(device)
        if copy and x is obj:
            x = x.clone()
        return x
    if copy is False and not hasattr(obj, "__dlpack__") and not hasattr(obj, "__array_interface__"):
        raise ValueError("asarray(copy=False): a Python object cannot be shared without a copy")
    if not isinstance(obj, (list, tuple, _b.bool, int, float)) and not hasattr(obj, "__dlpack__") and \
            not hasattr(obj, "__array_interface__") and _has_buffer(obj):
        # the buffer protocol (CPython's limited API 3.9 has none for C): copied through memoryview
        m = memoryview(obj)
        fmt = m.format.lstrip("@=<")
        if fmt not in _BUFFER_FORMATS:
            raise TypeError(f"asarray(): buffer format {m.format!r} has no dtype in tensorc")
        x = _t.tensor(m.tolist(), dtype=_BUFFER_FORMATS[fmt], device=_dev(device))
        return x if dtype is None else x.to(dtype)
    if hasattr(obj, "__dlpack__") or hasattr(obj, "__array_interface__"):
        x = _t.asarray(obj)
        if copy:
            x = x.clone()
        return asarray(x, dtype=dtype, device=device, copy=False if copy is False else None)
    if _is_scalar(obj) and dtype is None:
        dtype = _scalar_default(obj)
    x = _t.tensor(obj, dtype=dtype, device=_dev(device))
    if dtype is None and x.dtype not in _DTYPES:
        x = x.to(_default_float())
    return x


_BUFFER_FORMATS = {"?": bool, "b": int8, "B": uint8, "h": int16, "i": int32, "l": int64, "q": int64,
                   "f": float32, "d": float64}


def _has_buffer(obj):
    try:
        memoryview(obj)
        return True
    except TypeError:
        return False


def empty(shape, *, dtype=None, device=None):
    return _t.empty(_shape(shape), dtype=dtype or _default_float(), device=_dev(device))


def zeros(shape, *, dtype=None, device=None):
    return _t.zeros(_shape(shape), dtype=dtype or _default_float(), device=_dev(device))


def ones(shape, *, dtype=None, device=None):
    return _t.ones(_shape(shape), dtype=dtype or _default_float(), device=_dev(device))


def full(shape, fill_value, *, dtype=None, device=None):
    if dtype is None:
        dtype = _scalar_default(fill_value)
    return _t.full(_shape(shape), fill_value, dtype=dtype, device=_dev(device))


def _shape(shape):
    return (shape,) if isinstance(shape, int) else tuple(shape)


def empty_like(x, /, *, dtype=None, device=None):
    return _t.empty(tuple(x.shape), dtype=dtype or x.dtype, device=device or x.device)


def zeros_like(x, /, *, dtype=None, device=None):
    return _t.zeros(tuple(x.shape), dtype=dtype or x.dtype, device=device or x.device)


def ones_like(x, /, *, dtype=None, device=None):
    return _t.ones(tuple(x.shape), dtype=dtype or x.dtype, device=device or x.device)


def full_like(x, /, fill_value, *, dtype=None, device=None):
    return _t.full(tuple(x.shape), fill_value, dtype=dtype or x.dtype, device=device or x.device)


def eye(n_rows, n_cols=None, /, *, k=0, dtype=None, device=None):
    n_cols = n_rows if n_cols is None else n_cols
    dev = _dev(device)
    r = _t.arange(n_rows, device=dev).reshape(n_rows, 1) + k
    c = _t.arange(n_cols, device=dev).reshape(1, n_cols)
    return (r == c).to(dtype or _default_float())


def linspace(start, stop, /, num, *, dtype=None, device=None, endpoint=True):
    dtype = dtype or _default_float()
    if not endpoint:
        return _t.linspace(start, stop, num + 1, dtype=dtype, device=_dev(device))[:num]
    return _t.linspace(start, stop, num, dtype=dtype, device=_dev(device))


def meshgrid(*arrays, indexing="xy"):
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid(): indexing must be 'xy' or 'ij', got {indexing!r}")
    if not arrays:
        return []
    dt = result_type(*arrays)
    return list(_t.meshgrid(*[a.to(dt) for a in arrays], indexing=indexing))


def tril(x, /, *, k=0):
    return _t.tril(x, k)


def triu(x, /, *, k=0):
    return _t.triu(x, k)


def from_dlpack(x, /, *, device=None, copy=None):
    if copy is False and device is not None:
        raise ValueError("from_dlpack(copy=False, device=...): moving needs a copy")
    r = _t.from_dlpack(x)
    if copy:
        r = r.clone()
    if device is not None:
        r = r.to(device)
    return r


def astype(x, dtype, /, *, copy=True, device=None):
    _kind(dtype)
    r = x
    if dtype != x.dtype:
        r = r.to(dtype)
    if device is not None:
        r = r.to(device)
    if copy and r is x:
        r = x.clone()
    return r


# ---- elementwise --------------------------------------------------------------------
def abs(x, /):
    return _t.abs(x)


def positive(x, /):
    return _t.clone(x)


def negative(x, /):
    return _t.negative(x)


def _unary(name, op, floating=False):
    def f(x, /):
        return op(_float(x) if floating else x)
    f.__name__ = f.__qualname__ = name
    return f


def _int_keep(op):
    def f(x, /):
        return x.clone() if x.dtype in _INTS or x.dtype == bool else op(x)
    return f


ceil = _unary("ceil", _int_keep(_t.ceil))
floor = _unary("floor", _int_keep(_t.floor))
trunc = _unary("trunc", _int_keep(_t.trunc))
round = _unary("round", _int_keep(_t.round))
cos = _unary("cos", _t.cos, True)
sin = _unary("sin", _t.sin, True)
tan = _unary("tan", _t.tan, True)
tanh = _unary("tanh", _t.tanh, True)
exp = _unary("exp", _t.exp, True)
expm1 = _unary("expm1", _t.expm1, True)
log = _unary("log", _t.log, True)
log1p = _unary("log1p", _t.log1p, True)
log2 = _unary("log2", _t.log2, True)
sqrt = _unary("sqrt", _t.sqrt, True)
isfinite = _unary("isfinite", _t.isfinite)
isinf = _unary("isinf", _t.isinf)
isnan = _unary("isnan", _t.isnan)
logical_not = _unary("logical_not", _t.logical_not)
bitwise_invert = _unary("bitwise_invert", _t.bitwise_not)


def square(x, /):
    return x * x


def log10(x, /):
    return _t.log(_float(x)) * (1.0 / _math.log(10.0))


def reciprocal(x, /):
    return _t.reciprocal(_float(x))


def sign(x, /):
    if x.dtype == bool:
        return x.clone()
    s = _t.sign(x)
    return _t.where(_t.isnan(x), x, s) if x.dtype in _FLOATS else s


def signbit(x, /):
    return _signbit(x)


def conj(x, /):
    return x.clone()


def real(x, /):
    return x.clone()


def imag(x, /):
    return _t.zeros_like(x)


# atan by Cephes' rational approximation (atan.c, S. L. Moshier), which is
# exact to double precision after its range reduction
_ATAN_P = (-8.750608600031904122785e-1, -1.615753718733365076637e1, -7.500855792314704667340e1,
           -1.228866684490136173410e2, -6.485021904942025371773e1)
_ATAN_Q = (2.485846490142306297962e1, 1.650270098316988542046e2, 4.328810604912902668951e2,
           4.853903996359136964868e2, 1.945506571482613964425e2)
_MOREBITS = 6.123233995736765886130e-17


def _atan_nonneg(a):
    big = a > 2.414213562373095
    mid = (a > 0.66) & ~big
    xr = _t.where(big, -_t.reciprocal(a), _t.where(mid, (a - 1.0) / (a + 1.0), a))
    y0 = _t.where(big, _t.full((), _math.pi / 2 + _MOREBITS, dtype=a.dtype, device=a.device),
                  _t.where(mid, _t.full((), _math.pi / 4 + 0.5 * _MOREBITS, dtype=a.dtype, device=a.device),
                           _t.zeros((), dtype=a.dtype, device=a.device)))
    z = xr * xr
    p = _ATAN_P[0]
    for c in _ATAN_P[1:]:
        p = p * z + c
    q = z + _ATAN_Q[0]
    for c in _ATAN_Q[1:]:
        q = q * z + c
    return y0 + (xr * (z * p / q) + xr)


def atan(x, /):
    x = _float(x)
    return _negate_where(_signbit(x), _atan_nonneg(_t.abs(x)))


def atan2(x1, x2, /):
    y, x = _two(x1, x2)
    y, x = _float(y), _float(x)
    sy, sx = _signbit(y), _signbit(x)
    q = atan(y / x)
    r = _t.where(sx, _t.where(sy, q - _math.pi, q + _math.pi), q)
    zero = (y == 0) & (x == 0)
    r = _t.where(zero, _t.where(sx, _negate_where(sy, _t.full_like(y, _math.pi)), y), r)
    both_inf = _t.isinf(y) & _t.isinf(x)
    quarter = _t.where(sx, _t.full_like(y, 3 * _math.pi / 4), _t.full_like(y, _math.pi / 4))
    return _t.where(both_inf, _negate_where(sy, quarter), r)


def asin(x, /):
    x = _float(x)
    return atan2(x, _t.sqrt((1.0 - x) * (1.0 + x)))


def acos(x, /):
    x = _float(x)
    return atan2(_t.sqrt(1.0 - x), _t.sqrt(1.0 + x)) * 2.0


def asinh(x, /):
    x = _float(x)
    a = _t.abs(x)
    small = _t.log1p(a + a * a / (1.0 + _t.sqrt(1.0 + a * a)))
    r = _t.where(a > 1e8, _t.log(a) + _math.log(2.0), small)
    return _negate_where(_signbit(x), r)


def acosh(x, /):
    x = _float(x)
    t = x - 1.0
    near = _t.log1p(t + _t.sqrt(2.0 * t + t * t))
    r = _t.where(x > 1e8, _t.log(x) + _math.log(2.0), near)
    return _t.where(x < 1.0, _t.full_like(x, nan), r)


def atanh(x, /):
    x = _float(x)
    a = _t.abs(x)  # log1p of a non-negative argument: well conditioned near -1 too
    return _negate_where(_signbit(x), 0.5 * _t.log1p(2.0 * a / (1.0 - a)))


def sinh(x, /):
    x = _float(x)
    a = _t.abs(x)
    u = _t.expm1(a)
    small = 0.5 * (u + u / (u + 1.0))
    h = _t.exp(0.5 * a)  # e^a / 2 as (e^(a/2) / 2) e^(a/2): no early overflow, no rounded a - ln 2
    r = _t.where(a < 20.0, small, (0.5 * h) * h)
    return _negate_where(_signbit(x), r)


def cosh(x, /):
    x = _float(x)
    a = _t.abs(x)
    ea = _t.exp(_t.clamp(a, max=20.0))
    h = _t.exp(0.5 * a)
    return _t.where(a < 20.0, 0.5 * (ea + 1.0 / ea), (0.5 * h) * h)


def _binary(name, op, floating=False):
    def f(x1, x2, /):
        a, b = _two(x1, x2)
        if floating:
            a, b = _float(a), _float(b)
        return op(a, b)
    f.__name__ = f.__qualname__ = name
    return f


add = _binary("add", _t.add)
subtract = _binary("subtract", _t.subtract)
multiply = _binary("multiply", _t.multiply)
divide = _binary("divide", _t.divide)
equal = _binary("equal", _t.eq)
not_equal = _binary("not_equal", _t.ne)
greater = _binary("greater", _t.gt)
greater_equal = _binary("greater_equal", _t.ge)
less = _binary("less", _t.lt)
less_equal = _binary("less_equal", _t.le)
maximum = _binary("maximum", _t.maximum)
minimum = _binary("minimum", _t.minimum)
bitwise_and = _binary("bitwise_and", _t.bitwise_and)
bitwise_or = _binary("bitwise_or", _t.bitwise_or)
bitwise_xor = _binary("bitwise_xor", _t.bitwise_xor)
bitwise_left_shift = _binary("bitwise_left_shift", _t.bitwise_left_shift)
bitwise_right_shift = _binary("bitwise_right_shift", _t.bitwise_right_shift)
logical_and = _binary("logical_and", _t.logical_and)
logical_or = _binary("logical_or", _t.logical_or)
logical_xor = _binary("logical_xor", _t.logical_xor)


floor_divide = _binary("floor_divide", _t.floor_divide)
def _remainder(a, b):
    r = _t.remainder(a, b)
    if not a.is_floating_point():
        return r
    return _t.where(r == 0, _copysign(_t.zeros_like(r), b), r)  # a zero takes b's sign, as Python's %


remainder = _binary("remainder", _remainder)


def _pow(a, b):
    if a.dtype == bool:
        a, b = a.to(int64), b.to(int64)
    return _t.pow(a, b)


pow = _binary("pow", _pow)


def _copysign(a, b):
    return _negate_where(_signbit(b), _t.abs(a))


copysign = _binary("copysign", _copysign, True)


def _hypot(a, b):
    a, b = _t.abs(a), _t.abs(b)
    m, n = _t.maximum(a, b), _t.minimum(a, b)
    safe = _t.where(m == 0, _t.ones_like(m), m)
    r = _t.where(m == 0, m, m * _t.sqrt(1.0 + (n / safe) * (n / safe)))
    return _t.where(_t.isinf(a) | _t.isinf(b), _t.full_like(m, inf), r)


hypot = _binary("hypot", _hypot, True)


def _logaddexp(a, b):
    m = _t.maximum(a, b)
    r = m + _t.log1p(_t.exp(-_t.abs(a - b)))
    return _t.where(_t.isinf(m) & (a == b), m, r)


logaddexp = _binary("logaddexp", _logaddexp, True)


def _nextafter(a, b):
    """The next representable number after a toward b, from arithmetic
    alone (the library cannot view a float's bits): the spacing of the
    binade of |a| (toward zero at a power of two, the binade below),
    2^(e - mantissa bits), with e from log2 corrected by one comparison."""
    mant, emin, tiny = (23, -126, 2.0 ** -149) if a.dtype == float32 else (52, -1022, 5e-324)
    aa = _t.abs(a)
    safe = _t.where((aa > 0) & _t.isfinite(aa), aa, _t.ones_like(aa))
    e = _t.floor(_t.log2(safe))
    p = _t.exp2(e)
    e = _t.where(p > safe, e - 1, _t.where(p * 2.0 <= safe, e + 1, e))
    p = _t.exp2(e)
    e = _t.clamp(e, min=float(emin))
    away = (b > a) == (a > 0)  # moving away from zero
    down = (~away) & (safe == p) & (e > emin)  # toward zero from a power of two
    step = _t.exp2(_t.where(down, e - 1, e) - mant)
    up = b > a
    r = _t.where(up, a + step, a - step)
    r = _t.where(a == 0, _negate_where(~up, _t.full_like(a, tiny)), r)
    r = _t.where(_t.isinf(a), _negate_where(a < 0, _t.full_like(a, finfo(a.dtype).max)), r)
    r = _t.where(a == b, b, r)
    return _t.where(_t.isnan(a) | _t.isnan(b), _t.full_like(a, nan), r)


nextafter = _binary("nextafter", _nextafter, True)


def clip(x, /, min=None, max=None):
    r = x.clone()
    dt = x.dtype
    if min is not None:
        lo = _arr(min, x).to(dt)
        r = _t.where(r < lo, lo, r) if dt not in _FLOATS else _t.where(_t.isnan(lo) | (r < lo), lo, r)
    if max is not None:
        hi = _arr(max, x).to(dt)
        r = _t.where(r > hi, hi, r) if dt not in _FLOATS else _t.where(_t.isnan(hi) | (r > hi), hi, r)
    return r


# ---- indexing ------------------------------------------------------------------------
def _norm_index(indices, n):
    indices = indices.to(int64)
    return _t.where(indices < 0, indices + n, indices)


def take(x, indices, /, *, axis=None):
    if axis is None:
        if x.ndim != 1:
            raise ValueError("take(): axis is required for an array of more than one dimension")
        axis = 0
    axis = _axis(axis, x.ndim)
    return _t.index_select(x, axis, _norm_index(indices, x.shape[axis]))


def take_along_axis(x, indices, /, *, axis=-1):
    axis = _axis(axis, x.ndim)
    return _t.take_along_dim(x, _norm_index(indices, x.shape[axis]), dim=axis)


# ---- linear algebra ---------------------------------------------------------------------
def matmul(x1, x2, /):
    a, b = _two(x1, x2)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError("matmul(): 0-d arrays are not allowed (use multiply)")
    return _t.matmul(a, b)


def matrix_transpose(x, /):
    if x.ndim < 2:
        raise ValueError("matrix_transpose(): the array needs at least 2 dimensions")
    return x.mT


def tensordot(x1, x2, /, *, axes=2):
    a, b = _two(x1, x2)
    if isinstance(axes, int):
        if axes < 0:
            raise ValueError("tensordot(): axes must be non-negative")
        ax_a = list(range(a.ndim - axes, a.ndim))
        ax_b = list(range(axes))
    else:
        ax_a, ax_b = list(axes[0]), list(axes[1])
        if len(ax_a) != len(ax_b):
            raise ValueError("tensordot(): the two sequences of axes must have the same length")
        ax_a = [_axis(i, a.ndim) for i in ax_a]
        ax_b = [_axis(i, b.ndim) for i in ax_b]
    for i, j in zip(ax_a, ax_b):
        if a.shape[i] != b.shape[j]:
            raise ValueError(f"tensordot(): shape mismatch on contracted axes: {a.shape[i]} and {b.shape[j]}")
    free_a = [i for i in range(a.ndim) if i not in ax_a]
    free_b = [i for i in range(b.ndim) if i not in ax_b]
    k = 1
    for i in ax_a:
        k *= a.shape[i]
    sa = [a.shape[i] for i in free_a]
    sb = [b.shape[i] for i in free_b]
    ma = a.permute(*(free_a + ax_a)).reshape(_prod(sa), k)
    mb = b.permute(*(ax_b + free_b)).reshape(k, _prod(sb))
    return _t.matmul(ma, mb).reshape(tuple(sa + sb))


def _prod(s):
    r = 1
    for v in s:
        r *= v
    return r


def vecdot(x1, x2, /, *, axis=-1):
    a, b = _two(x1, x2)
    n = _b.max(a.ndim, b.ndim)
    if not -n <= axis < n:
        raise ValueError(f"vecdot(): axis {axis} is out of bounds for the broadcast shape's {n} dimensions")
    axis = axis - n if axis >= 0 else axis  # counted from the end, as the standard has it
    a, b = broadcast_arrays(a, b)
    if a.shape[axis] != b.shape[axis]:
        raise ValueError("vecdot(): the contracted axis differs in size")
    return _t.sum(a * b, dim=axis).to(a.dtype)


# ---- manipulation ------------------------------------------------------------------------
def broadcast_shapes(*shapes):
    n = _b.max((len(s) for s in shapes), default=0)
    out = []
    for i in range(-n, 0):
        d = 1
        for s in shapes:
            if -i > len(s):
                continue
            v = s[i]
            if v != 1:
                if d != 1 and d != v:
                    raise ValueError(f"shapes {shapes} cannot be broadcast together")
                d = v
        out.append(d)
    return tuple(out)


def broadcast_arrays(*arrays):
    shape = broadcast_shapes(*[tuple(a.shape) for a in arrays])
    return [a.expand(shape) if tuple(a.shape) != shape else a for a in arrays]


def broadcast_to(x, /, shape):
    shape = _shape(shape)
    if broadcast_shapes(tuple(x.shape), shape) != shape:
        raise ValueError(f"broadcast_to(): cannot broadcast {tuple(x.shape)} to {shape}")
    return x.expand(shape)


def concat(arrays, /, *, axis=0):
    arrays = list(arrays)
    dt = result_type(*arrays)
    arrays = [a.to(dt) if a.dtype != dt else a for a in arrays]
    if axis is None:
        return _t.cat([a.reshape(-1) for a in arrays])
    return _t.cat(arrays, dim=axis)


def stack(arrays, /, *, axis=0):
    arrays = list(arrays)
    dt = result_type(*arrays)
    return _t.stack([a.to(dt) if a.dtype != dt else a for a in arrays], dim=axis)


def expand_dims(x, /, *, axis=0):
    return _t.unsqueeze(x, _axis(axis, x.ndim + 1))


def flip(x, /, *, axis=None):
    ax = _axes(axis, x.ndim)
    return _t.flip(x, ax) if ax else x.clone()


def permute_dims(x, /, axes):
    return x.permute(*axes)


def moveaxis(x, source, destination, /):
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise ValueError("moveaxis(): source and destination need the same number of axes")
    n = x.ndim
    src = [_axis(s, n, "source") for s in src]
    dst = [_axis(d, n, "destination") for d in dst]
    order = [i for i in range(n) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return x.permute(*order)


def reshape(x, /, shape, *, copy=None):
    shape = _shape(shape)
    if copy:
        return x.reshape(shape).clone()
    if copy is False:
        try:
            return x.view(shape)
        except RuntimeError as e:
            raise ValueError(f"reshape(copy=False): the array's strides cannot express {shape}") from e
    return x.reshape(shape)


def repeat(x, repeats, /, *, axis=None):
    if axis is None:
        x = x.reshape(-1)
        axis = 0
    if isinstance(repeats, _T):
        repeats = repeats.to(int64)
    return _t.repeat_interleave(x, repeats, dim=axis)


def roll(x, /, shift, *, axis=None):
    if axis is None:
        return _t.roll(x.reshape(-1), shift).reshape(tuple(x.shape))
    return _t.roll(x, shift, axis)


def squeeze(x, /, axis):
    ax = _axes(axis, x.ndim)
    for a in ax:
        if x.shape[a] != 1:
            raise ValueError(f"squeeze(): axis {a} has size {x.shape[a]}, not 1")
    return x.reshape(tuple(s for i, s in enumerate(x.shape) if i not in ax))


def tile(x, repetitions, /):
    return _t.tile(x, tuple(repetitions))


def unstack(x, /, *, axis=0):
    return tuple(_t.unbind(x, _axis(axis, x.ndim)))


# ---- searching ----------------------------------------------------------------------------
def _arg(fn, x, axis, keepdims):
    if x.dtype == bool:
        x = x.to(uint8)
    if axis is None:
        r = fn(x.reshape(-1), 0)
        return r.reshape((1,) * x.ndim) if keepdims else r
    return fn(x, _axis(axis, x.ndim), keepdim=keepdims)


def argmax(x, /, *, axis=None, keepdims=False):
    return _arg(_t.argmax, x, axis, keepdims)


def argmin(x, /, *, axis=None, keepdims=False):
    return _arg(_t.argmin, x, axis, keepdims)


def count_nonzero(x, /, *, axis=None, keepdims=False):
    return _reduce(lambda y: _t.sum((y != 0).to(int64), dim=-1), x, axis, keepdims)


def nonzero(x, /):
    if x.ndim == 0:
        raise ValueError("nonzero(): 0-d arrays are not allowed")
    return tuple(_t.nonzero(x, as_tuple=True))


def searchsorted(x1, x2, /, *, side="left", sorter=None):
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted(): side must be 'left' or 'right', got {side!r}")
    if sorter is not None:
        x1 = take(x1, sorter)
    a, b = _two(x1, x2)
    return _t.searchsorted(a, b, side=side)


def where(condition, x1, x2, /):
    if _is_scalar(x1) and _is_scalar(x2):
        x1 = _t.full((), x1, dtype=result_type(x1, x2), device=condition.device)
    a, b = _two(x1, x2)
    return _t.where(condition.to(bool) if condition.dtype != bool else condition, a, b)


# ---- sets --------------------------------------------------------------------------------------
def _unique(x):
    flat = x.reshape(-1)
    values, inverse, counts = _t.unique(flat, sorted=True, return_inverse=True, return_counts=True)
    return flat, values, inverse, counts


def unique_values(x, /):
    return _t.unique(x.reshape(-1), sorted=True)


def unique_counts(x, /):
    _, values, _, counts = _unique(x)
    return values, counts


def unique_inverse(x, /):
    _, values, inverse, _ = _unique(x)
    return values, inverse.reshape(tuple(x.shape))


def unique_all(x, /):
    flat, values, inverse, counts = _unique(x)
    order = _t.argsort(inverse, stable=True)
    starts = _t.cumsum(counts, 0) - counts
    indices = order[starts] if values.shape[0] else _t.zeros(0, dtype=int64, device=x.device)
    return values, indices, inverse.reshape(tuple(x.shape)), counts


# ---- sorting -------------------------------------------------------------------------------------
def argsort(x, /, *, axis=-1, descending=False, stable=True):
    return _t.sort(x, dim=_axis(axis, _b.max(x.ndim, 1)), descending=descending, stable=True).indices


def sort(x, /, *, axis=-1, descending=False, stable=True):
    return _t.sort(x, dim=_axis(axis, _b.max(x.ndim, 1)), descending=descending, stable=True).values


# ---- statistics ----------------------------------------------------------------------------------
def _sum_dtype(x, dtype):
    if dtype is not None:
        return dtype
    if x.dtype in _INTS or x.dtype == bool:
        return int64
    return x.dtype


def sum(x, /, *, axis=None, dtype=None, keepdims=False):
    dt = _sum_dtype(x, dtype)
    return _reduce(lambda y: _t.sum(y.to(dt), dim=-1).to(dt), x, axis, keepdims)


def prod(x, /, *, axis=None, dtype=None, keepdims=False):
    dt = _sum_dtype(x, dtype)
    return _reduce(lambda y: _t.prod(y.to(dt), dim=-1).to(dt), x, axis, keepdims)


def _minmax(fn, x, axis, keepdims, what):
    y, kd, nk = _collapse(x, axis)
    if y.shape[-1] == 0:
        raise ValueError(f"{what}(): zero-size reduction has no identity")
    r = fn(y, dim=-1)
    return r.reshape(kd if keepdims else nk)


def max(x, /, *, axis=None, keepdims=False):
    return _minmax(_t.amax, x, axis, keepdims, "max")


def min(x, /, *, axis=None, keepdims=False):
    return _minmax(_t.amin, x, axis, keepdims, "min")


def mean(x, /, *, axis=None, keepdims=False):
    return _reduce(lambda y: _t.mean(y, dim=-1), _float(x), axis, keepdims)


def var(x, /, *, axis=None, correction=0.0, keepdims=False):
    return _reduce(lambda y: _t.var(y, dim=-1, correction=correction), _float(x), axis, keepdims)


def std(x, /, *, axis=None, correction=0.0, keepdims=False):
    return _reduce(lambda y: _t.std(y, dim=-1, correction=correction), _float(x), axis, keepdims)


def _cumulative(fn, x, axis, dtype, include_initial, initial):
    if axis is None:
        if x.ndim > 1:
            raise ValueError("cumulative: axis is required for an array of more than one dimension")
        axis = 0
    if x.ndim == 0:
        raise ValueError("cumulative: 0-d arrays are not allowed")
    axis = _axis(axis, x.ndim)
    dt = _sum_dtype(x, dtype)
    r = fn(x.to(dt), axis).to(dt)
    if include_initial:
        shape = list(x.shape)
        shape[axis] = 1
        r = _t.cat([_t.full(tuple(shape), initial, dtype=dt, device=x.device), r], dim=axis)
    return r


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False):
    return _cumulative(_t.cumsum, x, axis, dtype, include_initial, 0)


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False):
    return _cumulative(_t.cumprod, x, axis, dtype, include_initial, 1)


# ---- utility ------------------------------------------------------------------------------------
def all(x, /, *, axis=None, keepdims=False):
    return _reduce(lambda y: _t.all(y != 0, dim=-1), x, axis, keepdims)


def any(x, /, *, axis=None, keepdims=False):
    return _reduce(lambda y: _t.any(y != 0, dim=-1), x, axis, keepdims)


def diff(x, /, *, axis=-1, n=1, prepend=None, append=None):
    if x.ndim == 0:
        raise ValueError("diff(): 0-d arrays are not allowed")
    axis = _axis(axis, x.ndim)
    parts = [p for p in (prepend, x, append) if p is not None]
    if len(parts) > 1:
        x = concat(parts, axis=axis)
    for _ in range(n):
        m = x.shape[axis]
        hi = _t.narrow(x, axis, 1, _b.max(m - 1, 0)) if m else x
        lo = _t.narrow(x, axis, 0, _b.max(m - 1, 0)) if m else x
        x = (hi != lo) if x.dtype == bool else hi - lo
    return x


__all__ = sorted(n for n in dict(globals()) if not n.startswith("_") or n in (
    "__array_api_version__", "__array_namespace_info__"))
__all__ = [n for n in __all__ if n not in ("finfo_object", "iinfo_object")]
