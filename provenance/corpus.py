"""The documents of a run, held compactly: texts in a temporary file, metadata in packed columns.

A million news articles as Python objects cost about 1.9 GB for 1.2 GB of text, and every
forked worker that reads them copies the pages it touches (reading a ``str`` writes its
reference count). A ``Corpus`` is a ``Sequence[Document]`` that holds no ``Document`` at all:

- the texts, UTF-8, one after another in an anonymous temporary file (``TemporaryFile``:
  unlinked as soon as it is made, so it vanishes with the process however that ends), read
  back with ``os.pread``. The operating system caches the file, and may drop that cache under
  pressure; workers share the descriptor and read at explicit offsets, copying nothing;
- outlets and dates (with the instant each stands for) as codes into their distinct values;
- ``docs[i]`` builds the ``Document`` when asked (about 2 microseconds and a read), so every
  stage keeps its ``Sequence[Document]`` interface.

``Document.index`` is the position in the corpus. Texts round-trip exactly, lone surrogates
(which JSON can carry) included.
"""

from __future__ import annotations

import os
import tempfile
from abc import ABC, abstractmethod
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import IO, Any, Generic, TypeVar, overload

import numpy as np

from provenance.errors import workspace_error
from provenance.records import Document, ScanResult

_UTF8 = "utf-8"
_EXACT = "surrogatepass"  # lone surrogates round-trip; nothing a str can hold is refused
_READ_AT_ONCE = 1 << 22  # bytes of text read in one call when iterating

K = TypeVar("K")
T = TypeVar("T")


def position(i: int, n: int, what: str) -> int:
    """Index ``i`` of a sequence of ``n`` items, counted from the end when negative, as a list
    takes it. Raises IndexError, naming ``what``, outside the sequence."""
    at = i + n if i < 0 else i
    if not 0 <= at < n:
        raise IndexError(f"{what} {i} out of range ({n} in all)")
    return at


class Indexed(Sequence[T]):
    """A sequence read an item at a time (``_item``, given an index already checked and counted
    from the start); a slice is a list of items (``_items``, which a subclass may read faster).
    ``what`` names an item in the IndexError of an index out of range."""

    what = "item"

    @abstractmethod
    def _item(self, i: int) -> T:
        """Item ``i``, ``0 <= i < len(self)``."""

    def _items(self, start: int, stop: int, step: int) -> list[T]:
        return [self._item(k) for k in range(start, stop, step)]

    @overload
    def __getitem__(self, i: int) -> T: ...

    @overload
    def __getitem__(self, i: slice) -> list[T]: ...

    def __getitem__(self, i: int | slice) -> T | list[T]:
        if isinstance(i, slice):
            return self._items(*i.indices(len(self)))
        return self._item(position(i, len(self), self.what))


class _Codes(Generic[K]):
    """Values with few distinct ones (outlets, dates): a code per entry, each value once."""

    __slots__ = ("_codes", "_of", "values")

    def __init__(self) -> None:
        self.values: list[K] = []
        self._of: dict[K, int] = {}
        self._codes = array("i")

    def append(self, value: K) -> None:
        code = self._of.get(value)
        if code is None:
            code = self._of[value] = len(self.values)
            self.values.append(value)
        self._codes.append(code)

    def __getitem__(self, i: int) -> K:
        return self.values[self._codes[i]]


class TextFile:
    """Texts in an anonymous temporary file, appended, then read only (``seal``), each by its
    number (``text``) or bytes by their place (``read``): a corpus's texts, and the text round
    each copy the HTML pages show."""

    def __init__(self, directory: str | None = None) -> None:
        self._directory = directory
        try:
            # Open for the corpus's lifetime, not one block: it is closed by ``Corpus.close`` or
            # with the process (and was unlinked the moment it was made).
            self._file: IO[bytes] = tempfile.TemporaryFile(prefix="prov-texts-", dir=directory)  # noqa: SIM115
        except OSError as err:
            raise workspace_error(directory, err) from None
        self._size = 0
        self._ends = array("q")
        self._writable = True

    def append(self, text: str) -> None:
        data = text.encode(_UTF8, _EXACT)
        try:
            self._file.write(data)
        except OSError as err:
            raise workspace_error(self._directory, err) from None
        self._size += len(data)
        self._ends.append(self._size)

    def seal(self) -> None:
        if self._writable:
            try:
                self._file.flush()
            except OSError as err:
                raise workspace_error(self._directory, err) from None
            self._writable = False

    def read(self, start: int, end: int) -> bytes:
        if end <= start:
            return b""
        fd = self._file.fileno()
        if hasattr(os, "pread"):
            data = os.pread(fd, end - start, start)
            while len(data) < end - start:  # a short read: keep reading where it stopped
                more = os.pread(fd, end - start - len(data), start + len(data))
                if not more:
                    raise OSError(f"the corpus's text file ended at byte {start + len(data)}, before {end}")
                data += more
            return data
        self._file.seek(start)  # no pread (Windows): no forked readers either
        return self._file.read(end - start)

    def span(self, i: int) -> tuple[int, int]:
        return (self._ends[i - 1] if i else 0), self._ends[i]

    def text(self, i: int) -> str:
        """Text ``i`` (in the order appended)."""
        return self.read(*self.span(i)).decode(_UTF8, _EXACT)

    def __len__(self) -> int:
        return len(self._ends)

    def close(self) -> None:
        self._file.close()


