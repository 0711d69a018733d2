"""Full-matrix gradient descent of the linear AE / DAE (marginalised noise) / WDAE.

Full-batch GD on the marginalised loss [eq1] (+ eq6's weight decay) needs the data only through
``Sigma_xx``; in its eigenbasis (``Wb1 = W1 V``, ``Wb2 = V^T W2``, [3.1b]) one epoch is the
exact discrete update

    Wb1 += (1/tau) (Wb2^T Lam - Wb2^T Wb2 Wb1 (Lam + eps) - N gamma Wb1)
    Wb2 += (1/tau) (Lam Wb1^T - Wb2 Wb1 (Lam + eps) Wb1^T - N gamma Wb2)

with ``tau = N / lr``, costing O(D H^2) per epoch instead of O(N D H) in data space.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from tqdm import tqdm

from .covariance import covariance, eigenbasis
from .validate import arg


@dataclass(frozen=True)
class LinearAETrajectory:
    """Mapping per eigen-direction over time.

    ``diag[k, j] = (V^T W2 W1 V)_jj`` at ``epochs[k]``; ``offdiag[k]`` the largest off-diagonal
    magnitude of ``V^T W2 W1 V`` (when tracked); ``W1``, ``W2`` the final weights (data basis).
    ``diverged``: the first recorded epoch at which the weights had left the finite numbers
    (GD above its stability limit ``lr lambda_1 / N < 1``), ``None`` if they never did; the
    simulation stops there and the later rows of ``diag`` are NaN.
    """

    epochs: NDArray[np.int64]
    lam: NDArray[np.float64]
    V: NDArray[np.float64]
    diag: NDArray[np.float64]
    offdiag: NDArray[np.float64] | None
    W1: NDArray[np.float64]
    W2: NDArray[np.float64]
    tau: float
    N: float
    diverged: int | None = None
    #: the optimiser of :func:`train_linear_ae` (``None``: plain GD of
    #: :func:`simulate_linear_ae`) and the coordinates it acted in
    optimizer: object | None = None
    basis: str = "eigen"


def _init(init: str | tuple[ArrayLike, ArrayLike], H: int, D: int, V: NDArray[np.float64],
          scale: float, seed: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Initial rotated weights ``(Wb1, Wb2)``."""
    rng = np.random.default_rng(seed)
    if isinstance(init, tuple):
        w1 = np.asarray(init[0], dtype=np.float64)
        w2 = np.asarray(init[1], dtype=np.float64)
        if w1.shape != (H, D) or w2.shape != (D, H):
            raise ValueError(f"init weights must have shapes ({H}, {D}) and ({D}, {H}), "
                             f"got {w1.shape} and {w2.shape}")
        return w1 @ V, V.T @ w2
    if init in ("orthogonal", "aligned"):  # W2 = V D2 R^T, W1 = R D1 V^T ([3.2]), D1 = D2 =
        # scale I; "aligned": R = I, so the rotated weights are exactly diagonal
        r = np.eye(H) if init == "aligned" else np.linalg.qr(rng.standard_normal((H, H)))[0]
        d = np.zeros((H, D))
        k = min(H, D)
        d[np.arange(k), np.arange(k)] = scale
        return r @ d, d.T @ r.T
    if init == "random":
        w1 = rng.standard_normal((H, D)) * scale
        return w1 @ V, V.T @ (rng.standard_normal((D, H)) * scale)
    raise ValueError(f"init must be 'orthogonal', 'aligned', 'random' or a (W1, W2) pair, got "
                     f"{init!r}")


