"""Closed-form trajectories and fixed points of the scalar DAE and weight-decay (WDAE) flows.

Every formula is lambdified from a verified step of :mod:`derivations` (label in each
docstring).  All functions broadcast NumPy-style over their arguments and return float64 arrays;
``precision=D`` evaluates the paper's own closed form with mpmath at ``D`` significant digits
instead and returns an object array of ``mpmath.mpf``.
"""

from __future__ import annotations

import mpmath
import numpy as np
from numpy.typing import ArrayLike, NDArray

from derivations import get

from . import compensated, highprec, separable
from .lambdified import mpmath_fn, numpy_fn
from .validate import arg, broadcast

Array = NDArray[np.float64]


#: where the float64 path of :func:`dae_w` is validated against the 50-digit path (in the
#: scaled variables ``eps / lam`` and ``tau / lam``); elsewhere mpmath evaluates it
DAE_BOX = {"|w1_0|, |w2_0|": (1e-12, 1e3), "eps / lam": (0.0, 1e8), "tau / lam": (1e-300, 1e300)}
#: the same for :func:`wdae_w`
WDAE_BOX = {"w0": (1e-24, 1e6), "lam, tau, N, gamma": (1e-100, 1e100), "N gamma / lam": (0.0, 1e8)}
_FALLBACK_DIGITS = 20


def dae_w(t: ArrayLike, lam: ArrayLike, eps: ArrayLike, w1_0: ArrayLike, w2_0: ArrayLike,
          tau: ArrayLike = 1.0, *, precision: int | None = None) -> Array:
    """Exact product ``w(t) = w1 w2`` of the scalar DAE flow [eq2]/[eq3] from ``(w1_0, w2_0)``.

    Any start: ``w1_0^2 < w2_0^2`` or ``>``, ``|w1_0| = |w2_0|`` (c0 = 0, [eq5.balanced] or
    [N.dae.balanced_neg]), negative products, ``eps = 0``.  Evaluated through the verified
    overflow-free rewrite [N.dae.stable] of [eq5] in the scaled variables ``eps / lam``,
    ``tau / lam`` inside :data:`DAE_BOX`, and by the mpmath path of the printed [eq5] outside
    it (or wherever float64 gives no finite number); ``t`` in epochs, ``tau = N / lr``.
    ``ValueError`` if the exact result lies outside the float64 range.
    """
    if precision is not None:
        highprec.check_precision(precision)
    t_ = arg("t", t, nonnegative=True)
    lam_, eps_, a, b, tau_ = broadcast(
        lam=arg("lam", lam, positive=True), eps=arg("eps", eps, nonnegative=True),
        w1_0=arg("w1_0", w1_0), w2_0=arg("w2_0", w2_0), tau=arg("tau", tau, positive=True))
    shape = _shape(t_, lam_)
    if precision is not None:
        full = np.broadcast_arrays(t_, lam_, eps_, a, b, tau_)
        return highprec.dae_w(*full, precision)
    with np.errstate(all="ignore"):
        k, tau_s = eps_ / lam_, tau_ / lam_
    box = _in(np.abs(a), DAE_BOX["|w1_0|, |w2_0|"], zero=True) \
        & _in(np.abs(b), DAE_BOX["|w1_0|, |w2_0|"], zero=True) \
        & _in(k, DAE_BOX["eps / lam"], zero=True) & _in(tau_s, DAE_BOX["tau / lam"])
    one = np.ones_like(lam_)
    out = _dae_float(t_, one, np.where(box, k, 0.0), np.where(box, a, 0.1),
                     np.where(box, b, 0.2), np.where(box, tau_s, 1.0), shape)
    ok = np.broadcast_to(box, shape) & np.isfinite(out)
    if not np.all(ok):
        full = np.broadcast_arrays(t_, lam_, eps_, a, b, tau_)
        out = _fallback(out, ok, highprec.dae_w, full, "dae_w",
                        ("t", "lam", "eps", "w1_0", "w2_0", "tau"))
    return out


def _in(x: Array, bounds: tuple[float, float], zero: bool = False) -> NDArray[np.bool_]:
    lo, hi = bounds
    inside = (x >= lo) & (x <= hi)
    return inside | (x == 0) if zero else inside


