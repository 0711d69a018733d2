"""First-order optimisers with ``torch.optim``'s defaults and exact update order, in NumPy.

Sources: the lecture notes' update rules [LN.hb], [LN.rmsprop], [LN.adagrad], [LN.adam],
[LN.adam.update] (source ``notes``), in the form ``torch.optim`` implements them (the form the
experiments of the paper's setting are run with); where the two differ the differences are decided
as steps of the ``notes`` source (``LN.hb`` vs. torch's SGD momentum, the place of ``eps`` in
RMSprop/Adam, the ``+ 1`` printed in [LN.adam.update]).

Each optimiser is a small frozen object holding its hyperparameters (checked where it is built:
``ValueError`` for the values ``torch.optim`` rejects, and for NaN/inf); ``init(params)`` returns
the initial state and ``step(params, grad, state)`` returns ``(new_params, new_state)`` without
mutating its arguments.  ``params`` is one float64 array of any shape: leading axes are batch
axes (independent runs), and every operation is elementwise, so a batch of runs is one call.
Hyperparameters are scalars or arrays that broadcast against ``params`` (e.g. a column of learning
rates of shape ``(B, 1)`` for parameters of shape ``(B, P)``).

Floating-point order follows ``torch.optim``'s single-tensor (CPU default) code path, including
``lerp`` (two formulas, switching at weight 0.5), ``addcmul``/``addcdiv``, the bias-correction
arithmetic, and the fused multiply-adds of torch's vectorised CPU kernels (``add`` with ``alpha``,
``addcmul``, ``lerp``; emulated exactly by :func:`fma`).  What remains is torch's vectorised
``sqrt``, which is not correctly rounded (about 1 in 130 results 1 ulp off on an AVX-512 build), so
trajectories agree with torch in float64 to rounding, not bit for bit (tested: < 1e-12 over 100
steps).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

Array = NDArray[np.float64]
Hyper = float | ArrayLike


def _hyper(name: str, value: Hyper, *, low: float = 0.0, high: float | None = None,
           high_open: bool = True) -> float | Array:
    """A hyperparameter as a float (or float64 array), checked ``low <= value (< or <=) high``."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a real number, got the bool {value!r}")
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a real number or array, got {value!r}") from None
    if not np.all(np.isfinite(a)):
        raise ValueError(f"Invalid {name} value: {value!r} (must be finite)")
    if not np.all(a >= low):
        raise ValueError(f"Invalid {name} value: {value!r} (must be >= {low:g})")
    if high is not None:
        bad = a >= high if high_open else a > high
        if np.any(bad):
            rel = "<" if high_open else "<="
            raise ValueError(f"Invalid {name} value: {value!r} (must be {rel} {high:g})")
    return float(a) if a.ndim == 0 else a


def _params(params: ArrayLike) -> Array:
    p = np.asarray(params, dtype=np.float64)
    if not np.all(np.isfinite(p)):
        raise ValueError("params must be finite (got NaN or inf)")
    return p


def _grad(grad: ArrayLike, params: Array) -> Array:
    g = np.asarray(grad, dtype=np.float64)
    if g.shape != params.shape:
        raise ValueError(f"grad has shape {g.shape} but params have shape {params.shape}")
    return g


def _split(a: Array) -> tuple[Array, Array]:
    """Dekker's split of a float64 into two halves of 26 significant bits each."""
    c = 134217729.0 * a  # 2^27 + 1
    hi = c - (c - a)
    return hi, a - hi


