"""Independent references for the scalar losses, typed from EQUATIONS.md (not from derivations/).

[eq4]/[D.hess] ``l_eps = lam/(2 tau)(1 - w2 w1)^2 + eps/(2 tau)(w2 w1)^2``, [C.loss]
``l_gamma = lam/(2 tau)(1 - w2 w1)^2 + N gamma/(2 tau)(w1^2 + w2^2)``, their gradients (the
right-hand sides of [eq2]/[eq3] and [C.ode] with the sign flipped), central finite-difference
Hessians and plain gradient descent on (w1, w2).  Shared by the Appendix D and E tests.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.integrate import solve_ivp

Grad = Callable[..., tuple[float, float]]


def l_dae(a: float, b: float, lam: float, eps: float, tau: float) -> float:
    """[eq4] for one direction (``a = w1``, ``b = w2``)."""
    return lam / (2 * tau) * (1 - a * b) ** 2 + eps / (2 * tau) * (a * b) ** 2


def l_wdae(a: float, b: float, lam: float, ng: float, tau: float) -> float:
    """[C.loss] with ``ng = N gamma``."""
    return lam / (2 * tau) * (1 - a * b) ** 2 + ng / (2 * tau) * (a * a + b * b)


def fd_hessian(f: Callable[[float, float], float], a: float, b: float,
               h: float = 1e-3) -> np.ndarray:
    """Central second differences (error h^2 f''''/12: these losses are quartic)."""
    faa = (f(a + h, b) - 2 * f(a, b) + f(a - h, b)) / h**2
    fbb = (f(a, b + h) - 2 * f(a, b) + f(a, b - h)) / h**2
    fab = (f(a + h, b + h) - f(a + h, b - h) - f(a - h, b + h) + f(a - h, b - h)) / (4 * h**2)
    return np.array([[faa, fab], [fab, fbb]])


def grad_dae(a: float, b: float, lam: float, eps: float, tau: float = 1.0
             ) -> tuple[float, float]:
    """Gradient of [eq4] in (w1, w2): minus the right-hand sides of [eq2]/[eq3]."""
    r = lam * (1 - a * b)
    return -(b * r - eps * b * b * a) / tau, -(a * r - eps * a * a * b) / tau


def grad_wdae(a: float, b: float, lam: float, ng: float, tau: float = 1.0
              ) -> tuple[float, float]:
    """Gradient of [C.loss] in (w1, w2): minus the right-hand side of [C.ode]."""
    r = lam * (1 - a * b)
    return -(b * r - ng * a) / tau, -(a * r - ng * b) / tau


def gd(grad: Grad, a: float, b: float, step: float, steps: int, *args: float) -> np.ndarray:
    """Products w1 w2 along ``steps`` plain GD steps ``w <- w - step * grad(w, *args)``."""
    out = np.empty(steps + 1)
    out[0] = a * b
    for k in range(steps):
        ga, gb = grad(a, b, *args)
        a, b = a - step * ga, b - step * gb
        out[k + 1] = a * b
    return out


def dae_flow(lam: float, eps: float, tau: float) -> Callable[[float, np.ndarray], list[float]]:
    """[eq2], [eq3] for ``solve_ivp``: tau dw1/dt = w2 lam (1 - w2 w1) - eps w2^2 w1, and
    symmetrically."""

    def f(_t: float, y: np.ndarray) -> list[float]:
        a, b = y
        return [(b * lam * (1 - b * a) - eps * b * b * a) / tau,
                (a * lam * (1 - b * a) - eps * b * a * a) / tau]

    return f


def wdae_flow(lam: float, ng: float, tau: float) -> Callable[[float, np.ndarray], list[float]]:
    """[C.ode] for ``solve_ivp``: tau dw1/dt = w2 (lam - w2 w1 lam) - N gamma w1, and
    symmetrically; ``ng = N gamma``."""

    def f(_t: float, y: np.ndarray) -> list[float]:
        a, b = y
        return [(b * (lam - b * a * lam) - ng * a) / tau, (a * (lam - b * a * lam) - ng * b) / tau]

    return f


def integrate(f: Callable[[float, np.ndarray], list[float]], y0: tuple[float, float],
              ts: np.ndarray, rtol: float = 1e-11, atol: float = 1e-14) -> np.ndarray:
    """(w1, w2) at the times ``ts`` (rows 0 and 1), DOP853 at the given tolerances."""
    sol = solve_ivp(f, (0.0, float(ts[-1])), list(y0), t_eval=ts, method="DOP853", rtol=rtol,
                    atol=atol)
    assert sol.success
    return sol.y


def simulate_dae(lam: float, eps: float, tau: float, a0: float, b0: float,
                 ts: np.ndarray) -> np.ndarray:
    """[eq2]/[eq3] from (a0, b0), integrated to rtol 1e-12."""
    return integrate(dae_flow(lam, eps, tau), (a0, b0), ts, rtol=1e-12)


def simulate_wdae(lam: float, ng: float, tau: float, a0: float, b0: float,
                  ts: np.ndarray) -> np.ndarray:
    """[C.ode] from (a0, b0), integrated to rtol 1e-12, atol 1e-15."""
    return integrate(wdae_flow(lam, ng, tau), (a0, b0), ts, rtol=1e-12, atol=1e-15)
