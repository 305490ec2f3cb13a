"""cases_out.py — out= as a user writes it: each case returns what it
observed (values, dtypes, shapes, strides, whether the call returned out
itself, what a view or the base of out sees) as plain lists. `python3
cases_out.py` (with real PyTorch) writes expected_out.json; run(torch)
runs every case on any torch module, recording a case's exception (type and
message) and the warnings it raised."""
import re
import warnings


def snap(t):
    """A tensor as [dtype, shape, strides, values]."""
    return [str(t.dtype), list(t.shape), list(t.stride()), t.tolist()]


def cases(torch):
    f32, f64, i64, i32, b8 = torch.float32, torch.float64, torch.int64, torch.int32, torch.bool
    m = lambda: torch.arange(6.).reshape(2, 3)          # noqa: E731
    mi = lambda: torch.arange(6).reshape(2, 3)          # noqa: E731
    E = lambda dt=f32: torch.empty(0, dtype=dt)         # noqa: E731
    C = {}

    def case(f):
        C[f.__name__] = f
        return f

    # ---- elementwise: written in place, out returned -------------------------
    @case
    def add_into_right_shape():
        o = torch.zeros(2, 3)
        r = torch.add(m(), 1, out=o)
        return [r is o, snap(o)]

    @case
    def add_alpha_tensor():
        o = torch.zeros(2, 3)
        return [torch.add(m(), m(), alpha=2, out=o) is o, snap(o)]

    @case
    def sub_mul_div_pow():
        a, b = m(), m() + 1
        outs = [torch.empty(2, 3) for _ in range(4)]
        torch.sub(a, b, out=outs[0]); torch.mul(a, b, out=outs[1])
        torch.div(a, 2, out=outs[2]); torch.pow(a, 2, out=outs[3])
        return [snap(o) for o in outs]

    @case
    def div_floor_into_long():
        return snap(torch.div(mi(), 2, rounding_mode="floor", out=E(i64)))

    @case
    def comparison_into_float():
        return snap(torch.gt(m(), 2, out=E(f32)))

    @case
    def comparison_into_bool():
        return snap(torch.eq(mi(), 3, out=E(b8)))

    @case
    def logical_and_into_int():
        return snap(torch.logical_and(m(), mi() - 2, out=E(i32)))

    @case
    def maximum_minimum():
        a, b = m(), 5 - m()
        return [snap(torch.maximum(a, b, out=E())), snap(torch.minimum(a, b, out=E(f64)))]

    @case
    def max_of_two_tensors():
        return snap(torch.max(m(), 5 - m(), out=E()))

    @case
    def unary_float_ops():
        a = m() + 1
        return [snap(f(a, out=E())) for f in (torch.exp, torch.log, torch.sqrt, torch.rsqrt, torch.sin,
                                               torch.tanh, torch.sigmoid, torch.reciprocal, torch.log1p)]

    @case
    def unary_float_op_of_ints_into_double():
        return snap(torch.sqrt(mi(), out=E(f64)))

    @case
    def unary_float_op_of_ints_into_long():
        return snap(torch.exp(mi(), out=E(i64)))

    @case
    def unary_keeping_ops():
        a = m() - 2.5
        return [snap(f(a, out=E())) for f in (torch.abs, torch.neg, torch.sign, torch.floor, torch.ceil,
                                               torch.trunc, torch.round)]

    @case
    def abs_into_double_refused():
        return snap(torch.abs(m(), out=E(f64)))

    @case
    def neg_of_long_into_int_refused():
        return snap(torch.neg(mi(), out=E(i32)))

    @case
    def square_of_long_into_int():
        return snap(torch.square(mi(), out=E(i32)))

    @case
    def bitwise_not_into_long():
        return snap(torch.bitwise_not(mi(), out=E(i64)))

    @case
    def clamp_scalar_bounds():
        return snap(torch.clamp(m(), 1, 3, out=E()))

    @case
    def clamp_scalar_bounds_into_double_refused():
        return snap(torch.clamp(m(), 1, 3, out=E(f64)))

    @case
    def clamp_tensor_bounds_into_double():
        return snap(torch.clamp(m(), torch.zeros(3), torch.full((3,), 4.), out=E(f64)))

    @case
    def where_into_out():
        a = m()
        return snap(torch.where(a > 2, a, -a, out=E()))

    @case
    def where_into_double_refused():
        a = m()
        return snap(torch.where(a > 2, a, -a, out=E(f64)))

    # ---- dtypes: cast where can_cast allows, else PyTorch's refusal ---------
    @case
    def add_floats_into_double():
        return snap(torch.add(m(), 0.5, out=E(f64)))

    @case
    def add_floats_into_long_refused():
        return snap(torch.add(m(), 0.5, out=torch.zeros(2, 3, dtype=i64)))

    @case
    def add_longs_into_float_and_int():
        return [snap(torch.add(mi(), 7, out=E(f32))), snap(torch.add(mi(), 7, out=E(i32)))]

    @case
    def add_longs_into_bool_refused():
        return snap(torch.add(mi(), 1, out=E(b8)))

    @case
    def true_division_of_longs_into_long_refused():
        return snap(torch.div(mi(), 2, out=E(i64)))

    @case
    def refused_out_keeps_its_values():
        o = torch.full((2, 3), 9, dtype=i64)
        try:
            torch.add(m(), 0.5, out=o)
        except RuntimeError:
            pass
        return snap(o)

    # ---- reductions -------------------------------------------------------------
    @case
    def sum_along_dim():
        o = E()
        return [torch.sum(m(), 1, out=o) is o, snap(o)]

    @case
    def sum_keepdim():
        return snap(torch.sum(m(), 0, keepdim=True, out=E()))

    @case
    def sum_of_floats_in_long():
        return snap(torch.sum(m() + 0.75, 1, out=E(i64)))

    @case
    def sum_of_longs_in_float():
        return snap(torch.sum(mi(), 0, out=E(f32)))

    @case
    def sum_dtype_and_out_differ():
        return snap(torch.sum(m(), 1, dtype=f64, out=E(f32)))

    @case
    def prod_in_double():
        return snap(torch.prod(m() + 1, 1, out=E(f64)))

    @case
    def mean_and_into_double():
        return [snap(torch.mean(m(), 1, out=E())), snap(torch.mean(m(), 0, out=E(f64)))]

    @case
    def mean_into_long_refused():
        return snap(torch.mean(m(), 1, out=E(i64)))

    @case
    def amax_amin():
        return [snap(torch.amax(m(), 1, out=E())), snap(torch.amin(m(), 0, out=E()))]

    @case
    def amax_into_double_refused():
        return snap(torch.amax(m(), 1, out=E(f64)))

    @case
    def var_std_into_double():
        return [snap(torch.var(m(), 1, out=E(f64))), snap(torch.std(m(), 0, out=E()))]

    @case
    def logsumexp_into_long_refused():
        return snap(torch.logsumexp(m(), 1, out=E(i64)))

    @case
    def all_any_into_bool_and_byte():
        return [snap(torch.all(m(), 1, out=E(b8))), snap(torch.any(m(), 0, out=E(torch.uint8)))]

    @case
    def all_into_float_refused():
        return snap(torch.all(m(), 1, out=E()))

    @case
    def max_of_all_elements():
        return snap(torch.max(m(), out=E()))

    @case
    def min_of_all_elements_into_long_refused():
        return snap(torch.min(m(), out=E(i64)))

    @case
    def argmax_into_long():
        return snap(torch.argmax(m(), 1, out=E(i64)))

    @case
    def argmax_into_int_refused():
        return snap(torch.argmax(m(), 1, out=E(i32)))

    # ---- tuple results: (values, indices) ------------------------------------
    @case
    def max_along_dim():
        v, i = E(), E(i64)
        r = torch.max(m(), 1, out=(v, i))
        return [type(r).__name__, r.values is v, r.indices is i, r[0] is v, snap(v), snap(i)]

    @case
    def min_along_dim_keepdim_list():
        v, i = E(), E(i64)
        r = torch.min(m(), 0, keepdim=True, out=[v, i])
        return [type(r).__name__, r[0] is v, r[1] is i, snap(v), snap(i)]

    @case
    def max_along_dim_values_double_refused():
        return list(torch.max(m(), 1, out=(E(f64), E(i64))))

    @case
    def max_along_dim_indices_int_refused():
        return list(torch.max(m(), 1, out=(E(), E(i32))))

    @case
    def max_along_dim_one_tensor_refused():
        return snap(torch.max(m(), 1, out=E()))

    @case
    def sort_descending():
        v, i = E(), E(i64)
        r = torch.sort(torch.tensor([[3., 1., 2.], [0., 5., 4.]]), 1, descending=True, out=(v, i))
        return [type(r).__name__, r.values is v, r.indices is i, snap(v), snap(i)]

    @case
    def topk_into_one_tensor_refused():
        return snap(torch.topk(m(), 1, out=E()))

    @case
    def sort_indices_float_refused():
        return list(torch.sort(m(), out=(E(), E())))

    @case
    def sort_out_of_three_refused():
        return list(torch.sort(m(), out=(E(), E(i64), E())))

    @case
    def topk_into_out():
        v, i = E(), E(i64)
        r = torch.topk(torch.tensor([4., 1., 7., 3.]), 2, out=(v, i))
        return [type(r).__name__, r.values is v, snap(v), snap(i)]

    @case
    def cumsum_and_cumprod():
        return [snap(torch.cumsum(m(), 1, out=E())), snap(torch.cumprod(m() + 1, 0, out=E(f64)))]

    @case
    def cumsum_of_floats_in_long():
        return snap(torch.cumsum(m() + 0.5, 1, out=E(i64)))

    @case
    def cummax_into_out():
        v, i = E(), E(i64)
        r = torch.cummax(torch.tensor([1., 3., 2., 5.]), 0, out=(v, i))
        return [type(r).__name__, snap(v), snap(i)]

    # ---- matrix products, gathers ---------------------------------------------
    @case
    def matmul_mm_bmm():
        a = m()
        return [snap(torch.matmul(a, a.t(), out=E())), snap(torch.mm(a.t(), a, out=E())),
                snap(torch.bmm(a.view(1, 2, 3), a.view(1, 3, 2), out=E()))]

    @case
    def mm_into_double_refused():
        return snap(torch.mm(m(), m().t(), out=E(f64)))

    @case
    def dot_into_double_refused():
        return snap(torch.dot(m()[0], m()[1], out=E(f64)))

    @case
    def gather_index_select_masked_select():
        a = m()
        return [snap(torch.gather(a, 1, torch.tensor([[2, 0], [1, 1]]), out=E())),
                snap(torch.index_select(a, 1, torch.tensor([2, 0]), out=E())),
                snap(torch.masked_select(a, a > 2, out=E()))]

    @case
    def index_select_into_double_refused():
        return snap(torch.index_select(m(), 0, torch.tensor([1]), out=E(f64)))

    @case
    def gather_into_double_refused():
        return snap(torch.gather(m(), 1, torch.tensor([[0], [1]]), out=E(f64)))

    @case
    def take_and_take_along_dim():
        a = m()
        return [snap(torch.take(a, torch.tensor([0, 5]), out=E())),
                snap(torch.take_along_dim(a, torch.tensor([[2], [0]]), 1, out=E()))]

    @case
    def take_into_double_refused():
        return snap(torch.take(m(), torch.tensor([0]), out=E(f64)))

    @case
    def nonzero_into_long_and_float_refused():
        a = torch.tensor([[0., 1.], [2., 0.]])
        o = E(i64)
        r = [torch.nonzero(a, out=o) is o, o.tolist()]  # (PyTorch's nonzero is column-major, tensorc's not)
        try:
            torch.nonzero(a, out=E())
        except RuntimeError as e:
            r.append(str(e))
        return r

    @case
    def scatter_index_add_functional_forms():
        a, idx = m(), torch.tensor([[0], [2]])
        return [snap(torch.scatter(a, 1, idx, -1., out=E())),
                snap(torch.scatter_add(a, 1, idx, torch.ones(2, 1), out=E())),
                snap(torch.index_add(a, 0, torch.tensor([1]), torch.ones(1, 3), out=E())),
                snap(torch.index_copy(a, 0, torch.tensor([0]), torch.zeros(1, 3), out=E()))]

    @case
    def scatter_into_double_refused():
        return snap(torch.scatter(m(), 1, torch.tensor([[0], [1]]), 1., out=E(f64)))

    @case
    def tril_triu_diag():
        a = torch.arange(9.).view(3, 3)
        return [snap(torch.tril(a, out=E())), snap(torch.triu(a, 1, out=E())), snap(torch.diag(a, out=E()))]

    @case
    def tril_into_long_refused():
        return snap(torch.tril(m(), out=E(i64)))

    @case
    def histc_searchsorted_bucketize():
        a, b = torch.tensor([0.5, 1.5, 2.5, 2.7]), torch.tensor([1., 2., 3.])
        return [snap(torch.histc(a, 3, 0, 3, out=E())), snap(torch.searchsorted(b, a, out=E(i64))),
                snap(torch.bucketize(a, b, out_int32=True, out=E(i32)))]

    @case
    def histc_into_double_refused():
        return snap(torch.histc(torch.tensor([1.]), 2, out=E(f64)))

    @case
    def searchsorted_into_float_refused():
        return snap(torch.searchsorted(torch.tensor([1., 2.]), torch.tensor([1.5]), out=E()))

    @case
    def bucketize_int32_flag_into_long_refused():
        return snap(torch.bucketize(torch.tensor([1.5]), torch.tensor([1., 2.]), out_int32=True, out=E(i64)))

    @case
    def kthvalue_median_mode():
        a = torch.tensor([[3., 1., 2.], [1., 0., 5.]])
        r = []
        for f in (lambda o: torch.kthvalue(a, 2, 1, out=o), lambda o: torch.median(a, 1, out=o),
                  lambda o: torch.mode(a, 1, out=o)):
            v, i = E(), E(i64)
            x = f((v, i))
            r += [type(x).__name__, x.values is v, snap(v), snap(i)]
        return r

    @case
    def sum_and_prod_into_out_need_a_dim():
        r = []
        for f in (lambda: torch.sum(m(), out=E()), lambda: torch.prod(m(), out=E()),
                  lambda: torch.sum(m(), dtype=f64, out=E(f64)), lambda: torch.prod(m(), dtype=f64, out=E(f64))):
            try:
                r.append(snap(f()))
            except TypeError as e:
                r.append(str(e))
        return r

    @case
    def kthvalue_into_double_refused():
        return list(torch.kthvalue(m(), 1, out=(E(f64), E(i64))))

    @case
    def median_into_double_refused():
        return list(torch.median(m(), 1, out=(E(f64), E(i64))))

    @case
    def mode_into_double_refused():
        return list(torch.mode(m(), 1, out=(E(f64), E(i64))))

    @case
    def cummin_logcumsumexp():
        v, i = E(), E(i64)
        torch.cummin(torch.tensor([3., 1., 2.]), 0, out=(v, i))
        return [snap(v), snap(i), snap(torch.logcumsumexp(torch.zeros(3), 0, out=E()))]

    @case
    def logcumsumexp_into_double_refused():
        return snap(torch.logcumsumexp(m(), 1, out=E(f64)))

    @case
    def cummax_indices_int_refused():
        return list(torch.cummax(m(), 1, out=(E(), E(i32))))

    @case
    def softmax_log_softmax():
        a = torch.zeros(2, 4)
        return [snap(torch.softmax(a, 1, out=E())), snap(torch.log_softmax(a, 0, out=E()))]

    @case
    def softmax_into_double_refused():
        return snap(torch.softmax(m(), 1, out=E(f64)))

    @case
    def msort_into_out():
        return snap(torch.msort(torch.tensor([[2., 1.], [0., 3.]]), out=E()))

    @case
    def round_decimals():
        return snap(torch.round(torch.tensor([1.25, 2.5]), decimals=1, out=E()))

    @case
    def multinomial_into_long_and_float_refused():
        r = [snap(torch.multinomial(torch.tensor([0., 1., 0.]), 1, out=E(i64)))]
        try:
            torch.multinomial(torch.ones(3), 1, out=E())
        except RuntimeError as e:
            r.append(str(e))
        return r

    @case
    def bernoulli_into_any_dtype():
        return [snap(torch.bernoulli(torch.ones(3), out=E(i64))), snap(torch.bernoulli(torch.zeros(2), out=E(f64)))]

    @case
    def randperm_into_out():
        o = E(f64)
        torch.randperm(4, out=o)
        return [str(o.dtype), sorted(o.tolist())]

    @case
    def full_of_a_float_into_long():
        return snap(torch.full((2,), 3.5, out=E(i64)))

    @case
    def sum_of_all_elements_with_dim_none():
        return snap(torch.sum(m(), dim=None, out=E(f64)))

    @case
    def mean_dtype_and_out_differ():
        return snap(torch.mean(m(), 1, dtype=f64, out=E()))

    @case
    def cumsum_dtype_and_out_differ():
        return snap(torch.cumsum(m(), 1, dtype=f64, out=E()))

    # ---- joins ---------------------------------------------------------------------
    @case
    def cat_and_stack():
        a = m()
        o1, o2 = E(), E()
        r1, r2 = torch.cat([a, a + 6], out=o1), torch.stack([a, -a], 1, out=o2)
        return [r1 is o1, r2 is o2, snap(o1), snap(o2)]

    @case
    def cat_of_longs_into_double():
        return snap(torch.cat([mi(), mi()], 1, out=E(f64)))

    @case
    def cat_of_floats_into_long_refused():
        return snap(torch.cat([m(), m()], out=E(i64)))

    @case
    def stack_of_floats_into_long_refused():
        return snap(torch.stack([m(), m()], out=E(i64)))

    @case
    def hstack_vstack():
        a = m()
        return [snap(torch.hstack([a, a], out=E())), snap(torch.vstack([a, a], out=E(f64)))]

    # ---- creation functions: out's dtype unless dtype= says ------------------------
    @case
    def zeros_ones_full_empty():
        o1, o2, o3, o4 = E(i64), E(), E(i32), E(f64)
        r = [torch.zeros(2, 3, out=o1), torch.ones((2,), out=o2), torch.full((3,), 3.5, out=o3),
             torch.empty(2, 2, out=o4)]
        return [r[0] is o1, r[1] is o2, r[2] is o3, r[3] is o4, snap(o1), snap(o2), snap(o3), o4.shape == (2, 2)]

    @case
    def zeros_dtype_differs_from_out():
        return snap(torch.zeros(2, dtype=f32, out=E(i64)))

    @case
    def arange_into_out():
        return [snap(torch.arange(5, out=E())), snap(torch.arange(1, 4, 0.5, out=E(f64))),
                snap(torch.arange(6, out=E(i32)))]

    @case
    def arange_dtype_differs_from_out():
        return snap(torch.arange(5, dtype=i64, out=E()))

    @case
    def linspace_eye_into_out():
        return [snap(torch.linspace(0, 1, 5, out=E(f64))), snap(torch.eye(2, 3, out=E(i64)))]

    @case
    def rand_randn_randint_take_outs_dtype():
        o1, o2, o3 = E(f64), E(f64), E(i32)
        r = [torch.rand(3, out=o1), torch.randn(2, 2, out=o2), torch.randint(0, 5, (4,), out=o3)]
        return [r[0] is o1, r[1] is o2, r[2] is o3, str(o1.dtype), list(o1.shape), str(o2.dtype), list(o2.shape),
                str(o3.dtype), list(o3.shape), bool(((o1 >= 0) & (o1 < 1)).all()),
                bool(((o3 >= 0) & (o3 < 5)).all())]

    @case
    def rand_dtype_differs_from_out():
        return snap(torch.rand(2, dtype=f64, out=E()))

    @case
    def seeded_rand_into_out_is_rand():
        torch.manual_seed(7)
        a = torch.rand(5)
        torch.manual_seed(7)
        o = E()
        torch.rand(5, out=o)
        return bool(torch.equal(a, o))

    # ---- shapes: resize of empty (silent) and non-empty (a warning) ----------------
    @case
    def empty_out_is_resized_silently():
        o = torch.empty(0)
        torch.add(m(), 1, out=o)
        return snap(o)

    @case
    def empty_out_of_another_rank_is_resized_silently():
        o = torch.empty(2, 0, 4)
        torch.mul(m(), 2, out=o)
        return snap(o)

    @case
    def nonempty_out_of_another_shape_is_resized_with_a_warning():
        o = torch.full((5,), 7.)
        r = torch.add(m(), 1, out=o)
        return [r is o, snap(o)]

    @case
    def same_numel_other_shape_warns_too():
        o = torch.zeros(3, 2)
        torch.add(m(), 1, out=o)
        return snap(o)

    @case
    def resized_out_takes_the_results_layout():
        o = torch.empty(0)
        torch.add(m().t(), 1, out=o)
        return snap(o)

    @case
    def reduction_resizes_with_a_warning():
        o = torch.zeros(4)
        torch.sum(m(), 0, out=o)
        return snap(o)

    @case
    def tuple_outs_resized():
        v, i = torch.zeros(5), torch.zeros(2, 2, dtype=i64)
        torch.max(m(), 0, out=(v, i))
        return [snap(v), snap(i)]

    @case
    def resize_grows_a_view_into_its_base():
        base = torch.zeros(4)
        o = base[:2]
        torch.add(m(), 1, out=o)
        return [snap(o), snap(base)]

    @case
    def empty_view_of_a_base_is_resized_at_its_offset():
        base = torch.zeros(10)
        o = base[4:4]
        torch.add(torch.ones(3), 1, out=o)
        return [o.storage_offset(), snap(o), snap(base)]

    @case
    def resize_shrinks_a_from_numpy_out():
        import numpy as np
        n = np.zeros(4, dtype=np.float32)
        o = torch.from_numpy(n)
        torch.add(torch.ones(2), 1, out=o)
        return [snap(o), n.tolist()]

    @case
    def resize_cannot_grow_a_from_numpy_out():
        import numpy as np
        o = torch.from_numpy(np.zeros(2, dtype=np.float32))
        return snap(torch.add(torch.ones(3), 1, out=o))

    # ---- layouts and aliases of out ------------------------------------------------
    @case
    def transposed_out_keeps_its_strides():
        o = torch.zeros(3, 2).t()
        r = torch.add(m(), 10, out=o)
        return [r is o, snap(o)]

    @case
    def transposed_out_base_sees_the_values():
        base = torch.zeros(3, 2)
        torch.mul(m(), 2, out=base.t())
        return snap(base)

    @case
    def strided_slice_out():
        base = torch.zeros(2, 6)
        o = base[:, ::2]
        torch.add(m(), 1, out=o)
        return [snap(o), snap(base)]

    @case
    def out_a_view_of_a_bigger_tensor():
        base = torch.zeros(4, 3)
        o = base[1:3]
        r = torch.sub(m(), 1, out=o)
        return [r is o, snap(base), o.storage_offset()]

    @case
    def view_and_alias_of_out_see_the_values():
        o = torch.zeros(2, 3)
        flat, alias = o.view(6), o
        torch.add(m(), 100, out=o)
        return [snap(flat), alias is o, snap(alias)]

    @case
    def reduction_into_a_row_of_a_matrix():
        base = torch.zeros(2, 3)
        torch.sum(torch.ones(4, 3), 0, out=base[1])
        return snap(base)

    @case
    def sort_into_views():
        base = torch.zeros(2, 4)
        idx = torch.zeros(4, dtype=i64)
        torch.sort(torch.tensor([3., 1., 4., 1.5]), out=(base[0], idx))
        return [snap(base), snap(idx)]

    @case
    def expanded_out_refused():
        return snap(torch.add(m(), 1, out=torch.zeros(3).expand(2, 3)))

    # ---- out aliasing an input ------------------------------------------------------
    @case
    def add_into_its_own_input():
        a = m()
        r = torch.add(a, a, out=a)
        return [r is a, snap(a)]

    @case
    def mul_into_the_second_input():
        a, b = m(), torch.full((2, 3), 2.)
        torch.mul(a, b, out=b)
        return [snap(a), snap(b)]

    @case
    def exp_into_its_own_input():
        a = torch.zeros(4)
        torch.exp(a, out=a)
        return snap(a)

    @case
    def partial_overlap_refused():
        x = torch.arange(8.)
        return snap(torch.add(x[:4], 1, out=x[2:6]))

    @case
    def partial_overlap_of_the_other_operand_refused():
        x = torch.arange(8.)
        return snap(torch.mul(torch.ones(4), x[:4], out=x[2:6]))

    @case
    def transposed_alias_refused():
        a = torch.arange(4.).view(2, 2)
        return snap(torch.add(a, 1, out=a.t()))

    @case
    def disjoint_views_allowed():
        x = torch.arange(8.)
        torch.add(x[:4], 1, out=x[4:])
        return snap(x)

    @case
    def cat_into_overlapping_out_refused():
        x = torch.arange(8.)
        return snap(torch.cat([x[:2], x[2:4]], out=x[:4]))

    @case
    def cumsum_into_its_own_input():
        x = torch.arange(5.)
        torch.cumsum(x, 0, out=x)
        return snap(x)

    @case
    def sum_of_rows_into_the_first_row():
        x = torch.arange(6.).view(2, 3)
        o = torch.zeros(3)
        torch.sum(x, 0, out=o)
        torch.add(x[0], x[1], out=x[0])
        return [snap(o), snap(x)]

    # ---- arguments ------------------------------------------------------------------
    @case
    def out_none_is_no_out():
        return snap(torch.add(m(), 1, out=None))

    @case
    def out_not_a_tensor():
        return snap(torch.mul(m(), 2, out=[1, 2]))

    @case
    def out_tuple_for_a_single_result():
        return snap(torch.exp(m(), out=(E(),)))

    @case
    def method_takes_no_out():
        return snap(m().add(1, out=E()))

    @case
    def function_without_out_refuses_it():
        return snap(torch.isnan(m(), out=E(b8)))

    @case
    def resize_method_zero_then_reuse():
        o = torch.ones(2, 3)
        r = o.resize_(0)
        torch.add(m(), 1, out=o)
        return [r is o, snap(o)]

    return C


