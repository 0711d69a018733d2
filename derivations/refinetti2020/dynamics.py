"""pmse and the first-order order-parameter flow (section "O"; paper section 3.1, appendix B).

Rotated weights alpha_{k tau} = w_k . e_tau, beta_{k tau} = v_k . e_tau / sqrt(D) for unit
eigenvectors e_tau of Omega with rescaled eigenvalues rt_tau = rho_tau / D; order parameters
Q = sum rt alpha alpha^T, R = sum rt beta alpha^T, T = sum rt beta beta^T, T0 = sum beta beta^T
(SHALLOW_MODEL.md).  The steps are stated for K = 2 units (the structure is the same for any
K: every term couples at most two units), M the vanilla (all ones) or truncated (l <= k) mask.
"""

from __future__ import annotations

import sympy as sp

from ..engine import Assumption, Outcome, Proof, Step
from .flowsyms import al, be, eta, gf, kappa, lam, nu, rt

_K = range(2)


def _m(k: int, l: int) -> sp.Symbol:
    return sp.Symbol(f"M{k + 1}{l + 1}")


def _sym(name: str, k: int, l: int | None = None) -> sp.Symbol:
    return sp.Symbol(f"{name}{k + 1}" if l is None else f"{name}{min(k, l) + 1}{max(k, l) + 1}")


def _L2(k: int, l: int) -> sp.Symbol:  # <g''(lambda_k) g(lambda_l)>: not symmetric
    return sp.Symbol(f"L2_{k + 1}{l + 1}")


T0 = [[_sym("T0_", k, l) for l in _K] for k in _K]

_SHALLOW = Assumption("scalings of SHALLOW_MODEL.md: lambda = w.x/sqrt D, nu = v.x/D, loss "
                      "||x - xhat||^2/(2D), encoder rate eta/D, decoder rate eta, t = steps/D")
_GAUSS = Assumption("x ~ N(0, Omega); online SGD (a fresh sample each step)")
_LIMIT = Assumption("first order in eta: the O(eta^2) part of the increments is O(1/D) per "
                    "unit time and dropped (exact as D -> infinity)")


def _expect(expr: sp.Expr) -> sp.Expr:
    """Replace each monomial in lambda, nu and g by its Gaussian expectation symbol:
    <g'(l_k)> = E1_k, <g(l_k) g(l_l)> = I2_kl, <g'(l_k) g'(l_l)> = K2_kl,
    <nu_k g''(l_k)> = L1_k, <g(l_l) g''(l_k)> = L2_kl (the integrals of section I)."""
    out = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(expr)):
        if term == 0:
            continue
        coeff, factors = [], []
        for f in sp.Mul.make_args(term):
            base, exp = f.as_base_exp()
            if base.has(*lam, *nu):
                factors += [base] * int(exp)
            else:
                coeff.append(f)
        key = []
        for f in factors:
            if f in nu:
                key.append(("nu", nu.index(f)))
            elif isinstance(f, sp.Derivative):
                key.append((f"g{f.derivative_count}", lam.index(f.expr.args[0])))
            elif isinstance(f, sp.Subs):  # g'(x) evaluated at lambda_k
                key.append((f"g{f.expr.derivative_count}", lam.index(f.point[0])))
            else:
                key.append(("g0", lam.index(f.args[0])))
        key.sort()
        if len(key) == 1 and key[0][0] == "g1":
            val = _sym("E1_", key[0][1])
        elif [a for a, _ in key] == ["g0", "g0"]:
            val = _sym("I2_", key[0][1], key[1][1])
        elif [a for a, _ in key] == ["g1", "g1"]:
            val = _sym("K2_", key[0][1], key[1][1])
        elif [a for a, _ in key] == ["g2", "nu"] and key[0][1] == key[1][1]:
            val = _sym("L1_", key[0][1])
        elif [a for a, _ in key] == ["g0", "g2"]:
            val = _L2(key[1][1], key[0][1])
        else:
            raise ValueError(f"no integral for {term}")
        out += sp.Mul(*coeff) * val
    return out


