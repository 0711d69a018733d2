"""Online SGD of the shallow autoencoder at finite D (Refinetti & Goldt, seeds/003, eq. 4 and
eq. 23), with the scalings of ``shared/SHALLOW_MODEL.md``.

Network: ``lambda_k = (w_k . x + b_k) / sqrt(D)``, ``xhat = sum_k v_k g(lambda_k)``, per-sample
loss ``||x - xhat||^2 / (2D)``; one fresh sample per step, time ``t = steps / D``.  With
``delta = x - xhat`` (truncated, eq. 23: ``delta_k = x - sum_{a <= k} v_a g(lambda_a)``) the
negative gradients are ``(1/D) (v_k . delta_k) g'(lambda_k) x / sqrt(D)`` (encoder),
``(1/D) g(lambda_k) delta_k`` (decoder) and ``(1/D) (v_k . delta_k) g'(lambda_k) / sqrt(D)``
(bias); the learning rates are ``eta / D`` (encoder), ``eta`` (decoder, bias) and ``eta`` for tied
weights.  Weight decay: after each step every weight (not the bias) is multiplied by
``1 - kappa / D``.  Sanger's rule (appendix A, the authors' ``dw_sanger``):
``w_k += (eta / D) (1 / D) y_k (x - sum_{a <= k} y_a w_a)`` with ``y = W x / sqrt(D)``, a linear
network whose decoder is its encoder (``v_k = w_k``).

Tied weights (``v_k = w_k``) come in two flavours: ``tied_gradient="full"`` is SGD on the tied
loss (both paths of the weight receive the gradient, learning rate eta); ``"encoder"`` is what
the authors' ``AutoEncoder(tied=True)`` computes (the decoder uses ``weight.data``, so only the
encoder path's gradient flows, learning rate eta).

Gaussian inputs ``x ~ N(0, Omega)`` are simulated in the eigenbasis of Omega: the update is
equivariant under ``x -> E^T x``, ``w -> E^T w``, ``v -> E^T v`` for orthogonal E, and there
``x = sqrt(rho) * z`` costs O(D) per sample instead of O(D^2).  The overlaps of ``w_k`` and
``v_k`` with the eigenvectors are then the weights themselves, and the order parameters
(``Q = W Omega W^T / D``, ``R = V Omega W^T / D^1.5``, ``T = V Omega V^T / D^2``,
``T0 = V V^T / D``) cost O(K^2 D).  Weights are returned in the data basis.

pmse (``E ||x - xhat||^2 / (2D)`` over the data) from the order parameters:
``pmse = tr(Omega) / (2D) - sum_k J2(nu_k, lambda_k) + (1/2) sum_kl T0_kl I2(lambda_k, lambda_l)``
with ``J2 = <x1 g(x2)>``, ``I2 = <g(x1) g(x2)>`` over the jointly Gaussian local fields
(``nu = V x / D``); for the linear activation ``J2 = R_kk``, ``I2 = Q_kl`` (closed form).  For erf
and ReLU the integrals come from ``numerics.shallow.integral`` when that exists; otherwise, and
whenever the pre-activations have a mean (trained bias), pmse is the Monte-Carlo mean of
``||x - xhat||^2 / (2D)`` over a fixed held-out batch of ``n_test`` Gaussian inputs drawn once
per run (``pmse_stderr`` holds its standard error).
"""

from __future__ import annotations

import importlib
import math
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import torch
from numpy.typing import ArrayLike, NDArray
from tqdm import tqdm

from .data_model import Spectrum, SpikedModel, eigen_decomposition

Activation = Literal["erf", "relu", "linear"]
Rule = Literal["vanilla", "truncated", "sanger"]

_ACT = {"linear": 0, "erf": 1, "relu": 2}
_RULE = {"vanilla": 0, "truncated": 1, "sanger": 2}
_TIED = {"untied": 0, "full": 1, "encoder": 2}


