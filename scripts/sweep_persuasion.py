"""Train the persuasion model under several settings at once and rank them on ``tune``.

Each setting (and seed, with ``--seeds``) runs ``scripts/train_persuasion.py --no-export`` in
its own process (several share one GPU well: the encoder is small), keeps its best epoch on
``tune`` and saves a checkpoint. The table (``summary.tsv`` in the log folder, rewritten as
each run ends) ranks the runs by ``tune`` span F1 plus technique micro-F1. ``--soup`` also
averages the weights of every finished run into ``soup.pt`` (a "model soup": runs fine-tuned
from the same encoder can be averaged, and the average varies less from seed to seed than any
one run). Export a checkpoint with ``scripts/train_persuasion.py --resume FILE``.
``validation`` is never read here.

    python scripts/sweep_persuasion.py --log-dir /tmp/sweep --parallel 8 -- --encoder DIR
    python scripts/sweep_persuasion.py --log-dir /tmp/soup --only lr2e-4 --seeds 8 --soup
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

TRAIN = Path(__file__).with_name("train_persuasion.py")
# name -> train_persuasion.py options; "base" is the shipped model's recipe
SETTINGS: dict[str, list[str]] = {
    "base": [],
    "epochs10": ["--epochs", "10"],
    "lr5e-5": ["--lr", "5e-5", "--epochs", "10"],
    "lr2e-4": ["--lr", "2e-4", "--epochs", "8"],
    "pos1": ["--pos-weight", "1", "--epochs", "8"],
    "pos4": ["--pos-weight", "4", "--epochs", "8"],
    "class1.5": ["--class-weight", "1.5", "--epochs", "8"],
    "class3": ["--class-weight", "3", "--epochs", "8"],
    "window512": ["--max-tokens", "512", "--epochs", "8"],
    "batch8": ["--batch", "8", "--epochs", "8"],
    "batch32": ["--batch", "32", "--lr", "2e-4", "--epochs", "10"],
    "epochs8": ["--epochs", "8"],
    "class1.5-window512": ["--class-weight", "1.5", "--max-tokens", "512", "--epochs", "10"],
    # round two, around the best of round one (lr2e-4); its seeds 14 and 15 ran with --seeds
    "lr3e-4": ["--lr", "3e-4", "--epochs", "8"],
    "lr2e-4-epochs12": ["--lr", "2e-4", "--epochs", "12"],
    "lr2e-4-batch8": ["--lr", "2e-4", "--batch", "8", "--epochs", "8"],
    "lr2e-4-pos4": ["--lr", "2e-4", "--pos-weight", "4", "--epochs", "8"],
    "lr2e-4-window512": ["--lr", "2e-4", "--max-tokens", "512", "--epochs", "8"],
    "lr2e-4-class1.5": ["--lr", "2e-4", "--class-weight", "1.5", "--epochs", "8"],
}
COLUMNS = ("name", "epoch", "tune_si_f1", "tune_tc_micro_f1", "tune_tc_macro_f1", "seconds")


def chosen_epoch(log: Path) -> dict | None:
    """The JSON line train_persuasion.py prints after training (None if it never got there)."""
    for line in reversed(log.read_text(errors="replace").splitlines()):
        if line.startswith("{") and '"epoch"' in line:
            return json.loads(line)
    return None


def write_summary(log_dir: Path, results: dict[str, dict]) -> list[dict]:
    ranked = sorted(
        results.values(), key=lambda r: -(r.get("tune_si_f1", 0) + r.get("tune_tc_micro_f1", 0))
    )
    lines = ["\t".join(COLUMNS)]
    for row in ranked:
        lines.append("\t".join(str(row.get(column, "")) for column in COLUMNS))
    (log_dir / "summary.tsv").write_text("\n".join(lines) + "\n")
    return ranked


def soup(log_dir: Path, names: list[str]) -> Path:
    """The uniform average of the runs' weights, saved as a checkpoint ``--resume`` reads."""
    import torch

    checkpoints = [torch.load(log_dir / f"{name}.pt", map_location="cpu") for name in names]
    states = [checkpoint["state"] for checkpoint in checkpoints]
    averaged = {
        key: torch.stack([state[key].float() for state in states]).mean(0).to(value.dtype)
        if value.is_floating_point()
        else value
        for key, value in states[0].items()
    }
    target = log_dir / "soup.pt"
    torch.save(
        {"state": averaged, "chosen": {"soup_of": names}, "args": checkpoints[0]["args"]}, target
    )
    return target


def runs(names: list[str], seeds: int) -> dict[str, list[str]]:
    """Run name -> train_persuasion.py options, one run per setting and seed."""
    if seeds == 1:
        return {name: SETTINGS[name] for name in names}
    return {
        f"{name}-seed{seed}": [*SETTINGS[name], "--seed", str(seed)]
        for name in names
        for seed in range(13, 13 + seeds)
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log-dir", type=Path, required=True)
    parser.add_argument("--parallel", type=int, default=2, help="runs at once")
    parser.add_argument("--only", nargs="+", choices=sorted(SETTINGS), help="these settings")
    parser.add_argument("--seeds", type=int, default=1, help="runs of each setting (seeds 13...)")
    parser.add_argument("--soup", action="store_true", help="average the finished runs' weights")
    parser.add_argument("rest", nargs=argparse.REMAINDER, help="-- then options for every run")
    args = parser.parse_args()
    shared = [option for option in args.rest if option != "--"]
    options = runs(args.only or list(SETTINGS), args.seeds)
    args.log_dir.mkdir(parents=True, exist_ok=True)
    environment = os.environ | {"OMP_NUM_THREADS": "2", "PYTHONUNBUFFERED": "1"}

    waiting = list(options)
    running: dict[str, tuple[subprocess.Popen, float]] = {}
    results: dict[str, dict] = {}
    while waiting or running:
        while waiting and len(running) < args.parallel:
            name = waiting.pop(0)
            command = [
                sys.executable,
                str(TRAIN),
                "--no-export",
                "--checkpoint",
                str(args.log_dir / f"{name}.pt"),
                *options[name],
                *shared,
            ]
            log = (args.log_dir / f"{name}.log").open("w")
            process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=environment
            )
            running[name] = (process, time.time())
            print(f"started {name}", flush=True)
        time.sleep(1)
        for name, (process, started) in list(running.items()):
            if process.poll() is None:
                continue
            del running[name]
            chosen = chosen_epoch(args.log_dir / f"{name}.log")
            outcome = "failed" if chosen is None else json.dumps(chosen)
            print(f"{name} ended ({process.returncode}): {outcome}", flush=True)
            results[name] = {"name": name, "seconds": round(time.time() - started)} | (chosen or {})
            write_summary(args.log_dir, results)
    ranked = write_summary(args.log_dir, results)
    print((args.log_dir / "summary.tsv").read_text())
    if ranked and "epoch" in ranked[0]:
        print(f"best on tune: {ranked[0]['name']} ({args.log_dir / ranked[0]['name']}.pt)")
    finished = [row["name"] for row in ranked if "epoch" in row]
    if args.soup and finished:
        print(f"soup of {len(finished)} runs: {soup(args.log_dir, finished)}")


if __name__ == "__main__":
    main()
