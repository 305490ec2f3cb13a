import torch
t = torch.ones(2)
t.no_such_method()
