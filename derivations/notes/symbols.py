"""Symbols of the notes' source (one place): step sizes, decay factors, gradients, iterates."""

from __future__ import annotations

import sympy as sp

eta = sp.Symbol("eta", positive=True)  # step size (the notes' eta / alpha_k; torch's lr)
alpha = sp.Symbol("alpha", positive=True)  # heavy-ball step size [LN.hb]
beta = sp.Symbol("beta", nonnegative=True)  # momentum / EWMA decay factor
beta1 = sp.Symbol("beta_1", nonnegative=True)
beta2 = sp.Symbol("beta_2", nonnegative=True)
epsilon = sp.Symbol("epsilon", positive=True)  # the optimisers' denominator constant
g = sp.Symbol("g", real=True)  # one coordinate of a gradient
a = sp.Symbol("a", positive=True)  # |g|
k = sp.Symbol("k", integer=True, nonnegative=True)
t = sp.Symbol("t", integer=True, positive=True)
i = sp.Symbol("i", integer=True, positive=True)

# iterates and state, one coordinate
w_new, w_old, w_older = sp.symbols("w_t w_{t-1} w_{t-2}", real=True)
v_new, v_old = sp.symbols("v_t v_{t-1}", nonnegative=True)
m_new, m_old = sp.symbols("m_t m_{t-1}", real=True)
m_hat, v_hat = sp.Symbol("\\hat{m}_t", real=True), sp.Symbol("\\hat{v}_t", nonnegative=True)

# the paper's per-direction loss (its Section 4), in eta-units: eta multiplies grad l
lam = sp.Symbol("lambda", positive=True)
eps = sp.Symbol("varepsilon", nonnegative=True)  # the paper's noise level eps = N s^2
gam = sp.Symbol("gamma_N", nonnegative=True)  # N gamma, the per-direction weight decay
w1, w2 = sp.symbols("w_1 w_2", real=True)
mu = sp.Symbol("mu", positive=True)  # a (nonzero) Hessian eigenvalue
c0 = sp.Symbol("c_0", nonnegative=True)  # |w2^2 - w1^2|
z = sp.Symbol("z")  # eigenvalue of a linearised map

LOSS = lam / 2 * (1 - w1 * w2) ** 2 + eps / 2 * (w1 * w2) ** 2
LOSS_WD = lam / 2 * (1 - w1 * w2) ** 2 + gam / 2 * (w1**2 + w2**2)
W_STAR = lam / (lam + eps)
