"""Soak B, scale-out: three instances on one PostgreSQL behind nginx (round-robin). Under a
steady mixed load through the balancer (callers on the 2025-03-26, 2025-06-18 and
2025-11-25 handshakes), it runs the OAuth flow with every step on another instance, the
official Python SDK's clients in both eras (2026-07-28 stateless and the 2025-11-25
handshake), rotates the signing key while the instances serve, and kills one instance
mid-load. Prints a summary; exits 1 on any violation. Run by scripts/soak/scale.sh."""

import argparse
import collections
import datetime
import json
import os
import signal
import subprocess
import sys
import threading
import time

import oauth_flow
from mcp_http import Caller, get

ERAS = ["2025-03-26", "2025-06-18", "2025-11-25"]


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("--lb", required=True)
    p.add_argument("--instances", required=True, help="host:port,host:port,…")
    p.add_argument("--pids", required=True, help="the instances' process ids, same order")
    p.add_argument("--token", required=True)
    p.add_argument("--project", required=True)
    p.add_argument("--psql", required=True)
    p.add_argument("--rotate", required=True, help="shell command: admin keys rotate")
    p.add_argument("--sdk", required=True, help="python of a venv with the mcp SDK")
    p.add_argument("--sdk-legacy-token", required=True)
    p.add_argument("--sdk-modern-token", required=True)
    p.add_argument("--callers", type=int, default=6)
    p.add_argument("--steady", type=float, default=20.0)
    return p.parse_args()


class Load:
    def __init__(self, args):
        self.args = args
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.calls = []  # (started, ended, era, op, kind)
        self.acked = set()

    def record(self, started, era, op, out):
        with self.lock:
            self.calls.append((started, started + out.seconds, era, op, out.kind))

    def caller(self, number):
        era = ERAS[number % len(ERAS)]
        client = Caller(self.args.lb, self.args.token, timeout=20, protocol=era)
        where = {"projectId": self.args.project, "collectionName": "notes"}
        seq = 0
        while not self.stop.is_set():
            started = time.monotonic()
            self.record(started, era, "initialize", client.initialize())
            for _ in range(5):
                seq += 1
                started = time.monotonic()
                data = {"title": f"scale {number}-{seq}", "caller": number, "seq": seq}
                out = client.call_tool("create_data", {**where, "data": data})
                self.record(started, era, "create_data", out)
                if out.ok:
                    with self.lock:
                        self.acked.add(out.result["entry"]["id"])
                started = time.monotonic()
                out = client.call_tool("query_data", {**where, "limit": 5,
                                                      "filter": {"caller": number}})
                self.record(started, era, "query_data", out)


def jwks_kids(instance):
    status, _, body = get(f"http://{instance}", "/.well-known/jwks.json")
    if status != 200:
        return set()
    return {k.get("kid") for k in json.loads(body).get("keys", [])}


def call_on(instance, token, lb):
    """list_projects on one instance directly (Host: the balancer's)."""
    client = Caller(f"http://{instance}", token)
    client.host_header = lb.split("//", 1)[1]
    return client.call_tool("list_projects", {})


def run_sdk(args, mode, token, results):
    script = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "e2e", "py",
                          "tools_client.py")
    started = time.monotonic()
    done = subprocess.run([args.sdk, script, "--url", f"{args.lb}/mcp", "--token", token,
                           "--mode", mode], capture_output=True, text=True, timeout=300)
    steps = [line for line in done.stdout.splitlines() if line.startswith("{")]
    results[mode] = {"exit": done.returncode, "steps": len(steps),
                     "seconds": round(time.monotonic() - started, 1),
                     "stderr": done.stderr[-500:] if done.returncode else ""}


