# Exceptions PyTorch and Python raise, caught with try/except and printed.
import torch
a = torch.rand(2, 3)
b = torch.rand(3, 2)
m = torch.arange(6).reshape(2, 3)
i = torch.tensor([1, 2, 3])

def show(e):
    print(type(e).__name__ if False else "caught:", e)

try:
    a + b
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    a @ a
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    m.t().view(6)
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    m.view(4)
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    i.item()
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    if i > 1:
        pass
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    int(i)
except ValueError as e:
    print("ValueError:", e)
try:
    m.sum(dim=2)
except IndexError as e:
    print("IndexError:", e)
try:
    m[2]
except IndexError as e:
    print("IndexError:", e)
try:
    i /= 2
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    -(i > 1)
except RuntimeError as e:
    print("NotImplementedError is a RuntimeError:", e)
try:
    i.mean()
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    m.expand(3, 3)
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    m.permute(0)
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    torch.cat([m, torch.zeros(2, 2, 2)])
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    torch.stack([i, torch.tensor([1])])
except RuntimeError as e:
    print("RuntimeError:", e)
try:
    m + "x"
except TypeError as e:
    print("TypeError:", e)
try:
    m.nothing
except AttributeError as e:
    print("AttributeError:", e)
try:
    1 / 0
except ZeroDivisionError as e:
    print("ZeroDivisionError:", e)
try:
    [1, 2][5]
except IndexError as e:
    print("IndexError:", e)
try:
    x, y = [1, 2, 3]
except ValueError as e:
    print("ValueError:", e)
try:
    undefined_name
except NameError as e:
    print("NameError:", e)
try:
    len(5)
except TypeError as e:
    print("TypeError:", e)
try:
    len(torch.tensor(1.))
except TypeError as e:
    print("TypeError:", e)
try:
    torch.tensor([[1, 2], [3]])
except ValueError as e:
    print("ValueError:", e)
try:
    assert m.shape == (3, 2), "shape is " + str(m.shape)
except AssertionError as e:
    print("AssertionError:", e)
try:
    raise ValueError("custom", 3)
except (TypeError, ValueError) as e:
    print("ValueError:", e, e.args)
try:
    try:
        m[9]
    finally:
        print("finally runs")
except IndexError:
    print("outer caught it")
try:
    pass
except Exception:
    print("not here")
else:
    print("else runs")
try:
    a + b
except Exception as e:
    print("Exception catches:", isinstance(e, RuntimeError))
