"""The agency gazetteer: the built-in list, user files that extend it, and malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.credits import Agency, Gazetteer, extract_credits, load_gazetteer
from provenance.errors import ConfigError
from provenance.records import Document

REQUIRED = {
    *("AP", "AAP", "AFP", "Reuters", "Xinhua", "EPA", "Getty", "PA", "DPA", "ANSA", "Kyodo", "Yonhap"),
    *("TASS", "Anadolu", "UPI", "Bloomberg", "EFE", "PTI", "ANI", "IANS", "Bernama", "CNA", "Jiji"),
}

NTB_TOML = """
# Norway's national agency, and AP known by one more name.
[[agencies]]
id = "NTB"
name = "Norsk Telegrambyrå"
aliases = ["Norsk Telegrambyrå", "NTB"]
carries = ["AAP"]

[[agencies]]
id = "AP"
aliases = ["Associated Press", "AP", "The AP"]
"""

NTB_YAML = """
agencies:
  - id: NTB
    name: Norsk Telegrambyrå
    aliases: [Norsk Telegrambyrå, NTB]
    carries: [AAP]
  - id: AP
    aliases: [Associated Press, AP, The AP]
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_has_the_agencies() -> None:
    gazetteer = load_gazetteer()
    assert set(gazetteer.ids) >= REQUIRED
    assert gazetteer["AP"].name == "Associated Press"
    assert "Associated Press" in gazetteer["AP"].aliases
    assert gazetteer["Getty"].kind == "photo agency" and not gazetteer["Getty"].text_wire
    assert gazetteer["EPA"].photo and "EPA" in gazetteer["EPA"].credit_only
    assert gazetteer.agency_for("Agence France-Presse") == "AFP"
    assert gazetteer.agency_for("dpa") == "DPA"
    assert gazetteer.agency_for("Pa") is None
    assert load_gazetteer() is gazetteer  # the built-in list is parsed once


def test_redistribution() -> None:
    gazetteer = load_gazetteer()
    for origin in ("AP", "Reuters", "AFP"):
        assert gazetteer.redistributes("AAP", origin)
    assert gazetteer.redistributes("Getty", "AFP")
    assert gazetteer.redistributes("EPA", "EFE")
    assert gazetteer.redistributes("Jiji", "AFP")
    assert not gazetteer.redistributes("AP", "AAP")  # not symmetric
    assert not gazetteer.redistributes("AAP", "AAP")
    assert not gazetteer.redistributes("UNNAMED", "AP")
    assert not gazetteer.redistributes("AAP", "nobody")


@pytest.mark.parametrize(("name", "text"), [("agencies.toml", NTB_TOML), ("agencies.yaml", NTB_YAML)])
def test_user_file_adds_and_overrides(tmp_path: Path, name: str, text: str) -> None:
    gazetteer = load_gazetteer(_write(tmp_path, name, text))
    builtin = load_gazetteer()
    assert len(gazetteer) == len(builtin) + 1
    ntb = gazetteer["NTB"]
    assert (ntb.name, ntb.aliases, ntb.kind, ntb.carries) == (
        "Norsk Telegrambyrå",
        ("Norsk Telegrambyrå", "NTB"),
        "text wire",
        ("AAP",),
    )
    # Overriding AP replaced its aliases and kept everything else.
    assert gazetteer["AP"].aliases == ("Associated Press", "AP", "The AP")
    assert gazetteer["AP"].kind == builtin["AP"].kind
    assert gazetteer["AP"].false_friends == builtin["AP"].false_friends
    # Redistribution follows chains: NTB carries AAP, which carries AP.
    assert gazetteer.redistributes("NTB", "AAP") and gazetteer.redistributes("NTB", "AP")
    assert "NTB" not in builtin  # the built-in list is untouched

    text = "OSLO (NTB) - Norway's central bank left its key rate unchanged on Thursday."
    [credit] = extract_credits(Document(index=0, doc_id="x", text=text, source="x"), gazetteer)
    assert (credit.agency, credit.kind, text[credit.start : credit.end]) == ("NTB", "dateline", "NTB")


