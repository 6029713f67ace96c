"""Engines run the stage functions: ``local`` (default, in-process or across local cores)."""

from provenance.engines.local import LocalEngine
from provenance.engines.stages import align_batch, sketch_batch

__all__ = ["LocalEngine", "sketch_batch", "align_batch"]
