# The Python subset itself: literals, operators, control flow, functions.
import torch

print(7 // 2, -7 // 2, 7 % 3, -7 % 3, 7 % -3, 2 ** 10, 2 ** -1, 7 / 2, 6 / 3)
print(7.5 // 2, -7.5 // 2, 7.5 % 2, -7.5 % 2, 1e300 * 10, -(2 ** 62) * 2)
print(0x1f, 0o17, 0b101, 1_000_000, 1.5e3, .5, 5., 0.1 + 0.2)
print(True + True, True * 3, -True, ~5, 6 & 3, 6 | 3, 6 ^ 3, 1 << 10, 1024 >> 3)
print(1 < 2 < 3, 1 < 2 > 3, 3 == 3.0, 'a' < 'b', [1, 2] < [1, 3], (1, 2) == (1, 2))
print(None is None, 1 is not None, 2 in [1, 2], 'b' in 'abc', 5 not in range(5))
print(1 and 2, 0 and 2, 0 or 'x', None or 0, not 0, not [1])
s = "tensor" + 'c' * 2
print(s, len(s), s[0], s[-1], s[1:4], s[::-1], s[::2], s.upper(), "-".join(["a", "b"]))
print("it's", 'say "hi"', repr("it's"), repr('a"b'), repr('tab\there'), "x\ny")
print(str(3), str(2.5), repr(2.5), repr([1, 'a']), int("42"), float("1.5"), int(3.9), int(-3.9))
print(round(2.5), round(3.5), round(-2.5), round(2.675, 2), round(1234.5678, -2), abs(-3), abs(-2.5))
print(min(3, 1, 2), max([4, 9, 2]), min("b", "a"), sum([1, 2, 3]), sum([0.5, 0.25], 1))
print(divmod(17, 5), divmod(-17, 5), divmod(7.5, 2))
print(list(range(5)), list(range(2, 10, 3)), list(range(5, 0, -2)), tuple("ab"), list((1, 2)))
print(sorted([3, 1, 2]), sorted([3, 1, 2], reverse=True), any([0, 1]), all([1, 0]), bool(""), bool([0]))
print(isinstance(3, int), isinstance(True, int), isinstance(2.0, int), isinstance("a", str), isinstance(torch.ones(1), torch.Tensor))

x = [1, 2, 3]
x.append(4)
x += [5]
x[0] = 10
x.insert(1, 15)
print(x, x.pop(), x, x.index(15), x.count(2), len(x))
del x[0]
print(x, x[1:], x[-2:], x * 2)
a, b = 1, 2
a, b = b, a
first, *rest = [1, 2, 3, 4]
(p, q), r = (5, 6), 7
print(a, b, first, rest, p, q, r)
n = 10
n += 5
n -= 3
n *= 2
n //= 5
n **= 2
n %= 7
print(n)

total = 0
for i in range(10):
    if i == 2:
        continue
    if i == 6:
        break
    total += i
else:
    total = -1
print(total)
for i in range(3):
    pass
else:
    print("loop finished", i)
k = 0
while k < 5:
    k += 2
print(k)
print([i * i for i in range(6) if i % 2], [(i, j) for i in range(2) for j in range(2)])
print([c for c in "hey"], list(enumerate("ab")), list(zip([1, 2, 3], "xy")))

def add(a, b=10):
    return a + b

def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)

counter = 0
def bump():
    global counter
    counter += 1

bump()
bump()
sq = lambda v: v * v
print(add(1), add(1, 2), add(b=3, a=4), fact(10), counter, sq(7), add.__name__)
print(f"{3.14159:.2f}|{42:5d}|{'x':>3}|{7:<3}|{255:x}|{1234567:,}|{0.25:%}|{2.5e-7:.3e}")
val = 12.5
print(f"{val=}", f"{val!r}", f"{'nested'!s:^10}", f"{{braces}}", f"{val:{8}.{3}}")
if 0:
    print("no")
elif [] or None:
    print("no")
else:
    print("else branch")
print(1 if 2 > 1 else 0, "yes" if [] else "no")
