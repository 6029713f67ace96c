"""The agency gazetteer: which news agencies there are, the names they go by in text, and whose
copy each one redistributes.

The built-in list is ``agencies.toml`` beside this module. A user file (TOML, or YAML for a
``.yaml``/``.yml`` suffix) extends it or overrides it; it holds one top-level key, ``agencies``,
a list of tables with these keys:

- ``id`` (required): the canonical id credits carry, e.g. ``"NTB"``. Letters, digits, ``_``,
  ``-``; ``UNNAMED`` is reserved for generic credits ("Agencies contributed to this story").
- ``name``: the full name; required for a new agency, optional when overriding a built-in one.
- ``kind``: ``"text wire"`` (default for a new agency), ``"photo agency"`` or ``"both"``.
- ``aliases``: names that stand for the agency in text, matched case-sensitively as whole words,
  both in credit positions and in quoted-source mentions. Default for a new agency: ``[name]``.
- ``credit_only``: names that also name something else (``"EPA"``, the US Environmental
  Protection Agency); they count only in credit positions, never as mentions.
- ``false_friends``: longer names containing one of the agency's names that are not the agency
  (``"Getty Museum"``); text inside them is never the agency. Each must contain one of its names
  as a whole word.
- ``carries``: ids of agencies whose copy or photos this one redistributes under its own credit.

An entry whose id is a built-in agency replaces only the keys it gives (``aliases`` replaces the
whole list). Anything malformed raises ``ConfigError`` naming the file and the problem: a file
nested too deeply to parse, and YAML aliases (``*name``) that would expand to more than
``MAX_ALIAS_VALUES`` values (a "billion laughs" file), are refused the same way. Values quoted
in a message are cut to ``MAX_SHOWN`` characters.

TOML::

    [[agencies]]
    id = "NTB"
    name = "Norsk Telegrambyrå"
    aliases = ["Norsk Telegrambyrå", "NTB"]
    carries = ["AFP"]

YAML::

    agencies:
      - id: NTB
        name: Norsk Telegrambyrå
        aliases: [Norsk Telegrambyrå, NTB]
"""

from __future__ import annotations

import dataclasses
import logging
import re
import reprlib
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

from provenance.errors import ConfigError

log = logging.getLogger(__name__)

AgencyKind = Literal["text wire", "photo agency", "both"]
AGENCY_KINDS: tuple[str, ...] = get_args(AgencyKind)
UNNAMED = "UNNAMED"
"""The agency of a generic credit that names no agency ("Agencies contributed to this story")."""

BUILTIN_FILE = "agencies.toml"
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,31}")
_LIST_KEYS = ("aliases", "credit_only", "false_friends", "carries")
_KEYS = ("id", "name", "kind", *_LIST_KEYS)

MAX_ALIAS_VALUES = 10_000
"""Values that YAML aliases may add to an agency file by repeating what they refer to."""
MAX_SHOWN = 80
"""Characters of a file value quoted in an error message, at most."""