def test_yml_suffix_and_name_as_default_alias(tmp_path: Path) -> None:
    path = _write(tmp_path, "extra.yml", "agencies:\n  - id: Lusa\n    name: Lusa\n    kind: both\n")
    lusa = load_gazetteer(path)["Lusa"]
    assert (lusa.aliases, lusa.kind) == (("Lusa",), "both")


MALFORMED = [
    ("bad.toml", "[[agencies]\nid = 'X'\n", "invalid TOML"),
    ("bad.yaml", "agencies:\n  - id: [unclosed\n", "invalid YAML"),
    ("top.toml", "[[agency]]\nid = 'NTB'\nname = 'NTB'\n", "unknown top-level key 'agency'"),
    ("list.yaml", "- id: NTB\n", "top-level 'agencies' list"),
    ("notlist.toml", "agencies = 'NTB'\n", "'agencies' must be a list"),
    ("key.toml", "[[agencies]]\nid = 'NTB'\nname = 'NTB'\nalias = ['NTB']\n", "unknown key 'alias'"),
    ("noid.yaml", "agencies:\n  - name: Norsk Telegrambyrå\n", "missing 'id'"),
    ("noname.toml", "[[agencies]]\nid = 'NTB'\naliases = ['NTB']\n", "needs a name"),
    ("type.yaml", "agencies:\n  - id: NTB\n    name: NTB\n    aliases: NTB\n", "'aliases' must be a list of strings"),
    ("idtype.yaml", "agencies:\n  - id: 7\n    name: Seven\n", "'id' must be a string"),
    ("carries.toml", "[[agencies]]\nid = 'NTB'\nname = 'NTB'\ncarries = ['XYZ']\n", "unknown agency XYZ"),
    ("kind.toml", "[[agencies]]\nid = 'NTB'\nname = 'NTB'\nkind = 'wire'\n", "kind 'wire'"),
    ("clash.toml", "[[agencies]]\nid = 'NTB'\nname = 'NTB'\naliases = ['AP']\n", "'AP' is claimed by both AP and NTB"),
    ("twice.toml", "[[agencies]]\nid = 'NTB'\nname = 'N'\n[[agencies]]\nid = 'NTB'\nname = 'N'\n", "appears twice"),
    ("friend.toml", "[[agencies]]\nid = 'AP'\nfalse_friends = ['APEC']\n", "contains none of its names"),
    ("reserved.toml", "[[agencies]]\nid = 'UNNAMED'\nname = 'Nobody'\n", "'UNNAMED' is reserved"),
    ("empty.yaml", "", "top-level 'agencies' list"),
    ("agencies.json", '{"agencies": []}', "must be .toml, .yaml or .yml"),
]


@pytest.mark.parametrize(("name", "text", "problem"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_user_file(tmp_path: Path, name: str, text: str, problem: str) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(ConfigError) as caught:
        load_gazetteer(path)
    message = str(caught.value)
    assert name in message and problem in message
    assert "\n" not in message


def test_missing_user_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nowhere\.toml: cannot read"):
        load_gazetteer(tmp_path / "nowhere.toml")


def test_agency_and_gazetteer_validate() -> None:
    with pytest.raises(ConfigError, match="no names|at least one name"):
        Agency(id="X", name="X", aliases=())
    with pytest.raises(ConfigError, match="cannot carry itself"):
        Agency(id="X", name="X", aliases=("X",), carries=("X",))
    with pytest.raises(ConfigError, match="defined twice"):
        Gazetteer([Agency(id="X", name="X", aliases=("X",)), Agency(id="X", name="Y", aliases=("Y",))])
    # A cycle of carriers is allowed and terminates.
    a_carries_b = Agency(id="A", name="A", aliases=("A",), carries=("B",))
    b_carries_a = Agency(id="B", name="B", aliases=("B",), carries=("A",))
    both = Gazetteer([a_carries_b, b_carries_a])
    assert both.redistributes("A", "B") and both.redistributes("B", "A") and not both.redistributes("A", "A")