def _gp(z: sp.Expr, n: int = 1) -> sp.Expr:
    return sp.diff(gf(z), z, n)


def _stein_x(F: sp.Expr) -> sp.Expr:
    """<xhat_tau F(lambda, nu)> = rt sum_m (alpha_m <d F/d lambda_m> + beta_m <d F/d nu_m>)."""
    return rt * sum(al[m] * _expect(sp.diff(F, lam[m])) + be[m] * _expect(sp.diff(F, nu[m]))
                    for m in _K)


def _printed_flow() -> sp.Tuple:
    eqs = []
    for k in _K:
        A = _sym("L1_", k) - sum(_m(k, l) * T0[k][l] * _L2(k, l) for l in _K)
        da = eta * rt * (al[k] * A - sum(_m(k, m) * T0[k][m] * _sym("K2_", k, m) * al[m]
                                         for m in _K) + be[k] * _sym("E1_", k)) - kappa * al[k]
        db = eta * (rt * al[k] * _sym("E1_", k)
                    - sum(_m(k, l) * _sym("I2_", k, l) * be[l] for l in _K)) - kappa * be[k]
        eqs += [sp.Eq(sp.Symbol(f"dalpha{k + 1}/dt"), da), sp.Eq(sp.Symbol(f"dbeta{k + 1}/dt"), db)]
    return sp.Tuple(*eqs)


def _prove_flow(pf: Proof) -> Outcome:
    pf.use("RG.stein")
    for name in ("E1", "I2", "K2", "L1", "L2"):
        pf.use(f"RG.{name}.erf")
    ch = pf.chain()
    D, rho, a, b = sp.symbols("D rho a b", positive=True)
    del rho, a, b
    ch.fact("Cov(x_tau/sqrt D, lambda_m) = e^T Omega w_m / D = rho a_m / D = rt alpha_m "
             "(Omega e = rho e); likewise Cov(x_tau/sqrt D, nu_m) = rho b_m/D^(3/2) = rt beta_m",
            "definitions of alpha, beta, rt (SHALLOW_MODEL.md)")
    ch.fact("v_k . (x - xhat_k) = D (nu_k - sum_l M_kl T0_kl g(lambda_l)), "
            "(x - xhat_k) . e_tau / sqrt D = xhat_tau - sum_l M_kl beta_l g(lambda_l)",
            "definitions of nu, T0, beta; xhat_k = sum_l M_kl v_l g(lambda_l) is the part of "
            "the output unit k sees (truncated SGD: M lower triangular)")
    ch.fact("per step: d alpha_k = (eta/D)(nu_k - sum_l M_kl T0_kl g_l) g'_k xhat_tau, "
            "d beta_k = (eta/D)(xhat_tau - sum_l M_kl beta_l g_l) g_k; D steps per unit time",
            "gradients of ||x - xhat||^2/(2D) with rates eta/D (encoder), eta (decoder)")
    out = []
    for k in _K:
        Fenc = (nu[k] - sum(_m(k, l) * T0[k][l] * gf(lam[l]) for l in _K)) * _gp(lam[k])
        Fdec_x = gf(lam[k])
        da = eta * _stein_x(Fenc) - kappa * al[k]
        db = eta * (_stein_x(Fdec_x) - sum(_m(k, l) * be[l] * _expect(gf(lam[l]) * gf(lam[k]))
                                           for l in _K)) - kappa * be[k]
        out += [sp.Eq(sp.Symbol(f"dalpha{k + 1}/dt"), da), sp.Eq(sp.Symbol(f"dbeta{k + 1}/dt"), db)]
    ch.fact("<xhat_tau F> = sum_m Cov(xhat_tau, lambda_m) <d_lambda_m F> + Cov(xhat_tau, nu_m) "
            "<d_nu_m F> (RG.stein, exact for Gaussian x); derivatives taken by SymPy, each "
            "monomial mapped to its integral (E1, I2, K2, L1, L2 of section I)",
            "RG.stein and the integrals' definitions")
    ch.fact("weight decay (1 - kappa/D) per step gives -kappa alpha, -kappa beta per unit time",
            "first order in 1/D")
    ch.check("tests/test_shallow_ode.py: D x mean one-step SGD increment (4e5 samples, D = 24) "
             "matches the right-hand side within 5.5 standard errors for erf/relu/linear, "
             "vanilla and truncated")
    ch.conclude(pf.printed, sp.Tuple(*out), "the derived flow is the printed one",
                via=(sp.expand,))
    return ch.outcome()


