"""Soak A, faults: a steady mixed load (creates and reads by a few concurrent callers) on
the release server while its PostgreSQL is stopped for a few seconds and started again,
several times. Judges every call and `/readyz`, then checks that every acknowledged
create is in the database. Prints a summary; exits 1 on any violation.

Run by scripts/soak.sh, which starts the private cluster and the server."""

import argparse
import collections
import json
import subprocess
import sys
import threading
import time

from mcp_http import Caller, get

ALLOWED_IN_OUTAGE = ("ok", "http_503_retry_after")


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--base", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--project", required=True)
    p.add_argument("--psql", required=True, help="a psql connection string (owner)")
    p.add_argument("--stop", required=True, help="shell command stopping PostgreSQL")
    p.add_argument("--start", required=True, help="shell command starting it again")
    p.add_argument("--cycles", type=int, default=3)
    p.add_argument("--steady", type=float, default=30.0, help="seconds of load between outages")
    p.add_argument("--outage", type=float, default=5.0)
    p.add_argument("--callers", type=int, default=4)
    p.add_argument("--bound", type=float, default=10.0, help="longest acceptable answer, s")
    p.add_argument("--recovery", type=float, default=5.0, help="longest acceptable recovery, s")
    return p.parse_args()


class Load:
    """The callers: each creates an entry, then reads (a page, a count, or its last entry)."""

    def __init__(self, args):
        self.args = args
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.calls = []  # (started, ended, op, kind, seconds)
        self.acked = set()

    def record(self, started, op, outcome):
        with self.lock:
            self.calls.append((started, started + outcome.seconds, op, outcome.kind,
                               outcome.seconds))

    def caller(self, number):
        # The client waits longer than the bound, so that a hang is seen as one.
        client = Caller(self.args.base, self.args.token, timeout=self.args.bound + 10)
        where = {"projectId": self.args.project, "collectionName": "notes"}
        last, seq = None, 0
        while not self.stop.is_set():
            seq += 1
            started = time.monotonic()
            data = {"title": f"soak {number}-{seq}", "caller": number, "seq": seq}
            out = client.call_tool("create_data", {**where, "data": data})
            self.record(started, "create_data", out)
            if out.ok:
                last = out.result["entry"]["id"]
                with self.lock:
                    self.acked.add(last)
            started = time.monotonic()
            if seq % 3 == 0 and last:
                out = client.call_tool("get_data", {**where, "id": last})
                self.record(started, "get_data", out)
            elif seq % 3 == 1:
                out = client.call_tool("query_data", {**where, "limit": 10,
                                                      "filter": {"caller": number}})
                self.record(started, "query_data", out)
            else:
                out = client.call_tool("count_data", {**where, "filter": {"caller": number}})
                self.record(started, "count_data", out)


def poll_ready(args, stop, polls):
    while not stop.is_set():
        started = time.monotonic()
        status, response, _ = get(args.base, "/readyz", timeout=args.bound + 10)
        retry = response.getheader("retry-after") if response else None
        polls.append((started, time.monotonic(), status, retry))
        stop.wait(0.2)


def sh(command):
    subprocess.run(command, shell=True, check=True)


def main():
    args = parse()
    load = Load(args)
    polls, stop_polls = [], threading.Event()
    threads = [threading.Thread(target=load.caller, args=(i,)) for i in range(args.callers)]
    threads.append(threading.Thread(target=poll_ready, args=(args, stop_polls, polls)))
    began = time.monotonic()
    for t in threads:
        t.start()
    outages = []
    for _ in range(args.cycles):
        time.sleep(args.steady)
        stopping = time.monotonic()
        sh(args.stop)
        down = time.monotonic()
        time.sleep(args.outage)
        starting = time.monotonic()
        sh(args.start)
        outages.append({"stopping": stopping, "down": down, "starting": starting,
                        "up": time.monotonic()})
    time.sleep(args.steady)
    load.stop.set()
    stop_polls.set()
    for t in threads:
        t.join()
    report(args, load, polls, outages, time.monotonic() - began)