def simulate_linear_ae(X: ArrayLike | None = None, H: int = 16, lr: float = 0.01,
                       epochs: int = 1000, eps: float = 0.0, gamma: float = 0.0, *,
                       sigma: ArrayLike | None = None, N: float | None = None,
                       init: str | tuple[ArrayLike, ArrayLike] = "orthogonal",
                       scale: float = 1e-3, seed: int = 0, record_every: int = 1,
                       track_offdiag: bool = False, progress: bool = False,
                       basis: tuple[ArrayLike, ArrayLike] | None = None,
                       dtype: str = "float64") -> LinearAETrajectory:
    """GD of the linear AE (eps = gamma = 0), DAE (``eps = N s^2``) or WDAE (``gamma``).

    Give the data ``X`` (N x D) or its covariance ``sigma = X^T X`` together with ``N``;
    ``basis = (lam, V)`` (from :func:`eigenbasis`) skips the eigendecomposition when known;
    ``dtype="float32"`` iterates in single precision (about twice as fast; results returned as
    float64).
    """
    if dtype not in ("float64", "float32"):
        raise ValueError(f"dtype must be 'float64' or 'float32', got {dtype!r}")
    if (X is None) == (sigma is None):
        raise ValueError("give exactly one of X (samples x features) or sigma (with N)")
    if X is not None:
        try:
            xa = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError("X must be a real array (samples x features)") from None
        if xa.ndim == 2 and (xa.shape[0] == 0 or xa.shape[1] == 0):
            raise ValueError(f"X has no samples or no features (shape {xa.shape}); give at "
                             f"least one sample of at least one feature")
        s = covariance(xa)
        n = float(xa.shape[0])
    else:
        if N is None:
            raise ValueError("N (the number of samples) is required with sigma")
        n = float(arg("N", N, positive=True))
        s = np.asarray(sigma, dtype=np.float64)
    for name, v in (("H", H), ("epochs", epochs), ("record_every", record_every)):
        if not isinstance(v, (int, np.integer)) or v < (0 if name == "epochs" else 1):
            kind = "non-negative" if name == "epochs" else "positive"
            raise ValueError(f"{name} must be a {kind} integer, got {v!r}")
    lr_ = float(arg("lr", lr, positive=True))
    eps_ = float(arg("eps", eps, nonnegative=True))
    g = float(arg("gamma", gamma, nonnegative=True))
    if basis is None:
        lam, V = eigenbasis(s)
    else:
        lam, V = (np.asarray(a, dtype=np.float64) for a in basis)
    lam = check_eigenvalues(lam)
    D = lam.size
    tau = n / lr_
    b1, b2 = _init(init, H, D, V, float(arg("scale", scale, positive=True)), seed)
    state = _EigenbasisGD(b1, b2, lam, eps_, n * g, 1.0 / tau, dtype)
    rec = list(range(0, epochs + 1, record_every))
    if rec[-1] != epochs:
        rec.append(epochs)
    diag = np.full((len(rec), D), np.nan)
    off = np.full(len(rec), np.nan) if track_offdiag else None
    diverged = None
    with tqdm(total=epochs, disable=not progress, desc="linear AE GD", unit="ep") as bar:
        for k, e in enumerate(rec):
            if k:
                state.advance(e - rec[k - 1])
                bar.update(e - rec[k - 1])
            if not state.finite():
                diverged = e
                break
            diag[k] = state.diagonal()
            if off is not None:
                m = state.c2.T @ state.b1
                np.fill_diagonal(m, 0.0)
                off[k] = np.abs(m).max()
    b1, b2 = state.weights()
    with np.errstate(invalid="ignore", over="ignore"):
        w1, w2 = b1 @ V.T, V @ b2
    return LinearAETrajectory(np.asarray(rec), lam, V, diag, off, w1, w2, tau, n, diverged)


def check_eigenvalues(lam: ArrayLike) -> NDArray[np.float64]:
    """``lam`` as a finite 1-D float64 array of the eigenvalues of a covariance (>= 0 up to
    rounding: ``>= -1e-10 max |lam|``); ``ValueError`` naming ``lam`` otherwise."""
    try:
        a = np.asarray(lam, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"lam must be a 1-D array of real eigenvalues, got {lam!r}") from None
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"lam must be a non-empty 1-D array of eigenvalues, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError("lam must be finite (got NaN or inf)")
    if a.min() < -1e-10 * np.abs(a).max():
        raise ValueError(f"lam must hold the eigenvalues of a covariance (>= 0 up to rounding), "
                         f"smallest given: {a.min():g}")
    return a


