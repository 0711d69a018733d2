"""daedyn.numerics: fast, stable closed forms and simulators built on the verified derivations.

Public API (the contract of the README): :func:`dae_w`, :func:`wdae_w`, :func:`dae_fixed_point`,
:func:`wdae_fixed_point`, :func:`equivalent_gamma`, :func:`optimal_lr_dae`,
:func:`optimal_lr_wdae`, :func:`simulate_scalar`, :func:`simulate_linear_ae`,
:func:`covariance` (with :func:`eigenbasis` and :func:`gd_eigenbasis`); from the lecture notes,
:func:`train_linear_ae` (any optimiser, in the eigenbasis or in pixel coordinates),
:func:`max_stable_step` and :func:`contraction_rate` (:mod:`numerics.stability`) and the
torch-exact optimisers of :mod:`numerics.optimizers` (``from numerics import optimizers``).
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
from .linear_ae import LinearAETrajectory, gd_eigenbasis, simulate_linear_ae, train_linear_ae
from .scalar_gd import ScalarTrajectory, simulate_scalar
from .stability import contraction_rate, max_stable_step

__all__ = [
    "LinearAETrajectory",
    "ScalarTrajectory",
    "contraction_rate",
    "covariance",
    "dae_fixed_point",
    "dae_w",
    "eigenbasis",
    "equivalent_gamma",
    "gd_eigenbasis",
    "max_stable_step",
    "optimal_lr_dae",
    "optimal_lr_wdae",
    "simulate_linear_ae",
    "simulate_scalar",
    "train_linear_ae",
    "wdae_fixed_point",
    "wdae_w",
]
