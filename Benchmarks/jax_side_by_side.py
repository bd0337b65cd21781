#!/usr/bin/env python3
"""Times the example model in Corridor and in JAX, as an analyst who needs speed in Python
would write it: the step in `jax.numpy` inside `jax.lax.scan`, float64, compiled by XLA,
with the same summaries computed inside the scan (mean, sd and p05, p25, p50, p75, p95 of
every stock, flow and output at every step), once with exact quantiles (a sort over the
members) and once with the log-binned counts Corridor uses (256 bins per doubling). Corridor
and JAX alternate in one run; JAX's compile time is reported apart and left out of its time.

1. Checks that JAX gives the numbers Corridor gives on a deterministic run (every stock,
   every step, to 1e-9 relative) and close ensemble means (the draws differ: JAX uses its
   own generator, so means agree to sampling error).
2. Times a whole ensemble run in each: Corridor's `run --out` (parse, run, summaries,
   summary.csv written) against JAX's run and summaries (parameters prepared by NumPy from
   the same files, results copied to the host and written as CSV too).

Usage (from the repository root, after `swift build -c release --product corridor` and
`pip install "jax[cpu]" pyyaml`):
    python3 Benchmarks/jax_side_by_side.py [--members 100000] [--horizon 120] [--rounds 3]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from numpy_side_by_side import CORRIDOR, SCENARIO, NumpyModel, month_text  # noqa: E402

os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=true")
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

jax.config.update("jax_enable_x64", True)
LEVELS = jnp.array([0.05, 0.25, 0.5, 0.75, 0.95])
SHIFT = 52 - 8  # 256 bins per doubling, as Corridor's QuantileSketch


def inputs(horizon, members, seed):
    """The example scenario's tracks and draws, prepared with NumPy from the same files."""
    model = NumpyModel(SCENARIO, horizon, members, seed)
    emigration = model.tracks["emigrationRate"]                      # [T, G]
    judges = model.tracks["judges"][:, 0]                            # [T]
    cases = model.tracks["casesPerJudge"][:, 0]
    grant = model.tracks["grantRate"]                                # [T, G]
    expel = model.tracks["expelShare"][:, 0]
    arrivals = model.tracks["otherArrivals"]                         # [T, G]
    if members > 1:
        emigration_draw = model.draws["emigrationRate"][1][0]        # [M], shared by groups
        grant_draw = model.draws["grantRate"][1]                     # [G, M], added then clamped
    else:
        emigration_draw = np.ones(1)
        grant_draw = np.zeros((len(model.groups), 1))
    arrays = dict(emigration=emigration, judges=judges, cases=cases, grant=grant, expel=expel,
                  arrivals=arrivals, emigration_draw=emigration_draw, grant_draw=grant_draw,
                  initial=np.repeat(model.initial[:, :, None], members, axis=2))
    return model, {name: jnp.asarray(value) for name, value in arrays.items()}


def step_function(p):
    """One month of MODEL-FORMAT.md for the example model, over members (state [C, G, M]).
    Compartments: home, transit, court, protected, returned."""
    def step(state, t):
        home, transit, court = state[0], state[1], state[2]
        rate = jnp.maximum(p["emigration"][t][:, None] * p["emigration_draw"][None, :], 0)
        grant = jnp.clip(p["grant"][t][:, None] + p["grant_draw"], 0, 1)
        expel = p["expel"][t]
        # Capacity first: completions out of court, pooled over groups.
        capacity = jnp.maximum(p["judges"][t] * p["cases"][t], 0)
        demand = court.sum(axis=0)
        ratio = jnp.where(demand > 0, jnp.minimum(demand, capacity) / jnp.where(demand > 0, demand, 1), 0)
        w_protected, w_returned = jnp.maximum(grant, 0), jnp.maximum(1 - grant, 0)
        w_total = w_protected + w_returned
        completions = court * ratio * (w_total > 0)
        # Hazards: emigration out of home, encounters out of transit (rate 1).
        emigration = jnp.where(rate > 0, home * -jnp.expm1(-rate), 0)
        w_court, w_back = jnp.maximum(1 - expel, 0), jnp.maximum(expel, 0)
        encounters = transit * -jnp.expm1(-1.0) * ((w_court + w_back) > 0)
        arrivals = jnp.maximum(p["arrivals"][t], 0)[:, None] * jnp.ones_like(home)
        share_court = jnp.where(w_court + w_back > 0, w_court / (w_court + w_back), 0)
        share_protected = jnp.where(w_total > 0, w_protected / jnp.where(w_total > 0, w_total, 1), 0)
        new_state = jnp.stack([
            jnp.maximum(home - emigration, 0),
            jnp.maximum(transit - encounters, 0) + emigration + arrivals,
            jnp.maximum(court - completions, 0) + encounters * share_court,
            state[3] + completions * share_protected,
            state[4] + encounters * (1 - share_court) + completions * (1 - share_protected),
        ])
        flows = jnp.stack([emigration, encounters, completions, arrivals])          # [F, G, M]
        completed = completions.sum(axis=0)
        outputs = jnp.stack([court.sum(axis=0), completed, court.sum(axis=0) / completed])  # [O, M]
        return new_state, (state, flows, outputs)
    return step


