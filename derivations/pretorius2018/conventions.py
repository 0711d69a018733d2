"""How the ICML 2018 paper scales N, tau, eps, gamma and Sigma_xx: one table, keyed.

A statement that holds only when a printed symbol is read as one of these rescaled quantities
is reported as ``holds-under-convention`` naming the key; the relations use the symbols of
:mod:`derivations.pretorius2018.symbols`, the ones the steps use.
"""

from __future__ import annotations

import sympy as sp

from ..engine.conventions import Convention
from .symbols import N, alpha, eps, gamma, s, tau

#: the printed gamma of Appendices D-E, eq8 (read as N gamma)
gamma_printed = sp.Symbol("gamma_printed", nonnegative=True)

CONVENTIONS: tuple[Convention, ...] = (
    Convention("sigma-sum", "Sigma_xx = sum_i x_i x_i^T is a SUM over the N samples, so its "
               "eigenvalues lambda grow with N."),
    Convention("tau", "tau = N / alpha: one unit of t is one full-batch epoch (one GD step).",
               sp.Eq(tau, N / alpha)),
    Convention("eps", "eps = N s^2: the noise variance s^2 scaled by the number of samples.",
               sp.Eq(eps, N * s**2)),
    Convention("gamma-N", "In Appendices D-E and eq8 the printed gamma stands for N*gamma, "
               "the weight-decay penalty of eq6 scaled by N (as eps = N s^2 is).",
               sp.Eq(gamma_printed, N * gamma)),
    Convention("unbalanced-init", "The start is off the balanced set: c0 = |w2^2 - w1^2| > 0 "
               "(generic for random initialisations, as in the paper's Fig. 1)."),
    Convention("equal-fixed-points", "'Equivalent scalar solutions' read as equal fixed points: "
               "the trajectories themselves differ (rates 2 lam/tau vs 2 lam^2/((lam+eps) tau))."),
    Convention("small-balanced-init", "w1 = w2 = sqrt(w0) with w0 -> 0: 'learning time' "
               "is read at leading order in ln(1/w0)."),
)

__all__ = ["CONVENTIONS", "gamma_printed"]
