"""Symbols of the order-parameter flow (shared by the dynamics and long-time steps; no steps)."""

from __future__ import annotations

import sympy as sp

eta, kappa, rt = sp.symbols("eta kappa rt", positive=True)
lam = sp.symbols("lambda1 lambda2", real=True)
nu = sp.symbols("nu1 nu2", real=True)
al = sp.symbols("alpha1 alpha2", real=True)
be = sp.symbols("beta1 beta2", real=True)
xh = sp.Symbol("xhat_tau", real=True)  # x_tau / sqrt(D)
gf = sp.Function("g")
