"""daedyn.derivations: every printed step of Pretorius, Kroon & Kamper (ICML 2018) in SymPy."""

from .registry import STEPS, get
from .step import Assumption, Link, Method, Outcome, Status, Step
from .verify import Result, verify_all

__all__ = ["STEPS", "Assumption", "Link", "Method", "Outcome", "Result", "Status", "Step", "get",
           "verify_all"]