FLOW = Step(
    id="RG.ode.weights", section="O",
    title="First-order flow of the rotated weights (the equivalent of eqs. B.24, B.28, B.29)",
    printed=_printed_flow(), proof=_prove_flow,
    uses=("RG.stein", "RG.E1.erf", "RG.I2.erf", "RG.K2.erf", "RG.L1.erf", "RG.L2.erf"),
    assumes=(_SHALLOW, _GAUSS, _LIMIT),
    note="Per mode tau; L1_k = <g''(lambda_k) nu_k>, L2_kl = <g''(lambda_k) g(lambda_l)>, "
         "M_kl = 1 (vanilla) or [l <= k] (truncated, eq. 23). The input factor is handled by "
         "Stein's lemma, which is exact, instead of the paper's weak-correlation expansion "
         "with the inverse of the (lambda, nu) covariance (B.12); the two agree wherever "
         "that inverse exists (Stein: Sigma^{-1} <z F> = <grad F>), but the paper's form "
         "divides by Q_kk T_kk - R_kk^2, which vanishes on the aligned ansatz (eq. 19).",
)


def _prove_pmse(pf: Proof) -> Outcome:
    pf.use("RG.J2.erf")
    pf.use("RG.I2.erf")
    ch = pf.chain()
    n = 3
    xs = sp.symbols(f"x1:{n + 1}", real=True)
    v = [sp.symbols(f"v{k + 1}_1:{n + 1}", real=True) for k in _K]
    gs = sp.symbols("g1 g2", real=True)
    err = [xs[i] - sum(v[k][i] * gs[k] for k in _K) for i in range(n)]
    lhs = sum(e**2 for e in err)
    rhs = (sum(x**2 for x in xs) - 2 * sum(gs[k] * sum(v[k][i] * xs[i] for i in range(n))
                                           for k in _K)
           + sum(gs[k] * gs[l] * sum(v[k][i] * v[l][i] for i in range(n))
                 for k in _K for l in _K))
    ch.equal(lhs, rhs, "||x - sum_k v_k g_k||^2 expanded (checked in D = 3)")
    ch.fact("E||x||^2/(2D) = Tr Omega/(2D) = sum rt/2; E[v_k.x g(lambda_k)]/D = "
            "<nu_k g(lambda_k)> = J2(T_kk, R_kk, Q_kk); v_k.v_l/D = T0_kl; "
            "<g(lambda_k) g(lambda_l)> = I2(Q_kk, Q_kl, Q_ll)",
            "definitions (SHALLOW_MODEL.md) and the integrals of section I")
    J = [sp.Symbol(f"J2_{k + 1}") for k in _K]
    I2 = [[_sym("I2_", k, l) for l in _K] for k in _K]
    derived = (sp.Symbol("trOmega_over_D") / 2 - sum(J)
               + sum(T0[k][l] * I2[k][l] for k in _K for l in _K) / 2)
    ch.conclude(pf.printed.rhs, derived, "the printed pmse")
    return ch.outcome()


