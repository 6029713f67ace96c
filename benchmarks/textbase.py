"""Fresh news-like text spliced from the Reuters-21578 bodies: the generator's raw material.

The base: the Reuters-21578 bodies (read with ``provenance.ingest.reuters.sgml_rows``, never
copied into the repository), cleaned so that only *planted* reuse can be shared: the "Reuter"
sign-off is stripped, all-capitals bodies are dropped, every body sharing a word 8-gram with an
earlier body is dropped (Reuters repeats corrected stories and templated items), and agency
names are removed, so that the only credits in a generated corpus are the planted ones. The
cleaned base is cached under benchmarks/data/cache/ (it takes ~10 s to build).

Splicing: a fresh text is a run of chunks of 3-5 consecutive base words taken at random
positions, with every number re-drawn and every stand-alone proper name swapped for another;
sentences (8-28 words) and paragraphs are re-assembled from the chunks. Vocabulary, word order
inside a chunk, abbreviations and number formats are real Reuters; but no chunk is anywhere near
8 words long, so two spliced texts share a run of 8+ words only when common phrases happen to
meet (``generate.check_overlap`` measures how rarely).

Edits: the light edits outlets make to wire copy, on the token arrays of a planted text.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xxhash

from provenance.ingest.reuters import sgml_rows
from provenance.passages import shingle_hashes64
from provenance.records import Skipped

log = logging.getLogger("benchmarks.textbase")

BASE_VERSION = 2


def reuters_folder() -> Path:
    """The Reuters-21578 folder: ``PROV_REUTERS``, else ``PROV_REUTERS_DIR``, else
    ``shared/corpora/reuters21578`` beside the repository. The one lookup of the corpus: the
    benchmarks' ``--reuters`` default and the tests' ``reuters_dir`` fixture both come here."""
    named = os.environ.get("PROV_REUTERS") or os.environ.get("PROV_REUTERS_DIR")
    if named:
        return Path(named).resolve()
    return Path(__file__).resolve().parents[2] / "shared" / "corpora" / "reuters21578"


REUTERS_DIR = reuters_folder()
CACHE_DIR = Path(__file__).resolve().parent / "data" / "cache"

HASH_MULT = np.uint64(0x9E3779B97F4A7C15)  # odd: multiplying by it is a bijection mod 2^64
_SENTINEL = "\x1f"  # ends each text in a batch render; never in the base (control characters are cleaned)

# Tokens dropped from the base text, so that no credit appears anywhere except where planted.
_BANNED = {
    "reuter", "reuters", "ap", "afp", "aap", "xinhua", "agence", "presse", "epa", "getty", "dpa", "upi",
    "kyodo", "tass", "ansa", "efe", "pti", "yonhap", "antara", "bernama", "bloomberg", "agencies",
}  # fmt: skip
_BANNED_EXACT = {"Associated"}


# --- the cleaned base text ------------------------------------------------------------------------


@dataclass(slots=True)
class Base:
    """The cleaned Reuters text as one token stream, and the tables splicing needs.

    ``words``/``seps``: per token, the word (an id into ``vocab``) and the separator after it
    (an id into ``sep_vocab``). ``numlen[i]`` > 0 marks a digits-only token to re-draw with that
    many digits (at most 4); ``proper[i]`` marks a stand-alone proper name to swap.
    """

    vocab: np.ndarray  # object: word strings (with case variants and drawn numbers)
    sep_vocab: np.ndarray  # object: separator strings
    words: np.ndarray  # int32
    seps: np.ndarray  # int32
    numlen: np.ndarray  # int8
    proper: np.ndarray  # bool
    cap_of: np.ndarray  # int32, word id -> capitalised variant id
    upper_of: np.ndarray  # int32
    lower_of: np.ndarray  # int32
    proper_pool: np.ndarray  # int32 word ids of proper names
    num_first: np.ndarray  # int64 [5]: first vocab id of the drawn numbers with L digits
    num_count: np.ndarray  # int64 [5]
    chunk_end: np.ndarray  # int32, sep id -> sep id ending a chunk (always with a space)
    special: dict[str, int]  # sep ids: space, comma, sentence, paragraph, end, none
    stats: dict[str, float | int] = field(default_factory=dict)
    _seps_end: np.ndarray | None = None

    @property
    def seps_end(self) -> np.ndarray:
        if self._seps_end is None:
            self._seps_end = np.array([s + _SENTINEL for s in self.sep_vocab], dtype=object)
        return self._seps_end


_SIGNOFF = re.compile(r"\s*\breuters?\s*\Z", re.IGNORECASE)
_TOKEN = re.compile(r"(\w+)(\W*)")
_SPACES = re.compile(r"\s+")


def reuters_files(reuters_dir: Path = REUTERS_DIR, limit: int | None = None) -> list[Path]:
    """The Reuters-21578 ``.sgm`` files, sorted, the first ``limit`` of them.

    Raises:
        FileNotFoundError: the folder holds no ``.sgm`` file.
    """
    paths = sorted(Path(reuters_dir).glob("*.sgm"))
    if not paths:
        raise FileNotFoundError(
            f"{reuters_dir}: no Reuters-21578 .sgm files; set PROV_REUTERS (or PROV_REUTERS_DIR) or pass --reuters DIR"
        )
    return paths[:limit] if limit else paths


def reuters_bodies(paths: list[Path]) -> list[str]:
    """Body texts of the Reuters files, in file order."""
    skipped: list[Skipped] = []
    bodies = [row["text"] for path in paths for _, row in sgml_rows(path, skipped)]
    for skip in skipped:
        log.warning("skipped %s", skip)
    return bodies


# Position-sensitive 64-bit hashes of every run of k token hashes: the library's own shingle hash.
ngram_hashes = shingle_hashes64


def shared_keys(keys: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Boolean mask over ``keys``: the key also occurs in another group. Pass distinct groups
    (e.g. ``np.arange``) to flag every key that occurs twice anywhere."""
    if keys.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    order = np.lexsort((groups, keys))
    k, g = keys[order], groups[order]
    same_key = k[1:] == k[:-1]
    run_id = np.concatenate([[0], np.cumsum(~same_key)])
    other_group = same_key & (g[1:] != g[:-1])
    run_shared = np.bincount(run_id[1:][other_group], minlength=int(run_id[-1]) + 1) > 0
    out = np.empty(keys.shape[0], dtype=bool)
    out[order] = run_shared[run_id]
    return out


