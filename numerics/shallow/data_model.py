"""Inputs of the shallow nonlinear autoencoder (Refinetti & Goldt, seeds/003): the spiked model of
the paper's eq. 3, exact and empirical covariances, their spectra, Gaussian sampling, PCA error
levels, and the paper's scaling of real images.  Definitions: ``shared/SHALLOW_MODEL.md``.

Eq. 3 (the synthetic model): ``x = sum_m c_m A_m + sigma xi`` with M fixed directions ``A_m`` in
R^D, ``c_m ~ N(0, s_m^2)``, ``s_m = 2^m + 1`` (m = 1..M: 3, 5, 9, ...), ``sigma = 1`` and
``xi ~ N(0, I_D)``.  The directions are the rows of a D-scaled matrix: either i.i.d. N(0, 1)
entries ("gaussian") or sinusoids rescaled to norm sqrt(D) ("sinusoidal").  The population
covariance is ``Omega = A^T diag(s^2) A + sigma^2 I``: M outlier eigenvalues of order D and a
bulk of order 1.  ``rho`` are the eigenvalues of the input covariance, ``rhotilde = rho / D``.

The PCA error with k components is ``(1/2) sum_{tau > k} rhotilde_tau`` (eigenvalues sorted
decreasingly): the population error ``E ||x - P_k x||^2 / (2D)`` of the projection ``P_k`` on
the top k eigenvectors, i.e. the pmse floor of a K = k linear autoencoder.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

DirectionKind = Literal["gaussian", "sinusoidal"]

#: ITU-R BT.601 luma weights (R, G, B): the weights of PIL's ``Image.convert("L")``, which is
#: what ``torchvision.transforms.Grayscale`` (used by the authors for grayscale CIFAR-10) calls.
LUMA_BT601: tuple[float, float, float] = (0.299, 0.587, 0.114)


def _int_arg(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _finite_matrix(name: str, value: ArrayLike) -> NDArray[np.float64]:
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of real numbers") from None
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (got NaN or inf)")
    return a


def spike_stds(M: int) -> NDArray[np.float64]:
    """``s_m = 2^m + 1`` for m = 1..M (eq. 3): 3, 5, 9, 17, ..."""
    M = _int_arg("M", M, 1)
    return 2.0 ** np.arange(1, M + 1) + 1.0


def directions(D: int, M: int, kind: DirectionKind = "gaussian",
               seed: int | np.random.Generator = 0) -> NDArray[np.float64]:
    """The M x D matrix of eq. 3 whose rows are the directions ``A_m``.

    ``"gaussian"``: i.i.d. N(0, 1) entries (norm ~ sqrt(D), not normalised, as the authors).
    ``"sinusoidal"``: row m (1-based) is ``sin((m + 1) i / 100)``, i = 0..D-1, rescaled to norm
    sqrt(D).  The authors' code (``createGenerativeModel``) uses ``sin((k + 2) i / 100)`` with the
    0-based row index k, so the first direction has frequency 2; SHALLOW_MODEL.md writes
    ``sin((m+2) i/100)`` with the 0-based index in mind.  ``seed`` only matters for "gaussian".
    """
    D = _int_arg("D", D, 1)
    M = _int_arg("M", M, 1)
    if M > D:
        raise ValueError(f"M (the number of spikes) must be <= D, got M={M} > D={D}")
    if kind == "gaussian":
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        return rng.standard_normal((M, D))
    if kind == "sinusoidal":
        i = np.arange(D, dtype=np.float64)
        rows = np.sin(np.outer(np.arange(2, M + 2, dtype=np.float64), i) / 100.0)
        norms = np.linalg.norm(rows, axis=1)
        if np.any(norms == 0):
            raise ValueError(f"D={D} is too small: a sinusoidal direction vanishes identically")
        return rows / norms[:, None] * np.sqrt(D)
    raise ValueError(f"kind must be 'gaussian' or 'sinusoidal', got {kind!r}")


@dataclass(frozen=True)
class Spectrum:
    """Eigen-decomposition ``Omega = sum_tau rho_tau e_tau e_tau^T`` of an input covariance.

    ``rho`` is sorted decreasingly; ``vectors[:, tau]`` is the unit eigenvector ``e_tau``.
    """

    rho: NDArray[np.float64]
    vectors: NDArray[np.float64]

    def __post_init__(self) -> None:
        rho = np.asarray(self.rho, dtype=np.float64)
        vec = np.asarray(self.vectors, dtype=np.float64)
        if rho.ndim != 1 or vec.shape != (rho.size, rho.size):
            raise ValueError(f"Spectrum needs rho of shape (D,) and vectors (D, D), got "
                             f"{rho.shape} and {vec.shape}")
        if not (np.all(np.isfinite(rho)) and np.all(np.isfinite(vec))):
            raise ValueError("Spectrum must be finite (got NaN or inf)")
        if np.any(np.diff(rho) > 0):
            raise ValueError("Spectrum rho must be sorted decreasingly")
        if rho[-1] < 0:
            raise ValueError(f"Spectrum rho must be >= 0 (a covariance), got {rho[-1]:g}")

    @property
    def D(self) -> int:
        return int(self.rho.size)

    @property
    def rhotilde(self) -> NDArray[np.float64]:
        """``rho / D`` (spikes of order 1-100, bulk of order 1/D)."""
        return self.rho / self.D

    def covariance(self) -> NDArray[np.float64]:
        """``E diag(rho) E^T``."""
        return (self.vectors * self.rho) @ self.vectors.T

    def pca_error(self, k: int) -> float:
        """``(1/2) sum_{tau > k} rhotilde_tau``: the PCA error with ``k`` components."""
        k = _int_arg("k", k, 0)
        if k > self.D:
            raise ValueError(f"k must be <= D={self.D}, got {k}")
        return float(0.5 * np.sum(self.rhotilde[k:]))

    def pca_errors(self, kmax: int) -> NDArray[np.float64]:
        """PCA errors for k = 0..kmax (entry k is :meth:`pca_error` (k))."""
        kmax = _int_arg("kmax", kmax, 0)
        if kmax > self.D:
            raise ValueError(f"kmax must be <= D={self.D}, got {kmax}")
        tail = np.cumsum(self.rhotilde[::-1])[::-1]  # tail[k] = sum_{tau >= k}
        return 0.5 * np.append(tail, 0.0)[: kmax + 1]


def eigen_decomposition(cov: ArrayLike, *, psd_tol: float = 1e-10) -> Spectrum:
    """Spectrum of a symmetric positive semi-definite ``cov`` (decreasing eigenvalues).

    Eigenvalues in ``[-psd_tol * max|rho|, 0)`` and those within rounding of zero
    (``|rho| <= D eps max|rho|``, the backward error of the eigensolver) are set to exactly 0,
    so that a PSD-singular matrix has exact zero modes; more negative ones are a ``ValueError``
    (not a covariance).
    """
    c = _finite_matrix("cov", cov)
    if c.shape[0] != c.shape[1]:
        raise ValueError(f"cov must be square, got shape {c.shape}")
    scale = max(float(np.abs(c).max()), np.finfo(float).tiny)
    if not np.allclose(c, c.T, rtol=0.0, atol=1e-12 * scale):
        raise ValueError("cov must be symmetric")
    rho, vec = np.linalg.eigh(0.5 * (c + c.T))
    rho, vec = rho[::-1].copy(), vec[:, ::-1].copy()
    top = max(float(np.abs(rho).max()), np.finfo(float).tiny)
    if rho[-1] < -psd_tol * top:
        raise ValueError(f"cov is not positive semi-definite: smallest eigenvalue {rho[-1]:g} "
                         f"(largest {rho[0]:g})")
    rho[np.abs(rho) <= rho.size * np.finfo(float).eps * top] = 0.0
    rho = np.maximum(rho, 0.0)
    return Spectrum(rho, vec)


def empirical_covariance(X: ArrayLike) -> NDArray[np.float64]:
    """``X^T X / n`` for n samples in the rows of ``X``: the uncentred second moment, which is
    the input covariance of the zero-mean model (the authors' ``xs.t() @ xs / n``)."""
    x = _finite_matrix("X", X)
    return x.T @ x / x.shape[0]


@dataclass(frozen=True)
class SpikedModel:
    """Eq. 3: ``x = c A + sigma xi`` with ``c_m ~ N(0, s_m^2)`` (rows of ``A`` are the A_m)."""

    A: NDArray[np.float64]
    s: NDArray[np.float64]
    sigma: float = 1.0
    kind: str = "custom"

    def __post_init__(self) -> None:
        A = _finite_matrix("A", self.A)
        s = np.asarray(self.s, dtype=np.float64)
        if s.shape != (A.shape[0],):
            raise ValueError(f"s must have one entry per direction ({A.shape[0]}), "
                             f"got shape {s.shape}")
        if not np.all(np.isfinite(s)) or np.any(s < 0):
            raise ValueError("s (the standard deviations of c) must be finite and >= 0")
        if A.shape[0] > A.shape[1]:
            raise ValueError(f"M (rows of A) must be <= D (columns), got {A.shape}")
        if not (np.isfinite(self.sigma) and self.sigma >= 0):
            raise ValueError(f"sigma must be finite and >= 0, got {self.sigma!r}")

    @property
    def D(self) -> int:
        return int(self.A.shape[1])

    @property
    def M(self) -> int:
        return int(self.A.shape[0])

    def covariance(self) -> NDArray[np.float64]:
        """The population covariance ``A^T diag(s^2) A + sigma^2 I``."""
        return (self.A.T * self.s**2) @ self.A + self.sigma**2 * np.eye(self.D)

    def spectrum(self) -> Spectrum:
        """Exact eigen-decomposition of :meth:`covariance` through the rank-M part: with the
        complete QR ``A^T = Q [R1; 0]``, ``A^T S^2 A = Q1 (R1 S^2 R1^T) Q1^T``, so the spikes are
        ``mu + sigma^2`` for the eigenpairs (mu, u) of the M x M matrix ``R1 S^2 R1^T`` (with
        eigenvectors ``Q1 u``) and the bulk is ``sigma^2`` on the complement ``Q2``."""
        q, r = np.linalg.qr(self.A.T, mode="complete")
        r1 = r[: self.M]
        mu, u = np.linalg.eigh((r1 * self.s**2) @ r1.T)
        mu = np.maximum(mu[::-1], 0.0)
        rho = np.concatenate([mu + self.sigma**2, np.full(self.D - self.M, self.sigma**2)])
        vec = np.concatenate([q[:, : self.M] @ u[:, ::-1], q[:, self.M:]], axis=1)
        order = np.argsort(-rho, kind="stable")  # a zero spike (s_m = 0) joins the bulk
        return Spectrum(rho[order], vec[:, order])

    def sample(self, n: int, seed: int | np.random.Generator = 0) -> NDArray[np.float64]:
        """``n`` i.i.d. samples of eq. 3, in the rows."""
        n = _int_arg("n", n, 1)
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        c = rng.standard_normal((n, self.M)) * self.s
        return c @ self.A + self.sigma * rng.standard_normal((n, self.D))

    def empirical_covariance(self, n: int = 10_000,
                             seed: int | np.random.Generator = 0) -> NDArray[np.float64]:
        """``X^T X / n`` of ``n`` fresh samples (the authors' Omega uses n = 10^4)."""
        return empirical_covariance(self.sample(n, seed))


def spiked_model(D: int, M: int, kind: DirectionKind = "gaussian", *,
                 seed: int | np.random.Generator = 0, sigma: float = 1.0) -> SpikedModel:
    """Eq. 3 with ``s_m = 2^m + 1`` and the directions of :func:`directions`."""
    return SpikedModel(directions(D, M, kind, seed), spike_stds(M), float(sigma), kind)


def gaussian_samples(cov: ArrayLike | Spectrum, n: int,
                     seed: int | np.random.Generator = 0) -> NDArray[np.float64]:
    """``n`` samples ``x ~ N(0, Omega)`` (rows) through the eigen square root
    ``x = E diag(sqrt(rho)) z``, valid for PSD-singular Omega (zero modes get no variance)."""
    spec = cov if isinstance(cov, Spectrum) else eigen_decomposition(cov)
    n = _int_arg("n", n, 1)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    z = rng.standard_normal((n, spec.D))
    return (z * np.sqrt(spec.rho)) @ spec.vectors.T


def grayscale(images: ArrayLike, layout: Literal["cifar", "chw", "hwc"] = "cifar"
              ) -> NDArray[np.float64]:
    """Luminance ``0.299 R + 0.587 G + 0.114 B`` (ITU-R BT.601, :data:`LUMA_BT601`) of colour
    images, flattened to (N, H*W).  ``layout``: "cifar" for rows of 3 * H * W values stored
    channel-major (the CIFAR-10 python batches: 1024 R, 1024 G, 1024 B), "chw" for
    (N, 3, H, W), "hwc" for (N, H, W, 3).  Unlike PIL, the result is not rounded to 8 bits."""
    x = np.asarray(images, dtype=np.float64)
    if not np.all(np.isfinite(x)):
        raise ValueError("images must be finite (got NaN or inf)")
    w = np.asarray(LUMA_BT601)
    if layout == "cifar":
        if x.ndim != 2 or x.shape[1] % 3:
            raise ValueError(f"layout 'cifar' needs (N, 3*H*W) rows, got shape {x.shape}")
        return np.einsum("ncp,c->np", x.reshape(x.shape[0], 3, -1), w)
    if layout == "chw":
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(f"layout 'chw' needs shape (N, 3, H, W), got {x.shape}")
        return np.einsum("nchw,c->nhw", x, w).reshape(x.shape[0], -1)
    if layout == "hwc":
        if x.ndim != 4 or x.shape[3] != 3:
            raise ValueError(f"layout 'hwc' needs shape (N, H, W, 3), got {x.shape}")
        return np.einsum("nhwc,c->nhw", x, w).reshape(x.shape[0], -1)
    raise ValueError(f"layout must be 'cifar', 'chw' or 'hwc', got {layout!r}")


def paper_scaling(X: ArrayLike) -> NDArray[np.float64]:
    """The authors' scaling of real images (N, D): divide by twice the scalar standard deviation
    of all entries (unbiased, as ``torch.Tensor.std``), then subtract the scalar mean of the
    result (``xs /= 2 * xs.std(); xs -= xs.mean()``)."""
    x = _finite_matrix("X", X)
    if x.size < 2:
        raise ValueError("X needs at least two entries to have a standard deviation")
    sd = float(np.std(x, ddof=1))
    if sd == 0:
        raise ValueError("X is constant: its standard deviation is 0, it cannot be scaled")
    y = x / (2.0 * sd)
    return y - y.mean()


def image_covariance(X: ArrayLike, *, scale: bool = True) -> NDArray[np.float64]:
    """The input covariance the theory uses for images: ``X^T X / N`` of the images after
    :func:`paper_scaling` (``scale=False``: of ``X`` as given)."""
    return empirical_covariance(paper_scaling(X) if scale else X)
