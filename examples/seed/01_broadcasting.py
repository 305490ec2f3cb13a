# Seed section 1: broadcasting — exact rules + examples.
import torch

# Example A: scalar + tensor
t = torch.tensor([1., 2., 3.])      # shape (3,)
print((t + 10).shape)               # (3,)  -> scalar broadcast

# Example B: (3,1) broadcast to (3,4)
a = torch.rand(3,1)                 # shape (3,1)
b = torch.rand(3,4)                 # shape (3,4)
print((a + b).shape)                # (3,4)   because 1 -> 4 along last dim

# Example C: trailing mismatch fails
x = torch.rand(2,3)
y = torch.rand(3,2)
# x + y  -> Error: shapes (2,3) and (3,2) incompatible

# check: the values, and the error the comment describes
print(t + 10)
print(torch.tensor([[10.], [20.], [30.]]) + torch.arange(4.))
try:
    x + y
except RuntimeError as e:
    print(e)
# missing leading dimensions are treated as 1
print((torch.ones(2, 1, 4) + torch.ones(3, 1)).shape)
# .expand() returns a view of the same data
c = torch.tensor([[1], [2], [3]])
print(c.expand(3, 4))
print(c.expand(3, 4).stride())
