"""SGD on real images beside the ODE with the images' empirical covariance (the Gaussian
equivalence of Refinetti & Goldt, Figs. 6 and 8): shared by those figures and by the study
``gauss``.

:func:`images_and_spectrum` loads the images (preprocessed as :mod:`.realdata` states) and the
eigen-decomposition of their second moment ``X^T X / N``; :func:`sgd_vs_ode` runs, for one K,
online SGD on the images (:func:`.image_sgd.image_sgd`) and integrates the ODE
(``numerics.shallow.ode.integrate``) with every one of the D eigenvalues as an explicit mode
(``rt = rho / D``, vectorised over modes; explicit RK45: the image spectra are small,
rt <= 0.08, so the flow is not stiff, and an implicit solver's dense Jacobian of
(2 K D)^2 entries would not fit in memory for K = 64), both from the SAME initial weights
(``rotate_weights``); :func:`gap_metrics` measures the deviation of two pmse curves.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .context import Context


def images_and_spectrum(ctx: Context, name: str, n: int, split: str = "train"
                        ) -> tuple[Any, Any]:
    """The first ``n`` images of ``split`` (scaled rows) and the :class:`Spectrum` of their
    second moment; the preprocessing record goes into ``ctx.data``.  Cached per process (the
    figures of one ``daedyn figures`` call, or one test session, read the files once)."""
    im, spec = _cached(name, ctx.data_dir, n, split)
    ctx.data[name] = im.record
    return im, spec


@lru_cache(maxsize=2)
def _cached(name: str, data_dir: str | None, n: int, split: str) -> tuple[Any, Any]:
    from numerics.shallow.data_model import eigen_decomposition, empirical_covariance

    from .realdata import load_images

    im = load_images(name, data_dir, n=n, split=split)
    im.x.setflags(write=False)  # shared between callers: never modified in place
    return im, eigen_decomposition(empirical_covariance(im.x))


def record_times(t_max: float, n: int, D: int) -> NDArray[np.float64]:
    """0 and ``n`` log-spaced times from ``min(1, t_max / 10)`` to ``t_max``, on the step grid."""
    t = np.concatenate([[0.0], np.geomspace(min(1.0, t_max / 10), t_max, n)])
    steps = np.unique(np.rint(t * D).astype(np.int64))
    return steps / D


def gap_metrics(t: NDArray, a: NDArray, b: NDArray) -> dict[str, float]:
    """Deviation of curve ``a`` from reference ``b`` (same times): the largest relative gap
    ``max |a - b| / b``, the final one, and the largest gap in units of the reference's total
    decrease ``b[0] - b[-1]`` (the scale of what the curve shows)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    rel = np.abs(a - b) / np.abs(b)
    drop = abs(b[0] - b[-1])
    return {"max_rel_gap": float(rel.max()), "final_rel_gap": float(rel[-1]),
            "max_gap_over_decrease": float(np.abs(a - b).max() / drop) if drop > 0
            else float("nan")}


def initial_weights(K: int, D: int, seed: int, init_std: float
                    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """i.i.d. N(0, init_std^2) encoder and decoder weights (K, D) of run ``seed``."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, K, 7]))
    return (init_std * rng.standard_normal((K, D)), init_std * rng.standard_normal((K, D)))


def sgd_vs_ode(ctx: Context, X: NDArray, spec: Any, K: int, times: NDArray, *,
               activation: str, eta: float, seed: int, init_std: float = 0.1,
               chunks: int = 10, name: str | None = None) -> dict[str, Any]:
    """SGD on the images ``X`` and the ODE with their spectrum, from the same initial weights;
    returns ``sgd`` (the records of :func:`.image_sgd.image_sgd`), ``ode`` (the ODE Result),
    ``w0``, ``v0``, ``gaps`` (SGD on images vs ODE; Gaussian pmse of the SGD weights vs ODE)
    and the seconds of each side."""
    import time

    from numerics.shallow.ode import integrate, rotate_weights

    from .image_sgd import image_sgd

    D = X.shape[1]
    w0, v0 = initial_weights(K, D, seed, init_std)
    t0 = time.perf_counter()
    sgd = image_sgd(ctx, name or f"K{K}", X, K, times, w0=w0, v0=v0, activation=activation,
                    eta=eta, seed=seed, chunks=chunks, spectrum=spec, n_overlap=min(K, 8))
    t_sgd = time.perf_counter() - t0
    al, be = rotate_weights(w0, v0, spec.vectors)
    t0 = time.perf_counter()
    ode = integrate(spec.rho / D, K, activation, eta=eta, t_eval=times, alpha0=al, beta0=be,
                    rtol=1e-6, method="RK45", D=D)
    t_ode = time.perf_counter() - t0
    gaps = {f"sgd_images_vs_ode_{k}": v
            for k, v in gap_metrics(times, sgd["pmse"], ode.pmse).items()}
    gaps.update({f"sgd_gauss_error_vs_ode_{k}": v
                 for k, v in gap_metrics(times, sgd["pmse_gauss"], ode.pmse).items()})
    return {"sgd": sgd, "ode": ode, "w0": w0, "v0": v0, "gaps": gaps,
            "seconds_sgd": t_sgd, "seconds_ode": t_ode}