def _block_eager(W: torch.Tensor, V: torch.Tensor, b: torch.Tensor, X: torch.Tensor, act: int,
                 rule: int, tied: int, use_bias: bool, a_w: float, a_v: float, a_b: float,
                 decay: float, inv_sqrt_d: float) -> None:
    """Advance the weights in place over the samples ``X[i]`` (B, R, D), one SGD step each.

    ``W``, ``V``: (R, K, D) (``V is W`` when tied), ``b``: (R, K).  ``a_w``, ``a_v``, ``a_b``:
    the step sizes multiplying ``coef_k x`` (encoder), ``h_k delta_k`` (decoder), ``coef_k``
    (bias), where ``coef_k = (v_k . delta_k) g'(lambda_k)``; ``decay = 1 - kappa / D``.
    """
    K = W.shape[1]
    tril = torch.ones(K, K, dtype=W.dtype, device=W.device).tril()
    c_erf = math.sqrt(2.0 / math.pi)
    s2 = 1.0 / math.sqrt(2.0)
    for i in range(X.shape[0]):
        x = X[i]
        xc = x.unsqueeze(2)
        xr = x.unsqueeze(1)
        lam = torch.bmm(W, xc).squeeze(2)
        if use_bias:
            lam = lam + b
        lam = lam * inv_sqrt_d
        if rule == 2:
            # Sanger: y = lam (linear units); W <- decay ((I - a tril(y y^T)) W + a y x^T)
            m = torch.bmm(lam.unsqueeze(2), lam.unsqueeze(1)) * tril
            W.sub_(torch.bmm(m, W), alpha=a_w)
            W.baddbmm_(lam.unsqueeze(2), xr, beta=1.0, alpha=a_w)
            if decay != 1.0:
                W.mul_(decay)
        else:
            if act == 0:
                h = lam
                gp = torch.ones_like(lam)
            elif act == 1:
                h = torch.erf(lam * s2)
                gp = torch.exp(-0.5 * lam * lam) * c_erf
            else:
                h = torch.relu(lam)
                gp = (lam > 0).to(lam.dtype)
            hc = h.unsqueeze(2)
            if rule == 0:  # delta = x - sum_a h_a v_a, (R, 1, D)
                delta = torch.baddbmm(xr, h.unsqueeze(1), V, beta=1.0, alpha=-1.0)
                coef = torch.bmm(V, delta.transpose(1, 2)).squeeze(2) * gp
                corr = delta  # unused
            else:  # truncated: v_k . delta_k = v_k . x - sum_{a <= k} (v_k . v_a) h_a
                vx = torch.bmm(V, xc).squeeze(2)
                gram = torch.bmm(V, V.transpose(1, 2)) * tril
                coef = (vx - torch.bmm(gram, hc).squeeze(2)) * gp
                corr = torch.bmm(torch.bmm(hc, h.unsqueeze(1)) * tril, V)  # h_k sum_{a<=k} h_a v_a
                delta = xr  # unused
            if use_bias:
                b.add_(coef, alpha=a_b)
            W.baddbmm_(coef.unsqueeze(2), xr, beta=decay, alpha=a_w * decay)
            if tied != 2:
                # the decoder step (tied "full": the decoder path of the same, decayed tensor)
                beta_v = 1.0 if tied == 1 else decay
                if rule == 0:
                    V.baddbmm_(hc, delta, beta=beta_v, alpha=a_v * decay)
                else:
                    V.baddbmm_(hc, xr, beta=beta_v, alpha=a_v * decay)
                    V.sub_(corr, alpha=a_v * decay)


def _block_single(W: torch.Tensor, V: torch.Tensor, b: torch.Tensor, X: torch.Tensor, act: int,
                  rule: int, tied: int, use_bias: bool, a_w: float, a_v: float, a_b: float,
                  decay: float, inv_sqrt_d: float) -> None:
    """:func:`_block_eager` for one run (``W``, ``V``: (K, D), ``b``: (K,), ``X``: (B, D)) with
    matrix-vector kernels and the constants folded into as few ops per step as possible (op
    dispatch, not arithmetic, is the cost at K = 3): for erf the field is kept as
    ``u = lambda / sqrt(2)``, so ``g = erf(u)`` and ``g' = sqrt(2/pi) exp(-u^2)``, the constant
    going into the step sizes."""
    K = W.shape[0]
    tril = torch.ones(K, K, dtype=W.dtype, device=W.device).tril()
    zero = torch.zeros(K, dtype=W.dtype, device=W.device)
    scale = inv_sqrt_d
    if act == 1 and rule != 2:
        scale = inv_sqrt_d / math.sqrt(2.0)
        c_erf = math.sqrt(2.0 / math.pi)
        a_w = a_w * c_erf
        a_b = a_b * c_erf
    Vt = V.t()
    aw = a_w * decay
    av = a_v * decay
    beta_v = 1.0 if tied == 1 else decay
    for i in range(X.shape[0]):
        x = X[i]
        if use_bias:
            u = torch.addmv(b, W, x, beta=scale, alpha=scale)
        else:
            u = torch.mv(W, x).mul_(scale)
        if rule == 2:  # Sanger (linear): W <- decay (W - a tril(y y^T) W + a y x^T), y = u
            corr = torch.mm(torch.outer(u, u).mul_(tril), W)
            W.addr_(u, x, beta=decay, alpha=aw)
            W.sub_(corr, alpha=aw)
        else:
            if act == 0:
                h = u
            elif act == 1:
                h = torch.erf(u)
            else:
                h = torch.relu(u)
            if rule == 0:
                delta = torch.addmv(x, Vt, h, alpha=-1.0)
                vd = torch.mv(V, delta)
                corr = delta  # unused
            else:  # truncated (eq. 23)
                vd = torch.addmv(torch.mv(V, x), torch.mm(V, Vt).mul_(tril), h, alpha=-1.0)
                corr = torch.mm(torch.outer(h, h).mul_(tril), V)
                delta = x  # unused
            if act == 1:
                coef = vd.mul_(torch.exp(torch.addcmul(zero, u, u, value=-1.0)))
            elif act == 2:
                coef = vd.mul_(u > 0)
            else:
                coef = vd
            if use_bias:
                b.add_(coef, alpha=a_b)
            W.addr_(coef, x, beta=decay, alpha=aw)
            if tied != 2:
                if rule == 0:
                    V.addr_(h, delta, beta=beta_v, alpha=av)
                else:
                    V.addr_(h, x, beta=beta_v, alpha=av)
                    V.sub_(corr, alpha=av)


_SCRIPTED: dict[str, Callable[..., None]] = {}


