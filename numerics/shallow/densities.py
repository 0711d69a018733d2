"""The paper's formulation: per-mode densities S_tau = (q, r^T; r, t) integrated directly.

Kept for the numerical experiment of step ``RG.formulation`` (benchmarks/shallow_formulation.py):
dS_tau/dt = J_tau S_tau + S_tau J_tau^T with J_tau = J0 + rt_tau J1 of :class:`.ode.Flow`
(step ``RG.ode.densities``).  Unlike the weight flow it does not keep S_tau of rank one.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .ode import Flow


class DensityFlow:
    """Right-hand side on the packed densities S (N, 2K, 2K) (no aggregated bulk)."""

    def __init__(self, flow: Flow) -> None:
        if flow.bulk:
            raise ValueError("DensityFlow takes explicit modes only")
        self.flow = flow
        self.nfev = 0

    def pack(self, alpha: NDArray, beta: NDArray) -> NDArray:
        z = np.concatenate([alpha, beta]).T  # (N, 2K)
        return (z[:, :, None] * z[:, None, :]).ravel()

    def order_parameters(self, y: NDArray) -> dict[str, NDArray]:
        K, rt = self.flow.K, self.flow.rt
        S = y.reshape(-1, 2 * K, 2 * K)
        w = np.einsum("n,nij->ij", rt, S)
        return {"Q": w[:K, :K], "R": w[K:, :K], "T": w[K:, K:], "T0": S[:, K:, K:].sum(0)}

    def __call__(self, t: float, y: NDArray) -> NDArray:
        self.nfev += 1
        K, rt = self.flow.K, self.flow.rt
        S = y.reshape(-1, 2 * K, 2 * K)
        J0, J1, _, _ = self.flow.blocks_from(self.order_parameters(y))
        J = J0[None] + rt[:, None, None] * J1[None]
        JS = J @ S
        return (JS + np.swapaxes(JS, 1, 2)).ravel()

    def pmse(self, y: NDArray) -> float:
        from .ode import pmse_from
        op = self.order_parameters(y)
        c = self.flow._coefficients(op, with_j2=True)
        return pmse_from(op, c, float(self.flow.rt.sum()))
