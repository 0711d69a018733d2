"""Pretorius, Kroon & Kamper, "Learning Dynamics of Linear Denoising Autoencoders" (ICML 2018).

Every printed step of the paper (labels of ``transcription.md``) plus the verified rewrites
that :mod:`numerics` evaluates.  Modules, in the paper's order: ``s2_noise`` (Section 2,
Appendix A), ``s3_gradient_flow`` (Section 3), ``appB_closed_form`` (eq5, Appendix B),
``s4_fixed_points`` (Section 4), ``appC_weight_decay`` (Section 5, Appendix C),
``appD_curvature`` (Appendix D, eq8), ``appE_noise_vs_decay`` (Appendix E, Section 5.2),
``appF_mapping_ratio`` (Appendix F), ``numerics_forms`` (not printed: stable forms),
``discrete_updates`` (not printed: the GD update the numerics run).
"""

from ..engine.registry import Source
from .conventions import CONVENTIONS

SOURCE = Source(
    name="pretorius2018",
    title="Pretorius, Kroon & Kamper (ICML 2018): Learning Dynamics of Linear Denoising "
          "Autoencoders",
    package=__name__,
    modules=("s2_noise", "s3_gradient_flow", "appB_closed_form", "s4_fixed_points",
             "appC_weight_decay", "appD_curvature", "appE_noise_vs_decay", "appF_mapping_ratio",
             "numerics_forms", "discrete_updates"),
    sections={
        "2": "Linear denoising autoencoders (Section 2, Appendix A)",
        "3": "Gradient flow and scalar dynamics (Section 3)",
        "B": "Derivation of the closed form (Appendix B)",
        "4": "Fixed points and the effect of noise (Section 4)",
        "C": "Weight-decay dynamics (Section 5, Appendix C)",
        "D": "Hessian and optimal learning rates (Appendix D, eq8)",
        "E": "Noise versus weight decay (Appendix E, Section 5.2)",
        "F": "Identity-mapping estimate (Appendix F)",
        "N": "Numerically stable forms used by daedyn.numerics (not in the paper)",
    },
    conventions=CONVENTIONS,
    transcription="transcription.md",
)
