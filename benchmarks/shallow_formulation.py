"""Numerical experiment of step RG.formulation: densities vs rotated weights, same solver.

K = 3, spikes rt = 9, 25, 81 plus 10 bulk modes of rt = 1/10, erf, eta = 0.1, random start;
both formulations integrated by the same solver and tolerance to t = 100; reported: the
rank-one defect of the densities max |q_kk t_kk - r_kk^2| / max(q t), the most negative
eigenvalue of S_tau relative to its norm, pmse - PCA error (negative = unphysical), and cost.
Run: PYTHONPATH=. python benchmarks/shallow_formulation.py
"""

from __future__ import annotations

import time

import numpy as np
from scipy.integrate import solve_ivp

from numerics.shallow.densities import DensityFlow
from numerics.shallow.ode import Flow, initial_weights, pca_errors


def main() -> None:
    rt = np.concatenate([[9.0, 25.0, 81.0], np.full(10, 1 / 10)])
    K, N = 3, rt.size
    a0, b0 = initial_weights(K, N, 1000, seed=1)
    t_eval = np.geomspace(1e-2, 1e2, 40)
    for method, rtol in (("RK45", 1e-6), ("RK45", 1e-9)):
        fl = Flow(rt, K, "erf", 0.1)
        dfl = DensityFlow(Flow(rt, K, "erf", 0.1))
        t0 = time.perf_counter()
        sw = solve_ivp(fl, (0, 1e2), fl.pack(a0, b0), method=method, rtol=rtol,
                       atol=rtol * 1e-3, t_eval=t_eval)
        tw = time.perf_counter() - t0
        t0 = time.perf_counter()
        sd = solve_ivp(dfl, (0, 1e2), dfl.pack(a0, b0), method=method, rtol=rtol,
                       atol=rtol * 1e-3, t_eval=t_eval)
        td = time.perf_counter() - t0
        pca = pca_errors(rt, K)[K]
        S = sd.y.T.reshape(len(sd.t), N, 2 * K, 2 * K)
        q = np.einsum("tnkk->tnk", S[:, :, :K, :K])
        t_ = np.einsum("tnkk->tnk", S[:, :, K:, K:])
        r = np.einsum("tnkk->tnk", S[:, :, K:, :K])
        defect = np.max(np.abs(q * t_ - r**2)) / np.max(np.abs(q * t_))
        eig = np.linalg.eigvalsh(S)
        neg = np.min(eig[..., 0] / np.maximum(eig[..., -1], 1e-300))
        pw = np.array([fl.pmse(y) for y in sw.y.T]) - pca
        pd = np.array([dfl.pmse(y) for y in sd.y.T]) - pca
        print(f"{method} rtol={rtol:g}: weights {sw.y.shape[0]} vars, nfev {fl.nfev}, {tw:.2f} s,"
              f" min(pmse - PCA) {pw.min():.3e}; densities {sd.y.shape[0]} vars, nfev "
              f"{dfl.nfev}, {td:.2f} s, min(pmse - PCA) {pd.min():.3e}, rank-one defect "
              f"{defect:.2e}, min eig(S)/max eig {neg:.2e}, max |pmse_w - pmse_d| "
              f"{np.max(np.abs(pw - pd)):.2e}", flush=True)


if __name__ == "__main__":
    main()
