"""The write path put together: the pipeline with every projection of dossier changes.

The pipeline (app/dossiers/pipeline.py) knows projections only by their shape, so dossiers
import neither statistics nor postal returns; this module, above them all, names them.
"""

from __future__ import annotations

from datetime import timedelta

from app.dossiers import trail
from app.dossiers.pipeline import Pipeline
from app.postal import projection as postal
from app.stats import projection as stats


def write_pipeline(skew: timedelta) -> Pipeline:
    """The pipeline every receipt and event goes through (`skew`: the clock skew allowed)."""
    return Pipeline([stats, postal, trail], postal.has_returns, skew)
