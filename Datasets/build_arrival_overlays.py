#!/usr/bin/env python3
"""Writes the arrival scenarios (Datasets/overlays/arrivals-*.yaml) from the fitted drivers.

An arrival scenario states what arrives after the data end (September 2025 on): the push of
departures per nationality, the other nationalities' departures and the crossing regime,
each the mean of the fitted month-by-month values over a stated period of the history.
Run from the repository root after a calibration:  python3 Datasets/build_arrival_overlays.py
Tests/CorridorCLITests/RegionalModelTests.swift checks the files against fitted.yaml.
"""
import os

import yaml

ROOT = os.path.dirname(os.path.abspath(__file__))
GROUPS = ["SLV", "GTM", "HND", "MEX"]
SCENARIOS = [
    ("arrivals-2025", "2025-01", "2025-07",
     "departures and crossings as fitted for 2025 (the 2025 border measures: few crossings,\n"
     "# claims in Mexico continuing) go on"),
    ("arrivals-fy2023", "2022-10", "2023-09",
     "departures as in FY2023 (October 2022 - September 2023) return, without the 2025 crossing regime"),
    ("arrivals-fy2019", "2018-10", "2019-09",
     "departures as in FY2019 (October 2018 - September 2019) return, without the 2025 crossing regime"),
]


def mean_over(series, first, last, group):
    values = [row[group] for month, row in series.items() if first <= str(month) <= last]
    return sum(values) / len(values)


def main():
    with open(os.path.join(ROOT, "calibration", "fitted.yaml")) as handle:
        fitted = yaml.safe_load(handle)["set"]
    push = {str(k): v for k, v in fitted["pushIndex"]["series"].items()}
    other = {str(k): v for k, v in fitted["otherDepartures"]["series"].items()}
    regime_2025 = fitted["crossingRegime"]["schedule"][-1]["value"]
    for name, first, last, meaning in SCENARIOS:
        regime = regime_2025 if first >= "2025-01" else 1
        values = ", ".join(f"{g}: {mean_over(push, first, last, g)!r}" for g in GROUPS)
        text = f"""format: corridor-overlay/1
# Arrival scenario `{name}`: {meaning}.
# Each value is the mean of the fitted month-by-month driver over {first}..{last}
# (Datasets/calibration/fitted.yaml); built by Datasets/build_arrival_overlays.py. They act from January 2026 (the parameter
# `projection`), after the history. List this file after
# the fitted overlay in a scenario's `overlays:`; a later arrival overlay replaces an earlier one.
set:
  arrivalPush: {{value: {{{values}, OTH: 1}}}}
  arrivalOtherDepartures: {{value: {{default: 0, OTH: {mean_over(other, first, last, "OTH")!r}}}}}
  arrivalCrossingRegime: {{value: {regime!r}}}
"""
        with open(os.path.join(ROOT, "overlays", name + ".yaml"), "w") as handle:
            handle.write(text)
        print(f"overlays/{name}.yaml")


if __name__ == "__main__":
    main()
