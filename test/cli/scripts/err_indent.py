import torch
if True:
print("not indented")
