"""Figure 1(b) of Refinetti & Goldt: the rescaled spectrum of the inputs' covariance.

Synthetic data (eq. 3, M spikes, Gaussian directions): the eigenvalues ``rhotilde = rho / D`` of
the empirical covariance ``X^T X / n`` of ``n`` samples, a bulk that follows the
Marchenko-Pastur law of ratio ``q = D / n`` (scale ``sigma^2 = 1``) and M outliers of order 1-100
next to the population spikes.  Measured beyond the picture: the Kolmogorov-Smirnov distance of
the bulk to the Marchenko-Pastur law, the fraction of bulk eigenvalues inside its support, and
each outlier's relative distance to its population value (and to the BBP-shifted value
``rho (1 + q / (rho - 1))`` of spiked-covariance theory, with rho in units of sigma^2).  When
grayscale CIFAR-10 is found (``--data-dir``, ``$DAEDYN_DATA``, the system path,
``../shared/data``), a second panel shows its rescaled spectrum after the paper's scaling;
otherwise the JSON says where it looked.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .context import Context
from .spec import FigureSpec

SPEC = FigureSpec(
    number="1", title="rescaled input spectra", datasets=("synthetic",), knobs=frozenset({"D"}),
    presets={"smoke": {"D": 200, "M": 3, "n": 2000, "n_cifar": 2000},
             "quick": {"D": 1000, "M": 3, "n": 10_000, "n_cifar": 10_000},
             "paper": {"D": 1000, "M": 3, "n": 10_000, "n_cifar": 50_000}},
)


def mp_cdf(x: np.ndarray, q: float, sigma2: float = 1.0) -> np.ndarray:
    """Marchenko-Pastur cumulative distribution (ratio ``q = D / n`` < 1, scale ``sigma2``),
    by quadrature of its density on a fine grid."""
    lo, hi = sigma2 * (1 - np.sqrt(q)) ** 2, sigma2 * (1 + np.sqrt(q)) ** 2
    grid = np.linspace(lo, hi, 20_001)
    dens = mp_density(grid, q, sigma2)
    cdf = np.concatenate([[0.0], np.cumsum((dens[1:] + dens[:-1]) / 2 * np.diff(grid))])
    cdf /= cdf[-1]
    return np.interp(x, grid, cdf, left=0.0, right=1.0)


def mp_density(x: np.ndarray, q: float, sigma2: float = 1.0) -> np.ndarray:
    """Marchenko-Pastur density of ratio ``q`` < 1 and scale ``sigma2``."""
    lo, hi = sigma2 * (1 - np.sqrt(q)) ** 2, sigma2 * (1 + np.sqrt(q)) ** 2
    x = np.asarray(x, dtype=float)
    inside = (x > lo) & (x < hi)
    out = np.zeros_like(x)
    xi = x[inside]
    out[inside] = np.sqrt((hi - xi) * (xi - lo)) / (2 * np.pi * sigma2 * q * xi)
    return out


def run(ctx: Context) -> dict[str, Any]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from numerics.shallow.data_model import empirical_covariance, spiked_model

    s = ctx.settings
    D, M, n = int(s["D"]), int(s["M"]), int(s["n"])
    if n <= D:
        raise ValueError(f"figure 1 needs more samples than dimensions (n = {n}, D = {D})")
    model = spiked_model(D, M, "gaussian", seed=s["seed"])
    x = model.sample(n, seed=s["seed"] + 1)
    rho_emp = np.linalg.eigvalsh(empirical_covariance(x))[::-1]
    rho_pop = model.spectrum().rho
    q = D / n
    bulk = rho_emp[M:]
    lo, hi = (1 - np.sqrt(q)) ** 2, (1 + np.sqrt(q)) ** 2
    srt = np.sort(bulk)
    ecdf_hi = np.arange(1, srt.size + 1) / srt.size
    ecdf_lo = np.arange(0, srt.size) / srt.size
    mp = mp_cdf(srt, q)
    ks = float(max(np.max(np.abs(ecdf_hi - mp)), np.max(np.abs(ecdf_lo - mp))))
    bbp = rho_pop[:M] * (1 + q / (rho_pop[:M] - 1))
    metrics: dict[str, Any] = {
        "q_D_over_n": q,
        "bulk_ks_distance_to_marchenko_pastur": ks,
        # 2 % margin: at finite D the edges fluctuate by O(D^(-2/3)) (Tracy-Widom)
        "bulk_fraction_inside_mp_support": float(np.mean((bulk >= lo * 0.98)
                                                         & (bulk <= hi * 1.02))),
        "mp_support": [lo, hi],
        "outliers_rhotilde_empirical": (rho_emp[:M] / D).tolist(),
        "outliers_rhotilde_population": (rho_pop[:M] / D).tolist(),
        "outlier_rel_error_vs_population": (np.abs(rho_emp[:M] / rho_pop[:M] - 1)).tolist(),
        "outlier_rel_error_vs_bbp_prediction": (np.abs(rho_emp[:M] / bbp - 1)).tolist(),
        "largest_bulk_eigenvalue": float(bulk[0]),
    }
    arrays: dict[str, np.ndarray] = {"rho_empirical": rho_emp, "rho_population": rho_pop}

    cifar = None
    try:
        from .realdata import load_images

        cifar = load_images("cifar10-gray", ctx.data_dir, n=int(s["n_cifar"]))
    except FileNotFoundError as err:
        metrics["cifar10_gray"] = {"skipped": str(err)}
    if cifar is not None:
        rc = np.linalg.eigvalsh(empirical_covariance(cifar.x))[::-1]
        arrays["rho_cifar10_gray"] = rc
        ctx.data["cifar10_gray"] = cifar.record
        top = rc / cifar.D
        metrics["cifar10_gray"] = {
            "D": cifar.D, "n_images": cifar.record["n_images"],
            "rhotilde_top5": top[:5].tolist(),
            "fraction_of_trace_in_top_1_10_100": [float(rc[:k].sum() / rc.sum())
                                                  for k in (1, 10, 100)],
        }

    ncols = 2 if cifar is None else 3
    fig, ax = plt.subplots(1, ncols, figsize=(4.2 * ncols, 3.4))
    ax[0].hist(bulk, bins=60, density=True, color="0.7", label=f"bulk ({D - M} eigenvalues)")
    grid = np.linspace(lo, hi, 400)
    ax[0].plot(grid, mp_density(grid, q), "k", lw=1.2, label=f"Marchenko-Pastur, q={q:.2g}")
    ax[0].set_xlabel(r"$\rho$ (bulk)")
    ax[0].set_ylabel("density")
    ax[0].set_title(f"bulk: KS distance {ks:.3f}")
    ax[0].legend(fontsize=7)
    ax[1].semilogy(np.arange(1, D + 1), rho_emp / D, ".", ms=2, label="empirical")
    ax[1].semilogy(np.arange(1, M + 1), rho_pop[:M] / D, "rx", label="population spikes")
    ax[1].set_xscale("log")
    ax[1].set_xlabel("rank")
    ax[1].set_ylabel(r"$\tilde\rho = \rho / D$")
    ax[1].set_title(f"synthetic, D={D}, M={M}, n={n}")
    ax[1].legend(fontsize=7)
    if cifar is not None:
        rc = arrays["rho_cifar10_gray"]
        ax[2].loglog(np.arange(1, rc.size + 1), rc / cifar.D, ".", ms=2)
        ax[2].set_xlabel("rank")
        ax[2].set_title(f"CIFAR-10 gray, n={cifar.record['n_images']}")
    fig.tight_layout()
    ctx.save(fig, metrics, arrays, x=cifar.x if cifar is not None else None,
             data_path=cifar.files[0] if cifar is not None else None)
    return metrics
