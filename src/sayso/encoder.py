"""What every MiniLM-based model of sayso shares: the word-piece tokenizer, and an int8 ONNX
graph run with onnxruntime on batches of piece rows wrapped in [CLS] ... [SEP].

The persuasion model and the sentence embedder are both all-MiniLM-L6-v2 underneath, so they
read text the same way; only their heads differ.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

DATA_DIR = Path(str(files("sayso") / "data"))
# all-MiniLM-L6-v2's word-piece tokenizer, shared by every model fine-tuned from it
TOKENIZER_FILE = DATA_DIR / "minilm" / "tokenizer.json"


@dataclass
class Pieces:
    """The word pieces of a text: vocabulary ids and character offsets (end exclusive)."""

    ids: np.ndarray
    starts: np.ndarray
    ends: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


@cache
def load_tokenizer(path: Path = TOKENIZER_FILE) -> Any:
    """The encoder's word-piece tokenizer, with its truncation and padding switched off."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def split_pieces(tokenizer: Any, text: str) -> Pieces:
    """The word pieces of the whole text, with character offsets into it."""
    encoding = tokenizer.encode(text, add_special_tokens=False)
    offsets = np.array(encoding.offsets, dtype=np.int64).reshape(-1, 2)
    return Pieces(np.array(encoding.ids, dtype=np.int64), offsets[:, 0], offsets[:, 1])


def batch_inputs(rows: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Input ids and attention mask for rows of piece ids: [CLS] row [SEP], padded right."""
    tokenizer = load_tokenizer()
    cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    width = max(len(row) for row in rows) + 2
    input_ids = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.zeros_like(input_ids)
    for index, row in enumerate(rows):
        input_ids[index, 0] = cls_id
        input_ids[index, 1 : 1 + len(row)] = row
        input_ids[index, 1 + len(row)] = sep_id
        mask[index, : len(row) + 2] = 1
    return input_ids, mask


class OnnxEncoder:
    """One ONNX graph taking ``input_ids`` and ``attention_mask``; safe to share between
    threads (runs are serialised, each already using every core it is given)."""

    def __init__(self, model_file: Path, threads: int | None = None) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        self.session = onnxruntime.InferenceSession(
            str(model_file), options, providers=["CPUExecutionProvider"]
        )
        self._lock = threading.Lock()

    def run(self, rows: Sequence[Sequence[int]]) -> list[np.ndarray]:
        """The graph's outputs for a batch of piece rows."""
        input_ids, mask = batch_inputs(rows)
        with self._lock:
            return self.session.run(None, {"input_ids": input_ids, "attention_mask": mask})
