"""Agency credits: the gazetteer of news agencies and the credits they get in documents.

``Document -> Credit``: ``extract_credits(doc, load_gazetteer())``. See docs/agencies.md.
"""

from provenance.credits.extract import CreditExtractor, extract_credits
from provenance.credits.gazetteer import AGENCY_KINDS, UNNAMED, Agency, AgencyKind, Gazetteer, load_gazetteer

__all__ = [
    "AGENCY_KINDS",
    "UNNAMED",
    "Agency",
    "AgencyKind",
    "CreditExtractor",
    "Gazetteer",
    "extract_credits",
    "load_gazetteer",
]
