"""The commands of the ``corridor`` tool as Python functions returning pandas objects."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence, Union

import pandas as pd

from ._binary import invoke

PathLike = Union[str, os.PathLike]
STATISTICS = ["mean", "sd", "p05", "p25", "p50", "p75", "p95"]


def _months(frame: pd.DataFrame, column: str = "month") -> pd.DataFrame:
    """Turns a ``YYYY-MM`` column into monthly pandas Periods."""
    if column in frame.columns:
        frame[column] = pd.PeriodIndex(frame[column].astype(str), freq="M")
    return frame


TEXT_COLUMNS = ("group", "unit", "scenario", "output", "name", "kind", "flow", "to", "compartment", "parameter", "note")


def _read(folder: Path, name: str) -> pd.DataFrame:
    """A CSV file Corridor wrote: numbers as floats (``nan`` read as NaN), text columns
    as strings with empty text for an empty field, and monthly ``month`` Periods."""
    frame = pd.read_csv(folder / name, dtype={column: str for column in TEXT_COLUMNS}, na_filter=True)
    for column in TEXT_COLUMNS:
        if column in frame.columns:
            frame[column] = frame[column].fillna("")
    return _months(frame)


def _common(members: Optional[int], seed: Optional[int], horizon: Optional[int],
            threads: Optional[int], set: Optional[Mapping[str, object]] = None) -> list[str]:
    """The options every command that runs an ensemble shares (EnsembleOptions)."""
    arguments: list[str] = []
    for flag, value in (("--members", members), ("--seed", seed), ("--horizon", horizon), ("--threads", threads)):
        if value is not None:
            arguments += [flag, str(int(value))]
    for name, value in (set or {}).items():
        arguments += ["--set", _setting(name, value)]
    return arguments


def _setting(name: str, value) -> str:
    """A ``--set`` assignment: a number holds the lever at that value in every month; a
    string or a mapping is a scenario ``set`` entry (YAML; a mapping is written as JSON,
    which YAML reads)."""
    if isinstance(value, bool):
        raise TypeError(f"set[{name!r}]: a lever takes a number or a set entry, not {value!r}")
    if isinstance(value, (int, float)):
        return f"{name}={float(value)!r}"
    if isinstance(value, Mapping):
        return f"{name}={json.dumps(value)}"
    return f"{name}={value}"


def _out_folder():
    return tempfile.TemporaryDirectory(prefix="corridor-py-")


@dataclass
class RunResult:
    """What ``corridor run`` wrote, as tidy frames with a monthly ``month`` column.

    A deterministic run (one member) has ``stocks``, ``flows`` and ``outputs`` (the
    format's files; ``outputs`` gains a ``unit`` column where the model states one). An
    ensemble has ``summary``: one row per month and series with ``kind`` (stock, flow,
    output), ``name``, ``group``, ``unit`` and the statistics mean, sd, p05 … p95; and
    ``outputs_summary``, its rows of named outputs. ``info`` is the run's ``run.json``.
    """

    members: int
    info: dict
    summary: Optional[pd.DataFrame] = None
    stocks: Optional[pd.DataFrame] = None
    flows: Optional[pd.DataFrame] = None
    outputs: Optional[pd.DataFrame] = None

    @property
    def outputs_summary(self) -> pd.DataFrame:
        """The summary rows of the named outputs (an ensemble), or ``outputs`` (one member)."""
        if self.summary is None:
            return self.outputs
        return self.summary[self.summary["kind"] == "output"].reset_index(drop=True)

    def observed_for(self, output: str, folder: PathLike = "Datasets/observed") -> pd.DataFrame:
        """The observed series the model file names for ``output`` (its ``observed:`` key),
        read from ``folder`` and placed as Corridor's charts place it: monthly values at
        their month; with ``at: end``, each period's value at the month after it ends (a
        stock at the end of a fiscal year is the next October's start). Columns ``month``,
        ``value``, ``series``; empty when the model names no series for the output."""
        link = ((self.info.get("outputs") or {}).get(output) or {}).get("observed")
        if not link:
            return pd.DataFrame({"month": pd.PeriodIndex([], freq="M"), "value": [], "series": []})
        data = observed(folder)
        rows = data[(data["series"] == link["series"]) & (data["group"] == link["group"])].copy()
        if link["at"] == "end":
            rows["month"] = rows["last_month"] + 1
        rows = rows.dropna(subset=["month"])
        return rows[["month", "value", "series"]].sort_values("month").reset_index(drop=True)

    def to_xarray(self):
        """The ensemble summary as an ``xarray.Dataset`` with one variable, ``summary``,
        over dimensions month × series × statistic; each series carries its kind, name,
        group and unit as coordinates. Needs ``pip install xarray``."""
        import xarray as xr

        if self.summary is None:
            raise ValueError("a deterministic run has no summary; run with members > 1")
        frame = self.summary.copy()
        frame["series"] = frame["kind"] + ":" + frame["name"] + frame["group"].map(lambda g: "" if g == "" else ":" + g)
        labels = frame.drop_duplicates("series").set_index("series")[["kind", "name", "group", "unit"]]
        cube = frame.set_index(["month", "series"])[STATISTICS].to_xarray().to_array("statistic")
        dataset = cube.transpose("month", "series", "statistic").to_dataset(name="summary")
        dataset["month"] = dataset["month"].to_index().to_timestamp()
        for column in labels.columns:
            dataset = dataset.assign_coords({column: ("series", labels.loc[dataset["series"].values, column].to_numpy())})
        return dataset


def observed(folder: PathLike = "Datasets/observed") -> pd.DataFrame:
    """Every observed series of a folder (``series,group,period,value,unit,source``, the
    files of Datasets/observed) in one tidy frame, with ``month`` (the period's month when
    it is monthly, else missing) and ``last_month`` (the last month a period covers:
    ``FY2024`` → 2024-09, ``2019`` → 2019-12, ``2024-03`` → 2024-03)."""
    frames = [pd.read_csv(path, dtype={"group": str, "period": str}) for path in sorted(Path(folder).glob("*.csv"))]
    data = pd.concat(frames, ignore_index=True)

    def last_month(period: str) -> pd.Period:
        if period.startswith("FY"):
            return pd.Period(f"{int(period[2:])}-09", freq="M")
        if len(period) == 4:
            return pd.Period(f"{period}-12", freq="M")
        return pd.Period(period, freq="M")

    data["last_month"] = pd.PeriodIndex([last_month(period) for period in data["period"]], freq="M")
    monthly = data["period"].str.len() == 7
    data["month"] = data["last_month"].where(monthly)
    return data


def run(scenario: PathLike, *, members: Optional[int] = None, seed: Optional[int] = None,
        horizon: Optional[int] = None, set: Optional[Mapping[str, object]] = None,
        summaries: Optional[str] = None, per_member: bool = False, threads: Optional[int] = None,
        binary: Optional[str] = None, progress: bool = True) -> RunResult:
    """Runs a scenario (or a model file with ``horizon``) like ``corridor run``.

    ``set`` holds levers: ``{"judgesAdded": 300}`` (held in every month) or
    ``{"judges": {"schedule": [{"from": "2026-01", "value": 900, "ramp": 12}]}}``.
    ``summaries`` is ``"all"`` (default) or ``"outputs"`` (faster for large ensembles).
    """
    arguments = ["run", os.fspath(scenario), *_common(members, seed, horizon, threads, set)]
    if summaries is not None:
        arguments += ["--summaries", summaries]
    if per_member:
        arguments.append("--per-member")
    with _out_folder() as scratch:
        out = Path(scratch) / "run"
        invoke(arguments + ["--out", str(out)], binary=binary, progress=progress)
        info = json.loads((out / "run.json").read_text())
        units = {name: shown.get("unit", "") for name, shown in (info.get("outputs") or {}).items()}
        result = RunResult(members=info["members"], info=info)
        if (out / "summary.csv").exists():
            result.summary = _read(out, "summary.csv")
        if (out / "stocks.csv").exists():
            result.stocks = _read(out, "stocks.csv")
            result.flows = _read(out, "flows.csv")
            result.outputs = _read(out, "outputs.csv")
            result.outputs["unit"] = result.outputs["output"].map(lambda name: units.get(name, ""))
        return result


def compare(scenarios: Sequence[PathLike], *, at: Iterable[str] = (), outputs: Iterable[str] = (),
            members: Optional[int] = None, seed: Optional[int] = None, horizon: Optional[int] = None,
            set: Optional[Mapping[str, object]] = None, threads: Optional[int] = None,
            binary: Optional[str] = None, progress: bool = True) -> pd.DataFrame:
    """Runs scenarios with common draws like ``corridor compare``: one row per month,
    scenario and output with the level (mean, p05, p50, p95) and the member-by-member
    difference from the first scenario (``diff_*``); only the ``outputs`` named, when named.
    ``set`` applies to every scenario."""
    arguments = ["compare", *map(os.fspath, scenarios), *_common(members, seed, horizon, threads, set)]
    for month in at:
        arguments += ["--at", str(month)]
    outputs = list(outputs)
    for name in outputs:
        arguments += ["--output", name]
    with _out_folder() as scratch:
        invoke(arguments + ["--out", scratch + "/compare"], binary=binary, progress=progress)
        frame = _read(Path(scratch) / "compare", "comparison.csv")
    if outputs:
        frame = frame[frame["output"].isin(outputs)].reset_index(drop=True)
    return frame


@dataclass
class PlanResult:
    """The answer of ``corridor plan``: the least candidate that meets the target with the
    probability asked (``None`` when none does), its probability, the ``curve`` of every
    candidate tried, and ``seeds``: the answer found with each seed."""

    answer: Optional[float]
    probability: Optional[float]
    curve: pd.DataFrame
    seeds: pd.DataFrame


def plan(scenario: PathLike, vary: str, target: str, *, confidence: Optional[float] = None,
         range: Optional[tuple] = None, from_month: Optional[str] = None, ramp: Optional[int] = None,
         candidates: Optional[int] = None, seeds: Optional[int] = None, continuous: bool = False,
         members: Optional[int] = None, seed: Optional[int] = None, horizon: Optional[int] = None,
         set: Optional[Mapping[str, object]] = None, threads: Optional[int] = None,
         binary: Optional[str] = None, progress: bool = True) -> PlanResult:
    """The least value of lever ``vary`` that meets ``target`` (``"courtBacklog <= 1000000
    by 2032-09"``) with probability ``confidence``, like ``corridor plan`` (``from_month``
    is its ``--from``)."""
    arguments = ["plan", os.fspath(scenario), "--vary", vary, "--target", target,
                 *_common(members, seed, horizon, threads, set)]
    for flag, value in (("--confidence", confidence), ("--from", from_month), ("--ramp", ramp),
                        ("--candidates", candidates), ("--seeds", seeds)):
        if value is not None:
            arguments += [flag, str(value)]
    if range is not None:
        low, high = range
        arguments += ["--range", f"{low}:{high}"]
    if continuous:
        arguments.append("--continuous")
    with _out_folder() as scratch:
        out = Path(scratch) / "plan"
        invoke(arguments + ["--out", str(out)], binary=binary, progress=progress)
        curve = _read(out, "plan.csv")
        by_seed = _read(out, "plan-seeds.csv")
    answer = by_seed["answer"].iloc[0]
    if pd.isna(answer):
        return PlanResult(None, None, curve, by_seed)
    probability = float(curve.loc[curve["value"] == answer, "probability"].iloc[0])
    return PlanResult(float(answer), probability, curve, by_seed)


def sensitivity(scenario: PathLike, output: str, at: str, *, members: Optional[int] = None,
                seed: Optional[int] = None, horizon: Optional[int] = None, set: Optional[Mapping[str, object]] = None,
                threads: Optional[int] = None, binary: Optional[str] = None, progress: bool = True) -> pd.DataFrame:
    """Ranks the uncertain parameters by how much they move ``output`` at month ``at``,
    like ``corridor sensitivity``: standardized regression coefficients and first-order
    shares of variance, one row per parameter, with the linear fit's R² (also in
    ``.attrs["r_squared"]``)."""
    arguments = ["sensitivity", os.fspath(scenario), "--output", output, "--at", str(at),
                 *_common(members, seed, horizon, threads, set)]
    with _out_folder() as scratch:
        out = Path(scratch) / "sensitivity"
        invoke(arguments + ["--out", str(out)], binary=binary, progress=progress)
        table = _read(out, "sensitivity.csv")
    table.attrs["r_squared"] = float(table["r_squared"].iloc[0]) if len(table) else None
    return table


@dataclass
class CalibrationResult:
    """What ``corridor calibrate`` wrote: the overlay of fitted values (its path and text)
    and every observation beside the model's value (``comparison``)."""

    overlay_path: str
    overlay: str
    comparison: pd.DataFrame
    report: str = field(repr=False, default="")


