#!/usr/bin/env python3
"""Strong scaling of Corridor's MPI build on this machine, side by side in one run.

Runs the same regional ensemble (default: 1,000,000 members x 120 months of the baseline,
every series summarized) once per configuration, in turn: one process with 1 and 2 threads
(the default build), and mpirun with 1, 2 and 4 ranks (1 thread each) and 2 ranks of
2 threads; checks that every summary.csv is byte-identical to the one-process run's; and
prints wall-clock time, speed-up over one process with one thread, and what each rank
sent, received and spent in MPI calls (CORRIDOR_MPI_REPORT=1).

  scripts/mpi-check   # or: swift build -c release --product corridor [--traits MPI --scratch-path .build-mpi]
  python3 Benchmarks/mpi_scaling.py [--members N] [--horizon H] [--repeats R]
"""
import argparse
import filecmp
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SINGLE = os.path.join(ROOT, ".build/release/corridor")
MPI = os.path.join(ROOT, ".build-mpi/release/corridor")
REPORT = re.compile(r"MPI rank (\d+) of (\d+): sent (\d+) bytes in (\d+) messages, received (\d+), broadcast (\d+); ([\d.]+) s in MPI calls, ([\d.]+) s merging")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--horizon", type=int, default=120)
    parser.add_argument("--repeats", type=int, default=1, help="rounds over all configurations (the best time is kept)")
    args = parser.parse_args()
    for binary in (SINGLE, MPI):
        if not os.path.exists(binary):
            sys.exit(f"{binary} is missing: run scripts/mpi-check (or build it) first")
    environment = dict(os.environ, CORRIDOR_MPI_REPORT="1")
    if os.getuid() == 0:
        environment.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    work = tempfile.mkdtemp(prefix="corridor-scaling-")
    common = ["run", os.path.join(ROOT, "Datasets/scenarios/baseline.yaml"), "--members", str(args.members),
              "--horizon", str(args.horizon), "--progress", "none"]
    configurations = [
        ("1 process, 1 thread", [SINGLE], 1),
        ("1 process, 2 threads", [SINGLE], 2),
        ("mpirun -np 1, 1 thread", ["mpirun", "--oversubscribe", "-np", "1", MPI], 1),
        ("mpirun -np 2, 1 thread each", ["mpirun", "--oversubscribe", "-np", "2", MPI], 1),
        ("mpirun -np 4, 1 thread each (2x oversubscribed)", ["mpirun", "--oversubscribe", "-np", "4", MPI], 1),
        ("mpirun -np 2, 2 threads each (2x oversubscribed)", ["mpirun", "--oversubscribe", "-np", "2", MPI], 2),
    ]
    best = {}
    reports = {}
    for round_ in range(args.repeats):
        for index, (name, launcher, threads) in enumerate(configurations):
            out = os.path.join(work, f"c{index}")
            start = time.perf_counter()
            done = subprocess.run(launcher + common + ["--threads", str(threads), "--out", out],
                                  env=environment, capture_output=True, text=True)
            seconds = time.perf_counter() - start
            if done.returncode != 0:
                sys.exit(f"{name} failed:\n{done.stderr}")
            if not filecmp.cmp(os.path.join(work, "c0", "summary.csv"), os.path.join(out, "summary.csv"), shallow=False):
                sys.exit(f"{name}: summary.csv differs from one process's")
            best[name] = min(best.get(name, float("inf")), seconds)
            reports[name] = sorted(REPORT.findall(done.stderr), key=lambda r: int(r[0]))
            print(f"round {round_ + 1}: {name}: {seconds:.1f} s", file=sys.stderr)
    base = best[configurations[0][0]]
    print(f"{args.members:,} members x {args.horizon} months of the regional baseline, every series summarized; "
          f"every summary.csv byte-identical")
    print("| configuration | wall clock (s) | speed-up over 1 process, 1 thread | per rank: sent / received / broadcast (MB), s in MPI, s merging |")
    print("|---|---|---|---|")
    for name, _, _ in configurations:
        ranks = "; ".join(f"r{r[0]}: {int(r[2]) / 1e6:.0f} / {int(r[4]) / 1e6:.0f} / {int(r[5]) / 1e6:.0f}, {float(r[6]):.2f} s, {float(r[7]):.2f} s"
                          for r in reports[name]) or "—"
        print(f"| {name} | {best[name]:.1f} | {base / best[name]:.2f}x | {ranks} |")


if __name__ == "__main__":
    main()
