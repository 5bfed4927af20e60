"""A bounded load test of the web app's analysis endpoint, against 127.0.0.1 only.

Starts ``sayso serve`` (without a store) in a subprocess on a free local port, then:
1. POSTs short articles to ``/api/analyze`` with ``fast`` from a few client threads, at most
   ``--requests`` requests and ``--seconds`` seconds, and prints requests/s and p50/p99
   latency;
2. starts one long analysis (the article repeated, with techniques, frames and genre) and,
   while it runs, GETs ``/`` every 50 ms, printing that page's latency: the analysis runs on
   a worker thread, so the home page should stay fast.

This is a benchmark, not a test: it reports and exits 0.

    .venv/bin/python benchmarks/bench_web.py [--requests 300] [--seconds 60] [--clients 4]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

HOST = "127.0.0.1"
ARTICLES = [
    "The city council said on Friday that the new library would open two months late, after "
    "a dispute with the builders over the cost of the roof, the Northfield Courier reported.",
    "According to the Valley Gazette, inspectors found cracks in two of the bridge's piers "
    "during a routine check last week, and the ministry said repairs would take three months.",
    '"We will not dig another metre until the survey is finished," said Tomas Eriksen, the '
    "port authority's chief engineer, two weeks after fishermen complained about silt.",
]
LONG_REPEATS = 100


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _start(port: int) -> subprocess.Popen[bytes]:
    code = f"from sayso.web import serve; serve(None, host={HOST!r}, port={port})"
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _wait_ready(client: httpx.Client, limit_s: float = 180) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit_s:
        try:
            if client.get("/").status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("bench_web: the app did not start")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def load(client: httpx.Client, requests: int, seconds: float, clients: int) -> None:
    """POST short articles with fast=true from ``clients`` threads, within both bounds."""
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()

    def one(index: int) -> None:
        nonlocal failures
        if time.perf_counter() > deadline:
            return
        body = {"text": ARTICLES[index % len(ARTICLES)], "fast": True}
        started = time.perf_counter()
        response = client.post("/api/analyze", json=body, timeout=120)
        with lock:
            latencies.append(time.perf_counter() - started)
            failures += response.status_code != 200

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, range(requests)))
    elapsed = time.perf_counter() - started
    if not latencies:
        print("load: no request finished")
        return
    print(
        f"load: {len(latencies)} requests ({failures} failed) from {clients} clients in "
        f"{elapsed:.1f} s: {len(latencies) / elapsed:.1f} requests/s; latency "
        f"p50 {_percentile(latencies, 0.5) * 1000:.0f} ms, "
        f"p99 {_percentile(latencies, 0.99) * 1000:.0f} ms"
    )


def responsiveness(client: httpx.Client) -> None:
    """GET / every 50 ms while one long full analysis runs."""
    text = "\n\n".join(ARTICLES * LONG_REPEATS)
    result: dict[str, float] = {}

    def long_analysis() -> None:
        started = time.perf_counter()
        response = client.post("/api/analyze", json={"text": text}, timeout=600)
        result["seconds"] = time.perf_counter() - started
        result["status"] = response.status_code

    worker = threading.Thread(target=long_analysis)
    worker.start()
    time.sleep(0.2)
    latencies: list[float] = []
    while worker.is_alive():
        started = time.perf_counter()
        client.get("/", timeout=60)
        latencies.append(time.perf_counter() - started)
        time.sleep(0.05)
    worker.join()
    print(
        f"long analysis: {len(text):,} characters, {result['seconds']:.1f} s "
        f"(status {int(result['status'])})"
    )
    if latencies:
        print(
            f"GET / meanwhile: {len(latencies)} requests, latency p50 "
            f"{statistics.median(latencies) * 1000:.0f} ms, p99 "
            f"{_percentile(latencies, 0.99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="Most analysis requests.")
    parser.add_argument("--seconds", type=float, default=60, help="Most seconds of load.")
    parser.add_argument("--clients", type=int, default=4, help="Concurrent client threads.")
    args = parser.parse_args()
    port = _free_port()
    server = _start(port)
    try:
        with httpx.Client(base_url=f"http://{HOST}:{port}") as client:
            print(f"app ready in {_wait_ready(client):.1f} s (pipeline loaded at start-up)")
            load(client, max(1, args.requests), max(1.0, args.seconds), max(1, args.clients))
            responsiveness(client)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
