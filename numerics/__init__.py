"""daedyn.numerics: fast, stable closed forms and simulators built on the verified derivations.

Public API (the contract of the README): :func:`dae_w`, :func:`wdae_w`, :func:`dae_fixed_point`,
:func:`wdae_fixed_point`, :func:`equivalent_gamma`, :func:`optimal_lr_dae`,
:func:`optimal_lr_wdae`, :func:`simulate_scalar`, :func:`simulate_linear_ae`,
:func:`covariance` (with :func:`eigenbasis` and :func:`gd_eigenbasis`).
"""

from .closed_forms import (
    dae_fixed_point,
    dae_w,
    equivalent_gamma,
    optimal_lr_dae,
    optimal_lr_wdae,
    wdae_fixed_point,
    wdae_w,
)
from .covariance import covariance, eigenbasis
from .linear_ae import LinearAETrajectory, gd_eigenbasis, simulate_linear_ae
from .scalar_gd import ScalarTrajectory, simulate_scalar

__all__ = [
    "LinearAETrajectory",
    "ScalarTrajectory",
    "covariance",
    "dae_fixed_point",
    "dae_w",
    "eigenbasis",
    "equivalent_gamma",
    "gd_eigenbasis",
    "optimal_lr_dae",
    "optimal_lr_wdae",
    "simulate_linear_ae",
    "simulate_scalar",
    "wdae_fixed_point",
    "wdae_w",
]
