"""The notes' conventions, keyed (a statement that holds only under one names its key)."""

from __future__ import annotations

from ..engine.conventions import Convention

CONVENTIONS: tuple[Convention, ...] = (
    Convention("population-std", "sigma_i^2 = (1/p) sum_alpha (x_{i,alpha} - mu_i)^2 (the 1/p "
               "variance, numpy's default, not torch.std's 1/(p-1)), and sigma_i > 0 (constant "
               "inputs such as MNIST's border pixels are left out or given sigma_i = 1)."),
    Convention("centred", "X has zero column means (each feature centred over the n samples); "
               "the paper's Sigma_xx = sum_i x_i x_i^T is NOT centred."),
)

__all__ = ["CONVENTIONS"]