@dataclass(frozen=True, slots=True)
class Agency:
    """One news agency.

    ``aliases`` and ``credit_only`` are the names it goes by in text (see the module docstring);
    ``carries`` are ids of agencies whose copy it redistributes. Raises ``ConfigError`` when a
    value is invalid (bad id, unknown kind, no names, a false friend naming none of its names).
    """

    id: str
    name: str
    aliases: tuple[str, ...]
    kind: AgencyKind = "text wire"
    carries: tuple[str, ...] = ()
    credit_only: tuple[str, ...] = ()
    false_friends: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _ID.fullmatch(self.id) or self.id == UNNAMED:
            raise ConfigError(
                f"agency id {_show(self.id)} is invalid: use 1-32 letters, digits, '_' or '-' starting with "
                f"a letter ({UNNAMED!r} is reserved)"
            )
        if not self.name.strip():
            raise ConfigError(f"agency {self.id}: name must not be empty")
        if self.kind not in AGENCY_KINDS:
            raise ConfigError(f"agency {self.id}: kind {_show(self.kind)} is not one of {', '.join(AGENCY_KINDS)}")
        for text in (*self.aliases, *self.credit_only, *self.false_friends):
            if not text.strip() or text != text.strip():
                raise ConfigError(f"agency {self.id}: name {_show(text)} is empty or has surrounding spaces")
        if not self.names:
            raise ConfigError(f"agency {self.id}: give at least one name in aliases or credit_only")
        if self.id in self.carries:
            raise ConfigError(f"agency {self.id}: an agency cannot carry itself")
        for friend in self.false_friends:
            if not any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", friend) for name in self.names):
                raise ConfigError(
                    f"agency {self.id}: false friend {_show(friend)} contains none of its names, "
                    "so it would never apply"
                )

    @property
    def names(self) -> tuple[str, ...]:
        """Every name that stands for the agency: ``aliases`` then ``credit_only``."""
        return (*self.aliases, *self.credit_only)

    @property
    def photo(self) -> bool:
        """Whether the agency distributes photos."""
        return self.kind != "text wire"

    @property
    def text_wire(self) -> bool:
        """Whether the agency distributes text copy."""
        return self.kind != "photo agency"


class Gazetteer:
    """A validated, immutable set of agencies, indexed by id and by name.

    Takes the agencies; raises ``ConfigError`` on duplicate ids, a ``carries`` entry naming an
    unknown agency, or one name (alias, credit-only name or false friend) claimed twice.
    """

    __slots__ = ("_by_id", "_by_name", "_carried")

    def __init__(self, agencies: Iterable[Agency]) -> None:
        by_id: dict[str, Agency] = {}
        for agency in agencies:
            if agency.id in by_id:
                raise ConfigError(f"agency {agency.id} is defined twice")
            by_id[agency.id] = agency
        by_name: dict[str, str] = {}
        friends: dict[str, str] = {}
        for agency in by_id.values():
            unknown = [c for c in agency.carries if c not in by_id]
            if unknown:
                raise ConfigError(f"agency {agency.id} carries unknown agency {', '.join(unknown)}")
            for name in agency.names:
                owner = by_name.setdefault(name, agency.id)
                if owner != agency.id:
                    raise ConfigError(f"name {_show(name)} is claimed by both {owner} and {agency.id}")
            for friend in agency.false_friends:
                friends.setdefault(friend, agency.id)
        for friend, friend_owner in friends.items():
            if friend in by_name:
                raise ConfigError(
                    f"{_show(friend)} is a name of {by_name[friend]} and a false friend of {friend_owner}"
                )
        self._by_id = by_id
        self._by_name = by_name
        self._carried = {agency_id: _reachable(agency_id, by_id) for agency_id in by_id}

    def __iter__(self) -> Iterator[Agency]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, agency_id: object) -> bool:
        return agency_id in self._by_id

    def __getitem__(self, agency_id: str) -> Agency:
        return self._by_id[agency_id]

    def __repr__(self) -> str:
        return f"Gazetteer({len(self)} agencies: {', '.join(self._by_id)})"

    @property
    def ids(self) -> tuple[str, ...]:
        """Canonical ids, in definition order."""
        return tuple(self._by_id)

    def agency_for(self, name: str) -> str | None:
        """The id of the agency that ``name`` (an exact alias or credit-only name) stands for."""
        return self._by_name.get(name)

    def carried(self, carrier: str) -> frozenset[str]:
        """Ids of every agency whose copy may reach print under ``carrier``'s credit, following
        ``carries`` transitively; empty for an unknown id or ``UNNAMED``."""
        return self._carried.get(carrier, frozenset())

    def redistributes(self, carrier: str, origin: str) -> bool:
        """Whether copy credited to ``carrier`` may originate with ``origin`` (directly or through
        a chain of ``carries``: AAP carries AFP). False when the two are the same agency or either
        id is unknown."""
        return carrier != origin and origin in self.carried(carrier)


