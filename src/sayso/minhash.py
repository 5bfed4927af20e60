"""Near-duplicate detection: MinHash signatures over word shingles, banded for LSH.

Syndicated copies and republications with small edits are one report, not several, when
claims are counted; an exact hash misses them and comparing every pair of articles does
not scale. A MinHash signature estimates the Jaccard similarity of two articles' sets of
word shingles; LSH bands turn "which stored articles might be similar" into a few indexed
lookups, so detection is incremental: each new article is compared with the store as it is.

Everything here is deterministic and independent of library versions (the permutations
come from hashlib, not a random generator): signatures stored by one run must match the
signatures the next run computes.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

# Shingles are runs of this many words (lower-cased): with 3, changing two words of a
# 150-word article changes at most 6 of its ~148 shingles (Jaccard ~0.92), and a
# 60-word copy with two words changed still scores ~0.8.
SHINGLE_WORDS = 3
PERMUTATIONS = 128
# 20 bands of 6 rows (the first 120 values): two articles become candidates with
# probability 1 - (1 - J**6) ** 20, which is 0.998 at J = 0.8, 0.27 at J = 0.5 and
# 0.015 at J = 0.3. Candidates are then checked on all 128 values.
BANDS = 20
ROWS = 6
# An article whose estimated Jaccard similarity to a stored one reaches this is a
# near-duplicate of it (the estimate's standard error at 0.8 is about 0.035).
DUPLICATE_THRESHOLD = 0.8

# (a * x + b) mod p with p = 2**31 - 1: x, a and b are below p, so a * x + b stays
# below 2**63 and uint64 arithmetic is exact.
_PRIME = (1 << 31) - 1
_WORD = re.compile(r"\w+")


def _coefficient(label: str, low: int) -> int:
    digest = hashlib.blake2b(label.encode("ascii"), digest_size=8).digest()
    return low + int.from_bytes(digest, "little") % (_PRIME - low)


_A = np.array([_coefficient(f"a{i}", 1) for i in range(PERMUTATIONS)], dtype=np.uint64)
_B = np.array([_coefficient(f"b{i}", 0) for i in range(PERMUTATIONS)], dtype=np.uint64)


def shingles(text: str) -> set[str]:
    """The article's word shingles; a text shorter than one shingle is one shingle."""
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature of ``text`` (PERMUTATIONS uint32 values), None without words."""
    items = shingles(text)
    if not items:
        return None
    hashes = np.fromiter(
        (_hash64(item) % _PRIME for item in items), dtype=np.uint64, count=len(items)
    )
    permuted = (_A[:, None] * hashes[None, :] + _B[:, None]) % _PRIME
    return permuted.min(axis=1).astype(np.uint32)


def similarity(first: np.ndarray, second: np.ndarray) -> float:
    """The estimated Jaccard similarity of two signatures: the share of equal values."""
    return float(np.mean(first == second))


def band_keys(sig: np.ndarray) -> list[int]:
    """One key per band (signed 64-bit, as SQL integers are); the band index is part of
    the key, so equal keys mean equal rows in the same band."""
    keys = []
    for band in range(BANDS):
        rows = sig[band * ROWS : (band + 1) * ROWS].astype("<u4").tobytes()
        digest = hashlib.blake2b(bytes([band]) + rows, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def to_bytes(sig: np.ndarray) -> bytes:
    """The signature as stored: little-endian uint32 values."""
    return sig.astype("<u4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    """A signature read back from the store."""
    return np.frombuffer(data, dtype="<u4").astype(np.uint32)


def _hash64(item: str) -> int:
    digest = hashlib.blake2b(item.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")
