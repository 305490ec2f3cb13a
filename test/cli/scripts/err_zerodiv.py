n = 0
print(10 / n)
