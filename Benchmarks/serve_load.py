"""Load on `corridor serve`, measured from clients on loopback (Benchmarks/README.md).

Two phases against one server started here (release binary, default caps: 2 runs at
once, 32 waiting):
  1. the page's case: one client, sequential runs of the baseline with the judges lever
     at a new value each time (1,000 members by default): latency per answer;
  2. load: N requests from C concurrent clients (default 200 from 8), the same runs.
Every answer must be 200 with the numbers of the run asked for; any other status is
an error and fails the script. Prints latency percentiles and throughput; --json FILE
writes them.

    python3 Benchmarks/serve_load.py [--members 1000] [--requests 200] [--clients 8]
    python3 Benchmarks/serve_load.py --members 200 --requests 24 --sequential 4   # CI smoke
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def post(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    began = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            payload = json.loads(response.read())
            return response.status, time.perf_counter() - began, payload
    except urllib.error.HTTPError as error:
        return error.code, time.perf_counter() - began, error.read().decode()


def body(judges, members):
    return {"scenario": "baseline", "members": members, "levers": {"judgesAdded": judges},
            "outputs": ["courtBacklog"], "at": ["2030-09"]}


def check(status, payload, judges, errors):
    if status != 200:
        errors.append(f"{status}: {payload}")
    elif payload["set"].get("judgesAdded", "").find(f"value: {judges},") < 0 and judges != 0:
        errors.append(f"answer for the wrong lever value: {payload['set']}")


def summary(latencies, seconds):
    return {"requests": len(latencies), "seconds": round(seconds, 2), "per_second": round(len(latencies) / seconds, 2),
            "p50": round(percentile(latencies, 0.5), 3), "p90": round(percentile(latencies, 0.9), 3),
            "p99": round(percentile(latencies, 0.99), 3), "max": round(max(latencies), 3),
            "mean": round(statistics.mean(latencies), 3)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--sequential", type=int, default=20, help="runs of the one-client phase")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "corridor"))
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()

    server = subprocess.Popen([args.binary, "serve", "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = server.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not match:
        sys.exit(f"corridor serve did not start: {line}")
    url = f"http://127.0.0.1:{match.group(1)}/api/run"
    errors, results = [], {"members": args.members, "binary": args.binary}
    try:
        # Warm up: the scenario loads and the unchanged run is made (and cached) once.
        status, _, payload = post(url, body(0, args.members))
        check(status, payload, 0, errors)

        latencies = []
        began = time.perf_counter()
        for k in range(args.sequential):
            judges = 10 * (k + 1)
            status, latency, payload = post(url, body(judges, args.members))
            check(status, payload, judges, errors)
            latencies.append(latency)
        results["one_client"] = summary(latencies, time.perf_counter() - began)

        latencies, lock, counter = [], threading.Lock(), iter(range(args.requests))

        def client():
            while True:
                with lock:
                    k = next(counter, None)
                if k is None:
                    return
                judges = 10 * (k % 150)
                status, latency, payload = post(url, body(judges, args.members))
                with lock:
                    check(status, payload, judges, errors)
                    latencies.append(latency)

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        results["load"] = dict(summary(latencies, time.perf_counter() - began), clients=args.clients)
    finally:
        server.terminate()
        stopped = server.wait(timeout=60)
    results["errors"] = len(errors)
    print(f"corridor serve, baseline scenario, {args.members} members per run, judges lever moved each time")
    for phase in ("one_client", "load"):
        r = results[phase]
        who = "1 client, sequential" if phase == "one_client" else f"{r['clients']} concurrent clients"
        print(f"  {who:22} {r['requests']:4} requests in {r['seconds']:7.2f} s ({r['per_second']:.2f}/s): "
              f"latency p50 {r['p50']:.3f} s, p90 {r['p90']:.3f} s, p99 {r['p99']:.3f} s, max {r['max']:.3f} s")
    print(f"  errors: {len(errors)}; server stopped with status {stopped}")
    if args.json:
        with open(args.json, "w") as file:
            json.dump(results, file, indent=2)
    if errors or stopped != 0:
        for error in errors[:10]:
            print("  error:", error, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