def _fallback(out: Array, ok: NDArray[np.bool_], fn, full: list[Array], name: str,
              names: tuple[str, ...]) -> Array:
    """Replace ``out`` where not ``ok`` by the mpmath path ``fn`` rounded to float64;
    ``ValueError`` naming the inputs where the exact result is beyond the float64 range."""
    out = np.array(out, dtype=np.float64)
    bad = ~np.broadcast_to(ok, out.shape)
    sub = [np.ascontiguousarray(np.broadcast_to(f, out.shape)[bad]) for f in full]
    vals = fn(*sub, _FALLBACK_DIGITS)
    res = np.array([float(v) for v in vals], dtype=np.float64)
    over = ~np.isfinite(res)
    if np.any(over):
        i = int(np.argmax(over))
        at = ", ".join(f"{n}={s[i]:.6g}" for n, s in zip(names, sub, strict=True))
        raise ValueError(f"{name}({at}) = {mpmath.nstr(vals[i], 6)} lies outside the float64 "
                         f"range (|x| <= 1.8e308): these inputs are outside the supported range")
    out[bad] = res
    return out


def _dae_float(t_: Array, lam_: Array, eps_: Array, a: Array, b: Array, tau_: Array,
               shape: tuple[int, ...]) -> Array:
    """The float64 path (validated inside :data:`DAE_BOX`)."""
    w0 = a * b
    c0 = np.abs((b - a) * (b + a))
    params = {"lambda": lam_, "varepsilon": eps_, "tau": tau_, "w_0": w0, "c_0": c0}
    if np.all((c0 == 0) & (w0 > 0)):  # balanced starts only: the logistic, one exp per point
        return _per_time_point("logistic", ("L_A", "L_B"), "q_2", "K2", params, t_, shape)
    with np.errstate(all="ignore"):
        y0 = np.where(w0 >= 0, _coef("Y0_nonneg", params, "N.dae.stable"),
                      _coef("Y0_neg", params, "N.dae.stable"))
    # balanced with a negative product (or c0 so small that c0^2 underflows): decays to 0
    neg = (y0 <= 0) & (w0 < 0)
    origin = (w0 == 0) & (c0 == 0)
    special = neg | origin
    if np.any(special):  # evaluate the general form on harmless stand-ins there
        params = dict(params, w_0=np.where(special, 1.0, w0), c_0=np.where(special, 1.0, c0))
        y0 = np.where(special, 4.0, y0)
    params["Y_0"] = y0
    out = _per_time_point("w", ("A1", "B1", "A2", "B2", "C1", "D1", "C2", "D2"), "q", "K",
                          params, t_, shape)
    if np.any(special):
        bal = numpy_fn("N.dae.balanced_neg", "w", ("t", "lambda", "varepsilon", "tau", "w_0"))
        with np.errstate(all="ignore"):
            out = np.where(neg, bal(t_, lam_, eps_, tau_, np.where(neg, w0, -1.0)), out)
        out = np.where(origin, 0.0, out)
    return np.asarray(out, dtype=np.float64)


def _shape(t: Array, params: Array) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(t.shape, params.shape)
    except ValueError:
        raise ValueError(f"argument shapes do not broadcast: t{t.shape} with the parameters "
                         f"{params.shape}") from None


def _coef(name: str, params: dict[str, Array], step: str = "N.dae.template") -> Array:
    expr = get(step).exprs[name]
    names = tuple(sorted(s.name for s in expr.free_symbols))
    return numpy_fn(step, name, names)(*(params[n] for n in names))


def _per_time_point(name: str, coeffs: tuple[str, ...], decay: str, rate: str,
                    params: dict[str, Array], t: Array, shape: tuple[int, ...]) -> Array:
    """Coefficients once per parameter point, then cache-sized blocks over ``t``
    (:mod:`numerics.separable`)."""
    tp = separable.template("N.dae.template", name, decay, "m" if decay == "q" else None, coeffs)
    with np.errstate(all="ignore"):
        k = _coef(rate, params)
    return separable.evaluate(tp, k, t, params, shape)


