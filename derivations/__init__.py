"""daedyn.derivations: every printed step of Pretorius, Kroon & Kamper (ICML 2018) in SymPy."""

from .registry import STEPS, get
from .step import Assumption, Link, Method, Outcome, Status, Step

__all__ = ["STEPS", "Assumption", "Link", "Method", "Outcome", "Status", "Step", "get"]