def exact_summary(values):
    """mean, sd, p05…p95 over the last axis (members) with a sort (jnp.quantile)."""
    return jnp.concatenate([values.mean(axis=-1, keepdims=True), values.std(axis=-1, ddof=1, keepdims=True),
                            jnp.moveaxis(jnp.quantile(values, LEVELS, axis=-1), 0, -1)], axis=-1)


def binned_summary(values, low_bin, bins):
    """mean, sd and the quantiles read from log-binned counts, as Corridor's sketch: the bin
    of a positive value is its bit pattern shifted right by 44; counts are scattered into a
    fixed range of bins; zeros are counted apart."""
    flat = values.reshape(-1, values.shape[-1])
    positive = flat > 0
    bin_index = (jax.lax.bitcast_convert_type(jnp.where(positive, flat, 1.0), jnp.int64) >> SHIFT) - low_bin
    bin_index = jnp.clip(bin_index, 0, bins - 1)
    rows = jnp.arange(flat.shape[0])[:, None]
    counts = jnp.zeros((flat.shape[0], bins), jnp.int32).at[rows, bin_index].add(positive.astype(jnp.int32))
    zeros = (~positive).sum(axis=-1)
    cumulative = jnp.cumsum(counts, axis=-1) + zeros[:, None]
    ranks = jnp.ceil(LEVELS * flat.shape[-1]).astype(jnp.int32)
    found = jax.vmap(lambda c: jnp.searchsorted(c, ranks))(cumulative)
    middle = jax.lax.bitcast_convert_type(((found + low_bin).astype(jnp.int64) << SHIFT) + (1 << (SHIFT - 1)), jnp.float64)
    quantiles = jnp.where(ranks[None, :] <= zeros[:, None], 0.0, middle)
    result = jnp.concatenate([flat.mean(axis=-1, keepdims=True), flat.std(axis=-1, ddof=1, keepdims=True), quantiles], axis=-1)
    return result.reshape(values.shape[:-1] + (7,))


def make_run(horizon, method):
    """The whole run, jitted once: `run(p)` for any inputs of the same shapes."""
    low_bin = int(np.float64(1e-6).view(np.int64) >> SHIFT)
    high_bin = int(np.float64(1e10).view(np.int64) >> SHIFT)

    def summarize(x):
        return exact_summary(x) if method == "exact" else binned_summary(x, low_bin, high_bin - low_bin)

    @jax.jit
    def run(p):
        step = step_function(p)

        def body(state, t):
            new_state, (stocks, flows, outputs) = step(state, t)
            return new_state, (summarize(stocks), summarize(flows), summarize(outputs))

        final, (stocks, flows, outputs) = jax.lax.scan(body, p["initial"], jnp.arange(horizon))
        return summarize(final), stocks, flows, outputs
    return run