def _block_fn(script: bool, single: bool) -> Callable[..., None]:
    """The block stepper (``single``: the one-run kernel), TorchScript-compiled at first use
    (about 2x fewer microseconds per step than eager mode: no Python interpreter between the
    small ops); eager as fallback."""
    fn = _block_single if single else _block_eager
    if not script:
        return fn
    key = fn.__name__
    if key not in _SCRIPTED:
        try:
            with warnings.catch_warnings():  # torch >= 2.9 marks TorchScript deprecated; it
                warnings.simplefilter("ignore", DeprecationWarning)  # still runs, and faster
                _SCRIPTED[key] = torch.jit.script(fn)
        except Exception:  # pragma: no cover - TorchScript unavailable: same maths, eager
            _SCRIPTED[key] = fn
    return _SCRIPTED[key]


@dataclass(frozen=True)
class SGDTrajectory:
    """Records of :func:`simulate_sgd` at ``times`` (``t = steps / D``), for ``runs``
    independent runs simulated together (axis 1 of every record).

    ``pmse`` (n_times, runs); ``pmse_method`` "closed-form" (linear), "integrals"
    (``numerics.shallow.integral``) or "monte-carlo" (held-out batch; ``pmse_stderr`` its
    standard error, else None); ``Q``, ``R``, ``T``, ``T0`` (n_times, runs, K, K);
    ``w_overlap[n, r, k, tau] = w_k . e_tau`` and ``v_overlap`` likewise (unit eigenvectors,
    the first ``n_overlap`` eigen-directions in decreasing order of rho); ``bias`` (n_times,
    runs, K) or None; ``rho`` the eigenvalues (decreasing) and ``pca_errors[k]`` the PCA error
    with k = 0..K components; ``W``, ``V``, ``b`` the final weights in the data basis;
    ``spectrum`` the eigen-decomposition of Omega the run used.
    """

    times: NDArray[np.float64]
    steps: NDArray[np.int64]
    pmse: NDArray[np.float64]
    pmse_method: str
    pmse_stderr: NDArray[np.float64] | None
    Q: NDArray[np.float64]
    R: NDArray[np.float64]
    T: NDArray[np.float64]
    T0: NDArray[np.float64]
    w_overlap: NDArray[np.float64]
    v_overlap: NDArray[np.float64]
    bias: NDArray[np.float64] | None
    rho: NDArray[np.float64]
    pca_errors: NDArray[np.float64]
    W: NDArray[np.float64]
    V: NDArray[np.float64]
    b: NDArray[np.float64] | None
    wall_seconds: float
    spectrum: Spectrum
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def D(self) -> int:
        return int(self.rho.size)

    def weights(self, i: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """``(W, V)`` in the data basis at record ``i``, shape (runs, K, D) each, rotated back
        from the overlaps (needs all D of them: ``n_overlap=None``)."""
        if self.w_overlap.shape[-1] != self.D:
            raise ValueError("weights(i) needs the overlaps with all D eigenvectors; rerun "
                             "with n_overlap=None")
        Et = self.spectrum.vectors.T
        return self.w_overlap[i] @ Et, self.v_overlap[i] @ Et

    @property
    def rhotilde(self) -> NDArray[np.float64]:
        return self.rho / self.D


def _resolve_device(device: str | torch.device) -> torch.device:
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"device must be 'cpu' or 'cuda' (optionally 'cuda:N'), "
                         f"got {device!r}") from None
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be 'cpu' or 'cuda', got {device!r}")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' was requested but CUDA is not available here")
    return dev


def _spectrum_of(data: ArrayLike | Spectrum | SpikedModel) -> Spectrum:
    if isinstance(data, Spectrum):
        return data
    if isinstance(data, SpikedModel):
        return data.spectrum()
    return eigen_decomposition(data)


def _times_arg(times: ArrayLike, D: int) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    try:
        t = np.atleast_1d(np.asarray(times, dtype=np.float64))
    except (TypeError, ValueError):
        raise ValueError(f"times must be real numbers, got {times!r}") from None
    if t.ndim != 1 or t.size == 0:
        raise ValueError(f"times must be a non-empty 1-D array, got shape {t.shape}")
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise ValueError("times must be finite and >= 0")
    if np.any(np.diff(t) < 0):
        raise ValueError("times must be non-decreasing")
    steps = np.rint(t * D).astype(np.int64)
    return steps / D, steps


