"""The paper's symbols, with the paper's names and LaTeX renderings (one place for all)."""

from __future__ import annotations

import sympy as sp

# data and training
N = sp.Symbol("N", positive=True)  # number of samples
D = sp.Symbol("D", positive=True, integer=True)  # input dimension
H = sp.Symbol("H", positive=True, integer=True)  # hidden dimension
alpha = sp.Symbol("alpha", positive=True)  # learning rate
tau = sp.Symbol("tau", positive=True)  # time constant, tau = N / alpha
t = sp.Symbol("t", nonnegative=True)  # time in epochs

# spectrum and noise
lam = sp.Symbol("lambda", positive=True)  # an eigenvalue of Sigma_xx (a sum over samples)
s = sp.Symbol("s", positive=True)  # noise standard deviation, variance s^2
sigma = sp.Symbol("sigma", positive=True)  # Gaussian noise standard deviation
b = sp.Symbol("b", positive=True)  # Laplace scale
eps = sp.Symbol("varepsilon", nonnegative=True)  # eps = N s^2
gamma = sp.Symbol("gamma", nonnegative=True)  # weight-decay penalty (eq6)

# scalar weights and their product
w1, w2 = sp.symbols("w_1 w_2", real=True)
w = sp.Symbol("w", real=True)
w0 = sp.Symbol("w_0", real=True)  # initial product
wf = sp.Symbol("w_f", real=True)  # product at time t (Appendix C)

# hyperbolic coordinates (Appendix B)
c0 = sp.Symbol("c_0", positive=True)  # |w2^2 - w1^2|, conserved by the DAE flow
theta = sp.Symbol("theta", real=True)
theta0 = sp.Symbol("theta_0", real=True)
thetaf = sp.Symbol("theta_f", real=True)
beta = sp.Symbol("beta", positive=True)
zeta = sp.Symbol("zeta", positive=True)
delta = sp.Symbol("delta", real=True)
delta0 = sp.Symbol("delta_0", real=True)
deltaf = sp.Symbol("delta_f", real=True)
E = sp.Symbol("E", positive=True)  # E = exp(zeta lam t / tau)

# weight decay (Appendix C, eq7)
xi = sp.Symbol("xi", real=True)  # xi = 1 - N gamma / lam
E_gamma = sp.Symbol("E_gamma", positive=True)

# definitions printed with eq5 / eq7, as SymPy expressions of the base symbols
BETA = c0 * (1 + eps / lam)
ZETA = sp.sqrt(beta**2 + 4)
XI = 1 - N * gamma / lam
