"""Lecture notes "Optimization II, Intro to Autoencoders" (seed 004, 30 March 2020).

Every statement of ``transcription.md`` (labels ``LN.*``) is a step, with the facts the notes
leave implicit about linear autoencoders and PCA (``PCA.*``) and about the optimisers on the
paper's per-direction loss (``OD.*``).  Modules, in the notes' order: ``optimisers`` (momentum,
RMSprop, AdaGrad, Adam, standardisation), ``autoencoders`` (the AE loss and the rank-1 PCA
claims), ``pca`` (linear AE = PCA, the DAE as a rank-constrained problem), ``dynamics``
(the optimisers at the fixed points of l(w1, w2) = lam/2 (1 - w1 w2)^2 + eps/2 (w1 w2)^2).
"""

from ..engine.registry import Source
from .conventions import CONVENTIONS

SOURCE = Source(
    name="notes",
    title="Bloniarz, lecture notes: Optimization II, Intro to Autoencoders (30 March 2020)",
    package=__name__,
    modules=("optimisers", "autoencoders", "pca", "dynamics"),
    sections={
        "O": "Optimisers as the notes print them (momentum, RMSprop, AdaGrad, Adam)",
        "A": "Autoencoders and PCA as the notes print them",
        "P": "Linear autoencoders and PCA (facts the notes leave implicit)",
        "D": "Optimiser dynamics on the paper's per-direction loss (not in the notes)",
    },
    conventions=CONVENTIONS,
    transcription="transcription.md",
)
