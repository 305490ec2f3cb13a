def check(n):
    if n > 2:
        raise ValueError(f"n is too big: {n}")
    return n
check(1)
check(3)
