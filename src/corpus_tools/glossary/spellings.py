"""Which spellings of each named entity occur in the corpus, and in which language's text.

The exports (TBX, DeepL) list a name under the language of the texts that spell it so:
``Lawrow`` under German, ``Lavrov`` under English.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import Entity, Glossary

__all__ = ["entity_spellings"]


def entity_spellings(glossary: Glossary) -> dict[Entity, list[tuple[str, str]]]:
    """Each entity's spellings, in order of first occurrence, with the language of the text
    they were found in; an entity found nowhere is left out."""
    found: dict[str, list[tuple[str, str]]] = {}
    for doc in glossary.corpus.values():
        for match in glossary.find(doc, overlapping=True):
            if match.entry.kind == "entity":
                pairs = found.setdefault(match.entry.id, [])
                if (match.text, match.language) not in pairs:
                    pairs.append((match.text, match.language))
    return {entity: found[entity.id] for entity in glossary.entities if entity.id in found}
