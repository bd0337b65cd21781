#!/usr/bin/env python3
"""Operations per member-step of a model, as Corridor's kernels perform them, for the roofline
note in Benchmarks/README.md. Counted from the model file with the kernels' costs below (one
flop per add, multiply, divide, comparison, min/max or select; an exponential apart), for an
ensemble whose members draw their uncertain parameters. An expression or hazard is per-member
when it reads a stock, a total, a flow or an uncertain parameter; otherwise it is computed once
for all members and costs nothing per member. Estimates, not measurements: they ignore the
finiteness check every 12 steps and the loop overheads.

Usage: python3 Benchmarks/roofline/count.py Datasets/examples/model.yaml [--summaries all|outputs]
"""
import argparse
import re

import yaml

SUMMARY_FLOPS = 6        # minimum, maximum, deviation, square, two tree additions
SUMMARY_BYTES = 8        # the value, read once (its bin's count is counted apart)
EXPM1_FLOPS = 30         # the vector expm1 when every lane is within ±0.45 (VectorMath)
OPERATOR = re.compile(r"[-+*/]|\bmin\(|\bmax\(")
DYNAMIC = re.compile(r"\b(stock|total|flow)\(")


def groups_of(model):
    return len(model["groups"])


def uncertain(model):
    return {name for name, spec in (model.get("parameters") or {}).items()
            if isinstance(spec, dict) and spec.get("uncertainty")}


def per_member(expression, drawn):
    text = str(expression)
    return bool(DYNAMIC.search(text)) or any(re.search(rf"\b{re.escape(p)}\b", text) for p in drawn)


def operators(expression):
    text = str(expression)
    return len(OPERATOR.findall(text)), text.count("exp(")


def count(model, scope):
    g = groups_of(model)
    drawn = uncertain(model)
    flops = exps = 0
    rows = 0  # row values read or written per member
    # Parameter fills with a draw: lognormal and uniform multiply, normal adds and clamps.
    for name in drawn:
        dist = model["parameters"][name]["uncertainty"]["dist"]
        flops += g * (3 if dist == "normal" else 1)
        rows += g * 2

    def expression_cost(expression):
        nonlocal flops, exps, rows
        if expression is None or not per_member(expression, drawn):
            return
        ops, e = operators(expression)
        flops += g * ops
        exps += g * e
        rows += g * 3 * (ops + e)

    sources = {}
    step5_flops = step5_rows = 0
    for flow in model["flows"]:
        destinations = flow["to"] if isinstance(flow["to"], dict) else {flow["to"]: 1}
        for weight in destinations.values():
            expression_cost(weight)
        varying_shares = len(destinations) > 1 and any(per_member(w, drawn) for w in destinations.values())
        if varying_shares:
            d = len(destinations)
            flops += g * (5 * d + 2)
            rows += g * (3 * d + 1)
        # Step 5 adds amount (× share when the flow has several destinations: a row when the
        # shares differ by member, else one value for all) to each destination.
        for _ in destinations:
            step5_flops += g * (2 if len(destinations) > 1 else 1)
            step5_rows += g * (2 if varying_shares else 1)
        if "inflow" in flow:
            expression_cost(flow["inflow"])
            flops += g * 2
            rows += g * 3
            continue
        source = sources.setdefault(flow["from"], {"hazards": [], "capacity": []})
        if "rate" in flow:
            expression_cost(flow["rate"])
            source["hazards"].append(flow)
        else:
            expression_cost(flow["capacity"])
            source["capacity"].append(flow)
    for source in sources.values():
        for flow in source["capacity"]:
            if flow.get("allocation") == "perGroup":
                flops += g * 4
                rows += g * 5
            else:
                flops += g + 4 + 3 * g
                rows += 5 * g + 1
        k = len(source["hazards"])
        if k:
            varying = any(per_member(f["rate"], drawn) for f in source["hazards"])
            if varying:
                # H (clamp and add per rate), (1 − e^−H)/H, then per flow clamp, two
                # multiplications and the remainder's subtraction; rates read twice, and
                # H and the factors passed between the three passes in a scratch row.
                flops += g * (3 * k + 3 + EXPM1_FLOPS + 5 * k)
                exps += g
                rows += g * (6 + 3 * k)
            else:
                # rate·(1 − e^−H)/H computed once: per flow one multiplication, one subtraction.
                flops += g * 2 * k
                rows += g * (2 + k)
    # Step 5: each source slot keeps its clamped remainder; every destination adds its part.
    flops += g * len(sources) + step5_flops
    rows += g * 2 * len(model["compartments"]) + step5_rows
    outputs = model.get("outputs") or {}
    for spec in outputs.values():
        expression = spec["expression"] if isinstance(spec, dict) else spec
        ops, e = operators(expression)
        functions = len(DYNAMIC.findall(str(expression)))
        flops += ops + functions * (g - 1)  # totals over groups
        exps += e
        rows += 3 * ops + functions * g
    series = len(outputs) if scope == "outputs" else (
        len(model["compartments"]) * g + len(model["flows"]) * g + len(outputs))
    return {"step flops": flops, "exponentials": exps, "step bytes (tile rows)": 8 * rows,
            "summarized values": series, "summary flops": SUMMARY_FLOPS * series,
            "summary bytes (values)": SUMMARY_BYTES * series}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--summaries", choices=["all", "outputs"], default="all")
    arguments = parser.parse_args()
    with open(arguments.model) as handle:
        model = yaml.safe_load(handle)
    for name, value in count(model, arguments.summaries).items():
        print(f"{name:>24}: {value}")


if __name__ == "__main__":
    main()