def calibrate(config: PathLike, *, out: Optional[PathLike] = None, threads: Optional[int] = None,
              binary: Optional[str] = None, progress: bool = True) -> CalibrationResult:
    """Fits a calibration file like ``corridor calibrate``. The overlay goes to ``out``
    (default, as the CLI: beside the file's ``output``, with ``.new`` before its extension)."""
    arguments = ["calibrate", os.fspath(config)]
    if out is not None:
        arguments += ["--out", os.fspath(out)]
    if threads is not None:
        arguments += ["--threads", str(int(threads))]
    report = invoke(arguments, binary=binary, progress=progress)
    written = report.strip().splitlines()[-1]
    overlay_path = written.removeprefix("wrote ").split(" and ")[0]
    comparison_path = Path(overlay_path).with_name(Path(overlay_path).stem + "-comparison.csv")
    return CalibrationResult(overlay_path, Path(overlay_path).read_text(),
                             _read(comparison_path.parent, comparison_path.name), report)


@dataclass
class BacktestResult:
    """``corridor backtest``: accuracy per target and horizon band, and every forecast."""

    accuracy: pd.DataFrame
    forecasts: pd.DataFrame


def backtest(config: PathLike, cutoff: str, *, conditional: bool = False, threads: Optional[int] = None,
             binary: Optional[str] = None, progress: bool = True) -> BacktestResult:
    """Fits on data up to ``cutoff`` and scores the forecasts after it, like ``corridor backtest``."""
    arguments = ["backtest", os.fspath(config), "--cutoff", str(cutoff)]
    if conditional:
        arguments.append("--conditional")
    if threads is not None:
        arguments += ["--threads", str(int(threads))]
    with _out_folder() as scratch:
        invoke(arguments + ["--out", scratch + "/backtest"], binary=binary, progress=progress)
        folder = Path(scratch) / "backtest"
        return BacktestResult(_read(folder, "accuracy.csv"), _read(folder, "forecasts.csv"))


def validate(*files: PathLike, binary: Optional[str] = None) -> str:
    """Checks model and scenario files like ``corridor validate``; returns its report and
    raises :class:`CorridorError` with Corridor's message when a file is invalid."""
    return invoke(["validate", *map(os.fspath, files)], binary=binary, progress=False)


def version(binary: Optional[str] = None) -> str:
    """The version of the ``corridor`` binary."""
    return invoke(["--version"], binary=binary, progress=False).strip()
