"""The eigenbasis GD update of numerics (hand-written for BLAS) against the verified step
[N.gd.eigenbasis], lambdified: one epoch at random small sizes agrees to 1e-12."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import numerics as nm
from derivations import get
from derivations.pretorius2018.symbols import D, H


def _printed_update(h: int, d: int):
    """``lambdify`` of the step's update at the size (h, d) (shapes fixed before printing)."""
    step = get("pretorius2018:N.gd.eigenbasis")
    b1n, c2n = step.expr("Wb1_next"), step.expr("C2_next")
    syms = {s.name: s for s in b1n.free_symbols | c2n.free_symbols
            if isinstance(s, sp.Symbol)}
    shape = {H: h, D: d}
    b1n, c2n = b1n.subs(shape), c2n.subs(shape)
    # plain names (lambdify cannot print names such as \bar{W}_1), same shapes
    mats = {m.name: m for m in b1n.atoms(sp.MatrixSymbol) | c2n.atoms(sp.MatrixSymbol)}
    plain = {m: sp.MatrixSymbol(f"M{i}", *m.shape) for i, m in enumerate(mats.values())}
    b1n, c2n = b1n.xreplace(plain), c2n.xreplace(plain)
    args = [plain[mats[r"\bar{W}_1"]], plain[mats["C_2"]], plain[mats[r"\Lambda"]],
            syms["alpha"], syms["N"], syms["varepsilon"], syms["gamma"]]
    return sp.lambdify(args, [b1n, c2n], modules="numpy")


@pytest.mark.parametrize("seed", range(6))
def test_one_epoch_equals_the_verified_update(seed: int) -> None:
    rng = np.random.default_rng(seed)
    h, d = int(rng.integers(1, 5)), int(rng.integers(2, 9))
    b1 = rng.normal(size=(h, d))
    b2 = rng.normal(size=(d, h))
    lam = np.sort(rng.uniform(0.1, 5.0, d))[::-1]
    n, lr = float(rng.uniform(1, 100)), float(rng.uniform(1e-3, 0.2))
    eps, gam = float(rng.uniform(0, 2)), float(rng.uniform(0, 0.05)) * (seed % 2)
    f = _printed_update(h, d)
    want1, want_c2 = f(b1, b2.T, np.diag(lam), lr, n, eps, gam)
    got1, got2 = nm.gd_eigenbasis(b1, b2, lam, n, lr, 1, eps=eps, gamma=gam)
    scale = max(1.0, np.abs(want1).max(), np.abs(want_c2).max())
    assert np.abs(got1 - want1).max() <= 1e-12 * scale
    assert np.abs(got2 - np.asarray(want_c2).T).max() <= 1e-12 * scale