PMSE = Step(
    id="RG.pmse", section="O", title="pmse as a function of the order parameters (eq. 2, B.1)",
    printed=sp.Eq(sp.Symbol("pmse"), sp.Symbol("trOmega_over_D") / 2 - sp.Symbol("J2_1")
                  - sp.Symbol("J2_2") + sum(T0[k][l] * _sym("I2_", k, l)
                                            for k in _K for l in _K) / 2),
    proof=_prove_pmse, uses=("RG.J2.erf", "RG.I2.erf"), assumes=(_SHALLOW, _GAUSS),
    note="J2_k = J2 at the covariance ((T_kk, R_kk), (R_kk, Q_kk)) of (nu_k, lambda_k).",
)


def _prove_push(pf: Proof) -> Outcome:
    ch = pf.chain()
    z = sp.Matrix(sp.symbols("z1:5", real=True))
    J = sp.Matrix(4, 4, lambda i, j: sp.Symbol(f"J{i}{j}"))
    zdot = J * z
    S = z * z.T
    ch.equal(zdot * z.T + z * zdot.T, J * S + S * J.T,
             "d(z z^T)/dt = J (z z^T) + (z z^T) J^T: the densities (q, r^T; r, t) = z z^T per "
             "mode obey a closed linear flow whose coefficients are order parameters")
    ch.fact("the weight flow keeps S = z z^T of rank one and positive semi-definite, so "
            "q t = r r per mode and pmse >= PCA error >= 0 hold exactly along it",
            "S is built from z; pmse is E||x - xhat||^2/(2D) of actual weights")
    ch.conclude(pf.printed, J * S + S * J.T, "the printed push-forward")
    return ch.outcome()


PUSH = Step(
    id="RG.ode.densities", section="O",
    title="The density equations are the push-forward of the weight flow",
    printed=sp.ImmutableMatrix(sp.Matrix(4, 4, lambda i, j: sp.Symbol(f"J{i}{j}"))
                  * (sp.Matrix(sp.symbols("z1:5", real=True))
                     * sp.Matrix(sp.symbols("z1:5", real=True)).T)
                  + (sp.Matrix(sp.symbols("z1:5", real=True))
                     * sp.Matrix(sp.symbols("z1:5", real=True)).T)
                  * sp.Matrix(4, 4, lambda i, j: sp.Symbol(f"J{i}{j}")).T),
    statement="dS_tau/dt equals this matrix (S_tau = z z^T)",
    proof=_prove_push, assumes=(_SHALLOW,), printed_in_paper=False,
    note="z = (alpha_tau, beta_tau), J = J0 + rt_tau J1 of RG.ode.weights.",
)


def _prove_bulk(pf: Proof) -> Outcome:
    pf.use("RG.ode.weights")
    ch = pf.chain()
    G = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"G{i}{j}"))
    B = sp.Matrix(2, 1, sp.symbols("b1 b2", real=True))
    bdot = -G * B - kappa * B
    ch.equal(bdot * B.T + B * bdot.T, -(G * B * B.T + B * B.T * G.T) - 2 * kappa * B * B.T,
             "rt -> 0: dbeta = -(eta M.I2) beta - kappa beta, so sum over bulk modes of "
             "beta beta^T (T0b) obeys dT0b = -(G T0b + T0b G^T) - 2 kappa T0b, G = eta M.I2")
    ch.fact("dalpha_bulk = -kappa alpha_bulk + O(rt): Qb = sum_bulk rt alpha alpha^T changes "
            "only by weight decay; Rb, Tb = O(D^(-1/2)) from a random start",
            "every encoder term carries rt (RG.ode.weights)")
    ch.conclude(pf.printed, -(G * B * B.T + B * B.T * G.T) - 2 * kappa * B * B.T,
                "the printed bulk equation")
    return ch.outcome()