def wdae_w(t: ArrayLike, lam: ArrayLike, gamma: ArrayLike, N: ArrayLike, w0: ArrayLike,
           tau: ArrayLike = 1.0, *, precision: int | None = None) -> Array:
    """Product ``w(t)`` of the weight-decayed flow [C.w] from a balanced start ``w1 = w2``.

    ``w0 = w1(0) w2(0) > 0``.  The correct solution of [C.w] (the paper's [eq7] with
    ``E_gamma = exp(2 lam xi t / tau)``), through the verified form [N.wdae.stable] inside
    :data:`WDAE_BOX` (mpmath's corrected [eq7] outside it, or wherever float64 gives no finite
    number), defined for every ``N gamma >= 0``: ``N gamma > lam`` decays to 0,
    ``N gamma = lam`` is the limit [eq7.critical].  ``ValueError`` if the exact result lies
    outside the float64 range.
    """
    if precision is not None:
        highprec.check_precision(precision)
    t_ = arg("t", t, nonnegative=True)
    lam_ = arg("lam", lam, positive=True)
    g = arg("gamma", gamma, nonnegative=True)
    n = arg("N", N, positive=True)
    w0_ = arg("w0", w0, positive=True)
    tau_ = arg("tau", tau, positive=True)
    t_, lam_, g, n, w0_, tau_ = broadcast(t=t_, lam=lam_, gamma=g, N=n, w0=w0_, tau=tau_)
    if precision is not None:
        return highprec.wdae_w(t_, lam_, g, n, w0_, tau_, precision)
    rng = WDAE_BOX["lam, tau, N, gamma"]
    with np.errstate(all="ignore"):
        ratio = n * g / lam_
    box = _in(w0_, WDAE_BOX["w0"]) & _in(lam_, rng) & _in(tau_, rng) & _in(n, rng) \
        & _in(g, rng, zero=True) & _in(ratio, WDAE_BOX["N gamma / lam"], zero=True)
    safe = [np.where(box, v, 1.0) for v in (lam_, n, w0_, tau_)]
    with np.errstate(all="ignore"):
        out = _wdae_float(t_, safe[0], np.where(box, g, 0.0), safe[1], safe[2], safe[3])
    ok = box & np.isfinite(out)
    if not np.all(ok):
        out = _fallback(out, ok, highprec.wdae_w, [t_, lam_, g, n, w0_, tau_], "wdae_w",
                        ("t", "lam", "gamma", "N", "w0", "tau"))
    return out


def _wdae_float(t_: Array, lam_: Array, g: Array, n: Array, w0_: Array, tau_: Array) -> Array:
    """The float64 path (validated inside :data:`WDAE_BOX`)."""
    # x = 2 d t / tau with the gap d = lam - N gamma free of the product's rounding error
    d = compensated.difference_of_product("N.wdae.stable", "d", {"lambda": lam_, "N": n,
                                                                  "gamma": g})
    x = numpy_fn("N.wdae.stable", "x_of_d", ("d", "t", "tau"))(d, t_, tau_)
    args = ("x", "w_0", "lambda", "t", "tau")
    pos = numpy_fn("N.wdae.stable", "w", args)(np.maximum(x, 0.0), w0_, lam_, t_, tau_)
    neg = numpy_fn("N.wdae.stable", "w_neg", args)(np.minimum(x, 0.0), w0_, lam_, t_, tau_)
    return np.asarray(np.where(x >= 0, pos, neg), dtype=np.float64)


def dae_fixed_point(lam: ArrayLike, eps: ArrayLike) -> Array:
    """Nonzero fixed point ``w* = lam / (lam + eps)`` of the DAE flow [4.fp]."""
    lam_, eps_ = broadcast(lam=arg("lam", lam, positive=True), eps=arg("eps", eps,
                                                                        nonnegative=True))
    return _rational("4.fp", "w_star", {"lambda": lam_, "varepsilon": eps_},
                     "dae_fixed_point", ("lam", "eps"))


def wdae_fixed_point(lam: ArrayLike, gamma: ArrayLike, N: ArrayLike) -> Array:
    """Attracting fixed point of the balanced WDAE flow [C.w] from ``w0 > 0``.

    ``1 - N gamma / lam`` when ``N gamma < lam``, else 0 (the nonzero root is then not positive).
    """
    lam_, g, n = broadcast(lam=arg("lam", lam, positive=True),
                           gamma=arg("gamma", gamma, nonnegative=True),
                           N=arg("N", N, positive=True))
    with np.errstate(over="ignore", under="ignore"):
        decayed = n * g >= lam_  # an overflow to inf still compares right
    ws = _rational("C.w", "w_star", {"lambda": lam_, "N": np.where(decayed, 0.0, n),
                                      "gamma": g}, "wdae_fixed_point", ("lam", "N", "gamma"))
    return _result(np.where(decayed, 0.0, np.maximum(ws, 0.0)), lam_.shape)


