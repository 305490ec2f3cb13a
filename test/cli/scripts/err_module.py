import torch
import scipy