def in_outage(outages, started, ended, recovery):
    return any(started < o["up"] + recovery and ended > o["stopping"] for o in outages)


def database_ids(args, project):
    out = subprocess.run(
        ["psql", args.psql, "-At", "-c",
         f"SELECT id FROM entries WHERE tenant_id = '{project}' AND collection = 'notes'"],
        check=True, capture_output=True, text=True).stdout
    return {line.strip() for line in out.splitlines() if line.strip()}


def report(args, load, polls, outages, seconds):
    violations = []
    kinds = collections.Counter(c[3] for c in load.calls)
    outage_kinds = collections.Counter()
    slowest = max((c[4] for c in load.calls), default=0.0)
    for started, ended, op, kind, took in load.calls:
        if in_outage(outages, started, ended, args.recovery):
            outage_kinds[kind] += 1
            if kind not in ALLOWED_IN_OUTAGE and not kind.startswith("tool_error:"):
                violations.append(f"{op} during an outage answered {kind}")
        elif kind != "ok":
            violations.append(f"{op} in steady state answered {kind}")
        if took > args.bound:
            violations.append(f"{op} took {took:.1f} s (bound {args.bound} s)")
    recoveries, ready_lags, ready_down = [], [], []
    for o in outages:
        failed = [c[1] for c in load.calls if c[3] != "ok" and c[0] >= o["stopping"]
                  and c[0] < o["up"] + args.recovery + 10]
        recovery = max(0.0, max(failed, default=o["up"]) - o["up"])
        recoveries.append(recovery)
        if recovery > args.recovery:
            violations.append(f"calls failed until {recovery:.1f} s after PostgreSQL was up")
        down = [p for p in polls if o["down"] + 0.5 <= p[0] and p[1] <= o["starting"]]
        ready_down.append(len(down))
        if not down:
            violations.append("/readyz was not polled while PostgreSQL was down")
        for p in down:
            if p[2] != 503 or not p[3]:
                violations.append(f"/readyz answered {p[2]} (Retry-After {p[3]}) while down")
        first_ok = next((p[1] for p in polls if p[0] >= o["up"] and p[2] == 200), None)
        lag = None if first_ok is None else max(0.0, first_ok - o["up"])
        ready_lags.append(lag)
        if lag is None or lag > args.recovery:
            violations.append(f"/readyz was not 200 within {args.recovery} s of the restart")
    slowest_ready = max((p[1] - p[0] for p in polls), default=0.0)
    if slowest_ready > args.bound:
        violations.append(f"/readyz took {slowest_ready:.1f} s")
    stored = database_ids(args, args.project)
    lost = load.acked - stored
    for entry in sorted(lost)[:10]:
        violations.append(f"acknowledged create {entry} is not in the database")
    summary = {
        "suite": "faults",
        "seconds": round(seconds, 1),
        "outages": len(outages),
        "outage_seconds": [round(o["starting"] - o["down"], 1) for o in outages],
        "callers": args.callers,
        "calls": len(load.calls),
        "by_kind": dict(kinds),
        "during_outages_by_kind": dict(outage_kinds),
        "slowest_call_s": round(slowest, 2),
        "recovery_s": [round(r, 2) for r in recoveries],
        "readyz_polls_while_down": ready_down,
        "readyz_200_after_restart_s": [None if x is None else round(x, 2) for x in ready_lags],
        "slowest_readyz_s": round(slowest_ready, 2),
        "acknowledged_creates": len(load.acked),
        "in_database": len(stored),
        "applied_but_unacknowledged": len(stored - load.acked),
        "lost": len(lost),
        "violations": len(violations),
    }
    print(json.dumps(summary, indent=2))
    for v in violations[:40]:
        print("VIOLATION:", v, file=sys.stderr)
    sys.exit(1 if violations else 0)


if __name__ == "__main__":
    main()
