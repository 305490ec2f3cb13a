"""cases_overlap.py — in-place writes whose source shares memory with the destination, as a user writes them. `python3 cases_overlap.py` (with real PyTorch) writes expected_overlap.json."""

def cases(torch):
    x = lambda: torch.arange(6.)
    m = lambda: torch.arange(9.).reshape(3, 3)
    i6 = lambda: torch.arange(6)
    C = {}
    def case(f):
        C[f.__name__] = f
        return f
    @case
    def setitem_shifted(): a = x(); a[1:] = a[:-1]; return a
    @case
    def copy_shifted(): a = x(); a[1:].copy_(a[:-1]); return a
    @case
    def add_overlapping(): a = x(); a[:4].add_(a[2:]); return a
    @case
    def copy_transpose(): a = m(); a.copy_(a.t()); return a
    @case
    def add_transpose(): a = m(); a.add_(a.t()); return a
    @case
    def mul_by_own_element(): a = m(); a[0].mul_(a[0, 0]); return a
    @case
    def sub_own_row(): a = m(); a.sub_(a[2]); return a
    @case
    def iadd_own_row(): a = m(); a += a[2]; return a
    @case
    def mask_set_from_slice(): a = x(); a[a > 2] = a[:3]; return a
    @case
    def copy_self(): a = x(); a.copy_(a); return a
    @case
    def copy_disjoint(): a = x(); a[:3].copy_(a[3:]); return a
    @case
    def add_sparse_views(): a = x(); a[::2].add_(a[1::2]); return a
    @case
    def copy_same_view(): a = x(); a[:].copy_(a); return a
    @case
    def setitem_index_full(): a = x(); a[torch.arange(6)] = a; return a
    @case
    def setitem_index_clone(): a = x(); a[torch.arange(6)] = a.clone(); return a
    @case
    def index_put_overlapping(): a = x(); a.index_put_((torch.arange(3),), a[3:]); return a
    @case
    def masked_fill_own_element(): a = x(); a.masked_fill_(a > 2, a[0]); return a
    @case
    def setitem_column_from_row(): a = m(); a[:, 0] = a[0]; return a
    @case
    def mul_self(): a = x(); a.mul_(a); return a
    @case
    def add_expanded(): a = x(); a.expand(2, 6).add_(1); return a
    @case
    def iadd_gathers(): a = x(); a[[0, 1]] += a[[2, 3]]; return a
    @case
    def setitem_rows_overlapping(): a = m(); a[:2] = a[1:]; return a
    @case
    def add_same_memory_other_view(): a = x(); b = a.view(2, 3); a.add_(b.view(6)); return a
    @case
    def setitem_scalar_from_self(): a = x(); a[1:3] = a[0]; return a
    @case
    def setitem_list_from_own_element(): a = x(); a[[1, 2]] = a[0]; return a
    @case
    def setitem_mask_from_own_element(): a = x(); a[a > 2] = a[0]; return a
    @case
    def setitem_apart_rows(): a = m(); a[0, [0, 1]] = a[1, :2]; return a
    @case
    def setitem_strided_target(): a = m(); a[[0, 1], 1:] = a[2, 1:]; return a
    @case
    def copy_from_strided(): a = x(); a[2:4].copy_(a[1:5:2]); return a
    @case
    def copy_flipped(): a = x(); a.copy_(a.flip(0)); return a
    @case
    def index_add_overlapping(): a = x(); a.index_add_(0, torch.tensor([0, 1]), a[2:4]); return a
    @case
    def scatter_overlapping(): a = x(); a.scatter_(0, torch.tensor([0, 1]), a[2:4]); return a
    @case
    def scatter_index_is_self(): a = i6(); a.scatter_(0, a[:1], 1); return a
    @case
    def index_copy_full(): a = x(); a.index_copy_(0, i6(), a); return a
    @case
    def put_overlapping(): a = x(); a.put_(torch.tensor([0, 1]), a[2:4]); return a
    @case
    def clamp_by_own_element(): a = x(); a.clamp_(min=a[0]); return a
    return C


if __name__ == "__main__":
    import json
    import os
    import torch
    out = {}
    for name, f in cases(torch).items():
        try:
            out[name] = {"values": f().tolist()}
        except Exception as e:
            out[name] = {"raises": type(e).__name__, "message": str(e)}
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "expected_overlap.json"), "w") as fp:
        json.dump(out, fp, indent=1, sort_keys=True)
        fp.write("\n")