class Columnar(ABC):
    """Documents that answer one field of every document, or one text, without building a
    ``Document`` each (a ``Corpus``; the Spark engine's ``DocumentColumns``). An ABC, not a
    Protocol: ``isinstance`` of a plain list is then cached, not 15 us of attribute checks."""

    @abstractmethod
    def column(self, name: str) -> Sequence[Any]:
        """The field ``name`` of every document, by index (see ``Corpus.column``)."""

    @abstractmethod
    def text(self, i: int) -> str:
        """The text of document ``i``."""


class ListLike(Indexed[T]):
    """Items read one at a time that compare like a list of them (documents, ``arrow.Rows``)."""

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence (a list, a tuple, another view) of the same items, in order."""
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]  # equal to lists, so unhashable as they are


class Documents(ListLike[Document]):
    """Documents read an item at a time that compare like a list of them."""

    what = "document"


class Corpus(Documents, Columnar):
    """The documents of a run (``Document.index`` = position), built by ``CorpusBuilder``.

    Indexing reads the text; a slice or iteration reads the texts of consecutive documents in
    a few large reads. ``select`` gives a corpus of some of the documents, renumbered, sharing
    the texts. ``text_bytes`` is the UTF-8 size of all texts.
    """

    def __init__(self, builder: CorpusBuilder, rows: np.ndarray | None = None) -> None:
        self._b = builder
        self._rows = rows  # positions in the builder's columns; None: all, in order
        self._columns: dict[str, list[Any]] = {}

    def __len__(self) -> int:
        return len(self._b.texts._ends) if self._rows is None else int(self._rows.shape[0])

    def _row(self, i: int) -> int:
        return i if self._rows is None else int(self._rows[i])

    def _document(self, i: int, row: int, text: str) -> Document:
        b = self._b
        date, when = b.dates[row]
        return Document(
            index=i,
            doc_id=b.ids[row],
            text=text,
            source=b.sources[row],
            outlet=b.outlets[row],
            date=date,
            title=b.titles[row],
            url=b.urls[row],
            extra=b.extras.get(row, ()),
            when=when,
        )

    def _item(self, i: int) -> Document:
        return self._document(i, self._row(i), self.text(i))

    def _items(self, start: int, stop: int, step: int) -> list[Document]:
        return list(self._range(start, stop, step))  # consecutive texts in a few large reads

    def __repr__(self) -> str:
        return f"<Corpus of {len(self)} documents>"

    def text(self, i: int) -> str:
        """The text of document ``i`` (no ``Document`` built)."""
        start, end = self._b.texts.span(self._row(i))
        return self._b.texts.read(start, end).decode(_UTF8, _EXACT)

    def __iter__(self) -> Iterator[Document]:
        return self._range(0, len(self), 1)

    def _range(self, lo: int, hi: int, step: int) -> Iterator[Document]:
        if step != 1:
            for i in range(lo, hi, step):
                yield self[i]
            return
        texts = self._b.texts
        i = lo
        while i < hi:
            # Read documents i..j-1 in one call: consecutive rows, at most _READ_AT_ONCE bytes
            # (or one document, however long).
            first = self._row(i)
            start, end = texts.span(first)
            j = i + 1
            while j < hi and self._row(j) == first + (j - i):
                nxt = texts.span(first + (j - i))[1]
                if nxt - start > _READ_AT_ONCE:
                    break
                end, j = nxt, j + 1
            data = texts.read(start, end)
            for k in range(i, j):
                row = first + (k - i)
                s, e = texts.span(row)
                yield self._document(k, row, data[s - start : e - start].decode(_UTF8, _EXACT))
            i = j

    def column(self, name: str) -> list[Any]:
        """One field of every document, by index, read from the columns (no text is read):
        ``doc_id``, ``source``, ``title``, ``url``, ``outlet``, ``date``, ``when``, ``extra``, or
        ``n_chars`` (the text's length in characters). Made once, then shared: do not change it."""
        if name not in self._columns:
            b = self._b
            rows = range(len(self)) if self._rows is None else self._rows.tolist()
            direct: dict[str, Any] = {
                "doc_id": b.ids,
                "source": b.sources,
                "title": b.titles,
                "url": b.urls,
                "n_chars": b.n_chars,
            }
            if name in direct:
                values = direct[name]
                got = list(values) if self._rows is None else [values[r] for r in rows]
            elif name == "outlet":
                got = [b.outlets[r] for r in rows]
            elif name in ("date", "when"):
                at = 0 if name == "date" else 1
                got = [b.dates[r][at] for r in rows]
            elif name == "extra":
                got = [b.extras.get(r, ()) for r in rows]
            else:
                raise KeyError(f"a document has no field {name!r}")
            self._columns[name] = got
        return self._columns[name]

    def utf8(self, lo: int, hi: int) -> tuple[bytes, np.ndarray] | None:
        """The texts of documents ``lo..hi-1`` as stored: their UTF-8 bytes one after another, and
        the ``hi - lo + 1`` offsets (int64) that cut them apart. One read, no ``str`` made.
        None when those documents are not consecutive in the text file (a selection of them)."""
        if not 0 <= lo <= hi <= len(self):
            raise IndexError(f"documents {lo}..{hi} out of range (corpus of {len(self)})")
        if lo == hi:
            return b"", np.zeros(1, dtype=np.int64)
        first, last = self._row(lo), self._row(hi - 1)
        if last - first != hi - 1 - lo or (self._rows is not None and np.any(np.diff(self._rows[lo:hi]) != 1)):
            return None
        texts = self._b.texts
        ends = np.frombuffer(texts._ends, dtype=np.int64)[first : last + 1]
        start = texts.span(first)[0]
        return texts.read(start, int(ends[-1])), np.concatenate([[0], ends - start])

    def select(self, positions: Iterable[int]) -> Corpus:
        """The documents at ``positions`` (ascending), renumbered ``0..n-1``; the texts are shared."""
        chosen = np.fromiter(positions, dtype=np.int64)
        rows = chosen if self._rows is None else self._rows[chosen]
        return Corpus(self._b, rows)

    @property
    def text_bytes(self) -> int:
        texts = self._b.texts
        if self._rows is None:
            return texts._size
        return sum(e - s for s, e in map(texts.span, self._rows.tolist()))

    def close(self) -> None:
        """Close the texts' file now (it goes with the process anyway); the corpus is unusable after."""
        self._b.texts.close()


class CorpusBuilder:
    """Appends documents (in order) and ``build``s the ``Corpus`` that holds them."""

    def __init__(self, directory: str | None = None) -> None:
        self.texts = TextFile(directory)
        # Ids, sources, titles and urls stay Python strings: packing them too would save ~15 %
        # of the corpus's memory but cost more per document read than all the rest together.
        self.ids: list[str] = []
        self.sources: list[str] = []
        self.titles: list[str | None] = []
        self.urls: list[str | None] = []
        self.outlets: _Codes[str | None] = _Codes()
        self.dates: _Codes[tuple[str | None, datetime | None]] = _Codes()
        self.extras: dict[int, tuple[tuple[str, str], ...]] = {}
        self.n_chars = array("q")

    def add(self, doc: Document) -> None:
        row = len(self.texts)
        self.texts.append(doc.text)
        self.n_chars.append(len(doc.text))
        self.ids.append(doc.doc_id)
        self.sources.append(doc.source)
        self.titles.append(doc.title)
        self.urls.append(doc.url)
        self.outlets.append(doc.outlet)
        self.dates.append((doc.date, doc.when))
        if doc.extra:
            self.extras[row] = doc.extra

    def build(self) -> Corpus:
        self.texts.seal()
        return Corpus(self)


def column(docs: Sequence[Document], name: str) -> Sequence[Any]:
    """One field of every document of ``docs``, by index (see ``Corpus.column``): a corpus answers
    from its columns without reading a text, any other sequence from its documents."""
    if isinstance(docs, Columnar):
        return docs.column(name)
    if name == "n_chars":
        return [len(d.text) for d in docs]
    return [getattr(d, name) for d in docs]


def document_lengths(result: ScanResult) -> Sequence[int]:
    """Every document's length in characters, by index: the engine's when the texts stayed with
    it (``TextsElsewhere``; the result's documents would read every text they hold to measure
    it), else from the documents' columns."""
    if result.texts_elsewhere is not None:
        return result.texts_elsewhere.n_chars
    return column(result.documents, "n_chars")


def text_reader(docs: Sequence[Document]) -> Callable[[int], str]:
    """``text(i)``: the text of document ``i``, read alone (a corpus builds no ``Document``)."""
    if isinstance(docs, Columnar):
        return docs.text
    return lambda i: docs[i].text


class Picked(Documents, Columnar):
    """Some documents of a sequence, by position, each read from it when asked (its ``index``
    unchanged), and a few given in their place (``instead``, by position): what a deduplication
    keeps, its cut documents included, without holding the others' texts."""

    def __init__(
        self, docs: Sequence[Document], positions: Sequence[int], instead: dict[int, Document] | None = None
    ) -> None:
        self._docs = docs
        self._positions = positions
        self._instead = instead or {}

    def __len__(self) -> int:
        return len(self._positions)

    def __repr__(self) -> str:
        return f"<{len(self)} documents picked from {self._docs!r}>"

    def _item(self, i: int) -> Document:
        p = self._positions[i]
        found = self._instead.get(p)
        return found if found is not None else self._docs[p]

    def __iter__(self) -> Iterator[Document]:
        if not isinstance(self._docs, Corpus):
            yield from (self._item(i) for i in range(len(self)))
            return
        # Runs of consecutive positions are read as a corpus reads a range: a few large reads,
        # not one per document (most of a deduplicated corpus is kept, so runs are long).
        positions, i = self._positions, 0
        while i < len(positions):
            j = i + 1
            while j < len(positions) and positions[j] == positions[j - 1] + 1:
                j += 1
            for doc in self._docs._range(positions[i], positions[j - 1] + 1, 1):
                found = self._instead.get(doc.index)
                yield found if found is not None else doc
            i = j

    def column(self, name: str) -> list[Any]:
        values = column(self._docs, name)
        got = [values[p] for p in self._positions]
        if name == "n_chars" and self._instead:  # a document given in its place has its own text
            for i, p in enumerate(self._positions):
                if p in self._instead:
                    got[i] = len(self._instead[p].text)
        return got

    def text(self, i: int) -> str:
        p = self._positions[position(i, len(self), self.what)]
        found = self._instead.get(p)
        return found.text if found is not None else text_reader(self._docs)(p)


class TextColumn(Indexed[str]):
    """The texts of ``docs`` as a sequence of strings, each read when asked (``text_reader``)."""

    def __init__(self, docs: Sequence[Document]) -> None:
        self._n = len(docs)
        self._read = text_reader(docs)

    what = "text"

    def __len__(self) -> int:
        return self._n

    def _item(self, i: int) -> str:
        return self._read(i)


class Held:
    """Some documents of a run, each under its own index (not dense, in any order), held as a
    ``Corpus`` holds them: the texts in a temporary file, the other fields in columns. The
    Spark driver keeps the documents with a passage so, as they arrive a partition at a time;
    as ``Document`` objects they were 50 MB of its memory at 100,000 documents, and grew with
    the reuse found.

    Raises:
        ValueError: a document's index is given twice.
    """

    def __init__(self, docs: Iterable[Document] = ()) -> None:
        builder: CorpusBuilder | None = None  # no temporary file for no documents
        indices = array("q")
        for doc in docs:
            indices.append(doc.index)
            builder = builder or CorpusBuilder()
            builder.add(doc)
        given = np.frombuffer(indices, dtype=np.int64) if indices else np.empty(0, dtype=np.int64)
        self._order = np.argsort(given, kind="stable")  # the sorted indices' places in the corpus
        self._indices = given[self._order]
        twice = np.flatnonzero(self._indices[1:] == self._indices[:-1])
        if twice.shape[0]:
            if builder is not None:
                builder.texts.close()
            raise ValueError(f"document {self._indices[twice[0]]} held twice")
        # Which indices are held, one byte each up to the largest: a document not held (most of
        # them) is told in a look-up, not a binary search.
        self._held = np.zeros(int(self._indices[-1]) + 1 if indices else 0, dtype=bool)
        self._held[self._indices] = True
        self._corpus = builder.build() if builder is not None else None

    def __len__(self) -> int:
        return int(self._indices.shape[0])

    def _at(self, i: int) -> int | None:
        """Where document ``i`` is in the corpus, if held."""
        if not 0 <= i < self._held.shape[0] or not self._held[i]:
            return None
        return int(self._order[np.searchsorted(self._indices, i)])

    def __contains__(self, i: object) -> bool:
        return isinstance(i, int | np.integer) and self._at(int(i)) is not None

    def get(self, i: int) -> Document | None:
        """Document ``i``, or None when it is not held."""
        k = self._at(i)
        return None if k is None or self._corpus is None else replace(self._corpus[k], index=i)

    def text(self, i: int) -> str | None:
        k = self._at(i)
        return None if k is None or self._corpus is None else self._corpus.text(k)

    def field(self, i: int, name: str, default: Any = None) -> Any:
        """Field ``name`` of document ``i`` (``Corpus.column``'s names), ``default`` when not held."""
        k = self._at(i)
        return default if k is None or self._corpus is None else self._corpus.column(name)[k]


def corpus_of(docs: Iterable[Document], directory: str | None = None) -> Corpus:
    """A ``Corpus`` of ``docs`` (renumbered by position)."""
    builder = CorpusBuilder(directory)
    for doc in docs:
        builder.add(doc)
    return builder.build()