def equivalent_gamma(lam: ArrayLike, eps: ArrayLike, N: ArrayLike) -> Array:
    """eq6's ``gamma`` whose WDAE fixed point equals the DAE's ([E.equiv], with the N read in)."""
    lam_, eps_, n = broadcast(lam=arg("lam", lam, positive=True),
                              eps=arg("eps", eps, nonnegative=True),
                              N=arg("N", N, positive=True))
    return _rational("E.equiv", "gamma", {"lambda": lam_, "varepsilon": eps_, "N": n},
                     "equivalent_gamma", ("lam", "eps", "N"))


def optimal_lr_dae(lam: ArrayLike, eps: ArrayLike, tau: ArrayLike) -> Array:
    """The paper's second-order step ``alpha_eps = tau / (2 lam + 3 eps)`` ([D.step]).

    The verifier refutes [D.step]'s claim that ``(2 lam + 3 eps) / tau`` is the *largest*
    Hessian eigenvalue; the rule itself (the eigenvalue at ``w1 = w2 = 1``) is what the paper
    uses for Figure 3, is returned unchanged, and is stable at the fixed point.
    """
    lam_, eps_, tau_ = broadcast(lam=arg("lam", lam, positive=True),
                                 eps=arg("eps", eps, nonnegative=True),
                                 tau=arg("tau", tau, positive=True))
    return _rational("D.step", "alpha", {"lambda": lam_, "varepsilon": eps_, "tau": tau_},
                     "optimal_lr_dae", ("lam", "eps", "tau"))


def optimal_lr_wdae(lam: ArrayLike, gamma: ArrayLike, N: ArrayLike, tau: ArrayLike) -> Array:
    """``alpha_gamma = tau / (2 lam + N gamma)`` ([D.wd] with eq6's gamma).

    The paper prints ``tau / (2 lam + gamma)``: it holds under the convention "gamma-N" (the
    printed gamma is ``N`` times eq6's penalty).
    """
    lam_, g, n, tau_ = broadcast(lam=arg("lam", lam, positive=True),
                                 gamma=arg("gamma", gamma, nonnegative=True),
                                 N=arg("N", N, positive=True), tau=arg("tau", tau, positive=True))
    return _rational("D.wd", "alpha", {"lambda": lam_, "gamma": g, "N": n, "tau": tau_},
                     "optimal_lr_wdae", ("lam", "gamma", "N", "tau"))


#: the float64 evaluation of a rational closed form is used where every nonzero input lies in
#: this range (no product or quotient of two inputs under- or overflows); mpmath elsewhere
RATIONAL_RANGE = (1e-150, 1e150)


def _rational(step: str, name: str, values: dict[str, Array], fname: str,
              labels: tuple[str, ...]) -> Array:
    """The registry expression ``get(step).exprs[name]`` at ``values`` (broadcast already):
    float64 inside :data:`RATIONAL_RANGE`, the exact-input mpmath value rounded to float64
    outside it or where float64 gives no finite number; ``ValueError`` naming the inputs where
    the exact value is beyond the float64 range."""
    names = tuple(values)
    arrays = list(values.values())
    shape = arrays[0].shape
    with np.errstate(all="ignore"):
        out = _result(numpy_fn(step, name, names)(*arrays), shape)
    lo, hi = RATIONAL_RANGE
    risky = ~np.isfinite(out)
    for a in arrays:
        m = np.abs(a)
        risky |= (m != 0) & ((m < lo) | (m > hi))
    if np.any(risky):
        fn = mpmath_fn(step, name, names)
        for idx in zip(*np.nonzero(np.atleast_1d(risky)), strict=True):
            at = idx if out.ndim else ()
            vals = tuple(float(a[at]) for a in arrays)
            v = highprec.evaluate(fn, vals, _FALLBACK_DIGITS)
            f = float(v)
            if not np.isfinite(f):
                where = ", ".join(f"{k}={x:.6g}" for k, x in zip(labels, vals, strict=True))
                raise ValueError(f"{fname}({where}) = {mpmath.nstr(v, 6)} lies outside the "
                                 f"float64 range (|x| <= 1.8e308): these inputs are outside "
                                 f"the supported range")
            out[at] = f
    return out


def _result(value: object, shape: tuple[int, ...]) -> Array:
    """A writable float64 ndarray of ``shape`` (0-d for scalar input), never a NumPy scalar."""
    return np.array(np.broadcast_to(np.asarray(value, dtype=np.float64), shape), dtype=np.float64)
