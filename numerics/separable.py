"""Chunked, cache-resident evaluation of the separable templates of [N.dae.template].

A template is a product of powers of forms that are *linear* in per-time-point variables
(``q = exp(-K t)``, ``m = -expm1(-K t)``, the constant 1) with per-parameter coefficients, e.g.

    w = (A1 q + B1 m)(A2 q + B2 m) / (4 (C1 q + D1 m)(C2 q + D2 m)).

:func:`linear_factors` reads that structure off the registry's SymPy expression (nothing is
re-typed); :func:`evaluate` computes the coefficients once per parameter point and then walks the
broadcast output in row blocks small enough to stay in cache, with in-place ufuncs: one
multiply for ``-K t``, one ``exp`` (and one ``expm1``), two or three ops per linear form and one
per product/quotient.  Constant factors and the sign of ``m`` are folded into the coefficients,
which is exact in binary floating point (multiplication by a power of two and negation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import sympy as sp
from numpy.typing import NDArray

from derivations import get

Array = NDArray[np.float64]
#: output elements per block (1 MiB of float64 per scratch array; best measured on the bench)
BLOCK = 131072


@dataclass(frozen=True)
class LinearFactor:
    """``(sum_v coef[v] * v) ** power`` with ``v`` among the per-point variables or ``1``."""

    coef: dict[str, sp.Expr]
    power: int


@dataclass(frozen=True)
class Template:
    """A separable template: ``scale * prod(factors)``, coefficients lambdified per parameter."""

    factors: tuple[LinearFactor, ...]
    scale: sp.Expr
    params: tuple[str, ...]
    coefficient_fn: Callable[..., list[object]]
    exact_scale: bool  # a power-of-two constant: folded into the coefficients exactly


def linear_factors(expr: sp.Expr, point_vars: tuple[sp.Symbol, ...]
                   ) -> tuple[tuple[LinearFactor, ...], sp.Expr]:
    """Split ``expr`` into ``scale * prod(L_k ** e_k)``, each ``L_k`` linear in ``point_vars``.

    ``ValueError`` if the expression is not of that shape (then it cannot be evaluated here).
    """
    scale = sp.S.One
    factors: list[LinearFactor] = []
    for f in sp.Mul.make_args(sp.factor_terms(expr)):
        base, power = f.as_base_exp()
        if not base.free_symbols & set(point_vars):
            scale *= f
            continue
        if not (power.is_Integer and power != 0):
            raise ValueError(f"factor {f} is not an integer power of a linear form")
        poly = sp.Poly(base, *point_vars)
        if poly.total_degree() > 1:
            raise ValueError(f"factor {base} is not linear in {point_vars}")
        coef: dict[str, sp.Expr] = {}
        for monom, c in zip(poly.monoms(), poly.coeffs(), strict=True):
            name = "1" if sum(monom) == 0 else point_vars[monom.index(1)].name
            coef[name] = c
        factors.append(LinearFactor(coef, int(power)))
    return tuple(factors), scale


@cache
def template(step_id: str, name: str, decay: str, complement: str | None,
             substitutions: tuple[str, ...]) -> Template:
    """The registry template ``get(step_id).exprs[name]``, split into linear factors in the
    per-point variables ``decay`` (= exp(-K t)) and ``complement`` (= -expm1(-K t)), with the
    coefficient symbols named in ``substitutions`` replaced by ``get(step_id).exprs[<name>]``
    and the coefficients lambdified per parameter point.
    """
    step = get(step_id)
    expr = step.exprs[name]
    by_name = {s.name: s for s in expr.free_symbols}
    names = (decay,) if complement is None else (decay, complement)
    pv = tuple(by_name.get(v, sp.Symbol(v)) for v in names)
    factors, scale = linear_factors(expr, pv)
    rename = {decay: "q", complement: "m", "1": "1"}
    factors = tuple(LinearFactor({rename[k]: v for k, v in sorted(f.coef.items(),
                                                                  key=lambda kv: kv[0] == "1")},
                                 f.power) for f in factors)
    subs = {by_name[k]: step.exprs[k] for k in substitutions if k in by_name}
    entries = [scale.subs(subs)] + [c.subs(subs) for f in factors for c in f.coef.values()]
    params = tuple(sorted({s.name for e in entries for s in e.free_symbols}))
    syms = {s.name: s for e in entries for s in e.free_symbols}
    fn = sp.lambdify([syms[p] for p in params], entries, modules="numpy", cse=True)
    exact_scale = scale.is_Rational and _is_power_of_two(abs(scale))
    return Template(factors, scale, params, fn, bool(exact_scale))


def _is_power_of_two(r: sp.Rational) -> bool:
    p, q = int(r.p), int(r.q)
    return p > 0 and (p & (p - 1)) == 0 and (q & (q - 1)) == 0


def evaluate(tp: Template, rate: Array, t: Array, params: dict[str, Array],
             shape: tuple[int, ...]) -> Array:
    """``tp`` at every point of ``shape``, with ``q = exp(-rate t)`` and ``m = -expm1(-rate t)``.

    ``rate`` and the entries of ``params`` have the parameter shape, ``t`` any shape; all
    broadcast to ``shape``.  No full-size temporaries: work happens in blocks of ~BLOCK elements.
    """
    with np.errstate(all="ignore"):
        values = [np.asarray(v, dtype=np.float64)
                  for v in tp.coefficient_fn(*(params[p] for p in tp.params))]
        scale, coefs = values[0], iter(values[1:])
        folded: list[tuple[dict[str, Array], int]] = []
        fold_at = next((i for i, f in enumerate(tp.factors) if f.power == 1), None)
        for i, f in enumerate(tp.factors):
            c = {k: next(coefs) for k in f.coef}
            if "m" in c:  # the block holds expm1(-K t) = -m: the sign goes into the coefs
                c["m"] = -c["m"]
            if tp.exact_scale and i == fold_at:  # a power of two: folding it in is exact
                c = {k: v * scale for k, v in c.items()}
            folded.append((c, f.power))
        keep_scale = not (tp.exact_scale and fold_at is not None)
        neg_rate = -np.asarray(rate, dtype=np.float64)
    uses_m = any("m" in c for c, _ in folded)
    out = np.empty(shape, dtype=np.float64)
    if out.size == 0:
        return out
    view = out.reshape(1) if out.ndim == 0 else out
    vshape = view.shape
    blocks = {"t": t, "r": neg_rate, "s": scale}
    blocks.update({f"{i}{k}": v for i, (c, _) in enumerate(folded) for k, v in c.items()})
    b = {k: np.broadcast_to(np.asarray(v, dtype=np.float64), shape).reshape(vshape)
         for k, v in blocks.items()}
    row = int(np.prod(vshape[1:], dtype=np.int64))
    step = max(1, BLOCK // max(row, 1))
    scratch = [np.empty((min(step, vshape[0]), *vshape[1:])) for _ in range(6)]
    with np.errstate(all="ignore"):
        for lo in range(0, vshape[0], step):
            sl = slice(lo, lo + step)
            n = min(step, vshape[0] - lo)
            free = [a[:n] for a in scratch]  # buffers change hands, never get copied
            x, q = free.pop(), free.pop()
            np.multiply(b["t"][sl], b["r"][sl], out=x)  # -K t
            np.exp(x, out=q)
            var = {"q": q, "m": np.expm1(x, out=x) if uses_m else None}  # x now holds -m
            num: Array | None = None
            den: Array | None = None
            for i, (c, power) in enumerate(folded):
                lin = _linear(c, var, b, i, sl, free)
                for k in range(abs(power)):
                    if power > 0:
                        num = _times(num, lin, k == abs(power) - 1, free)
                    else:
                        den = _times(den, lin, k == abs(power) - 1, free)
            if keep_scale:
                sc = b["s"][sl]
                num = sc if num is None else np.multiply(num, sc, out=num)
            target = view[sl]
            if den is None:
                target[...] = 1.0 if num is None else num
            else:
                np.divide(1.0 if num is None else num, den, out=target)
    return out


def _times(acc: Array | None, lin: Array, last_use: bool, free: list[Array]) -> Array:
    """``acc * lin``, reusing ``lin``'s buffer when ``acc`` is empty and ``lin`` is not reused."""
    if acc is None:
        if last_use:
            return lin
        acc = free.pop()
        np.copyto(acc, lin)
        return acc
    np.multiply(acc, lin, out=acc)
    if last_use:
        free.append(lin)
    return acc


def _linear(c: dict[str, Array], var: dict[str, Array | None], b: dict[str, Array], i: int,
            sl: slice, free: list[Array]) -> Array:
    """``sum_k c[k] * var[k]`` on one block (``k = "1"``: the constant term, listed last), in a
    buffer taken from ``free``."""
    acc = free.pop()
    term: Array | None = None
    first = True
    for k in c:
        coef = b[f"{i}{k}"][sl]
        if not any(coef.strides):  # one value broadcast over the block: add/multiply a scalar
            coef = coef.flat[0]
        if k == "1":
            if first:
                np.copyto(acc, coef)
            else:
                np.add(acc, coef, out=acc)
        else:
            v = var[k]
            assert v is not None
            if first:
                np.multiply(coef, v, out=acc)
            else:
                if term is None:
                    term = free.pop()
                np.multiply(coef, v, out=term)
                np.add(acc, term, out=acc)
        first = False
    if term is not None:
        free.append(term)
    return acc
