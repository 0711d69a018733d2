"""Symmetry, tied weights and the paper's qualitative claims (section "S"; sections 3.2-3.5).

Claims that only a long numerical integration can decide are recorded with the numbers the
flow of RG.ode.weights gave (numerics.shallow.ode) and stay ``unverified`` (numerics alone
never make ``holds``).
"""

from __future__ import annotations

import sympy as sp

from ..engine import Assumption, Outcome, Proof, Status, Step


def _mat(name: str, r: int, c: int) -> sp.Matrix:
    return sp.Matrix(r, c, lambda i, j: sp.Symbol(f"{name}{i}{j}", real=True))


def _prove_rotation(pf: Proof) -> Outcome:
    ch = pf.chain()
    O = sp.Matrix([[sp.Rational(3, 5), -sp.Rational(4, 5)], [sp.Rational(4, 5), sp.Rational(3, 5)]])
    ch.fact("O = ((3/5, -4/5), (4/5, 3/5)) is orthogonal", "3^2 + 4^2 = 5^2")
    W, V, Om = _mat("W", 2, 3), _mat("V", 3, 2), _mat("S", 3, 3)
    Om = (Om + Om.T) / 2

    def grads(W: sp.Matrix, V: sp.Matrix, mask: sp.Matrix) -> tuple[sp.Matrix, sp.Matrix]:
        # linear AE, population gradients; unit k sees the outputs of units l with mask[k, l]
        gV = sp.zeros(3, 2)
        gW = sp.zeros(2, 3)
        for k in range(2):
            P = sp.eye(3) - sum((V[:, l] * W[l, :] * mask[k, l] for l in range(2)), sp.zeros(3))
            gV[:, k] = P * Om * W[k, :].T
            gW[k, :] = V[:, k].T * P * Om
        return gV, gW

    ones = sp.ones(2, 2)
    gV, gW = grads(W, V, ones)
    rV, rW = grads(O * W, V * O.T, ones)
    ch.equal(rV, gV * O.T, "vanilla: the decoder gradient at (O W, V O^T) is (decoder "
             "gradient) O^T (O^T O = I, the underbraced term of eq. 24)",
             via=(sp.expand,))
    ch.equal(rW, O * gW, "and the encoder gradient is O (encoder gradient)",
             via=(sp.expand,))
    ch.fact("for every orthogonal O the same holds: each gradient is built from "
            "P = I - V W and V O^T O W = V W", "O^T O = I is the only property used above")
    tri = sp.Matrix([[1, 0], [1, 1]])
    tV, _ = grads(W, V, tri)
    sV, _ = grads(O * W, V * O.T, tri)
    diff = sp.expand((sV - tV * O.T)[0, 0])
    ch.fact(sp.Ne(diff, 0), "truncated: the rotated decoder gradient of unit 1 is not the "
            "rotated gradient (a non-zero polynomial in W, V, Omega), so rotated fixed points "
            "are not fixed points")
    if diff == 0:
        raise AssertionError("truncated gradient unexpectedly rotation-covariant")
    ch.conclude(pf.printed, sp.Eq(sp.Symbol("grad(O W, V O^T)"),
                                  sp.Symbol("(O grad_W, grad_V O^T)")),
                "vanilla gradients are rotation-covariant, so zero maps to zero")
    return ch.outcome(note="Shown for the linear autoencoder (the setting of eq. 24 and of "
                      "Sanger/Oja): a fixed point rotated by any orthogonal O is a fixed point "
                      "of vanilla SGD, not of truncated SGD. For a non-linear g the rotated "
                      "weights give a different output unless O is a signed permutation (odd "
                      "g), so the continuous symmetry is specific to linear units.")


ROTATION = Step(
    id="RG.S.rotation", section="S", title="Rotations of fixed points (eq. 24)",
    printed=sp.Eq(sp.Symbol("grad(O W, V O^T)"), sp.Symbol("(O grad_W, grad_V O^T)")),
    proof=_prove_rotation, assumes=(Assumption("linear units; population (expected) SGD"),),
)


def _prove_tied(pf: Proof) -> Outcome:
    pf.use("RG.J2.erf")
    ch = pf.chain()
    D = sp.Symbol("D", positive=True)
    lam = sp.Symbol("lambda", real=True)
    ch.fact("v = w: nu = w.x/D = lambda/sqrt(D)", "definitions (SHALLOW_MODEL.md)")
    Q = sp.Symbol("Q", positive=True)
    j2 = pf.use("RG.J2.erf").exprs["closed"].subs({sp.Symbol("C12", real=True): Q / sp.sqrt(D),
                                                   sp.Symbol("C22", positive=True): Q})
    ch.equal(sp.Limit(j2, D, sp.oo), 0, "J2 = <nu g(lambda)> = Cov(nu, lambda) E1 = "
             "(Q/sqrt D) E1(Q) -> 0")
    ch.fact("pmse >= sum rt/2 - sum_k J2_k, since sum_kl T0_kl I2_kl = E|sum_k w_k g_k|^2/D >= 0",
            "RG.pmse")
    del lam
    ch.conclude(pf.printed.rhs, sp.limit(j2, D, sp.oo), "the reconstruction term vanishes")
    return ch.outcome(note="In this scaling a tied autoencoder cannot do better than the zero "
                      "network (pmse >= Tr Omega/(2D) - O(D^-1/2)), for every activation; its "
                      "SGD (rate eta on the shared weights) has no t = steps/D limit either "
                      "(the decoder-role increment of alpha is O(sqrt D) per unit time), so "
                      "numerics.shallow.ode refuses tied=True.")