def _weights_arg(name: str, w: ArrayLike, runs: int, K: int, D: int) -> NDArray[np.float64]:
    try:
        a = np.asarray(w, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of real numbers") from None
    if a.shape == (K, D):
        a = np.broadcast_to(a, (runs, K, D))
    if a.shape != (runs, K, D):
        raise ValueError(f"{name} must have shape ({K}, {D}) or ({runs}, {K}, {D}), "
                         f"got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (got NaN or inf)")
    return a


def _integral_fn() -> Callable[..., Any] | None:
    """``numerics.shallow.integral`` when the Gaussian-integral module is present."""
    try:
        mod = importlib.import_module("numerics.shallow")
    except ImportError:  # pragma: no cover - this package always imports
        return None
    fn = getattr(mod, "integral", None)
    return fn if callable(fn) else None


def pmse_from_order_parameters(T0: ArrayLike, Q: ArrayLike, R: ArrayLike, T: ArrayLike,
                               trace_term: float, activation: Activation) -> NDArray[np.float64]:
    """``tr(Omega)/(2D) - sum_k J2 + (1/2) sum_kl T0_kl I2`` over arrays (..., K, K);
    ``trace_term = tr(Omega) / (2D)``.  Linear: closed form; erf/relu: needs
    ``numerics.shallow.integral`` (``ValueError`` when it is absent)."""
    T0_, Q_, R_, T_ = (np.asarray(a, dtype=np.float64) for a in (T0, Q, R, T))
    if activation == "linear":
        j2 = np.einsum("...kk->...", R_)
        i2 = np.einsum("...kl,...kl->...", T0_, Q_)
        return trace_term - j2 + 0.5 * i2
    if activation not in _ACT:
        raise ValueError(f"activation must be one of {sorted(_ACT)}, got {activation!r}")
    fn = _integral_fn()
    if fn is None:
        raise ValueError(f"pmse for {activation!r} needs numerics.shallow.integral, which is "
                         "not available")
    qd = np.einsum("...kk->...k", Q_)
    c_j2 = np.stack([np.stack([np.einsum("...kk->...k", T_), np.einsum("...kk->...k", R_)], -1),
                     np.stack([np.einsum("...kk->...k", R_), qd], -1)], -2)  # (..., K, 2, 2)
    c_i2 = np.stack([np.stack([np.broadcast_to(qd[..., :, None], Q_.shape), Q_], -1),
                     np.stack([Q_, np.broadcast_to(qd[..., None, :], Q_.shape)], -1)], -2)
    j2 = np.asarray(fn("J2", activation, c_j2), dtype=np.float64).sum(-1)
    i2 = np.asarray(fn("I2", activation, c_i2), dtype=np.float64)
    return trace_term - j2 + 0.5 * np.einsum("...kl,...kl->...", T0_, i2)


@contextmanager
def _torch_threads(n: int | None) -> Iterator[None]:
    """Run the block with ``n`` torch intra-op threads, restoring the previous number."""
    if n is None:
        yield
        return
    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)


def _step_sizes(D: int, eta: float, rule: str, tied: bool) -> tuple[float, float, float]:
    """``(a_w, a_v, a_b)`` multiplying ``coef_k x``, ``h_k delta_k``, ``coef_k`` in one step:
    the learning rate times the 1/D of the loss times the 1/sqrt(D) of the field."""
    if rule == "sanger":  # w_k += (eta / D) (1 / D) y_k (x - sum_{a<=k} y_a w_a)
        return eta / D / D, 0.0, 0.0
    if tied:  # one tensor, learning rate eta
        return eta / D / math.sqrt(D), eta / D, eta / D / math.sqrt(D)
    return eta / D / D / math.sqrt(D), eta / D, eta / D / math.sqrt(D)


def _tied_code(rule: str, tied: bool, tied_gradient: str) -> int:
    if not tied:
        return _TIED["untied"]
    return _TIED["encoder" if rule == "sanger" else tied_gradient]


def _check_common(activation: str, rule: str, tied_gradient: str, eta: object, kappa: object,
                  D: int) -> None:
    if activation not in _ACT:
        raise ValueError(f"activation must be one of {sorted(_ACT)}, got {activation!r}")
    if rule not in _RULE:
        raise ValueError(f"rule must be one of {sorted(_RULE)}, got {rule!r}")
    if tied_gradient not in ("full", "encoder"):
        raise ValueError(f"tied_gradient must be 'full' or 'encoder', got {tied_gradient!r}")
    for name, val in (("eta", eta), ("kappa", kappa)):
        if isinstance(val, bool) or not isinstance(val, (int, float, np.floating, np.integer)) \
                or not np.isfinite(val):
            raise ValueError(f"{name} must be a finite real number, got {val!r}")
    if eta <= 0:  # type: ignore[operator]
        raise ValueError(f"eta must be > 0, got {eta!r}")
    if kappa < 0 or kappa >= D:  # type: ignore[operator]
        raise ValueError(f"kappa must be in [0, D) (the decay factor 1 - kappa/D > 0), "
                         f"got {kappa!r}")
    if rule == "sanger" and activation != "linear":
        raise ValueError("Sanger's rule is for linear units: use activation='linear'")


def _check_threads(threads: object) -> None:
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int)
                                or threads < 1):
        raise ValueError(f"threads must be None or an integer >= 1, got {threads!r}")