def _reachable(start: str, by_id: dict[str, Agency]) -> frozenset[str]:
    seen: set[str] = set()
    stack = list(by_id[start].carries)
    while stack:
        agency_id = stack.pop()
        if agency_id in seen:
            continue
        seen.add(agency_id)
        stack.extend(by_id[agency_id].carries)
    seen.discard(start)
    return frozenset(seen)


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """The built-in gazetteer, extended and overridden by the user file at ``path`` if given.

    ``path`` is a TOML file, or YAML for a ``.yaml``/``.yml`` suffix, in the format of the module
    docstring. Returns the merged ``Gazetteer`` (the built-in one is shared between calls).
    Raises ``ConfigError`` with a one-line message naming the file when it cannot be read, does
    not parse, has unknown keys, lacks an id or a new agency's name, has values of the wrong
    type or an unknown kind, names an unknown agency in ``carries``, gives one name to two
    agencies, or lists an id twice.
    """
    if path is None:
        return _builtin_gazetteer()
    path = Path(path)
    entries = _parse_file(path)
    agencies = {agency.id: agency for agency in _builtin_gazetteer()}
    try:
        seen: set[str] = set()
        for number, entry in enumerate(entries, start=1):
            fields = _check_entry(entry, number)
            agency_id = fields["id"]
            if agency_id in seen:
                raise ConfigError(f"agency {_label(agency_id)} appears twice")
            seen.add(agency_id)
            if agency_id in agencies:
                agencies[agency_id] = dataclasses.replace(agencies[agency_id], **fields)
            else:
                if "name" not in fields:
                    raise ConfigError(f"agency #{number} ({_label(agency_id)}) is new and needs a name")
                fields.setdefault("aliases", (fields["name"],))
                agencies[agency_id] = Agency(**fields)
        gazetteer = Gazetteer(agencies.values())
    except ConfigError as err:
        raise ConfigError(f"{path}: {err}") from None
    log.info("agency gazetteer: %d agencies (%d entries from %s)", len(gazetteer), len(entries), path)
    return gazetteer


@cache
def _builtin_gazetteer() -> Gazetteer:
    text = resources.files(__package__).joinpath(BUILTIN_FILE).read_text(encoding="utf-8")
    try:
        entries = _entries(tomllib.loads(text))
        agencies = []
        for number, entry in enumerate(entries, start=1):
            fields = _check_entry(entry, number, new=True)
            fields.setdefault("aliases", (fields["name"],))
            agencies.append(Agency(**fields))
        return Gazetteer(agencies)
    except (ConfigError, tomllib.TOMLDecodeError) as err:  # a broken package, not a user mistake
        raise ConfigError(f"built-in {BUILTIN_FILE}: {err}") from None


def _parse_file(path: Path) -> list[Any]:
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".yaml", ".yml"):
        raise ConfigError(f"{path}: agency file must be .toml, .yaml or .yml, not {suffix or 'no suffix'!r}")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ConfigError(f"{path}: cannot read agency file: {err.strerror or err}") from None
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path}: agency file is not UTF-8 ({err.reason} at byte {err.start})") from None
    kind = "TOML" if suffix == ".toml" else "YAML"
    try:
        data = tomllib.loads(text) if suffix == ".toml" else yaml.load(text, Loader=_BoundedLoader)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as err:
        raise ConfigError(f"{path}: invalid {kind}: {_one_line(str(err))}") from None
    except RecursionError:
        # Both parsers recurse once per level of nesting; an agency file needs three levels.
        raise ConfigError(
            f"{path}: invalid {kind}: nested too deeply to read (an agency file needs 3 levels)"
        ) from None
    try:
        return _entries(data)
    except ConfigError as err:
        raise ConfigError(f"{path}: {err}") from None


