import torch
a = torch.tensor([1.0, 2.0])
assert torch.allclose(a, a + 1e-7)
assert torch.equal(a, a + 1), "tensors differ"