TRIGGERED = re.compile(r" \(Triggered internally at .*\)$", re.S)


def normalize(x):
    """Tuples as lists (JSON), recursively."""
    if isinstance(x, (list, tuple)):
        return [normalize(v) for v in x]
    return x


def run(torch):
    """name -> {"value": ...} or {"raises": type, "message": ...}, with
    "warnings": the messages of the warnings it raised (PyTorch's
    "(Triggered internally at <file>)" suffix left out)."""
    out = {}
    for name, f in cases(torch).items():
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                r = {"value": normalize(f())}
            except Exception as e:  # the case ends with an exception
                r = {"raises": type(e).__name__, "message": str(e).split("\n")[0]}
        r["warnings"] = [f"{x.category.__name__}: {TRIGGERED.sub('', str(x.message))}" for x in w]
        out[name] = r
    return out


if __name__ == "__main__":
    import json
    import os
    import sys
    import torch
    res = run(torch)
    if "--print" in sys.argv:
        json.dump(res, sys.stdout, indent=1, sort_keys=True)
        sys.exit(0)
    here = os.path.dirname(os.path.abspath(__file__))
    res["_generated_with"] = {"torch": torch.__version__}
    with open(os.path.join(here, "expected_out.json"), "w") as fp:
        json.dump(res, fp, indent=1, sort_keys=True)
        fp.write("\n")
    print(f"wrote {len(res) - 1} cases to expected_out.json (torch {torch.__version__})")
