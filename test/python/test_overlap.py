"""test_overlap.py — PyTorch's memory-overlap rule for in-place writes
(refused partial overlaps, allowed neighbours), every case of
cases_overlap.py against what PyTorch did (expected_overlap.json)."""
import json
import os

import pytest

import tensorc.torch as torch
import cases_overlap

here = os.path.dirname(os.path.abspath(__file__))
expected = json.load(open(os.path.join(here, "expected_overlap.json")))
C = cases_overlap.cases(torch)


@pytest.mark.parametrize("name", sorted(expected))
def test_overlap_case(name):
    want = expected[name]
    if "raises" in want:
        with pytest.raises(Exception) as e:
            C[name]()
        assert type(e.value).__name__ == want["raises"]
        assert str(e.value) == want["message"]
    else:
        assert C[name]().tolist() == want["values"]