class _EigenbasisGD:
    """Full-batch GD in the eigenbasis, iterating on ``Wb1`` and ``Wb2^T`` (both H x D,
    C-contiguous) so the two H x H Gram matrices are symmetric rank-k products (BLAS syrk, half
    a gemm) and no transposed copies are made: about 2 D H^2 multiply-adds per epoch."""

    def __init__(self, b1: ArrayLike, b2: ArrayLike, lam: NDArray[np.float64], eps: float,
                 decay: float, inv_tau: float, dtype: str) -> None:
        if dtype not in ("float64", "float32"):
            raise ValueError(f"dtype must be 'float64' or 'float32', got {dtype!r}")
        ft = np.dtype(dtype)
        self.b1 = np.array(b1, dtype=ft, order="C")
        self.c2 = np.array(np.asarray(b2).T, dtype=ft, order="C")
        self.lam = lam.astype(ft)
        self.lam_eps = self.lam + ft.type(eps)
        # Wb1 (Lam + eps) Wb1^T = (Wb1 S)(Wb1 S)^T - (Wb1 S-)(Wb1 S-)^T, S = sqrt(max(Lam+eps, 0)),
        # S- over the (rounding-level) negative eigenvalues a PSD Sigma_xx can show
        self.root = np.sqrt(np.maximum(self.lam_eps, 0))
        self.neg = np.flatnonzero(self.lam_eps < 0)
        self.root_neg = np.sqrt(-self.lam_eps[self.neg])
        self.decay, self.inv_tau = ft.type(decay), ft.type(inv_tau)

    def advance(self, epochs: int) -> None:
        b1, c2 = self.b1, self.c2
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(epochs):
                if not (np.isfinite(b1[:, 0]).all() and np.isfinite(c2[:, 0]).all()) \
                        and not self.finite():
                    break  # diverged: more steps only turn inf into NaN
                gram = c2 @ c2.T  # Wb2^T Wb2
                r = b1 * self.root
                g1 = r @ r.T  # Wb1 (Lam + eps) Wb1^T
                if self.neg.size:
                    rn = b1[:, self.neg] * self.root_neg
                    g1 -= rn @ rn.T
                d1 = c2 * self.lam
                d1 -= gram @ (b1 * self.lam_eps)
                d2 = b1 * self.lam
                d2 -= g1 @ c2
                if self.decay:
                    d1 -= self.decay * b1
                    d2 -= self.decay * c2
                d1 *= self.inv_tau
                d2 *= self.inv_tau
                b1 += d1
                c2 += d2

    def finite(self) -> bool:
        """Whether both weight matrices are still finite (GD has not diverged)."""
        return bool(np.isfinite(self.b1).all() and np.isfinite(self.c2).all())

    def diagonal(self) -> NDArray[np.float64]:
        """``(V^T W2 W1 V)_jj`` per eigen-direction."""
        return np.sum(self.c2 * self.b1, axis=0, dtype=np.float64)

    def weights(self) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """``(Wb1, Wb2)`` in float64."""
        return self.b1.astype(np.float64), self.c2.T.astype(np.float64)