def sgd_steps(W: ArrayLike, V: ArrayLike | None, X: ArrayLike, *, b: ArrayLike | None = None,
              activation: Activation = "erf", eta: float = 0.1, rule: Rule = "vanilla",
              tied_gradient: Literal["full", "encoder"] = "full", kappa: float = 0.0,
              dtype: torch.dtype = torch.float64, script: bool = True, threads: int | None = 1
              ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64] | None]:
    """Apply one SGD step per row of ``X`` (n, D), in order, to the weights ``W`` (K, D) and
    ``V`` (K, D; ``None`` for tied weights and for Sanger's rule) and, when given, the bias
    ``b`` (K,); the rule, scalings and learning rates of the module docstring.  Works in the
    data basis on any inputs (e.g. real images).  Returns the new ``(W, V, b)`` (``V is W``
    when tied, ``b`` None when not given).  ``threads``: torch CPU threads while stepping
    (restored afterwards; None leaves the setting alone), see :func:`simulate_sgd`.
    """
    try:
        w = np.array(W, dtype=np.float64)
        x = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("W and X must be arrays of real numbers") from None
    if w.ndim != 2 or x.ndim != 2 or x.shape[1] != w.shape[1]:
        raise ValueError(f"W must be (K, D) and X (n, D) with the same D, got {w.shape} and "
                         f"{x.shape}")
    K, D = w.shape
    _check_common(activation, rule, tied_gradient, eta, kappa, D)
    _check_threads(threads)
    tied = V is None
    if rule == "sanger" and not tied:
        raise ValueError("Sanger's rule has no decoder (v_k = w_k): pass V=None")
    if rule == "sanger" and b is not None:
        raise ValueError("Sanger's rule has no bias: pass b=None")
    v = w if tied else np.array(V, dtype=np.float64)
    if v.shape != w.shape:
        raise ValueError(f"V must have the shape of W {w.shape}, got {v.shape}")
    bb = np.zeros(K) if b is None else np.array(b, dtype=np.float64)
    if bb.shape != (K,):
        raise ValueError(f"b must have shape ({K},), got {bb.shape}")
    if not all(np.all(np.isfinite(a)) for a in (w, v, x, bb)):
        raise ValueError("W, V, b and X must be finite (got NaN or inf)")
    tw = torch.tensor(w, dtype=dtype)
    tv = tw if tied else torch.tensor(v, dtype=dtype)
    tb = torch.tensor(bb, dtype=dtype)
    a_w, a_v, a_b = _step_sizes(D, float(eta), rule, tied)
    with torch.no_grad(), _torch_threads(threads):
        _block_fn(script, True)(tw, tv, tb, torch.tensor(x, dtype=dtype), _ACT[activation],
                                _RULE[rule], _tied_code(rule, tied, tied_gradient),
                                b is not None, a_w, a_v, a_b, 1.0 - float(kappa) / D,
                                1.0 / math.sqrt(D))
    w_out = tw.double().numpy()
    return w_out, (w_out if tied else tv.double().numpy()), \
        (tb.double().numpy() if b is not None else None)