def write_csv(model, horizon, results, path):
    final, stocks, flows, outputs = (np.asarray(r) for r in results)
    names = ["emigration", "encounters", "completions", "arrivals"]
    rows = ["step,month,kind,name,group,unit,mean,sd,p05,p25,p50,p75,p95"]
    for t in range(horizon + 1):
        month = month_text(model.start + t)
        block = final if t == horizon else stocks[t]
        for c, compartment in enumerate(model.compartments):
            for g, group in enumerate(model.groups):
                rows.append(f"{t},{month},stock,{compartment},{group},," + ",".join(map(repr, block[c, g].tolist())))
        if t == horizon:
            break
        for f, name in enumerate(names):
            for g, group in enumerate(model.groups):
                rows.append(f"{t},{month},flow,{name},{group},," + ",".join(map(repr, flows[t, f, g].tolist())))
        for o, name in enumerate(["backlog", "completed", "waitMonths"]):
            rows.append(f"{t},{month},output,{name},,," + ",".join(map(repr, outputs[t, o].tolist())))
    with open(path, "w") as handle:
        handle.write("\n".join(rows) + "\n")


def check_same_numbers(horizon):
    """JAX's deterministic run against Corridor's stocks.csv."""
    model, p = inputs(horizon, 1, 0)
    _, stocks, _, _ = make_run(horizon, "exact")(p)
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([CORRIDOR, "run", SCENARIO, "--horizon", str(horizon), "--out", folder], check=True, capture_output=True)
        worst = 0.0
        with open(os.path.join(folder, "stocks.csv")) as handle:
            next(handle)
            for line in handle:
                step, _, group, compartment, value = line.strip().split(",")
                if int(step) == horizon:
                    continue
                mine = float(stocks[int(step), model.compartments.index(compartment), model.groups.index(group), 2])
                worst = max(worst, abs(mine - float(value)) / max(1.0, abs(float(value))))
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--horizon", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"jax {jax.__version__} on {jax.devices()[0].platform}, float64; corridor {CORRIDOR}")
    print(f"deterministic run: largest relative difference from Corridor over every stock and step: {check_same_numbers(args.horizon):.2e}")
    timings = {"corridor": [], "jax exact": [], "jax binned": []}
    compile_seconds = {}
    with tempfile.TemporaryDirectory() as folder:
        runs = {}
        for method in ("exact", "binned"):
            model, p = inputs(args.horizon, args.members, 1)
            run = make_run(args.horizon, method)
            start = time.perf_counter()
            jax.block_until_ready(run(p))
            compile_seconds[method] = time.perf_counter() - start
            runs[method] = run
        for round_ in range(args.rounds):
            start = time.perf_counter()
            subprocess.run([CORRIDOR, "run", SCENARIO, "--members", str(args.members), "--horizon", str(args.horizon),
                            "--seed", str(round_ + 1), "--out", os.path.join(folder, "c")], check=True, capture_output=True)
            timings["corridor"].append(time.perf_counter() - start)
            for method in ("exact", "binned"):
                start = time.perf_counter()
                model, p = inputs(args.horizon, args.members, round_ + 1)
                results = jax.block_until_ready(runs[method](p))
                write_csv(model, args.horizon, results, os.path.join(folder, f"jax-{method}.csv"))
                timings[f"jax {method}"].append(time.perf_counter() - start)
        corridor_means = {}
        with open(os.path.join(folder, "c", "summary.csv")) as handle:
            for line in handle:
                fields = line.split(",")
                if fields[2] == "output" and fields[3] == "backlog" and fields[0] == str(args.horizon - 1):
                    corridor_means["backlog"] = (float(fields[6]), float(fields[7]))
        with open(os.path.join(folder, "jax-binned.csv")) as handle:
            for line in handle:
                fields = line.split(",")
                if fields[2] == "output" and fields[3] == "backlog" and fields[0] == str(args.horizon - 1):
                    mean, sd = corridor_means["backlog"]
                    error = sd / np.sqrt(args.members)
                    print(f"mean backlog at the last step: Corridor {mean:,.0f}, JAX {float(fields[6]):,.0f} "
                          f"(different draws: {abs(float(fields[6]) - mean) / error:.1f} standard errors of {error:,.0f} apart)")
    best = {name: min(values) for name, values in timings.items()}
    print(f"{args.members:,} members × {args.horizon} months, every series summarized and written; best of {args.rounds}:")
    for name, seconds in best.items():
        extra = f" (compile {compile_seconds[name.split()[1]]:.2f} s, not included)" if name.startswith("jax") else ""
        print(f"  {name:11s} {seconds:6.2f} s{extra}")
    for method in ("exact", "binned"):
        print(f"  Corridor is {best[f'jax {method}'] / best['corridor']:.2f}× faster than JAX with {method} quantiles")


if __name__ == "__main__":
    main()