def gd_eigenbasis(Wb1: ArrayLike, Wb2: ArrayLike, lam: ArrayLike, N: float, lr: float,
                  epochs: int, eps: float = 0.0, gamma: float = 0.0, *,
                  dtype: str = "float64") -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``epochs`` exact full-batch GD steps on weights already rotated into the eigenbasis.

    ``Wb1 = W1 V`` (H x D), ``Wb2 = V^T W2`` (D x H), ``lam`` the eigenvalues of
    ``Sigma_xx = V diag(lam) V^T`` ([3.1b]); returns the rotated weights after the steps.  The
    same update as :func:`simulate_linear_ae`, for callers that keep their state in the
    eigenbasis between calls (rotating back and forth costs 4 D^2 H per call).
    """
    lam_ = check_eigenvalues(lam)
    b1, b2 = np.asarray(Wb1), np.asarray(Wb2)
    D = lam_.size
    if b1.ndim != 2 or b1.shape[1] != D or b2.shape != (D, b1.shape[0]):
        raise ValueError(f"Wb1 must be H x {D} and Wb2 {D} x H, got {b1.shape} and {b2.shape}")
    arg("Wb1", b1)  # real and finite
    arg("Wb2", b2)
    if not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"epochs must be a non-negative integer, got {epochs!r}")
    n = float(arg("N", N, positive=True))
    lr_ = float(arg("lr", lr, positive=True))
    state = _EigenbasisGD(b1, b2, lam_, float(arg("eps", eps, nonnegative=True)),
                          n * float(arg("gamma", gamma, nonnegative=True)), lr_ / n, dtype)
    state.advance(int(epochs))
    return state.weights()


def marginalised_loss(W1: ArrayLike, W2: ArrayLike, sigma: ArrayLike, N: float,
                      s2: float = 0.0, gamma: float = 0.0, trace_xx: float | None = None
                      ) -> float:
    """[eq1] (+ eq6's decay): ``1/(2N) tr((I-M) Sigma (I-M)^T) + s2/2 tr(M M^T) + gamma/2 (..)``.

    ``Sigma = sum_i x_i x_i^T``; ``tr(Sigma)`` may be passed as ``trace_xx`` (it is
    ``sum_i ||x_i||^2``).
    """
    w1, w2, s = (np.asarray(a, dtype=np.float64) for a in (W1, W2, sigma))
    m = w2 @ w1
    r = np.eye(m.shape[0]) - m
    fit = np.trace(r @ s @ r.T) / (2 * N)
    return float(fit + s2 / 2 * np.sum(m * m) + gamma / 2 * (np.sum(w1**2) + np.sum(w2**2)))


def marginalised_gradient(W1: ArrayLike, W2: ArrayLike, sigma: ArrayLike, N: float,
                          s2: float = 0.0, gamma: float = 0.0
                          ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Gradient of :func:`marginalised_loss` w.r.t. ``(W1, W2)`` ([3.1a] divided by ``-N``)."""
    w1, w2, s = (np.asarray(a, dtype=np.float64) for a in (W1, W2, sigma))
    m = w2 @ w1
    g_m = -((np.eye(m.shape[0]) - m) @ s) / N + s2 * m
    return w2.T @ g_m + gamma * w1, g_m @ w1.T + gamma * w2


# --------------------------------------------------------------------------------------------
# Any optimiser of numerics.optimizers, in the eigenbasis or in pixel coordinates

BASES = ("eigen", "pixel")


def linear_ae_gradient(W1: NDArray[np.float64], W2: NDArray[np.float64],
                       sigma: NDArray[np.float64], N: float, eps: float = 0.0,
                       gamma: float = 0.0) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Gradient of the per-sample marginalised loss [eq1] (+ eq6's decay) w.r.t. ``(W1, W2)``:
    ``1/(2N) tr((I - M) Sigma (I - M)^T) + eps/(2N) tr(M M^T) + gamma/2 (|W1|^2 + |W2|^2)``,
    ``M = W2 W1``, ``eps = N sigma^2`` ([3.1a] divided by ``-N``).  ``sigma`` is ``Sigma_xx``
    (D x D, pixel coordinates) or, for weights rotated into the eigenbasis ([3.1b]), the 1-D
    array of its eigenvalues.  Two D x D x H products (pixel) or O(D H^2) (eigenbasis)."""
    def right(x: NDArray[np.float64]) -> NDArray[np.float64]:  # x Sigma for rows x (H x D)
        return x * sigma if sigma.ndim == 1 else x @ sigma

    p = right(W1)  # W1 Sigma
    q = right(W2.T)  # W2^T Sigma
    a = W2.T @ W2
    g1 = (a @ p - q) / N
    g2 = (W2 @ (p @ W1.T) - p.T) / N
    if eps:
        g1 += (eps / N) * (a @ W1)
        g2 += (eps / N) * (W2 @ (W1 @ W1.T))
    if gamma:
        g1 += gamma * W1
        g2 += gamma * W2
    return g1, g2


@dataclass(frozen=True)
class OptimizerLinearAE:
    """Full-batch training of the linear AE/DAE/WDAE with an optimiser of
    :mod:`numerics.optimizers`, one step per epoch on :func:`linear_ae_gradient`.

    ``basis="eigen"``: the parameters are the rotated weights ``Wb1 = W1 V``, ``Wb2 = V^T W2``
    ([3.1b]) and the optimiser acts on their entries; ``basis="pixel"``: the parameters are
    ``W1``, ``W2`` themselves (what practitioners run).  GD, heavy ball and Nesterov give the same
    run in both (rotated); RMSprop, Adagrad and Adam do not ([OD.decoupling]), so the basis is
    part of the run's identity.  ``state`` is a pair of optimiser states (one per matrix).
    """

    lam: NDArray[np.float64]
    V: NDArray[np.float64] | None
    N: float
    optimizer: object
    eps: float = 0.0
    gamma: float = 0.0
    basis: str = "eigen"

    def __post_init__(self) -> None:
        from .optimizers import SGD, Adagrad, Adam, RMSprop

        if self.basis not in BASES:
            raise ValueError(f"basis must be 'eigen' or 'pixel', got {self.basis!r}")
        if not isinstance(self.optimizer, (SGD, RMSprop, Adagrad, Adam)):
            raise ValueError(f"optimizer must be one of numerics.optimizers' SGD, RMSprop, "
                             f"Adagrad, Adam; got {self.optimizer!r}")
        object.__setattr__(self, "lam", check_eigenvalues(self.lam))
        if self.basis == "pixel":
            if self.V is None:
                raise ValueError("basis='pixel' needs the eigenvectors V (Sigma = V diag(lam) "
                                 "V^T)")
            v = np.asarray(self.V, dtype=np.float64)
            if v.shape != (self.lam.size, self.lam.size):
                raise ValueError(f"V must be {self.lam.size} x {self.lam.size}, got {v.shape}")
            object.__setattr__(self, "V", v)
        object.__setattr__(self, "N", float(arg("N", self.N, positive=True)))
        object.__setattr__(self, "eps", float(arg("eps", self.eps, nonnegative=True)))
        object.__setattr__(self, "gamma", float(arg("gamma", self.gamma, nonnegative=True)))

    @property
    def sigma(self) -> NDArray[np.float64]:
        """``Sigma_xx`` in the run's coordinates (eigenvalues for the eigenbasis)."""
        if self.basis == "eigen":
            return self.lam
        cached = self.__dict__.get("_sigma")
        if cached is None:
            cached = (self.V * self.lam) @ self.V.T
            object.__setattr__(self, "_sigma", cached)
        return cached

    def init(self, W1: ArrayLike, W2: ArrayLike) -> tuple[object, object]:
        """The optimiser's initial states for weights in the run's coordinates."""
        return self.optimizer.init(np.asarray(W1)), self.optimizer.init(np.asarray(W2))

    def advance(self, W1: ArrayLike, W2: ArrayLike, state: tuple[object, object], epochs: int
                ) -> tuple[NDArray[np.float64], NDArray[np.float64], tuple[object, object]]:
        """``epochs`` optimiser steps; stops early (returning the non-finite weights) once the
        weights or their gradient leave the finite numbers (a diverged run)."""
        w1, w2 = np.asarray(W1, dtype=np.float64), np.asarray(W2, dtype=np.float64)
        s1, s2 = state
        sigma = self.sigma
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(int(epochs)):
                if not (np.isfinite(w1).all() and np.isfinite(w2).all()):
                    break
                g1, g2 = linear_ae_gradient(w1, w2, sigma, self.N, self.eps, self.gamma)
                if not (np.isfinite(g1).all() and np.isfinite(g2).all()):
                    w1 = np.full_like(w1, np.inf)
                    break
                w1, s1 = self.optimizer.step(w1, g1, s1)
                w2, s2 = self.optimizer.step(w2, g2, s2)
        return w1, w2, (s1, s2)

    def to_eigen(self, W1: NDArray[np.float64], W2: NDArray[np.float64]
                 ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Weights of the run's coordinates rotated into the eigenbasis."""
        if self.basis == "eigen":
            return W1, W2
        with np.errstate(over="ignore", invalid="ignore"):
            return W1 @ self.V, self.V.T @ W2

    def from_eigen(self, Wb1: NDArray[np.float64], Wb2: NDArray[np.float64]
                   ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Rotated weights expressed in the run's coordinates."""
        if self.basis == "eigen":
            return Wb1, Wb2
        return Wb1 @ self.V.T, self.V @ Wb2


def train_linear_ae(X: ArrayLike | None = None, H: int = 16, epochs: int = 1000,
                    eps: float = 0.0, gamma: float = 0.0, *, optimizer: object,
                    basis: str = "eigen", sigma: ArrayLike | None = None,
                    N: float | None = None, init: str | tuple[ArrayLike, ArrayLike] = "orthogonal",
                    scale: float = 1e-3, seed: int = 0, record_every: int = 1,
                    track_offdiag: bool = False, eig: tuple[ArrayLike, ArrayLike] | None = None,
                    progress: bool = False) -> LinearAETrajectory:
    """:func:`simulate_linear_ae` with any optimiser of :mod:`numerics.optimizers`, trained in
    the eigenbasis or in pixel coordinates (``basis``; see :class:`OptimizerLinearAE`).

    The initial weights are those of :func:`simulate_linear_ae` (same ``init``, ``scale``,
    ``seed``); ``eig = (lam, V)`` skips the eigendecomposition.  The trajectory records the
    optimiser and the basis; ``diag`` is always measured in the eigenbasis.
    """
    if (X is None) == (sigma is None):
        raise ValueError("give exactly one of X (samples x features) or sigma (with N)")
    if X is not None:
        xa = np.asarray(X, dtype=np.float64)
        if xa.ndim != 2 or 0 in xa.shape:
            raise ValueError(f"X must be a non-empty samples x features array, got {xa.shape}")
        s, n = covariance(xa), float(xa.shape[0])
    else:
        if N is None:
            raise ValueError("N (the number of samples) is required with sigma")
        s, n = np.asarray(sigma, dtype=np.float64), float(arg("N", N, positive=True))
    for name, v in (("H", H), ("epochs", epochs), ("record_every", record_every)):
        if not isinstance(v, (int, np.integer)) or v < (0 if name == "epochs" else 1):
            kind = "non-negative" if name == "epochs" else "positive"
            raise ValueError(f"{name} must be a {kind} integer, got {v!r}")
    lam, V = eigenbasis(s) if eig is None else (np.asarray(a, dtype=np.float64) for a in eig)
    trainer = OptimizerLinearAE(lam, V, n, optimizer, eps, gamma, basis)
    tau = n / _lr_of(optimizer)
    lam = trainer.lam
    b1, b2 = _init(init, H, lam.size, V, float(arg("scale", scale, positive=True)), seed)
    w1, w2 = trainer.from_eigen(b1, b2)
    state = trainer.init(w1, w2)
    rec = list(range(0, epochs + 1, record_every))
    if rec[-1] != epochs:
        rec.append(epochs)
    diag = np.full((len(rec), lam.size), np.nan)
    off = np.full(len(rec), np.nan) if track_offdiag else None
    diverged = None
    with tqdm(total=epochs, disable=not progress, desc=f"linear AE ({basis})", unit="ep") as bar:
        for k, e in enumerate(rec):
            if k:
                w1, w2, state = trainer.advance(w1, w2, state, e - rec[k - 1])
                bar.update(e - rec[k - 1])
            if not (np.isfinite(w1).all() and np.isfinite(w2).all()):
                diverged = e
                break
            with np.errstate(over="ignore", invalid="ignore"):
                r1, r2 = trainer.to_eigen(w1, w2)
                diag[k] = np.sum(r2.T * r1, axis=0)
            if off is not None:
                m = r2 @ r1  # V^T W2 W1 V, D x D
                np.fill_diagonal(m, 0.0)
                off[k] = np.abs(m).max()
    with np.errstate(invalid="ignore", over="ignore"):
        r1, r2 = trainer.to_eigen(w1, w2)
        W1, W2 = r1 @ V.T, V @ r2
    return LinearAETrajectory(np.asarray(rec), lam, V, diag, off, W1, W2, tau, n,
                              diverged, optimizer, basis)


def _lr_of(optimizer: object) -> float:
    """The optimiser's (scalar) learning rate, for the nominal ``tau = N / lr``."""
    lr = np.asarray(optimizer.lr, dtype=np.float64)
    if lr.ndim:
        raise ValueError("train_linear_ae takes an optimizer with a scalar lr")
    return float(lr)
