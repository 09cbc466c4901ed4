"""Soak: imports, lead changes and rankings together against 2 workers on PostgreSQL.

Starts ``python -m service --workers 2`` on a new PostgreSQL database (seeded with the bundled
sample) on a loopback port, then for ``--minutes`` runs at the same time:

* an importer: every few seconds a CSV of new enterprises (and updates of earlier ones);
* lead trackers: ``PUT /parks/{park}/leads/{enterprise}`` with changing status, owner, note;
* rankers: ``GET /parks/{park}/leads`` with filters and pages, ``GET /enterprises/{id}/parks``,
  and now and then an XLSX export.

It reports per kind of request the count, errors (any 5xx, transport error or unexpected
status; target 0) and latency (p50/p90/p99/max), and at the end checks every row: each imported
enterprise is in the database and, once both workers have caught up, in the index they serve;
each lead's status is the last one written and its history holds every change (nothing lost).

    PARKMATCH_TEST_POSTGRES_URL=postgresql+psycopg://user:pw@127.0.0.1/postgres \\
        python benchmarks/bench_soak.py --minutes 3
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx
import numpy as np
from sqlalchemy import create_engine, func, make_url, select, text
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from service import store  # noqa: E402

KEY = "soak-key-0123456789abcdef"
HEADERS = {"X-API-Key": KEY}
STATUSES = ["new", "contacted", "visited", "negotiating", "signed", "settled", "abandoned"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Recorder:
    """Latencies and errors per kind of request (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    def call(self, kind: str, send, ok=(200,)) -> httpx.Response | None:
        start = time.perf_counter()
        try:
            r = send()
        except httpx.HTTPError as exc:
            with self.lock:
                self.errors[kind].append(f"{type(exc).__name__}: {exc}")
            return None
        elapsed = time.perf_counter() - start
        with self.lock:
            self.times[kind].append(elapsed)
            if r.status_code not in ok:
                self.errors[kind].append(f"{r.status_code}: {r.text[:200]}")
        return r


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--rankers", type=int, default=4, help="ranking client threads")
    parser.add_argument("--trackers", type=int, default=2, help="lead-change client threads")
    parser.add_argument("--batch", type=int, default=200, help="enterprises per import")
    parser.add_argument("--import-every", type=float, default=5.0, help="seconds between imports")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--postgres", default=os.environ.get("PARKMATCH_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    if not args.postgres:
        raise SystemExit("需要 PostgreSQL：--postgres URL 或 PARKMATCH_TEST_POSTGRES_URL")

    base = make_url(args.postgres)
    name = f"pm_soak_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = base.set(database=name).render_as_string(hide_password=False)
    folder = Path(tempfile.mkdtemp(prefix="parkmatch-soak-"))
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "PARKMATCH_DATABASE_URL": url,
        "PARKMATCH_API_KEYS": json.dumps({"soak": KEY}),
        "PARKMATCH_SNAPSHOT_DIR": str(folder / "snapshots"),
        "PARKMATCH_MODELS_DIR": str(folder / "models"),
        "PARKMATCH_SECRET_KEY": "soak-server-secret-0123456789",
        "PARKMATCH_LOG_LEVEL": "warning",
    }
    log = (folder / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "service", "--port", str(port), "--workers", str(args.workers)],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = f"http://127.0.0.1:{port}"
    rec = Recorder()
    imported: list[str] = []
    expected_status: dict[tuple[str, str], str] = {}
    changes: dict[tuple[str, str], int] = defaultdict(int)
    state_lock = threading.Lock()
    lead_lock = threading.Lock()
    try:
        with httpx.Client(base_url=server, timeout=30) as http:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                try:
                    h = http.get("/health").json()
                    if h["index"]["state"] == "ready" and not h["index"]["pending"]:
                        break
                except (httpx.HTTPError, ValueError):
                    pass
                time.sleep(0.5)
            else:
                raise SystemExit("服务未就绪：" + (folder / "server.log").read_text())
            parks = [p["park_id"] for p in http.get("/parks", params={"limit": 100}).json()["data"]]
            sample_ents = [
                e["enterprise_id"]
                for e in http.get("/enterprises", params={"limit": 500}).json()["data"]
            ]
        print(f"服务就绪：{args.workers} 个工作进程，PostgreSQL 数据库 {name}，端口 {port}")
        stop = threading.Event()

        def importer() -> None:
            batch = 0
            with httpx.Client(base_url=server, timeout=120) as http:
                while not stop.is_set():
                    batch += 1
                    ids = [f"S{batch:04d}-{i:04d}" for i in range(args.batch)]
                    rows = ["enterprise_id,name,industry_code,business_scope,county,employees"]
                    rows += [
                        f"{e},浸泡测试企业{e},3252,铝板带箔、铝型材的生产与销售,巩义市,{10 + i % 90}"
                        for i, e in enumerate(ids)
                    ]
                    if imported:  # update some earlier ones too
                        for e in random.sample(imported, min(20, len(imported))):
                            rows.append(f"{e},浸泡测试企业{e}（更新）,3252,铝型材加工,荥阳市,50")
                    files = {"file": (f"soak-{batch}.csv", ("\n".join(rows) + "\n").encode())}
                    r = rec.call(
                        "import",
                        lambda f=files: http.post("/imports/enterprises", files=f, headers=HEADERS),
                    )
                    if r is not None and r.status_code == 200:
                        with state_lock:
                            imported.extend(ids)
                    stop.wait(args.import_every)

        def tracker(seed: int) -> None:
            rng = random.Random(seed)
            n = 0
            with httpx.Client(base_url=server, timeout=30) as http:
                while not stop.is_set():
                    park, ent = rng.choice(parks), rng.choice(sample_ents)
                    n += 1
                    body = {
                        "status": rng.choice(STATUSES),
                        "owner": f"干部{seed}",
                        "note": f"浸泡测试 {seed}-{n}",
                    }
                    with lead_lock:  # one lead write at a time keeps "the last write" exact
                        r = rec.call(
                            "lead_change",
                            lambda p=park, e=ent, b=body: http.put(
                                f"/parks/{p}/leads/{e}", json=b, headers=HEADERS
                            ),
                        )
                        if r is not None and r.status_code == 200:
                            expected_status[(park, ent)] = body["status"]
                            changes[(park, ent)] += 1

        def ranker(seed: int) -> None:
            rng = random.Random(1000 + seed)
            with httpx.Client(base_url=server, timeout=30) as http:
                while not stop.is_set():
                    roll = rng.random()
                    park = rng.choice(parks)
                    if roll < 0.75:
                        params: dict[str, object] = {
                            "limit": 20,
                            "offset": rng.choice([0, 0, 20, 40]),
                        }
                        if rng.random() < 0.3:
                            params["county"] = rng.choice(["巩义市", "荥阳市", "新郑市"])
                        if rng.random() < 0.2:
                            params["status"] = "untracked"
                        rec.call(
                            "leads",
                            lambda p=park, q=params: http.get(f"/parks/{p}/leads", params=q),
                        )
                    elif roll < 0.97:
                        ent = rng.choice(sample_ents)
                        rec.call(
                            "enterprise_parks", lambda e=ent: http.get(f"/enterprises/{e}/parks")
                        )
                    else:
                        rec.call(
                            "export_xlsx",
                            lambda p=park: http.get(
                                f"/exports/parks/{p}/leads", params={"rows": 200}
                            ),
                        )

        threads = [threading.Thread(target=importer)]
        threads += [threading.Thread(target=tracker, args=(i,)) for i in range(args.trackers)]
        threads += [threading.Thread(target=ranker, args=(i,)) for i in range(args.rankers)]
        started = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(args.minutes * 60)
        stop.set()
        for t in threads:
            t.join(120)
        duration = time.monotonic() - started

        # ---- every row checked
        with httpx.Client(base_url=server, timeout=60) as http:
            deadline = time.monotonic() + 300
            versions: set[int] = set()
            while time.monotonic() < deadline:
                healths = [http.get("/health").json() for _ in range(8)]  # both workers answer
                versions = {h["index"]["version"] for h in healths}
                if all(not h["index"]["pending"] for h in healths) and len(versions) == 1:
                    break
                time.sleep(1)
        engine = create_engine(url)
        with Session(engine) as session:
            stored = set(session.scalars(select(store.Enterprise.enterprise_id)))
            n_db_ents = len(stored)
            statuses = {
                (s.park_id, s.enterprise_id): s.status
                for s in session.scalars(select(store.LeadStatus))
            }
            H = store.LeadHistory
            grouped = select(H.park_id, H.enterprise_id, func.count()).group_by(
                H.park_id, H.enterprise_id
            )
            history = {(p, e): n for p, e, n in session.execute(grouped).all()}
        engine.dispose()
        missing_imports = [e for e in imported if e not in stored]
        wrong_status = [k for k, v in expected_status.items() if statuses.get(k) != v]
        # a PUT that changes nothing writes no history row: history ≤ changes, ≥ 1 per pair
        lost_history = [k for k, n in changes.items() if not 1 <= history.get(k, 0) <= n]
        with httpx.Client(base_url=server, timeout=60) as http:
            index_counts = {http.get("/health").json()["index"]["enterprises"] for _ in range(8)}
            in_index = 0
            for e in random.Random(7).sample(imported, min(200, len(imported))):
                if http.get(f"/enterprises/{e}/parks", params={"limit": 1}).status_code == 200:
                    in_index += 1
        sample_checked = min(200, len(imported))

        # ---- report
        print(f"\n浸泡测试 {duration / 60:.1f} 分钟，{args.workers} 个工作进程，PostgreSQL")
        print(f"{'请求':<18}{'次数':>8}{'错误':>6}{'p50':>9}{'p90':>9}{'p99':>9}{'最大':>9}")
        total_errors = 0
        for kind in ("leads", "enterprise_parks", "export_xlsx", "lead_change", "import"):
            times = np.array(rec.times.get(kind, [])) * 1000
            errors = len(rec.errors.get(kind, []))
            total_errors += errors
            if len(times) == 0:
                print(f"{kind:<18}{0:>8}{errors:>6}")
                continue
            p50, p90, p99 = np.percentile(times, [50, 90, 99])
            print(
                f"{kind:<18}{len(times):>8}{errors:>6}{p50:>7.1f}ms{p90:>7.1f}ms"
                f"{p99:>7.1f}ms{times.max():>7.0f}ms"
            )
        for kind, errs in rec.errors.items():
            for e in errs[:3]:
                print(f"  {kind} 错误示例：{e}")
        print(f"错误合计：{total_errors}（目标 0）")
        print(
            f"核对：导入 {len(imported):,} 家企业，数据库中缺失 {len(missing_imports)}；"
            f"数据库企业 {n_db_ents:,}，两个工作进程的索引企业数 {sorted(index_counts)}，"
            f"索引版本 {sorted(versions)}；抽查 {sample_checked} 家新企业在索引中可排名 {in_index}"
        )
        print(
            f"核对：跟进记录 {len(expected_status):,} 条线索（{sum(changes.values()):,} 次变更），"
            f"状态不符 {len(wrong_status)}，历史缺失 {len(lost_history)}"
        )
        lost = len(missing_imports) + len(wrong_status) + len(lost_history)
        lost += sample_checked - in_index
        lost += 0 if index_counts == {n_db_ents} else 1
        print("结论：" + ("无错误、无丢失" if total_errors == 0 and lost == 0 else "有错误或丢失"))
        if total_errors or lost:
            raise SystemExit(1)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