def later_copies(keys: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Boolean mask over ``keys``: the key occurs in a group numbered lower than this one's."""
    if keys.shape[0] == 0:
        return np.zeros(0, dtype=bool)
    order = np.lexsort((groups, keys))
    k, g = keys[order], groups[order]
    run_start = np.concatenate([[True], k[1:] != k[:-1]])
    first_group = np.maximum.accumulate(np.where(run_start, np.arange(k.shape[0]), 0))
    out = np.empty(keys.shape[0], dtype=bool)
    out[order] = g > g[first_group]
    return out


def _word_hashes(vocab: list[str]) -> np.ndarray:
    return np.array([xxhash.xxh3_64_intdigest(w.lower().encode("utf-8")) for w in vocab], dtype=np.uint64)


def build_base(bodies: list[str]) -> Base:
    """Clean the bodies and build the splicing tables (see the module docstring)."""
    t0 = time.perf_counter()
    stats: dict[str, float | int] = {"bodies_read": len(bodies)}
    texts = []
    upper = 0
    for body in bodies:
        text = _SPACES.sub(" ", _SIGNOFF.sub("", body)).strip()
        letters = sum(c.isalpha() for c in text)
        if letters and sum(c.isupper() for c in text) > letters / 2:
            upper += 1
            continue
        if text:
            texts.append(text)
    stats["dropped_all_capitals"] = upper

    vdict: dict[str, int] = {}
    sdict: dict[str, int] = {}
    word_ids: list[int] = []
    sep_raw: list[int] = []
    body_of: list[int] = []
    for b, text in enumerate(texts):
        pairs = _TOKEN.findall(text)
        word_ids.extend(vdict.setdefault(w, len(vdict)) for w, _ in pairs)
        sep_raw.extend(sdict.setdefault(s, len(sdict)) for _, s in pairs)
        body_of.extend([b] * len(pairs))
    vocab = list(vdict)
    words = np.array(word_ids, dtype=np.int32)
    seps = np.array(sep_raw, dtype=np.int32)
    body = np.array(body_of, dtype=np.int64)

    # Drop every body sharing a word 8-gram (case-folded) with an earlier body: the first copy of
    # a repeated story or template stays, so the kept bodies share no 8-gram at all.
    lowhash = _word_hashes(vocab)[words]
    grams = ngram_hashes(lowhash, 8)
    inside = body[: grams.shape[0]] == body[7 : 7 + grams.shape[0]]
    gram_body = body[: grams.shape[0]][inside]
    later = later_copies(grams[inside], gram_body)
    bad_bodies = np.unique(gram_body[later])
    keep_body = np.ones(len(texts), dtype=bool)
    keep_body[bad_bodies] = False
    stats["dropped_shared_8gram"] = int(bad_bodies.shape[0])
    stats["bodies_kept"] = int(keep_body.sum())

    # Reference figure for --check: how often a word 5-gram of one kept body occurs in another.
    grams5 = ngram_hashes(lowhash, 5)
    in5 = (body[: grams5.shape[0]] == body[4 : 4 + grams5.shape[0]]) & keep_body[body[: grams5.shape[0]]]
    stats["reuters_shared_5gram_rate"] = round(float(shared_keys(grams5[in5], body[: grams5.shape[0]][in5]).mean()), 4)

    banned = np.array([w.lower() in _BANNED or w in _BANNED_EXACT for w in vocab], dtype=bool)
    keep = keep_body[body] & ~banned[words]
    # the token before a dropped banned token keeps its own separator; a body's last one gets a space
    last_of_body = np.concatenate([body[1:] != body[:-1], [True]])
    words, seps, last_of_body = words[keep], seps[keep], last_of_body[keep]
    stats["tokens"] = int(words.shape[0])

    # Separators: glue without a space ("." in 3.5, "'" in company's, "-") stays; any separator
    # with a space keeps only its comma: sentence ends and paragraphs are the generator's.
    sep_strings = list(sdict)
    norm = []
    for s in sep_strings:
        s = _SPACES.sub(" ", s)
        norm.append(s if s and " " not in s else (", " if "," in s else " "))
    sep_vocab: list[str] = []
    sep_index: dict[str, int] = {}

    def sep_id(s: str) -> int:
        if s not in sep_index:
            sep_index[s] = len(sep_vocab)
            sep_vocab.append(s)
        return sep_index[s]

    specials = [("space", " "), ("comma", ", "), ("sentence", ". "), ("paragraph", ".\n\n"), ("end", "."), ("none", "")]
    special = {name: sep_id(s) for name, s in specials}
    remap = np.array([sep_id(s) for s in norm], dtype=np.int32)
    seps = remap[seps]
    seps[last_of_body] = special["space"]
    # a chunk ends with a space (glue such as "." in 3.5 would fuse it with the next chunk)
    chunk_end = np.array(
        [sid if " " in s or "\n" in s else special["space"] for sid, s in enumerate(sep_vocab)], dtype=np.int32
    )
    sep_has_space = np.array([" " in s for s in sep_vocab], dtype=bool)

    # Word classes: digits-only tokens are re-drawn; stand-alone proper names are swapped.

    is_digits = np.array([w.isdigit() and w.isascii() for w in vocab], dtype=bool)
    wlen = np.array([len(w) for w in vocab], dtype=np.int8)
    numlen = np.where(is_digits[words], np.minimum(wlen[words], 4), 0).astype(np.int8)
    lower_ids: dict[str, int] = {}
    low_of_word = np.array([lower_ids.setdefault(w.lower(), len(lower_ids)) for w in vocab], dtype=np.int64)
    capital = np.array([w[:1].isupper() for w in vocab], dtype=bool)
    total = np.bincount(low_of_word[words], minlength=len(lower_ids))
    capped = np.bincount(low_of_word[words], weights=capital[words], minlength=len(lower_ids))
    proper_word = capital & (capped[low_of_word] >= 0.9 * total[low_of_word]) & ~is_digits
    prev_space = np.concatenate([[True], sep_has_space[seps[:-1]]])
    proper = proper_word[words] & prev_space & sep_has_space[seps]
    proper_pool = np.unique(words[proper]).astype(np.int32)

    # Case variants and drawn numbers are appended to the vocabulary.
    index = dict(vdict)

    def variant(w: str) -> int:
        got = index.get(w)
        if got is None:
            got = index[w] = len(vocab)
            vocab.append(w)
        return got

    cap_l: list[int] = []
    upper_l: list[int] = []
    lower_l: list[int] = []
    i = 0
    while i < len(vocab):  # variants of variants too, until closed
        w = vocab[i]
        cap_l.append(variant(w[:1].upper() + w[1:]))
        upper_l.append(variant(w.upper()))
        lower_l.append(variant(w.lower()))
        i += 1
    num_first = np.zeros(5, dtype=np.int64)
    num_count = np.zeros(5, dtype=np.int64)
    for digits in range(1, 5):
        lo = 0 if digits == 1 else 10 ** (digits - 1)
        num_first[digits] = len(vocab)
        num_count[digits] = 10**digits - lo
        vocab.extend(str(v) for v in range(lo, 10**digits))
    n_all = len(vocab)

    def extend(ids: list[int]) -> np.ndarray:  # drawn numbers are their own variants
        return np.concatenate([np.array(ids, dtype=np.int32), np.arange(len(ids), n_all, dtype=np.int32)])

    stats["proper_names"] = int(proper_pool.shape[0])
    stats["share_numbers"] = round(float((numlen > 0).mean()), 4)
    stats["share_proper"] = round(float(proper.mean()), 4)
    stats["seconds"] = round(time.perf_counter() - t0, 2)
    return Base(
        vocab=np.array(vocab, dtype=object),
        sep_vocab=np.array(sep_vocab, dtype=object),
        words=words,
        seps=seps,
        numlen=numlen,
        proper=proper,
        cap_of=extend(cap_l),
        upper_of=extend(upper_l),
        lower_of=extend(lower_l),
        proper_pool=proper_pool,
        num_first=num_first,
        num_count=num_count,
        chunk_end=chunk_end,
        special=special,
        stats=stats,
    )


def load_base(reuters_dir: Path = REUTERS_DIR, files: int | None = None, cache_dir: Path | None = CACHE_DIR) -> Base:
    """The cleaned base built from the Reuters files, from a pickle cache when one matches.

    The cache key covers the builder version and the names, sizes and times of the files read.

    Raises:
        FileNotFoundError: see ``reuters_files``.
    """
    paths = reuters_files(reuters_dir, files)
    key = hashlib.sha1(
        "|".join([str(BASE_VERSION)] + [f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in paths]).encode()
    ).hexdigest()[:16]
    cached = cache_dir / f"reuters-base-{key}.pickle" if cache_dir else None
    if cached is not None and cached.exists():
        with cached.open("rb") as handle:
            return Base(**pickle.load(handle))
    t0 = time.perf_counter()
    base = build_base(reuters_bodies(paths))
    base.stats["files"] = len(paths)
    base.stats["seconds"] = round(time.perf_counter() - t0, 2)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".tmp-{os.getpid()}")
        with tmp.open("wb") as handle:
            # a dict of plain values: unpickling must not depend on which module ran as __main__
            fields = {name: getattr(base, name) for name in Base.__dataclass_fields__ if not name.startswith("_")}
            pickle.dump(fields, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cached)
    return base