def fma(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> Array:
    """``a * b + c`` with one rounding: the fused multiply-add of torch's vectorised CPU kernels.

    Error-free transformations (Dekker's product, Knuth's two-sum) give the exact ``a b + c`` as
    ``s + t + e`` and round it once more; this equals the hardware ``fma`` except in rare
    double-rounding ties.  Where the splitting overflows (|a|, |b| near the float64 limit) the
    plain ``a * b + c`` is returned, so no NaN appears that the plain expression would not give.
    """
    a, b, c = (np.asarray(x, dtype=np.float64) for x in (a, b, c))
    with np.errstate(over="ignore", invalid="ignore"):
        p = a * b
        ah, al = _split(a)
        bh, bl = _split(b)
        e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
        s = p + c
        bb = s - p
        t = (p - (s - bb)) + (c - bb)
        r = s + (t + e)
        return np.where(np.isfinite(r), r, s)


def _lerp(start: Array, end: Array, weight: float | Array) -> Array:
    """``torch.lerp``: ``fma(w, end - start, start)`` for ``|w| < 0.5``, else
    ``fma(-(end - start), 1 - w, end)``."""
    w = np.asarray(weight, dtype=np.float64)
    d = end - start
    return np.where(np.abs(w) < 0.5, fma(w, d, start), fma(-d, 1.0 - w, end))


def _decay(grad: Array, params: Array, weight_decay: float | Array) -> Array:
    """Coupled (L2) weight decay, ``grad + weight_decay * params``, skipped when it is 0."""
    if np.all(np.asarray(weight_decay) == 0):
        return grad
    return fma(params, weight_decay, grad)  # grad.add(param, alpha=weight_decay)


# --------------------------------------------------------------------------------------------
# SGD (heavy ball / Nesterov)


@dataclass(frozen=True)
class SGDState:
    """``momentum_buffer`` is None until the first step (torch's lazily created buffer)."""

    momentum_buffer: Array | None = None


@dataclass(frozen=True)
class SGD:
    """``torch.optim.SGD``: with momentum ``mu`` and dampening ``d``,
    ``b_1 = g_1``, ``b_t = mu b_{t-1} + (1 - d) g_t``; step ``g_t + mu b_t`` (Nesterov) or ``b_t``;
    ``w <- w - lr * step``.  With ``d = 0`` this is [LN.hb] with ``alpha = lr``, ``beta = mu`` from
    the second step on (the first step is plain GD: torch's buffer starts at ``g_1``)."""

    lr: Hyper = 1e-3
    momentum: Hyper = 0.0
    dampening: Hyper = 0.0
    nesterov: bool = False
    weight_decay: Hyper = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", _hyper("learning rate", self.lr))
        object.__setattr__(self, "momentum", _hyper("momentum", self.momentum))
        object.__setattr__(self, "dampening", _hyper("dampening", self.dampening, low=-np.inf))
        object.__setattr__(self, "weight_decay", _hyper("weight_decay", self.weight_decay))
        if not isinstance(self.nesterov, bool):
            raise ValueError(f"nesterov must be a bool, got {self.nesterov!r}")
        if self.nesterov and (np.any(np.asarray(self.momentum) <= 0)
                              or np.any(np.asarray(self.dampening) != 0)):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def init(self, params: ArrayLike) -> SGDState:
        _params(params)
        return SGDState()

    def step(self, params: ArrayLike, grad: ArrayLike, state: SGDState) -> tuple[Array, SGDState]:
        p = _params(params)
        g = _decay(_grad(grad, p), p, self.weight_decay)
        buf = state.momentum_buffer
        if np.any(np.asarray(self.momentum) != 0):
            buf = g.copy() if buf is None else fma(g, 1 - np.asarray(self.dampening),
                                                    buf * self.momentum)
            g = fma(buf, self.momentum, g) if self.nesterov else buf
        return fma(g, -np.asarray(self.lr), p), SGDState(buf)


# --------------------------------------------------------------------------------------------
# RMSprop


@dataclass(frozen=True)
class RMSpropState:
    square_avg: Array
    grad_avg: Array | None = None  # centered only
    momentum_buffer: Array | None = None  # momentum > 0 only
    step: int = 0


@dataclass(frozen=True)
class RMSprop:
    """``torch.optim.RMSprop``: ``v <- alpha v + (1 - alpha) g^2``; denominator
    ``sqrt(v) + eps`` (centered: ``sqrt(v - gbar^2) + eps`` with
    ``gbar <- lerp(gbar, g, 1 - alpha)``);
    without momentum ``w <- w - lr g / denom``, with it ``b <- momentum b + g / denom``,
    ``w <- w - lr b``.  [LN.rmsprop] with ``beta = alpha``, ``eta = lr``, ``epsilon = eps``."""

    lr: Hyper = 1e-2
    alpha: Hyper = 0.99
    eps: Hyper = 1e-8
    weight_decay: Hyper = 0.0
    momentum: Hyper = 0.0
    centered: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", _hyper("learning rate", self.lr))
        object.__setattr__(self, "alpha", _hyper("alpha", self.alpha))
        object.__setattr__(self, "eps", _hyper("epsilon", self.eps))
        object.__setattr__(self, "weight_decay", _hyper("weight_decay", self.weight_decay))
        object.__setattr__(self, "momentum", _hyper("momentum", self.momentum))
        if not isinstance(self.centered, bool):
            raise ValueError(f"centered must be a bool, got {self.centered!r}")

    def init(self, params: ArrayLike) -> RMSpropState:
        p = _params(params)
        z = np.zeros_like(p)
        return RMSpropState(
            square_avg=z, grad_avg=z.copy() if self.centered else None,
            momentum_buffer=z.copy() if np.any(np.asarray(self.momentum) > 0) else None)

    def step(self, params: ArrayLike, grad: ArrayLike,
             state: RMSpropState) -> tuple[Array, RMSpropState]:
        p = _params(params)
        g = _decay(_grad(grad, p), p, self.weight_decay)
        sq = fma((1 - np.asarray(self.alpha)) * g, g, state.square_avg * self.alpha)
        gavg = state.grad_avg
        if self.centered:
            gavg = _lerp(gavg, g, 1 - np.asarray(self.alpha))
            avg = np.sqrt(fma(-gavg, gavg, sq))
        else:
            avg = np.sqrt(sq)
        avg = avg + self.eps
        buf = state.momentum_buffer
        if buf is not None:
            buf = buf * self.momentum + g / avg
            new = fma(buf, -np.asarray(self.lr), p)
        else:
            new = p + (-np.asarray(self.lr)) * g / avg
        return new, RMSpropState(sq, gavg, buf, state.step + 1)


# --------------------------------------------------------------------------------------------
# Adagrad


@dataclass(frozen=True)
class AdagradState:
    sum: Array
    step: int = 0


@dataclass(frozen=True)
class Adagrad:
    """``torch.optim.Adagrad``: ``s <- s + g^2``, ``clr = lr / (1 + (t - 1) lr_decay)``,
    ``w <- w - clr g / (sqrt(s) + eps)``.  [LN.adagrad] with ``eta = lr``, ``epsilon = eps``."""

    lr: Hyper = 1e-2
    lr_decay: Hyper = 0.0
    weight_decay: Hyper = 0.0
    initial_accumulator_value: Hyper = 0.0
    eps: Hyper = 1e-10

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", _hyper("learning rate", self.lr))
        object.__setattr__(self, "lr_decay", _hyper("lr_decay", self.lr_decay))
        object.__setattr__(self, "weight_decay", _hyper("weight_decay", self.weight_decay))
        object.__setattr__(self, "initial_accumulator_value",
                           _hyper("initial_accumulator_value", self.initial_accumulator_value))
        object.__setattr__(self, "eps", _hyper("epsilon", self.eps))

    def init(self, params: ArrayLike) -> AdagradState:
        p = _params(params)
        return AdagradState(np.broadcast_to(
            np.asarray(self.initial_accumulator_value, dtype=np.float64), p.shape).copy())

    def step(self, params: ArrayLike, grad: ArrayLike,
             state: AdagradState) -> tuple[Array, AdagradState]:
        p = _params(params)
        g = _decay(_grad(grad, p), p, self.weight_decay)
        t = state.step + 1
        clr = self.lr / (1 + (t - 1) * self.lr_decay)
        s = fma(g, g, state.sum)
        std = np.sqrt(s) + self.eps
        return p + (-np.asarray(clr)) * g / std, AdagradState(s, t)


# --------------------------------------------------------------------------------------------
# Adam / AdamW


@dataclass(frozen=True)
class AdamState:
    exp_avg: Array
    exp_avg_sq: Array
    max_exp_avg_sq: Array | None = None  # amsgrad only
    step: int = 0


@dataclass(frozen=True)
class Adam:
    """``torch.optim.Adam`` (``decoupled_weight_decay=True``: ``torch.optim.AdamW``).

    ``m <- lerp(m, g, 1 - beta1)``, ``v <- beta2 v + (1 - beta2) g^2``,
    ``w <- w - (lr / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)`` (AMSGrad: the
    running maximum of ``v`` in the denominator); decoupled decay multiplies ``w`` by
    ``1 - lr weight_decay`` before the gradient step, coupled decay adds ``weight_decay w`` to
    ``g``.  [LN.adam] with ``eta = lr``; [LN.adam.update]'s ``+ 1`` is ``eps`` here.
    """

    lr: Hyper = 1e-3
    betas: tuple[Hyper, Hyper] = (0.9, 0.999)
    eps: Hyper = 1e-8
    weight_decay: Hyper = 0.0
    amsgrad: bool = False
    decoupled_weight_decay: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", _hyper("learning rate", self.lr))
        object.__setattr__(self, "eps", _hyper("epsilon", self.eps))
        object.__setattr__(self, "weight_decay", _hyper("weight_decay", self.weight_decay))
        try:
            b1, b2 = self.betas
        except (TypeError, ValueError):
            raise ValueError(f"betas must be a pair (beta1, beta2), got {self.betas!r}") from None
        b1 = _hyper("beta parameter at index 0", b1, high=1.0)
        b2 = _hyper("beta parameter at index 1", b2, high=1.0)
        object.__setattr__(self, "betas", (b1, b2))
        for flag in ("amsgrad", "decoupled_weight_decay"):
            if not isinstance(getattr(self, flag), bool):
                raise ValueError(f"{flag} must be a bool, got {getattr(self, flag)!r}")

    def init(self, params: ArrayLike) -> AdamState:
        p = _params(params)
        z = np.zeros_like(p)
        return AdamState(z, z.copy(), z.copy() if self.amsgrad else None)

    def step(self, params: ArrayLike, grad: ArrayLike,
             state: AdamState) -> tuple[Array, AdamState]:
        p = _params(params)
        g = _grad(grad, p)
        b1, b2 = self.betas
        if np.any(np.asarray(self.weight_decay) != 0):
            if self.decoupled_weight_decay:
                p = p * (1 - np.asarray(self.lr) * self.weight_decay)
            else:
                g = fma(p, self.weight_decay, g)
        t = state.step + 1
        m = _lerp(state.exp_avg, g, 1 - np.asarray(b1))
        v = fma((1 - np.asarray(b2)) * g, g, state.exp_avg_sq * b2)
        bc1 = 1 - np.asarray(b1) ** float(t)
        bc2 = 1 - np.asarray(b2) ** float(t)
        step_size = self.lr / bc1
        bc2_sqrt = bc2**0.5
        vmax = state.max_exp_avg_sq
        if self.amsgrad:
            vmax = np.maximum(vmax, v)
            denom = np.sqrt(vmax) / bc2_sqrt + self.eps
        else:
            denom = np.sqrt(v) / bc2_sqrt + self.eps
        return p + (-np.asarray(step_size)) * m / denom, AdamState(m, v, vmax, t)


def AdamW(lr: Hyper = 1e-3, betas: tuple[Hyper, Hyper] = (0.9, 0.999), eps: Hyper = 1e-8,  # noqa: N802
          weight_decay: Hyper = 1e-2, amsgrad: bool = False) -> Adam:
    """``torch.optim.AdamW``: :class:`Adam` with decoupled weight decay (default 1e-2)."""
    return Adam(lr, betas, eps, weight_decay, amsgrad, decoupled_weight_decay=True)


Optimizer = SGD | RMSprop | Adagrad | Adam

__all__ = ["SGD", "Adagrad", "AdagradState", "Adam", "AdamState", "AdamW", "Optimizer", "RMSprop",
           "RMSpropState", "SGDState", "fma"]
