"""Reduced long-time flow on the aligned ansatz (eq. 19, C.8; steps ``RG.C.*``).

K = M units, unit k on eigenvector k: alpha_{k tau} = a_k delta_{k tau}, beta_{k tau} =
b_k delta_{k tau}, no bulk.  Then Q = diag(rt a^2), R = diag(rt a b), T = diag(rt b^2),
T0 = diag(b^2), and the flow of RG.ode.weights reduces to, per unit (step RG.C.reduced),

    da/dt = eta rt (b E1 + a L1 - a b^2 (L2 + K2)),   db/dt = eta (rt a E1 - b I2),

integrals at the covariances of (lambda_k, nu_k) and (lambda_k, lambda_k); this is the gradient
flow of f = rt/2 - rt a b E1 + b^2 I2/2 with rate eta (step RG.C.gradient).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.integrate import solve_ivp

from .integrals import closed_form


def _c(name: str, act: str, *args: NDArray) -> NDArray:
    return np.broadcast_to(np.asarray(closed_form(name, act)(*args), dtype=float),
                           np.broadcast(*args).shape)


def rhs(a: NDArray, b: NDArray, rt: NDArray, activation: str = "erf", eta: float = 0.1
        ) -> tuple[NDArray, NDArray]:
    """(da/dt, db/dt) of the reduced flow (vectorised over units)."""
    q, r, t = rt * a * a, rt * a * b, rt * b * b
    E1 = _c("E1", activation, q)
    I2 = _c("I2", activation, q, q, q)
    K2 = _c("K2", activation, q, q, q)
    L1 = _c("L1", activation, q, r, t)
    L2 = _c("L2", activation, q, q, q)
    da = eta * rt * (b * E1 + a * L1 - a * b * b * (L2 + K2))
    db = eta * (rt * a * E1 - b * I2)
    return da, db


def excess(a: NDArray, b: NDArray, rt: NDArray, activation: str = "erf") -> NDArray:
    """f_k = rt/2 - J2 + b^2 I2/2 per unit: pmse minus the PCA error (eq. C.4)."""
    q, r, t = rt * a * a, rt * a * b, rt * b * b
    return 0.5 * rt - _c("J2", activation, t, r, q) + 0.5 * b * b * _c("I2", activation, q, q, q)


def integrate(a0: ArrayLike, b0: ArrayLike, rt: ArrayLike, activation: str = "erf",
              eta: float = 0.1, t_eval: ArrayLike | None = None, rtol: float = 1e-10,
              method: str = "LSODA") -> dict[str, NDArray]:
    """Integrate the reduced flow; returns t, a, b (len(t), K) and the excess error."""
    a0, b0, rt = (np.atleast_1d(np.asarray(v, float)) for v in (a0, b0, rt))
    K = rt.size
    if t_eval is None:
        t_eval = np.concatenate([[0.0], np.geomspace(1e-2, 1e6, 200)])
    t_eval = np.asarray(t_eval, float)

    def f(_t: float, y: NDArray) -> NDArray:
        da, db = rhs(y[:K], y[K:], rt, activation, eta)
        return np.concatenate([da, db])

    sol = solve_ivp(f, (0.0, t_eval[-1]), np.concatenate([a0, b0]), method=method,
                    t_eval=t_eval, rtol=rtol, atol=1e-14)
    if not sol.success:
        raise RuntimeError(sol.message)
    a, b = sol.y[:K].T, sol.y[K:].T
    return {"t": sol.t, "a": a, "b": b, "excess": excess(a, b, rt, activation)}