def main():
    args = parse()
    instances = args.instances.split(",")
    pids = [int(p) for p in args.pids.split(",")]
    violations, notes = [], {}
    load = Load(args)
    threads = [threading.Thread(target=load.caller, args=(i,)) for i in range(args.callers)]
    began = time.monotonic()
    for t in threads:
        t.start()
    time.sleep(args.steady / 2)

    # The OAuth flow, every step on another instance.
    served = []
    try:
        client_id, tokens, refreshed = oauth_flow.flow(args.lb, instances,
                                                       "soak@example.com", served)
    except (AssertionError, OSError, KeyError) as e:
        violations.append(f"the OAuth flow failed: {e}")
        client_id, tokens, refreshed = None, None, None
    notes["oauth_steps"] = [f"{s}@{i}:{code}" for s, i, code in served]
    for (a, ia, _), (b, ib, _) in zip(served, served[1:]):
        if ia == ib:
            violations.append(f"OAuth steps {a} and {b} were served by the same instance")
    if refreshed:
        out = Caller(args.lb, refreshed["access_token"]).call_tool("list_projects", {})
        if not out.ok:
            violations.append(f"the refreshed token was refused: {out.kind}")

    # The SDK clients in both eras, through the balancer, during the load.
    sdk = {}
    sdk_threads = [threading.Thread(target=run_sdk, args=(args, m, t, sdk)) for m, t in
                   (("legacy", args.sdk_legacy_token), ("auto", args.sdk_modern_token))]
    for t in sdk_threads:
        t.start()

    # A signing key rotated while the instances serve.
    old_kid = oauth_flow.kid(args.token)
    rotated = json.loads(subprocess.run(args.rotate, shell=True, check=True,
                                        capture_output=True, text=True).stdout)
    rotated_at = time.monotonic()
    activates_in = (datetime.datetime.fromisoformat(rotated["activates_at"]).timestamp()
                    - time.time())
    published = {}
    while time.monotonic() < rotated_at + activates_in + 5 and len(published) < len(instances):
        for instance in instances:
            if instance not in published and rotated["kid"] in jwks_kids(instance):
                published[instance] = round(time.monotonic() - rotated_at, 2)
        time.sleep(0.2)
    notes["rotation"] = {"old_kid": old_kid, "new_kid": rotated["kid"],
                         "activates_after_s": activates_in, "published_after_s": published}
    for instance in instances:
        if published.get(instance, 1e9) >= activates_in:
            violations.append(f"{instance} did not publish the new key before it signed")
    time.sleep(max(0.0, rotated_at + activates_in + 1 - time.monotonic()))
    if tokens:
        after = oauth_flow.refresh(args.lb, instances[0], served, client_id,
                                   refreshed["refresh_token"])
        new_kid = oauth_flow.kid(after["access_token"])
        notes["rotation"]["token_after_activation_kid"] = new_kid
        if new_kid != rotated["kid"]:
            violations.append(f"a token issued after activation was signed by {new_kid}")
        for instance in instances:
            for name, token in (("old", args.token), ("new", after["access_token"])):
                out = call_on(instance, token, args.lb)
                if not out.ok:
                    violations.append(f"{name} token refused by {instance}: {out.kind}")

    # One instance killed mid-load.
    time.sleep(args.steady / 2)
    killed_at = time.monotonic()
    os.kill(pids[-1], signal.SIGKILL)
    notes["killed"] = instances[-1]
    time.sleep(args.steady)
    for t in sdk_threads:
        t.join()
    load.stop.set()
    for t in threads:
        t.join()
    notes["sdk"] = sdk
    for mode, result in sdk.items():
        if result["exit"] != 0:
            violations.append(f"the SDK client ({mode}) failed: {result['stderr']}")
    report(args, load, killed_at, violations, notes, time.monotonic() - began)


def report(args, load, killed_at, violations, notes, seconds):
    kinds = collections.Counter(c[4] for c in load.calls)
    by_era = collections.Counter((c[2], c[4]) for c in load.calls)
    around_kill = collections.Counter()
    for started, ended, era, op, kind in load.calls:
        if kind == "ok":
            continue
        if started <= killed_at + 1 and ended >= killed_at - 0.5:
            around_kill[kind] += 1
            if kind not in ("http_502", "http_504") and not kind.startswith("connection:"):
                violations.append(f"{op} ({era}) answered {kind} as the instance died")
        else:
            violations.append(f"{op} ({era}) answered {kind}")
    out = subprocess.run(
        ["psql", args.psql, "-At", "-c",
         f"SELECT id FROM entries WHERE tenant_id = '{args.project}' AND collection = 'notes'"],
        check=True, capture_output=True, text=True).stdout
    stored = {line.strip() for line in out.splitlines() if line.strip()}
    lost = load.acked - stored
    for entry in sorted(lost)[:10]:
        violations.append(f"acknowledged create {entry} is not in the database")
    summary = {
        "suite": "scale",
        "seconds": round(seconds, 1),
        "instances": args.instances.split(","),
        "calls": len(load.calls),
        "by_kind": dict(kinds),
        "by_era": {f"{era} {kind}": n for (era, kind), n in sorted(by_era.items())},
        "failed_as_the_instance_died": dict(around_kill),
        "acknowledged_creates": len(load.acked),
        "in_database": len(stored),
        "applied_but_unacknowledged": len(stored - load.acked),
        "lost": len(lost),
        **notes,
        "violations": len(violations),
    }
    print(json.dumps(summary, indent=2))
    for v in violations[:40]:
        print("VIOLATION:", v, file=sys.stderr)
    sys.exit(1 if violations else 0)


if __name__ == "__main__":
    main()