def simulate_sgd(data: ArrayLike | Spectrum | SpikedModel, K: int, times: ArrayLike, *,
                 activation: Activation = "erf", eta: float = 0.1, rule: Rule = "vanilla",
                 tied: bool = False, tied_gradient: Literal["full", "encoder"] = "full",
                 bias: float | ArrayLike | None = None, kappa: float = 0.0,
                 init_std: float = 0.1,
                 w0: ArrayLike | str | None = None, v0: ArrayLike | None = None, seed: int = 0,
                 runs: int = 1, device: str | torch.device = "cpu",
                 dtype: torch.dtype = torch.float64, block: int = 2048,
                 n_test: int = 10_000, n_overlap: int | None = None,
                 pmse_method: Literal["auto", "monte-carlo"] = "auto",
                 progress: bool = False, script: bool = True,
                 threads: int | None = 1) -> SGDTrajectory:
    """Online SGD on Gaussian inputs ``x ~ N(0, Omega)``, recorded at ``times`` (t = steps/D).

    ``data``: the covariance Omega (D x D), its :class:`Spectrum`, or a :class:`SpikedModel`
    (its exact population covariance).  ``rule``: "vanilla" (eq. 4), "truncated" (eq. 23) or
    "sanger" (appendix A; linear activation, the decoder is the encoder).  ``bias``: None for no
    encoder bias, else its initial value (trained, learning rate eta): a number, or per unit
    (shape (K,) or (runs, K), e.g. to continue a run).  ``kappa``: weight decay.
    Initial weights: ``w0``, ``v0`` in the data basis ((K, D) or (runs, K, D)); otherwise
    i.i.d. N(0, init_std^2) entries (drawn in the eigenbasis, the same law); ``w0="informed"``
    puts unit k on the k-th eigenvector (decreasing rho): ``w_k = e_k``, ``v_k = sqrt(D) e_k``
    (tied: ``w_k = e_k``), the scales of the authors' informed start (which assigns the top K
    eigenvectors in increasing order of rho).  ``seed`` fixes
    everything (initial weights, training samples, held-out batch).  ``runs`` independent runs
    (different initial weights and samples) are stepped together.  ``block`` samples are drawn
    at once and looped over by a compiled stepper (``script=False``: plain eager torch).
    ``n_overlap``: how many leading eigen-directions to keep in the overlap records (all by
    default).  ``pmse_method="monte-carlo"`` forces the held-out-batch estimate.
    ``threads``: torch CPU threads while stepping (restored afterwards; None leaves the setting
    alone).  One by default: the per-step tensors are small, and intra-op threading of the
    (runs, K, D) ops past torch's grain size only adds synchronisation (measured on the shared
    2-core machine: 8 runs at D = 1600 stepped 20x slower with 2 threads than with 1).

    Random streams (so that a run can be replayed in the data basis with :func:`sgd_steps`):
    ``init, train, test = (np.random.default_rng(s) for s in SeedSequence(seed).spawn(3))``;
    the initial weights are ``init.standard_normal((runs, K, D)) * init_std`` (encoder, then
    decoder) in the eigenbasis; step i of run r uses ``x = E (sqrt(rho) * z[i, r])`` with ``z``
    the consecutive draws of ``train.standard_normal`` in the shape (steps, D) for one run and
    (steps, runs, D) for several (CPU; on CUDA a torch generator seeded from ``train``).
    """
    if activation not in _ACT:  # checked again with the rest below, once D is known
        raise ValueError(f"activation must be one of {sorted(_ACT)}, got {activation!r}")
    if pmse_method not in ("auto", "monte-carlo"):
        raise ValueError(f"pmse_method must be 'auto' or 'monte-carlo', got {pmse_method!r}")
    if dtype not in (torch.float64, torch.float32):
        raise ValueError(f"dtype must be torch.float64 or torch.float32, got {dtype!r}")
    dev = _resolve_device(device)
    spec = _spectrum_of(data)
    D = spec.D
    for name, val, lo in (("K", K, 1), ("runs", runs, 1), ("block", block, 1),
                          ("n_test", n_test, 2), ("seed", seed, 0)):
        if isinstance(val, bool) or not isinstance(val, (int, np.integer)) or val < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {val!r}")
    if K > D:
        raise ValueError(f"K must be <= D={D}, got {K}")
    _check_common(activation, rule, tied_gradient, eta, kappa, D)
    _check_threads(threads)
    if isinstance(init_std, bool) or not isinstance(init_std, (int, float, np.floating,
                                                               np.integer)) \
            or not np.isfinite(init_std):
        raise ValueError(f"init_std must be a finite real number, got {init_std!r}")
    if init_std < 0:
        raise ValueError(f"init_std must be >= 0, got {init_std!r}")
    if bias is not None:
        try:
            bias_arr = np.broadcast_to(np.asarray(bias, dtype=np.float64), (runs, K))
        except (TypeError, ValueError):
            raise ValueError(f"bias must be None, a number or an array of shape (K,) or "
                             f"(runs, K) = ({runs}, {K}), got {bias!r}") from None
        if isinstance(bias, bool) or not np.all(np.isfinite(bias_arr)):
            raise ValueError(f"bias must be None or finite initial values, got {bias!r}")
    if rule == "sanger":
        if bias is not None:
            raise ValueError("Sanger's rule has no bias: use bias=None")
        if v0 is not None:
            raise ValueError("Sanger's rule has no decoder (v_k = w_k): do not pass v0")
        tied = True
    if tied and v0 is not None and rule != "sanger":
        raise ValueError("tied weights have no separate decoder: do not pass v0")
    n_over = D if n_overlap is None else n_overlap
    if isinstance(n_over, bool) or not isinstance(n_over, (int, np.integer)) or \
            not 0 <= n_over <= D:
        raise ValueError(f"n_overlap must be an integer in 0..{D} or None, got {n_overlap!r}")
    t_rec, steps_rec = _times_arg(times, D)

    ss = np.random.SeedSequence(int(seed))
    rng_init, rng_train, rng_test = (np.random.default_rng(s) for s in ss.spawn(3))
    E = spec.vectors
    informed = isinstance(w0, str)
    if informed and w0 != "informed":
        raise ValueError(f"w0 must be weights, None or 'informed', got {w0!r}")
    if informed and v0 is not None:
        raise ValueError("w0='informed' sets the decoder too: do not pass v0")
    if informed:  # unit k on the k-th eigenvector: w_k = e_k, v_k = sqrt(D) e_k
        w_e = np.broadcast_to(np.eye(K, D), (runs, K, D)).copy()
    elif w0 is None:
        w_e = rng_init.standard_normal((runs, K, D)) * init_std
    else:
        w_e = _weights_arg("w0", w0, runs, K, D) @ E
    if tied:
        v_e = w_e
    elif informed:
        v_e = w_e * math.sqrt(D)
    elif v0 is None:
        v_e = rng_init.standard_normal((runs, K, D)) * init_std
    else:
        v_e = _weights_arg("v0", v0, runs, K, D) @ E

    tt = dict(dtype=dtype, device=dev)
    W = torch.tensor(w_e, **tt).contiguous()
    V = W if tied else torch.tensor(v_e, **tt).contiguous()
    use_bias = bias is not None
    b = (torch.tensor(np.array(bias_arr), **tt) if use_bias
         else torch.zeros((runs, K), **tt)).contiguous()
    sqrt_rho = torch.tensor(np.sqrt(spec.rho), **tt)
    rho_t = torch.tensor(spec.rho, **tt)

    a_w, a_v, a_b = _step_sizes(D, eta, rule, tied)
    tied_code = _tied_code(rule, tied, tied_gradient)
    decay = 1.0 - kappa / D
    single = runs == 1
    stepper = _block_fn(script, single)
    args = (W[0], V[0], b[0]) if single else (W, V, b)
    shape = (block, D) if single else (block, runs, D)
    zbuf = np.empty(shape) if dev.type == "cpu" else None

    pca = spec.pca_errors(min(K, D))
    trace_term = float(spec.rho.sum()) / (2 * D)
    integral = _integral_fn()
    if pmse_method == "auto" and activation == "linear" and not use_bias:
        method = "closed-form"
    elif pmse_method == "auto" and integral is not None and not use_bias:
        method = "integrals"
    else:
        method = "monte-carlo"
    x_test = None
    if method == "monte-carlo":
        x_test = torch.tensor(rng_test.standard_normal((n_test, D)), **tt) * sqrt_rho

    n_rec = t_rec.size
    Q = np.empty((n_rec, runs, K, K))
    Rr, Tt, T0 = np.empty_like(Q), np.empty_like(Q), np.empty_like(Q)
    w_ov = np.empty((n_rec, runs, K, n_over))
    v_ov = np.empty_like(w_ov)
    b_rec = np.empty((n_rec, runs, K)) if use_bias else None
    pm = np.empty((n_rec, runs))
    pm_se = np.empty((n_rec, runs)) if method == "monte-carlo" else None

    def record(j: int) -> None:
        wr, vr = W * rho_t, V * rho_t
        Q[j] = (torch.bmm(wr, W.transpose(1, 2)) / D).cpu().double().numpy()
        Rr[j] = (torch.bmm(vr, W.transpose(1, 2)) / D**1.5).cpu().double().numpy()
        Tt[j] = (torch.bmm(vr, V.transpose(1, 2)) / D**2).cpu().double().numpy()
        T0[j] = (torch.bmm(V, V.transpose(1, 2)) / D).cpu().double().numpy()
        w_ov[j] = W[..., :n_over].cpu().double().numpy()
        v_ov[j] = V[..., :n_over].cpu().double().numpy()
        if b_rec is not None:
            b_rec[j] = b.cpu().double().numpy()
        if not (np.all(np.isfinite(Q[j])) and np.all(np.isfinite(T0[j]))
                and np.all(np.isfinite(Rr[j])) and np.all(np.isfinite(Tt[j]))):
            raise FloatingPointError(f"SGD diverged before t = {t_rec[j]:g} (non-finite "
                                     f"weights); lower eta (now {eta:g})")
        if x_test is not None:
            for r in range(runs):
                lam = x_test @ W[r].T
                if use_bias:
                    lam = lam + b[r]
                lam = lam / math.sqrt(D)
                h = activation_fn(activation, lam)
                err = ((x_test - h @ V[r]) ** 2).sum(1) / (2 * D)
                pm[j, r] = float(err.mean())
                pm_se[j, r] = float(err.std() / math.sqrt(n_test))
        else:
            pm[j] = pmse_from_order_parameters(T0[j], Q[j], Rr[j], Tt[j], trace_term,
                                               activation)
        if not (np.all(np.isfinite(pm[j])) and np.all(np.isfinite(Q[j]))
                and np.all(np.isfinite(T0[j]))):
            raise FloatingPointError(f"SGD diverged before t = {t_rec[j]:g} (non-finite "
                                     f"weights or pmse); lower eta (now {eta:g})")

    t_start = time.perf_counter()
    done = 0
    gen = None
    if dev.type == "cuda":
        gen = torch.Generator(device=dev)
        gen.manual_seed(int(rng_train.integers(2**62)))
    with torch.no_grad(), _torch_threads(threads if dev.type == "cpu" else None), \
            tqdm(total=int(steps_rec[-1]), disable=not progress, desc=f"SGD D={D}",
                 unit="step") as bar:
        for j, target in enumerate(steps_rec):
            while done < target:
                n = int(min(block, target - done))
                if zbuf is not None:
                    rng_train.standard_normal(out=zbuf[:n])
                    z = torch.from_numpy(zbuf[:n]).to(dtype)
                else:
                    z = torch.randn((n, *shape[1:]), generator=gen, **tt)
                X = z * sqrt_rho
                stepper(*args, X, _ACT[activation], _RULE[rule], tied_code, use_bias,
                        a_w, a_v, a_b, decay, 1.0 / math.sqrt(D))
                done += n
                bar.update(n)
            record(j)
    wall = time.perf_counter() - t_start

    Et = E.T
    W_out = W.cpu().double().numpy() @ Et
    V_out = W_out if tied else V.cpu().double().numpy() @ Et
    config = dict(D=D, K=K, activation=activation, eta=eta, rule=rule, tied=tied,
                  tied_gradient=tied_gradient if tied else None,
                  bias=None if bias is None else np.asarray(bias, dtype=float).tolist(),
                  kappa=kappa,
                  init_std=init_std, seed=seed, runs=runs, device=str(dev),
                  dtype=str(dtype), block=block, n_test=n_test if x_test is not None else None,
                  script=script)
    return SGDTrajectory(t_rec, steps_rec, pm, method, pm_se, Q, Rr, Tt, T0, w_ov, v_ov,
                         b_rec, spec.rho.copy(), pca, W_out, V_out,
                         b.cpu().double().numpy() if use_bias else None, wall, spec, config)


