# An uncaught error fails the script the way Python does: the exception
# type and PyTorch's message on stderr, exit status 1.
import torch
x = torch.rand(2, 3)
y = torch.rand(3, 2)
print("before the error")
z = x + y
print("never printed")
