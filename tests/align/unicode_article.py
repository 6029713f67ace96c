"""A wire story full of accented names, and the copies of it that differ only in Unicode form.

The same story reaches an archive precomposed (NFC, as most editors save it), decomposed (NFD,
as macOS file names and some CMS exports hold it), and with the compatibility characters that
PDF extraction and East Asian input methods leave behind (ligatures, fullwidth letters). To a
reader all of them are one article.
"""

from __future__ import annotations

import unicodedata

ARTICLE = """HANOI, Vietnam (AFP) — Vietnam's trade minister Nguyễn Hồng Diên met his French counterpart \
Frédéric Lefèvre and Spain's José María Peñalosa in Hà Nội on Thursday, as the three governments \
pressed ahead with talks on a rice and coffee agreement that officials said could double exports \
within five years.

The meeting, held at the Ministry of Industry and Trade on Tràng Tiền street, followed weeks of \
negotiations in Brussels and Madrid. Lefèvre told reporters that French importers wanted \
"predictable rules, not promises", while Peñalosa said Spanish ports in València and Cádiz were \
ready to handle larger shipments of Vietnamese robusta.

Farmers in the Central Highlands province of Đắk Lắk, where most of the country's coffee is \
grown, have struggled with drought and rising fertiliser costs. Trần Thị Thu Hà, who runs a \
cooperative of 400 growers near Buôn Ma Thuột, said prices had risen by a third since January \
but that yields were down.

"We cannot sell what the rain does not give us," she said. The cooperative sells mostly to \
traders in Hồ Chí Minh City, who ship through the port of Cát Lái.

Officials from the European Commission, including the Portuguese negotiator João Gonçalves and \
the Belgian economist Hélène Dubois-Müller, are due in Đà Nẵng next month for a further round. \
A final text is expected before the end of the year, Diên's office said in a statement.
"""

NFC = unicodedata.normalize("NFC", ARTICLE)
NFD = unicodedata.normalize("NFD", ARTICLE)

# What a PDF extraction or a fullwidth input method makes of a few words: each of these folds
# back to the original under NFKC (and case folding, for the fullwidth capitals).
COMPAT_EDITS = {
    "(AFP)": "(ＡＦＰ)",  # fullwidth Latin capitals
    "officials": "oﬃcials",  # U+FB03 LATIN SMALL LIGATURE FFI
    "five": "ﬁve",  # U+FB01 LATIN SMALL LIGATURE FI
    "Brussels": "Ｂｒｕｓｓｅｌｓ",
    "400": "４００",  # fullwidth digits
    "final": "ﬁnal",
    "Officials": "Oﬃcials",
}


def compat_copy(text: str) -> str:
    """``text`` with the words of ``COMPAT_EDITS`` written in compatibility characters."""
    for plain, compat in COMPAT_EDITS.items():
        if plain not in text:
            raise ValueError(f"{plain!r} is not in the text: the edit would test nothing")
        text = text.replace(plain, compat)
    return text
