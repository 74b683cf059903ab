"""The language core: one spaCy pipeline per process, entity labels from data, aliases."""

from newstrace.nlp.aliases import ActorKind, AliasEntry, AliasTable, load_aliases
from newstrace.nlp.pipeline import MODEL_PACKAGE, load_pipeline

__all__ = [
    "MODEL_PACKAGE",
    "ActorKind",
    "AliasEntry",
    "AliasTable",
    "load_aliases",
    "load_pipeline",
]
