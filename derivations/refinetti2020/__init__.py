"""Refinetti & Goldt, "The dynamics of representation learning in shallow, non-linear
autoencoders" (seeds/003; definitions fixed by ../shared/SHALLOW_MODEL.md).

Modules, in the paper's order: ``gaussian`` (Stein, Price, tilt, conditioning: lemmas of
appendix B.2/D), ``integrals`` (the Gaussian integrals of appendix D for erf, ReLU, linear),
``dynamics`` (pmse, the first-order order-parameter flow of section 3.1 / appendix B, its
weight formulation and the bulk limit), ``longtime`` (appendix C and section 3.3), ``claims``
(sections 3.2-3.5: symmetry, Oja/Sanger, tied weights, qualitative claims).
"""

from ..engine.conventions import Convention
from ..engine.registry import Source

SOURCE = Source(
    name="refinetti2020",
    title="Refinetti & Goldt: The dynamics of representation learning in shallow, "
          "non-linear autoencoders",
    package=__name__,
    modules=("gaussian", "integrals", "dynamics", "longtime", "claims"),
    sections={
        "G": "Gaussian lemmas (appendix B.2, D)",
        "I": "Gaussian integrals (appendix D)",
        "O": "Order-parameter dynamics (section 3.1, appendix B)",
        "C": "Long-time dynamics (section 3.3, appendix C)",
        "S": "Symmetry, Sanger, tied weights and qualitative claims (sections 3.2-3.5)",
    },
    conventions=(
        Convention("erf-scaling", "g(x) = erf(x / sqrt 2), slope sqrt(2/pi) at 0"),
        Convention("shallow-scaling", "lambda = w.x/sqrt(D), nu = v.x/D, encoder rate eta/D, "
                   "decoder rate eta, t = steps/D (SHALLOW_MODEL.md)"),
    ),
)
