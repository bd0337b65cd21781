#!/usr/bin/env python3
"""Times the same model in Corridor and in a plain NumPy implementation of MODEL-FORMAT.md
(vectorized over members, as an analyst would write it), alternating the two in one run.

1. Checks the two give the same numbers on a deterministic run (every stock, every step,
   to 1e-9 relative).
2. Times a whole ensemble run — parse, run, summaries (mean, sd, p05…p95 of every stock,
   flow and output per step) written to CSV — in each, alternating, and prints the ratios,
   and Corridor on 1 thread against 2.

Usage (from the repository root, after `swift build -c release --product corridor`):
    python3 Benchmarks/numpy_side_by_side.py [--members 100000] [--horizon 120] [--rounds 3]
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIO = os.path.join(ROOT, "Datasets", "examples", "scenario.yaml")
# CORRIDOR_BINARY=.build-v3/release/corridor times another build (Benchmarks/README.md).
CORRIDOR = os.environ.get("CORRIDOR_BINARY", os.path.join(ROOT, ".build", "release", "corridor"))


def month_index(text):
    year, month = str(text).split("-")
    return int(year) * 12 + int(month) - 1


def month_text(index):
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


class NumpyModel:
    """MODEL-FORMAT.md, step by step, with arrays over members."""

    def __init__(self, scenario_path, horizon, members, seed):
        with open(scenario_path) as handle:
            scenario = yaml.safe_load(handle)
        folder = os.path.dirname(scenario_path)
        model_path = os.path.join(folder, scenario["model"])
        with open(model_path) as handle:
            model = yaml.safe_load(handle)
        self.folder = os.path.dirname(model_path)
        self.groups = model["groups"]
        self.compartments = model["compartments"]
        self.start = month_index(model["start"])
        self.horizon = horizon
        self.members = members
        rng = np.random.default_rng(seed)
        parameters = dict(model.get("parameters") or {})
        for name, override in (scenario.get("set") or {}).items():
            merged = dict(parameters[name])
            merged.update(override)
            if "schedule" in override:
                merged.pop("series", None)
            if "series" in override:
                merged.pop("schedule", None)
            parameters[name] = merged
        self.tracks = {name: self.track(spec) for name, spec in parameters.items()}
        self.draws = {}
        if members > 1:
            for name, spec in parameters.items():
                uncertainty = spec.get("uncertainty")
                if uncertainty:
                    shape = (len(self.groups), members) if uncertainty.get("perGroup") else (1, members)
                    if uncertainty["dist"] == "lognormal":
                        s = np.sqrt(np.log(1 + uncertainty["cv"] ** 2))
                        self.draws[name] = ("scale", np.exp(s * rng.standard_normal(shape)))
                    elif uncertainty["dist"] == "normal":
                        self.draws[name] = ("add", uncertainty["sd"] * rng.standard_normal(shape),
                                            uncertainty.get("min", -np.inf), uncertainty.get("max", np.inf))
                    else:
                        self.draws[name] = ("scale", rng.uniform(uncertainty["low"], uncertainty["high"], shape))
        self.initial = np.zeros((len(self.compartments), len(self.groups)))
        for compartment, value in (model.get("initial") or {}).items():
            self.initial[self.compartments.index(compartment)] = self.per_group(value)
        self.flows = model["flows"]
        self.outputs = model.get("outputs") or {}

    def per_group(self, value):
        if isinstance(value, dict):
            default = value.get("default")
            return np.array([float(value.get(group, default)) for group in self.groups])
        return np.full(len(self.groups), float(value))

    def track(self, spec):
        """Values per step and group: value, schedule with ramps, or series."""
        base = self.per_group(spec["value"]) if "value" in spec else None
        values = np.zeros((self.horizon, len(self.groups)))
        if "series" in spec:
            series = spec["series"]
            points = []
            if isinstance(series, str):
                with open(os.path.join(self.folder, series)) as handle:
                    for row in csv.DictReader(handle):
                        month = month_index(row["month"])
                        if "value" in row:
                            points.append((month, np.full(len(self.groups), float(row["value"]))))
                        else:
                            points.append((month, np.array([float(row[group]) for group in self.groups])))
            else:
                points = [(month_index(k), self.per_group(v)) for k, v in series.items()]
            for step in range(self.horizon):
                month = self.start + step
                current = base
                for point_month, point_value in points:
                    if point_month <= month:
                        current = point_value
                values[step] = current
            return values
        schedule = [(month_index(e["from"]), self.per_group(e["value"]), e.get("ramp")) for e in spec.get("schedule", [])]

        def value_at(month, count):
            active = [i for i in range(count) if schedule[i][0] <= month]
            if not active:
                return base
            i = active[-1]
            start, target, ramp = schedule[i]
            if not ramp:
                return target
            previous = value_at(start - 1, i)
            return previous + (target - previous) * min(1.0, (month - start + 1) / ramp)

        for step in range(self.horizon):
            values[step] = value_at(self.start + step, len(schedule))
        return values

    def parameter(self, name, step, group):
        value = self.tracks[name][step, group]
        draw = self.draws.get(name)
        if draw is None:
            return np.full(self.members, value)
        row = draw[1][group if draw[1].shape[0] > 1 else 0]
        if draw[0] == "scale":
            return value * row
        return np.clip(value + row, draw[2], draw[3])

    def evaluate(self, expression, step, group, state, flow_totals=None):
        namespace = {name: self.parameter(name, step, group if group is not None else 0) for name in self.tracks}
        namespace.update(
            min=np.minimum, max=np.maximum, exp=np.exp,
            stock=lambda c: state[self.compartments.index(c), group],
            total=lambda c: state[self.compartments.index(c)].sum(axis=0),
            flow=lambda f: flow_totals[f])
        for compartment in self.compartments:
            namespace.pop(compartment, None)
        source = str(expression)
        for function in ("stock", "total", "flow"):
            source = source.replace(f"{function}(", f"{function}('").replace("')", ")")
        import re
        source = re.sub(r"(stock|total|flow)\('(\w+)\)", r"\1('\2')", source)
        result = eval(source, {"__builtins__": {}}, namespace)
        return np.broadcast_to(np.asarray(result, dtype=float), (self.members,)).copy()

    def run(self, record):
        """Runs every step; `record(step, state, amounts, outputs)` sees each step."""
        G, M = len(self.groups), self.members
        state = np.repeat(self.initial[:, :, None], M, axis=2)
        for step in range(self.horizon):
            amounts = {}
            weights = {}
            for flow in self.flows:
                destinations = flow["to"] if isinstance(flow["to"], dict) else {flow["to"]: None}
                if len(destinations) > 1:
                    w = np.stack([np.stack([np.maximum(self.evaluate(e, step, g, state), 0) for g in range(G)])
                                  for e in destinations.values()])
                    total = w.sum(axis=0)
                    with np.errstate(invalid="ignore", divide="ignore"):
                        weights[flow["name"]] = (list(destinations), np.where(total > 0, w / np.where(total > 0, total, 1), 0))
                else:
                    weights[flow["name"]] = (list(destinations), np.ones((1, G, M)))
            moves = {name: (w[1].sum(axis=0) > 0) for name, w in weights.items()}
            remainder = state.copy()
            for c, compartment in enumerate(self.compartments):
                leaving = [f for f in self.flows if f.get("from") == compartment]
                for flow in [f for f in leaving if "capacity" in f]:
                    name = flow["name"]
                    if flow.get("allocation", "pooled") == "pooled":
                        capacity = np.maximum(self.evaluate(flow["capacity"], step, None, state), 0)
                        demand = remainder[c].sum(axis=0)
                        with np.errstate(invalid="ignore", divide="ignore"):
                            ratio = np.where(demand > 0, np.minimum(demand, capacity) / np.where(demand > 0, demand, 1), 0)
                        served = remainder[c] * ratio * moves[name]
                    else:
                        capacity = np.stack([np.maximum(self.evaluate(flow["capacity"], step, g, state), 0) for g in range(G)])
                        served = np.minimum(remainder[c], capacity) * moves[name]
                    amounts[name] = served
                    remainder[c] -= served
                hazards = [f for f in leaving if "rate" in f]
                if hazards:
                    rates = {f["name"]: np.stack([np.maximum(self.evaluate(f["rate"], step, g, state), 0) for g in range(G)]) for f in hazards}
                    H = sum(rates.values())
                    with np.errstate(invalid="ignore", divide="ignore"):
                        per_rate = np.where(H > 0, -np.expm1(-H) / np.where(H > 0, H, 1), 0)
                    start = remainder[c].copy()
                    for f in hazards:
                        # R·(rate·(1 − e^−H)/H): Corridor's order of operations (Docs/engine.md)
                        moved = start * (rates[f["name"]] * per_rate) * moves[f["name"]]
                        amounts[f["name"]] = moved
                        remainder[c] -= moved
            for flow in [f for f in self.flows if "inflow" in f]:
                amounts[flow["name"]] = np.stack([np.maximum(self.evaluate(flow["inflow"], step, g, state), 0)
                                                  for g in range(G)]) * moves[flow["name"]]
            totals = {name: a.sum(axis=0) for name, a in amounts.items()}
            outputs = {name: self.evaluate(e, step, None, state, totals) for name, e in self.outputs.items()}
            record(step, state, amounts, outputs)
            new_state = state.copy()
            for flow in self.flows:
                if "from" in flow:
                    new_state[self.compartments.index(flow["from"])] = np.maximum(remainder[self.compartments.index(flow["from"])], 0)
            for flow in self.flows:
                names, shares = weights[flow["name"]]
                for d, destination in enumerate(names):
                    new_state[self.compartments.index(destination)] += amounts[flow["name"]] * shares[d]
            state = new_state
        record(self.horizon, state, None, None)


def numpy_summary(scenario, horizon, members, seed, out):
    """The NumPy ensemble with summaries written as Corridor's tidy summary.csv
    (kind, name, group, unit; the example model states no units)."""
    model = NumpyModel(scenario, horizon, members, seed)
    rows = []
    levels = [5, 25, 50, 75, 95]

    def summarize(step, series, values):
        q = np.percentile(values, levels)
        rows.append(f"{step},{month_text(model.start + step)},{series},,{values.mean()!r},{values.std(ddof=1)!r}," + ",".join(repr(v) for v in q))

    def record(step, state, amounts, outputs):
        for c, compartment in enumerate(model.compartments):
            for g, group in enumerate(model.groups):
                summarize(step, f"stock,{compartment},{group}", state[c, g])
        if amounts is None:
            return
        for flow in model.flows:
            for g, group in enumerate(model.groups):
                summarize(step, f"flow,{flow['name']},{group}", amounts[flow["name"]][g])
        for name, values in outputs.items():
            summarize(step, f"output,{name},", values)

    model.run(record)
    with open(os.path.join(out, "summary.csv"), "w") as handle:
        handle.write("step,month,kind,name,group,unit,mean,sd,p05,p25,p50,p75,p95\n" + "\n".join(rows) + "\n")


def check_same_numbers(horizon):
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([CORRIDOR, "run", SCENARIO, "--horizon", str(horizon), "--members", "1", "--out", folder],
                       check=True, capture_output=True)
        corridor = {}
        with open(os.path.join(folder, "stocks.csv")) as handle:
            for row in csv.DictReader(handle):
                corridor[(int(row["step"]), row["group"], row["compartment"])] = float(row["value"])
    model = NumpyModel(SCENARIO, horizon, 1, 0)
    worst = 0.0

    def record(step, state, amounts, outputs):
        nonlocal worst
        for c, compartment in enumerate(model.compartments):
            for g, group in enumerate(model.groups):
                ours, theirs = corridor[(step, group, compartment)], state[c, g, 0]
                worst = max(worst, abs(ours - theirs) / max(1.0, abs(ours)))

    model.run(record)
    return worst


def timed(function):
    begin = time.perf_counter()
    function()
    return time.perf_counter() - begin


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--horizon", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not os.path.exists(CORRIDOR):
        sys.exit("build corridor first: swift build -c release --product corridor")

    worst = check_same_numbers(args.horizon)
    print(f"deterministic run, {args.horizon} months: largest relative difference of any stock {worst:.2e}")
    if worst > 1e-9:
        sys.exit("the NumPy implementation and Corridor disagree: no timing without the same numbers")

    timings = {"corridor 2 threads": [], "corridor 1 thread": [], "numpy": []}
    with tempfile.TemporaryDirectory() as folder:
        def corridor(threads):
            subprocess.run([CORRIDOR, "run", SCENARIO, "--horizon", str(args.horizon), "--members", str(args.members),
                            "--threads", str(threads), "--out", os.path.join(folder, f"c{threads}")], check=True, capture_output=True)
        for round_ in range(args.rounds):
            timings["corridor 2 threads"].append(timed(lambda: corridor(2)))
            timings["corridor 1 thread"].append(timed(lambda: corridor(1)))
            timings["numpy"].append(timed(lambda: numpy_summary(SCENARIO, args.horizon, args.members, round_, folder)))
            print(f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in timings.items()), flush=True)
    best = {k: min(v) for k, v in timings.items()}
    print(f"\n{args.members:,} members × {args.horizon} months, parse + run + summaries written, best of {args.rounds} alternating rounds:")
    for name, seconds in best.items():
        print(f"  {name:20s} {seconds:8.2f} s")
    print(f"  NumPy / Corridor (2 threads): {best['numpy'] / best['corridor 2 threads']:.1f}×")
    print(f"  Corridor 1 thread / 2 threads: {best['corridor 1 thread'] / best['corridor 2 threads']:.2f}×")


if __name__ == "__main__":
    main()