BULK = Step(
    id="RG.ode.bulk", section="O", title="Bulk modes as rt -> 0 (eqs. B.31-B.33, section 3.1.2)",
    printed=sp.ImmutableMatrix(-(sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"G{i}{j}"))
                    * sp.Matrix(2, 1, sp.symbols("b1 b2", real=True))
                    * sp.Matrix(2, 1, sp.symbols("b1 b2", real=True)).T
                    + sp.Matrix(2, 1, sp.symbols("b1 b2", real=True))
                    * sp.Matrix(2, 1, sp.symbols("b1 b2", real=True)).T
                    * sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"G{i}{j}")).T)
                  - 2 * kappa * sp.Matrix(2, 1, sp.symbols("b1 b2", real=True))
                  * sp.Matrix(2, 1, sp.symbols("b1 b2", real=True)).T),
    statement="dT0b/dt equals this matrix",
    proof=_prove_bulk, uses=("RG.ode.weights",), assumes=(_SHALLOW,),
    note="Shown for one bulk mode; the sum over modes is linear. With kappa > 0 the bulk part "
         "of Q decays on the time scale 1/(2 kappa) (the paper's 1/kappa is for the weights). "
         "The rt -> 0 limit is pointwise in t, not uniform: once the decoder has grown (T0 ~ "
         "150 at the Fig. 2 parameters) the bulk's encoder overlaps decay at any finite D, which "
         "this limit freezes; its flow ends at pmse 2.36 at t = 1e6 where the exact flat bulk "
         "of 997 modes (numerics: integrate(bulk_modes=n)) gives 0.5017 (PCA error 0.4985).",
)

def _prove_formulation(pf: Proof) -> Outcome:
    pf.use("RG.ode.densities")
    pf.use("RG.pmse")
    ch = pf.chain()
    z = sp.Matrix(sp.symbols("z1:5", real=True))
    S = z * z.T
    ch.equal(sp.Add(sp.Mul(S[0, 0], S[2, 2], evaluate=False), -sp.Pow(S[0, 2], 2, evaluate=False),
                    evaluate=False), 0,
             "S = z z^T: q t - r^2 = 0 for every pair of units, per mode")
    ch.equal(sp.Determinant(S[:2, :2]), 0, "and every 2 x 2 minor vanishes (rank one)")
    ch.fact("pmse of rotated weights is E||x - xhat||^2/(2D) of actual weights, hence >= the "
            "PCA error of rank K >= 0 at every time", "Eckart-Young; RG.pmse")
    ch.check("benchmarks/shallow_formulation.py (K = 3, rt = 9, 25, 81 + 10 bulk modes of 0.1, "
             "erf, eta 0.1, seed 1, RK45 rtol 1e-6, t <= 100): densities: rank-one defect "
             "max|q t - r^2|/max(q t) = 8.1e-2, min eig S / max eig = -5.0e-7, min(pmse - PCA) "
             "= -57.5 (pmse < 0), max |pmse_dens - pmse_weights| = 60.3, 116288 RHS evals; "
             "weights: min(pmse - PCA) = 2.83, 26210 RHS evals")
    ch.conclude(pf.printed, sp.Eq(sp.Symbol("q_kk t_kk - r_kk^2"), 0),
                "on the weight flow the physical relation holds identically")
    return ch.outcome(note="Decision: integrate the rotated weights (2K numbers per mode, "
                      "physical by construction); the density flow (2K(2K+1)/2 per mode) has "
                      "the physical set as an invariant but unattracting manifold and left it "
                      "under the same solver (pmse went negative).")


FORMULATION = Step(
    id="RG.formulation", section="O",
    title="Which formulation is a sound numerical method (numerical experiment)",
    printed=sp.Eq(sp.Symbol("q_kk t_kk - r_kk^2"), 0),
    statement="along the integrated rotated-weight flow q t = r r per mode and pmse >= PCA "
              "error hold exactly; the density flow does not keep them",
    proof=_prove_formulation, uses=("RG.ode.densities", "RG.pmse"),
    assumes=(_SHALLOW,), printed_in_paper=False,
)

STEPS = (PMSE, FLOW, PUSH, BULK, FORMULATION)