def _entries(data: Any) -> list[Any]:
    if not isinstance(data, dict):
        raise ConfigError("expected a top-level 'agencies' list of tables")
    unknown = sorted(str(k) for k in data if k != "agencies")
    if unknown:
        raise ConfigError(f"unknown top-level key {_keys(unknown)} (expected only 'agencies')")
    entries = data.get("agencies")
    if not isinstance(entries, list):
        raise ConfigError("'agencies' must be a list of tables ([[agencies]] in TOML)")
    return entries


def _check_entry(entry: Any, number: int, new: bool = False) -> dict[str, Any]:
    """The keyword arguments of ``Agency`` in one file entry, type-checked; lists become tuples."""
    if not isinstance(entry, dict):
        raise ConfigError(f"agency #{number} must be a table of keys, got {type(entry).__name__}")
    where = f"agency #{number}" + (f" ({_label(entry['id'])})" if isinstance(entry.get("id"), str) else "")
    unknown = sorted(str(k) for k in entry if k not in _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {_keys(unknown)} (known: {', '.join(_KEYS)})")
    if "id" not in entry:
        raise ConfigError(f"{where}: missing 'id'")
    if new and "name" not in entry:
        raise ConfigError(f"{where}: missing 'name'")
    fields: dict[str, Any] = {}
    for key, value in entry.items():
        if key in _LIST_KEYS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"{where}: {key!r} must be a list of strings, got {_show(value)}")
            fields[key] = tuple(value)
        elif not isinstance(value, str):
            raise ConfigError(f"{where}: {key!r} must be a string, got {_show(value)}")
        else:
            fields[key] = value
    return fields


def _one_line(message: str, limit: int = 300) -> str:
    flat = " ".join(message.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# reprlib stops at a few items and levels, so quoting a huge or deeply nested value costs
# little; without it one message once formatted a YAML bomb's billion strings.
_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxdict, _REPR.maxstring, _REPR.maxother = 3, 5, 5, MAX_SHOWN, MAX_SHOWN


def _show(value: object) -> str:
    """``repr(value)`` cut to ``MAX_SHOWN`` characters, for a message."""
    text = _REPR.repr(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"


def _label(agency_id: str) -> str:
    """An id as it reads in a message: bare when valid, else quoted and cut."""
    return agency_id if _ID.fullmatch(agency_id) else _show(agency_id)


def _keys(keys: list[str], shown: int = 5) -> str:
    more = f" and {len(keys) - shown} more" if len(keys) > shown else ""
    return ", ".join(_show(k) for k in keys[:shown]) + more


class _BoundedLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses aliases adding more than ``MAX_ALIAS_VALUES`` values in all.

    An alias repeats the node it names, so nested aliases multiply: ten lines of them stand for
    a billion strings. The loader itself shares the node, but anything that walks the value
    (a message quoting it, a check of every item) pays for the full expansion. Each node's
    expanded size is known once composed, so every alias adds that size to a running total.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._sizes: dict[int, int] = {}  # id(node) -> values it stands for, children included
        self._aliased = 0

    # Typed as types-PyYAML types the base method; PyYAML also passes None or a key node as
    # ``index``, which this only forwards.
    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            node = self.anchors.get(event.anchor)
            if node is not None:
                if id(node) not in self._sizes:  # still being composed: the alias is inside its anchor
                    raise yaml.composer.ComposerError(None, None, "found a recursive alias", event.start_mark)
                self._aliased += self._sizes[id(node)]
                if self._aliased > MAX_ALIAS_VALUES:
                    raise yaml.composer.ComposerError(
                        None,
                        None,
                        f"aliases expand to more than {MAX_ALIAS_VALUES:,} values (write the values out)",
                        event.start_mark,
                    )
            return super().compose_node(parent, index)
        node = super().compose_node(parent, index)
        if isinstance(node, yaml.SequenceNode):
            size = 1 + sum(self._sizes[id(child)] for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            size = 1 + sum(self._sizes[id(key)] + self._sizes[id(value)] for key, value in node.value)
        else:
            size = 1
        self._sizes[id(node)] = size
        return node
