"""Write the provenance graph as GraphML and GEXF (Gephi, networkx and igraph read both).

The files are streamed out by hand rather than through networkx's writers: those build an
ElementTree of the whole graph first, which took 10 s and hundreds of MB for the Reuters
corpus's graph and grows with it. Both formats are small XML dialects; the tests read what
is written here back with networkx.

XML 1.0 cannot hold some characters at all, not even as ``&#...;`` references: most C0
controls, lone surrogates, U+FFFE and U+FFFF. Node ids (and edge ends) keep them reversibly,
so that ``a\x01`` and ``a\x02`` stay two nodes: each is written ``_xHHHH_`` (its code point
in four upper-case hex digits) and a literal ``_x`` is written ``_x005F_x``, the escape of
its underscore; ``unescape_id`` turns a read-back id into the original. Text attributes
(labels, evidence) are for reading and simply drop those characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from typing import Any, TextIO

from provenance.arrow import Rows
from provenance.errors import ReportError
from provenance.records import GraphEdge, GraphNode

_NODE_ATTRS = (("kind", "string"), ("label", "string"))
_EDGE_ATTRS = (("kind", "string"), ("weight", "double"), ("directed", "boolean"), ("evidence", "string"))


# What XML 1.0 cannot carry even as a character reference. Lone surrogates cannot be written
# as UTF-8 either: left in, one would stop the export with UnicodeEncodeError.
_NOT_XML = ((0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0xD800, 0xDFFF), (0xFFFE, 0xFFFF))
_ID_ESCAPE = re.compile(  # those, and the underscore of a literal "_x"
    "[" + "".join(f"\\u{first:04x}-\\u{last:04x}" for first, last in _NOT_XML) + "]|_(?=x)"
)
_ID_UNESCAPE = re.compile("_x([0-9A-F]{4})_")
# One str.translate both escapes markup and drops the characters XML 1.0 cannot carry; node
# ids recur in every edge, so their quoted forms are memoised.
_ESCAPE = {c: None for first, last in _NOT_XML for c in range(first, last + 1)} | {
    ord("&"): "&amp;",
    ord("<"): "&lt;",
    ord(">"): "&gt;",
    ord('"'): "&quot;",
    ord("\n"): "&#10;",
    ord("\r"): "&#13;",
    ord("\t"): "&#9;",
}
_TEXT_ESCAPE = {k: v for k, v in _ESCAPE.items() if k not in (ord('"'), ord("\n"), ord("\r"), ord("\t"))}
# Whether a value holds anything either table changes: most do not, and a search costs a
# fraction of a translate through a table of two thousand entries.
_ESCAPED = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_ESCAPE)) + "]")


def escape_id(node_id: str) -> str:
    """``node_id`` with what XML 1.0 cannot hold written ``_xHHHH_``, and a literal ``_x`` as
    ``_x005F_x``, so distinct ids stay distinct in a file; ``unescape_id`` reverses it."""
    return _ID_ESCAPE.sub(lambda m: f"_x{ord(m.group()):04X}_", node_id)


def unescape_id(written: str) -> str:
    """The node id that ``escape_id`` wrote as ``written`` (an id read back from GraphML or GEXF)."""
    return _ID_UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), written)


def _q(value: object) -> str:
    text = str(value)
    return '"' + (text.translate(_ESCAPE) if _ESCAPED.search(text) else text) + '"'


def _quoters() -> tuple[Callable[[object], str], Callable[[str], str]]:
    """A quoted value (``_q``) and a quoted, escaped node id, each remembering its last 4,096
    values: a document's id is written in every edge it is on. Made for one file and dropped
    with it. Writing the graph of 200,000 generated documents, 65,536 values each took the
    process 38-52 MB up, 4,096 took it 15 MB up, in the same time (3.1-5.2 s a file, both, on
    a 2-core machine)."""
    q = lru_cache(maxsize=1 << 12)(_q)
    return q, lru_cache(maxsize=1 << 12)(lambda node_id: q(escape_id(node_id)))


def _open(path: Path) -> TextIO:
    try:
        return open(path, "w", encoding="utf-8")
    except OSError as err:
        raise ReportError(f"{path}: cannot write the graph: {err.strerror or err}") from None


_NODE_FIELDS = ("id", "kind", "label")
_EDGE_FIELDS = ("source", "target", "kind", "weight", "directed", "evidence")


def _fields(records: Iterable[Any], names: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """The fields ``names`` of each record: from the columns of ``Rows`` (a scan's graph), with
    no record built; from the records otherwise."""
    if isinstance(records, Rows):
        yield from records.values(names)
        return
    get = attrgetter(*names)
    for record in records:
        yield get(record)


def write_graphml(nodes: Iterable[GraphNode], edges: Iterable[GraphEdge], path: Path) -> None:
    """Write the graph as GraphML (a directed multigraph with typed node and edge attributes).

    Raises:
        ReportError: the file cannot be created.
    """
    quote, quote_id = _quoters()
    with _open(path) as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n')
        out.write('<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n')
        for name, kind in _NODE_ATTRS:
            out.write(f'  <key id="n_{name}" for="node" attr.name="{name}" attr.type="{kind}"/>\n')
        for name, kind in _EDGE_ATTRS:
            out.write(f'  <key id="e_{name}" for="edge" attr.name="{name}" attr.type="{kind}"/>\n')
        out.write('  <graph edgedefault="directed">\n')
        for nid, kind, label in _fields(nodes, _NODE_FIELDS):
            out.write(
                f'    <node id={quote_id(nid)}><data key="n_kind">{_text(kind)}</data>'
                f'<data key="n_label">{_text(label)}</data></node>\n'
            )
        for i, (source, target, kind, weight, directed, evidence) in enumerate(_fields(edges, _EDGE_FIELDS)):
            out.write(
                f'    <edge id="e{i}" source={quote_id(source)} target={quote_id(target)}>'
                f'<data key="e_kind">{_text(kind)}</data><data key="e_weight">{float(weight)!r}</data>'
                f'<data key="e_directed">{str(directed).lower()}</data>'
                f'<data key="e_evidence">{_text(evidence)}</data></edge>\n'
            )
        out.write("  </graph>\n</graphml>\n")


def write_gexf(nodes: Iterable[GraphNode], edges: Iterable[GraphEdge], path: Path) -> None:
    """Write the graph as GEXF 1.2 (Gephi's format); edge weights in ``weight``.

    Raises:
        ReportError: the file cannot be created.
    """
    quote, quote_id = _quoters()
    with _open(path) as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n')
        out.write('<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">\n')
        out.write('  <graph defaultedgetype="directed" mode="static">\n')
        out.write('    <attributes class="node" mode="static">\n')
        out.write('      <attribute id="0" title="kind" type="string"/>\n    </attributes>\n')
        out.write('    <attributes class="edge" mode="static">\n')
        out.write('      <attribute id="1" title="kind" type="string"/>\n')
        out.write('      <attribute id="2" title="directed" type="boolean"/>\n')
        out.write('      <attribute id="3" title="evidence" type="string"/>\n    </attributes>\n')
        out.write("    <nodes>\n")
        for nid, kind, label in _fields(nodes, _NODE_FIELDS):
            out.write(
                f"      <node id={quote_id(nid)} label={quote(label)}><attvalues>"
                f'<attvalue for="0" value={quote(kind)}/></attvalues></node>\n'
            )
        out.write("    </nodes>\n    <edges>\n")
        for i, (source, target, kind, weight, directed, evidence) in enumerate(_fields(edges, _EDGE_FIELDS)):
            out.write(
                f'      <edge id="{i}" source={quote_id(source)} target={quote_id(target)} weight="{float(weight)!r}"'
                f' label={quote(kind)}><attvalues><attvalue for="1" value={quote(kind)}/>'
                f'<attvalue for="2" value="{str(directed).lower()}"/>'
                f'<attvalue for="3" value={quote(evidence)}/></attvalues></edge>\n'
            )
        out.write("    </edges>\n  </graph>\n</gexf>\n")


def _text(value: object) -> str:
    text = str(value)
    return text.translate(_TEXT_ESCAPE) if _ESCAPED.search(text) else text
