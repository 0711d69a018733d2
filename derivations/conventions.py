"""How the paper scales N, tau, eps, gamma and Sigma_xx: one fact, one place.

Every layer imports these; the report shows them.  A statement that holds only when a
printed symbol is read as one of these rescaled quantities is reported as
``holds-under-convention`` naming the convention by its key.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .symbols import N, alpha, eps, gamma, s, tau


@dataclass(frozen=True)
class Convention:
    key: str
    text: str
    relation: sp.Basic | None = None


CONVENTIONS: dict[str, Convention] = {
    c.key: c
    for c in (
        Convention("sigma-sum", "Sigma_xx = sum_i x_i x_i^T is a SUM over the N samples, so its "
                   "eigenvalues lambda grow with N."),
        Convention("tau", "tau = N / alpha: one unit of t is one full-batch epoch (one GD step).",
                   sp.Eq(tau, N / alpha)),
        Convention("eps", "eps = N s^2: the noise variance s^2 scaled by the number of samples.",
                   sp.Eq(sp.Symbol("varepsilon"), N * s**2)),
        Convention("gamma-N", "In Appendices D-E and eq8 the printed gamma stands for N*gamma, "
                   "the weight-decay penalty of eq6 scaled by N (as eps = N s^2 is).",
                   sp.Eq(sp.Symbol("gamma_printed"), N * gamma)),
        Convention("unbalanced-init", "The start is off the balanced set: c0 = |w2^2 - w1^2| > 0 "
                   "(generic for random initialisations, as in the paper's Fig. 1)."),
        Convention("small-balanced-init", "w1 = w2 = sqrt(w0) with w0 -> 0: 'learning time' "
                   "is read at leading order in ln(1/w0)."),
    )
}

__all__ = ["CONVENTIONS", "Convention", "eps", "gamma"]