# --- splicing and rendering -----------------------------------------------------------------------

CHUNK_MIN, CHUNK_MAX = 3, 5  # short enough that two texts share 8 words only by planting (see check_overlap)


@dataclass(slots=True)
class Spliced:
    """Token arrays of a batch of fresh texts: text ``i`` is tokens ``bounds[i]:bounds[i+1]``;
    ``sentence_start`` marks the first token of every sentence."""

    words: np.ndarray
    seps: np.ndarray
    bounds: np.ndarray
    sentence_start: np.ndarray  # bool per token


def splice(
    base: Base, rng: np.random.Generator, lengths: np.ndarray, para_prob: float = 0.0, end: str = "end"
) -> Spliced:
    """Fresh texts of the given word counts (each at least 1), spliced from base chunks.

    Sentences are 8-28 words (none shorter than 4 at a text's edges); each sentence end is a
    paragraph end with probability ``para_prob``; every text ends with the separator ``end``.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    n_base = base.words.shape[0]
    lens = rng.integers(CHUNK_MIN, CHUNK_MAX + 1, total // CHUNK_MIN + 2)
    cum = np.cumsum(lens)
    k = int(np.searchsorted(cum, total)) + 1
    lens = lens[:k].copy()
    lens[-1] -= int(cum[k - 1]) - total
    cum = np.cumsum(lens)
    starts = rng.integers(0, n_base - CHUNK_MAX, k)
    pos = np.arange(total, dtype=np.int64) + np.repeat(starts - (cum - lens), lens)
    words = base.words[pos].copy()
    seps = base.seps[pos].copy()
    last = cum - 1
    seps[last] = base.chunk_end[seps[last]]

    nl = base.numlen[pos]
    m = nl > 0
    if m.any():
        drawn = (rng.random(int(m.sum())) * base.num_count[nl[m]]).astype(np.int64)
        words[m] = base.num_first[nl[m]] + drawn
    m = base.proper[pos]
    if m.any():
        words[m] = base.proper_pool[rng.integers(0, base.proper_pool.shape[0], int(m.sum()))]

    bounds = np.concatenate([[0], np.cumsum(lengths)])
    ts, te = bounds[:-1], bounds[1:]
    ends = np.zeros(total, dtype=bool)
    sent = np.cumsum(rng.integers(8, 29, total // 8 + 2)) - 1
    ends[sent[sent < total]] = True
    for j in (0, 1, 2):  # no sentence shorter than 4 words at a text's start
        idx = ts + j
        ends[idx[idx < te - 1]] = False
    for j in (1, 2, 3):  # ... or at its end
        idx = te - 1 - j
        ends[idx[idx >= ts]] = False
    ends[te - 1] = True
    end_pos = np.flatnonzero(ends)
    para = rng.random(end_pos.shape[0]) < para_prob if para_prob > 0 else np.zeros(end_pos.shape[0], dtype=bool)
    seps[end_pos] = np.where(para, base.special["paragraph"], base.special["sentence"])
    seps[te - 1] = base.special[end]
    start = np.zeros(total, dtype=bool)
    start[ts] = True
    nxt = end_pos + 1
    start[nxt[nxt < total]] = True
    words[start] = base.cap_of[words[start]]
    return Spliced(words, seps, bounds, start)


def render(base: Base, words: np.ndarray, seps: np.ndarray, bounds: np.ndarray) -> list[str]:
    """The strings of texts given as token arrays (text ``i``: ``bounds[i]:bounds[i+1]``, non-empty)."""
    n = words.shape[0]
    if n == 0:
        return []
    pieces = np.empty(2 * n, dtype=object)
    pieces[0::2] = base.vocab[words]
    sep_strings = base.sep_vocab[seps]
    last = bounds[1:] - 1
    sep_strings[last] = base.seps_end[seps[last]]
    pieces[1::2] = sep_strings
    return "".join(pieces.tolist()).split(_SENTINEL)[:-1]


def render_one(base: Base, words: np.ndarray, seps: np.ndarray) -> str:
    """One text given as token arrays."""
    pieces = np.empty(2 * words.shape[0], dtype=object)
    pieces[0::2] = base.vocab[words]
    pieces[1::2] = base.sep_vocab[seps]
    return "".join(pieces.tolist())


# --- edits ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class Text:
    """A planted text as tokens, with the index of each sentence's first token."""

    words: np.ndarray
    seps: np.ndarray
    sentences: np.ndarray  # int64, sorted, starts with 0