def activation_fn(name: str, lam: torch.Tensor) -> torch.Tensor:
    """g(lam) of SHALLOW_MODEL.md: "erf" is erf(lam / sqrt 2), "relu" max(lam, 0), "linear"."""
    if name == "linear":
        return lam
    if name == "erf":
        return torch.erf(lam / math.sqrt(2.0))
    return torch.relu(lam)


@dataclass(frozen=True)
class StepIncrements:
    """Monte-Carlo means over fresh samples x ~ N(0, Omega) of one SGD step's increments from a
    fixed state, as rates per unit time (``D x`` the per-step mean; one step is ``dt = 1/D``),
    with their standard errors (``*_se``).

    ``Q``, ``R``, ``T``, ``T0``: (K, K) rates of the order parameters (definitions of the module
    docstring); ``W``, ``V``: (K, D) rates of the rotated weights ``w_k . e_tau``,
    ``v_k . e_tau`` (eigenbasis, decreasing rho); ``b``: (K,) or None.  ``n_samples`` samples.
    """

    Q: NDArray[np.float64]
    R: NDArray[np.float64]
    T: NDArray[np.float64]
    T0: NDArray[np.float64]
    W: NDArray[np.float64]
    V: NDArray[np.float64]
    b: NDArray[np.float64] | None
    Q_se: NDArray[np.float64]
    R_se: NDArray[np.float64]
    T_se: NDArray[np.float64]
    T0_se: NDArray[np.float64]
    W_se: NDArray[np.float64]
    V_se: NDArray[np.float64]
    b_se: NDArray[np.float64] | None
    n_samples: int


