"""Credit extraction against the seed articles' known credits and the hand-labelled fixture lines."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.credits import UNNAMED, CreditExtractor, Gazetteer, extract_credits, load_gazetteer
from provenance.records import Credit, Document

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
FIXTURE = ROOT / "fixtures" / "credits" / "lines.jsonl"
GENERIC = {"agencies", "news agencies", "wire services", "wire reports", "wires"}

# The seeds' credits (kinds other than "mention"), by the file's three-digit prefix.
SEED_AGENCIES = {
    "000": {"AAP", "EPA", "AP"},
    "001": {"AP"},
    "002": {UNNAMED},
    "003": {"Xinhua"},
    "004": {"Getty", "Reuters", "AP"},
}


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer()


def _doc(text: str, index: int = 0) -> Document:
    return Document(index=index, doc_id="x", text=text, source="x")


def _seed(prefix: str) -> Document:
    path = next(p for p in SEEDS if p.name.startswith(prefix))
    return Document(index=int(prefix), doc_id=path.name, text=path.read_text(encoding="utf-8"), source=str(path))


def _credits(prefix: str, gazetteer: Gazetteer) -> list[Credit]:
    return [c for c in extract_credits(_seed(prefix), gazetteer) if c.kind != "mention"]


def _line_of(text: str, credit: Credit) -> tuple[int, int]:
    start = text.rfind("\n", 0, credit.start) + 1
    end = text.find("\n", credit.end)
    return start, len(text) if end < 0 else end


def _check_spans(doc: Document, credits: list[Credit], gazetteer: Gazetteer) -> None:
    """Every credit spans a name of its agency, lies inside its scope, and the list is sorted."""
    assert [c.start for c in credits] == sorted(c.start for c in credits)
    for credit in credits:
        written = doc.text[credit.start : credit.end]
        if credit.agency == UNNAMED:
            assert " ".join(written.lower().split()) in GENERIC
        else:
            assert written in gazetteer[credit.agency].names
        assert credit.doc == doc.index
        assert 0 <= credit.scope_start <= credit.start < credit.end <= credit.scope_end <= len(doc.text)
        if credit.scope == "document":
            assert (credit.scope_start, credit.scope_end) == (0, len(doc.text))


def test_seeds_are_all_there() -> None:
    assert [p.name[:3] for p in SEEDS] == sorted(SEED_AGENCIES)


@pytest.mark.parametrize("prefix", sorted(SEED_AGENCIES))
def test_seed_agencies_exactly(prefix: str, gazetteer: Gazetteer) -> None:
    doc = _seed(prefix)
    credits = extract_credits(doc, gazetteer)
    assert {c.agency for c in credits if c.kind != "mention"} == SEED_AGENCIES[prefix]
    _check_spans(doc, credits, gazetteer)


def test_seed_000_source_captions(gazetteer: Gazetteer) -> None:
    doc = _seed("000")
    credits = _credits("000", gazetteer)
    assert Counter(c.agency for c in credits) == {"AAP": 5, "EPA": 2, "AP": 1}
    for credit in credits:
        assert (credit.kind, credit.scope) == ("caption", "line")
        assert (credit.scope_start, credit.scope_end) == _line_of(doc.text, credit)
        assert doc.text[credit.scope_start : credit.scope_end].endswith(f"Source: {credit.agency}")


def test_seed_001_photo_credit_twice(gazetteer: Gazetteer) -> None:
    doc = _seed("001")
    credits = _credits("001", gazetteer)
    assert [(c.agency, c.kind, c.scope) for c in credits] == [("AP", "caption", "line")] * 2
    for credit in credits:
        assert doc.text[credit.start - 8 : credit.end] == "Photo / AP"
        assert (credit.scope_start, credit.scope_end) == _line_of(doc.text, credit)


def test_seed_002_unnamed_agencies(gazetteer: Gazetteer) -> None:
    doc = _seed("002")
    [credit] = _credits("002", gazetteer)
    assert (credit.agency, credit.kind, credit.scope) == (UNNAMED, "byline", "document")
    assert doc.text[credit.start :].startswith("Agencies contributed to this story")


def test_seed_003_xinhua_source(gazetteer: Gazetteer) -> None:
    doc = _seed("003")
    [credit] = _credits("003", gazetteer)
    assert (credit.agency, credit.kind, credit.scope) == ("Xinhua", "source", "document")
    assert doc.text[credit.start - 8 : credit.end] == "source: Xinhua"


def test_seed_004_gallery_and_additional_reporting(gazetteer: Gazetteer) -> None:
    doc = _seed("004")
    credits = _credits("004", gazetteer)
    captions = [c for c in credits if c.kind == "caption"]
    assert Counter(c.agency for c in captions) == {"Getty": 13, "Reuters": 6, "AP": 2}
    for credit in captions:
        assert credit.scope == "line"
        line = doc.text[credit.scope_start : credit.scope_end]
        assert line.split(" ", 1)[0].endswith("/22") and line.endswith(doc.text[credit.start : credit.end])
    [byline] = [c for c in credits if c.kind != "caption"]
    assert (byline.agency, byline.kind, byline.scope) == ("AP", "byline", "document")
    assert doc.text[: byline.end].endswith("Additional reporting by AP")


def _fixture_rows() -> list[dict]:
    return [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_fixture_is_big_and_varied() -> None:
    rows = _fixture_rows()
    assert len(rows) >= 60
    kinds = Counter(e["kind"] for row in rows for e in row["expected"])
    assert {"caption", "dateline", "byline", "footer", "source", "mention"} <= set(kinds)
    assert sum(not row["expected"] for row in rows) >= 20  # false friends


@pytest.mark.parametrize("row", _fixture_rows(), ids=lambda row: row["note"])
def test_fixture_line(row: dict, gazetteer: Gazetteer) -> None:
    doc = _doc(row["text"])
    credits = extract_credits(doc, gazetteer)
    got = sorted((c.agency, c.kind, c.scope) for c in credits)
    assert got == sorted((e["agency"], e["kind"], e["scope"]) for e in row["expected"]), row["text"]
    _check_spans(doc, credits, gazetteer)


def test_credit_line_under_its_caption_covers_the_caption(gazetteer: Gazetteer) -> None:
    text = "Body text of the story.\nIraqi families flee western Mosul.\n\nAFP/Getty Images\nMore of the story follows."
    credits = extract_credits(_doc(text), gazetteer)
    assert [(c.agency, c.kind) for c in credits] == [("AFP", "caption"), ("Getty", "caption")]
    for credit in credits:
        assert text[credit.scope_start : credit.scope_end] == "Iraqi families flee western Mosul.\n\nAFP/Getty Images"


def test_footer_and_source_depend_on_position(gazetteer: Gazetteer) -> None:
    body = "Iraqi forces retook the main government complex in western Mosul on Tuesday. " * 3
    last = extract_credits(_doc(f"{body}\n\nReuters\n"), gazetteer)
    first = extract_credits(_doc(f"Reuters\n{body}\n{body}\n{body}"), gazetteer)
    middle = extract_credits(_doc(f"{body}\nReuters\n{body}\n{body}\n{body}"), gazetteer)
    assert [(c.kind, c.scope) for c in last] == [("footer", "document")]
    assert [(c.kind, c.scope) for c in first] == [("source", "document")]
    assert [(c.kind, c.scope) for c in middle] == [("caption", "line")]


def test_windows_line_ends_and_trailing_space(gazetteer: Gazetteer) -> None:
    text = "A boy walks in Mosul. Source: AAP\r\nIraqi forces advance near Qayyarah Getty  \r\nsource: Xinhua\r\n"
    credits = extract_credits(_doc(text), gazetteer)
    assert [(c.agency, c.kind) for c in credits] == [("AAP", "caption"), ("Getty", "caption"), ("Xinhua", "source")]
    assert not any(text[c.scope_start : c.scope_end].endswith("\r") for c in credits if c.scope == "line")


def test_empty_and_nameless_documents(gazetteer: Gazetteer) -> None:
    assert extract_credits(_doc(""), gazetteer) == []
    assert extract_credits(_doc("\n\n  \n"), gazetteer) == []
    assert extract_credits(_doc("Mosul is the last major city held by the group in Iraq."), gazetteer) == []


# Wire-story shapes, each with the credits a reader sees in it: (agency, where the name is
# written, the name as written, kind, scope). Positions are found in the text independently of
# the extractor; the scope's span follows from the scope (the whole text, or the credit's line).
REALISTIC = {
    "dateline": (
        "MOSUL, Iraq (AP) \u2014 Iraqi forces pushed deeper into western Mosul on Sunday, retaking two"
        " neighbourhoods from Islamic State militants, a commander said.\n"
        "The advance came as thousands of civilians fled the fighting.",
        [("AP", "(AP)", "AP", "dateline", "document")],
    ),
    "dated dateline": (
        "LONDON, March 7 (Reuters) - Oil prices rose on Tuesday as traders weighed the fighting in"
        " northern Iraq.\nBrent crude gained 40 cents.",
        [("Reuters", "(Reuters)", "Reuters", "dateline", "document")],
    ),
    "byline": (
        "By QASSIM ABDUL-ZAHRA, Associated Press\n"
        "BAGHDAD \u2014 Iraqi forces have retaken the Mosul airport, officials said on Thursday.\n"
        "The airport was destroyed by the militants.",
        [("AP", "ABDUL-ZAHRA, Associated Press", "Associated Press", "byline", "document")],
    ),
    "captions": (
        "Iraqi special forces soldiers ride in a Humvee in eastern Mosul. AFP/Getty Images\n"
        "The offensive began in October.\n"
        "Displaced Iraqis wait for food at Hammam al-Alil camp. Photo: Reuters",
        [
            ("AFP", "AFP/Getty", "AFP", "caption", "line"),
            ("Getty", "AFP/Getty Images", "Getty Images", "caption", "line"),
            ("Reuters", "Photo: Reuters", "Reuters", "caption", "line"),
        ],
    ),
    "source line": (
        "Iraqi forces retook the main government complex in western Mosul on Tuesday. The complex had"
        " been held by the militants since 2014, officials said.\n\nSource: AFP",
        [("AFP", "Source: AFP", "AFP", "source", "document")],
    ),
    "footer": (
        "The United Nations says displacement rates over the past week are the highest since the"
        " operation began.\nAid groups are struggling to keep up.\n\u2014 Reuters",
        [("Reuters", "\u2014 Reuters", "Reuters", "footer", "document")],
    ),
    "mention and additional reporting": (
        "A senior commander told Reuters the assault would resume at dawn.\nAdditional reporting by AP",
        [
            ("Reuters", "told Reuters", "Reuters", "mention", "paragraph"),
            ("AP", "by AP", "AP", "byline", "document"),
        ],
    ),
}


def _expected(text: str, index: int, rows: list[tuple[str, str, str, str, str]]) -> list[Credit]:
    out = []
    for agency, context, name, kind, scope in rows:
        start = text.index(context) + context.index(name)
        end = start + len(name)
        if scope == "document":
            scope_start, scope_end = 0, len(text)
        else:  # a caption's line, or the line of a mention's paragraph
            scope_start = text.rfind("\n", 0, start) + 1
            scope_end = len(text) if text.find("\n", end) < 0 else text.find("\n", end)
        out.append(Credit(index, agency, start, end, kind, scope, scope_start=scope_start, scope_end=scope_end))
    return out


@pytest.mark.parametrize("shape", list(REALISTIC))
def test_realistic_credits_exactly(shape: str, gazetteer: Gazetteer) -> None:
    text, rows = REALISTIC[shape]
    assert extract_credits(_doc(text, index=3), gazetteer) == _expected(text, 3, rows)


def test_one_extractor_serves_a_stream_of_documents(gazetteer: Gazetteer) -> None:
    # The extractor holds compiled patterns across documents: nothing of one document may
    # leak into the next, in whichever order they come.
    extractor = CreditExtractor(gazetteer)
    docs = [(_doc(text, index=i), _expected(text, i, rows)) for i, (text, rows) in enumerate(REALISTIC.values())]
    for doc, expected in docs + docs[::-1]:
        assert extractor.extract(doc) == expected, doc.text


_FRAGMENTS = st.sampled_from(
    [
        "AP", "Reuters", "AFP", "Getty Images", "Getty Museum", "dpa", "Pa", "EPA", "agencies", "(AP)", " — ",
        "Photo / ", "Source: ", "By ", "told ", "BAGHDAD ", "Additional reporting by ", "/", "\n", "\r\n", " ",
        ".", ",", "Mosul", "said", "the", "AP-style", "SAP", "(", ")", "Iraq", "contributed to this report",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_FRAGMENTS, st.text(max_size=5)), max_size=40))
def test_any_text_gives_valid_credits(parts: list[str]) -> None:
    gazetteer = load_gazetteer()
    doc = _doc("".join(parts))
    credits = extract_credits(doc, gazetteer)
    _check_spans(doc, credits, gazetteer)
    assert len({(c.start, c.end) for c in credits}) == len(credits)