def light_edit(base: Base, text: Text, rnd: random.Random, allow_cut: bool = True) -> tuple[Text, list[str]]:
    """A lightly edited copy of a text: 1-2 of dropped words, two words swapped, changed case,
    changed punctuation, and (for texts of 4+ sentences, when ``allow_cut``) a middle sentence
    removed. Returns the copy and the names of the edits made."""
    words, seps, sents = text.words.copy(), text.seps.copy(), text.sentences.copy()
    options = ["drop", "swap", "case", "punctuation"]
    if allow_cut and sents.shape[0] >= 4:
        options.append("cut")
    made = rnd.sample(options, rnd.choice((1, 1, 2)))
    if "cut" in made:
        k = rnd.randrange(1, sents.shape[0] - 1)
        lo, hi = int(sents[k]), int(sents[k + 1])
        words = np.delete(words, np.s_[lo:hi])
        seps = np.delete(seps, np.s_[lo:hi])
        sents = np.concatenate([sents[:k], sents[k + 1 :] - (hi - lo)])
    n = words.shape[0]
    first = set(sents.tolist())
    inner = [i for i in range(1, n - 2) if i not in first and i + 1 not in first]
    if not inner:
        return Text(words, seps, sents), made
    if "swap" in made:
        i = rnd.choice(inner)
        words[i], words[i + 1] = words[i + 1], words[i]
    if "case" in made:
        if rnd.random() < 0.5:
            s = int(rnd.choice(sents.tolist()))
            words[s] = base.lower_of[words[s]]
        else:
            for i in rnd.sample(inner, min(len(inner), rnd.randint(1, 3))):
                words[i] = base.upper_of[words[i]]
    if "punctuation" in made:
        commas = np.flatnonzero(seps[:-1] == base.special["comma"])
        spaces = np.flatnonzero(seps[:-1] == base.special["space"])
        if commas.shape[0] and rnd.random() < 0.6:
            seps[int(rnd.choice(commas.tolist()))] = base.special["space"]
        elif spaces.shape[0]:
            seps[int(rnd.choice(spaces.tolist()))] = base.special["comma"]
    if "drop" in made:
        drop = sorted(rnd.sample(inner, min(len(inner), rnd.randint(1, 2))), reverse=True)
        for i in drop:
            words = np.delete(words, i)
            seps = np.delete(seps, i)
            sents = np.where(sents > i, sents - 1, sents)
    return Text(words, seps, sents), made


def caption_edit(base: Base, text: Text, rnd: random.Random) -> tuple[Text, list[str]]:
    """A caption with changed case or punctuation (outlets restyle captions, rarely reword them)."""
    words, seps = text.words.copy(), text.seps.copy()
    n = words.shape[0]
    if rnd.random() < 0.5:
        i = rnd.randrange(1, n)
        words[i] = base.upper_of[words[i]] if rnd.random() < 0.5 else base.cap_of[words[i]]
        return Text(words, seps, text.sentences), ["case"]
    spaces = np.flatnonzero(seps[:-1] == base.special["space"])
    if spaces.shape[0]:
        seps[int(rnd.choice(spaces.tolist()))] = base.special["comma"]
    return Text(words, seps, text.sentences), ["punctuation"]