def step_increments(data: ArrayLike | Spectrum | SpikedModel, W: ArrayLike,
                    V: ArrayLike | None = None, *, b: ArrayLike | None = None,
                    activation: Activation = "erf", eta: float = 0.1, rule: Rule = "vanilla",
                    tied_gradient: Literal["full", "encoder"] = "full", kappa: float = 0.0,
                    n_samples: int = 100_000, seed: int = 0, chunk: int = 4096,
                    threads: int | None = 1) -> StepIncrements:
    """Mean increment of one SGD step from the state ``(W, V, b)`` (data basis; ``V=None`` for
    tied weights and Sanger's rule) over ``n_samples`` independent Gaussian inputs, each applied
    to a copy of the same state by the stepper of :func:`simulate_sgd` (so the update is the
    simulator's, not a re-typed one).  The quantity the order-parameter ODEs predict at first
    order in the learning rate, up to the O(eta^2) part of the mean (kept here) and
    finite-D corrections."""
    spec = _spectrum_of(data)
    D = spec.D
    try:
        w = np.asarray(W, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("W must be an array of real numbers") from None
    if w.ndim != 2 or w.shape[1] != D:
        raise ValueError(f"W must have shape (K, {D}), got {w.shape}")
    K = w.shape[0]
    _check_common(activation, rule, tied_gradient, eta, kappa, D)
    _check_threads(threads)
    for name, val, lo in (("n_samples", n_samples, 2), ("chunk", chunk, 1), ("seed", seed, 0)):
        if isinstance(val, bool) or not isinstance(val, (int, np.integer)) or val < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {val!r}")
    tied = V is None
    if rule == "sanger" and (not tied or b is not None):
        raise ValueError("Sanger's rule has no decoder and no bias: pass V=None, b=None")
    w_e = _weights_arg("W", w, 1, K, D)[0] @ spec.vectors
    v_e = w_e if tied else _weights_arg("V", V, 1, K, D)[0] @ spec.vectors  # type: ignore[arg-type]
    use_bias = b is not None
    b0 = np.zeros(K) if b is None else np.asarray(b, dtype=np.float64)
    if b0.shape != (K,) or not np.all(np.isfinite(b0)):
        raise ValueError(f"b must be a finite array of shape ({K},)")
    a_w, a_v, a_b = _step_sizes(D, float(eta), rule, tied)
    tied_code = _tied_code(rule, tied, tied_gradient)
    stepper = _block_fn(True, False)
    rho = torch.tensor(spec.rho, dtype=torch.float64)
    sqrt_rho = rho.sqrt()
    W0 = torch.tensor(w_e, dtype=torch.float64)
    V0 = torch.tensor(v_e, dtype=torch.float64)
    b0t = torch.tensor(b0, dtype=torch.float64)

    def ops(Wt: torch.Tensor, Vt: torch.Tensor) -> list[torch.Tensor]:
        wr, vr = Wt * rho, Vt * rho
        return [wr @ Wt.transpose(-1, -2) / D, vr @ Wt.transpose(-1, -2) / D**1.5,
                vr @ Vt.transpose(-1, -2) / D**2, Vt @ Vt.transpose(-1, -2) / D]

    base = ops(W0, V0) + [W0, V0, b0t]
    sums = [torch.zeros_like(x) for x in base]
    sq = [torch.zeros_like(x) for x in base]
    rng = np.random.default_rng(np.random.SeedSequence(int(seed)))
    left = int(n_samples)
    with torch.no_grad(), _torch_threads(threads):
        while left:
            m = min(chunk, left)
            Wc = W0.expand(m, K, D).clone()
            Vc = Wc if tied else V0.expand(m, K, D).clone()
            bc = b0t.expand(m, K).clone()
            X = torch.from_numpy(rng.standard_normal((1, m, D))) * sqrt_rho
            stepper(Wc, Vc, bc, X, _ACT[activation], _RULE[rule], tied_code, use_bias,
                    a_w, a_v, a_b, 1.0 - float(kappa) / D, 1.0 / math.sqrt(D))
            for i, (new, old) in enumerate(zip(ops(Wc, Vc) + [Wc, Vc, bc], base, strict=True)):
                d = new - old
                sums[i] += d.sum(0)
                sq[i] += (d * d).sum(0)
            left -= m
    n = float(n_samples)
    mean = [s / n * D for s in sums]
    se = [torch.sqrt(torch.clamp(q / n - (s / n) ** 2, min=0.0) / (n - 1)) * D
          for s, q in zip(sums, sq, strict=True)]
    out = [x.numpy() for x in mean] + [x.numpy() for x in se]
    return StepIncrements(*out[:6], out[6] if use_bias else None, *out[7:13],
                          out[13] if use_bias else None, int(n_samples))