TIED = Step(
    id="RG.tied.scaling", section="S", title="Tied weights in this scaling (J2 for v = w)",
    printed=sp.Eq(sp.Symbol("lim_{D->oo} J2(v = w)"), 0), proof=_prove_tied,
    uses=("RG.J2.erf",), assumes=(Assumption("v_k = w_k, scalings of SHALLOW_MODEL.md"),),
)


def _claim(id_: str, title: str, quote: str, statement: str, note: str) -> Step:
    def _prove(pf: Proof) -> Outcome:
        ch = pf.chain()
        ch.check(note)
        return ch.outcome(Status.UNVERIFIED, note=note)
    return Step(id=id_, section="S", title=title, printed=quote, statement=statement,
                proof=_prove, assumes=(Assumption("D -> infinity flow of RG.ode.weights"),))


CLAIMS = (
    _claim("RG.S.sequential", "Sequential learning of principal components",
           "autoencoders learn the leading principal components of their inputs sequentially",
           "from a small random start the pmse passes plateaus near the PCA errors of 0, 1, 2 "
           "components before the K-th",
           "Not borne out by the flow at the Fig. 2 parameters (K = 3, rt = 81, 25, 9, a flat "
           "bulk of 997 modes at rt = 1/1000 kept exact, erf, eta 0.1, random start of std "
           "0.1, seeds 1 and 2): numerics.shallow.plateaus (slope below 0.05 per decade over "
           "at least half a decade) finds a plateau only at the PCA level of 0 components (t < "
           "0.38) and the final approach to the rank-3 level (from t = 2.4e4, 2.2% above it); "
           "the levels of 1 and 2 components (17.5, 5.0) are passed through (pmse 3.76 at t = "
           "95). The paper itself says plateaus show only for well separated eigenvalues; "
           "numerical evidence only, so not decided."),
    _claim("RG.S.pca_erf", "Sigmoidal AEs reach the PCA error",
           "autoencoders with untied weights achieve rank-K PCA error",
           "for erf and a random start the D -> infinity flow converges to the rank-K PCA error",
           "Supported by the flow at the Fig. 2 parameters with the bulk kept exact (997 "
           "modes, integrate(bulk_modes=n)): pmse 0.8810, 0.5705, 0.5135, 0.5017 at t = 1e3, "
           "1e4, 1e5, 1e6 against the rank-3 PCA error 0.4985 (seeds 1 and 2 agree to 1e-6); "
           "the excess 0.072, 0.015, 0.0032 at t = 1e4, 1e5, 1e6 falls as t^(-0.67), the "
           "exponent -2/3 of RG.C.powerlaw. The rt -> 0 bulk of RG.ode.bulk stalls at 2.36 "
           "instead (it freezes the bulk's encoder overlaps). Online SGD at D = 1000 lags "
           "(excess 1.65 at t = 2000 vs 0.218 for the flow, Fig. 2). Numerical evidence only: "
           "a limit t -> infinity is not proved, so not decided."),
    _claim("RG.S.relu_bias", "ReLU needs trained biases",
           "ReLU autoencoders achieve an error close to the PCA error only if the weights are "
           "untied and the biases are trained", "requires the biased flow",
           "Not decided: the flow with encoder biases is not implemented (its integrals need "
           "means; for ReLU the bivariate normal CDF, which SymPy cannot prove). Without bias "
           "the ReLU flow stays at pmse 9.56 (vanilla) up to t = 1e6, and RG.C.ansatz shows it "
           "does not keep the aligned ansatz. Online SGD (Fig. 4, K = 3, D = 500, t = 500): "
           "untied with trained biases is the best ReLU network (pmse 4.91) but still 9.9x the "
           "rank-3 PCA error and decreasing."),
    _claim("RG.S.truncated", "Truncated SGD recovers the exact principal components",
           "the weights of the network trained with truncated SGD converge to the exact "
           "principal components", "alpha_{k tau} -> 0 for tau != k under the truncated flow",
           "Supported by the truncated flow at the Fig. 2 parameters (exact flat bulk, seeds 1 "
           "and 2): at t = 1e6 unit k's encoder overlaps with the top-3 modes are diagonal "
           "(largest off-diagonal / smallest diagonal 2.4e-55; cosine with its own PC 1.000000) "
           "and pmse is 0.5023; the vanilla flow from the same start ends on a rotation (the "
           "cosines 0.446, 0.635, 0.530; off-diagonal up to 2.0x the diagonal), as RG.S.rotation "
           "allows. Numerical evidence only, so not decided."),
)

STEPS = (ROTATION, TIED) + CLAIMS
