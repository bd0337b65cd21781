"""Tests of the Python package against the corridor binary (run by `make test`, which builds
it first). Numbers are checked against the CLI's own files and against cases worked by hand."""
import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import corridor

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "Datasets" / "scenarios" / "baseline.yaml"
EXAMPLE = ROOT / "Datasets" / "examples" / "scenario.yaml"
COURT = """format: corridor-model/1
name: court
start: 2024-01
groups: [AAA]
compartments: [court, done]
parameters:
  judges: {value: 5}
  arrivals: {value: 100, uncertainty: {dist: lognormal, cv: 0.2}}
initial: {court: 1000}
flows:
  - {name: come, inflow: arrivals, to: court}
  - {name: decide, from: court, capacity: judges * 10, to: done}
outputs:
  backlog:
    expression: total(court)
    unit: cases pending, start of month
"""


@pytest.fixture(scope="module")
def court(tmp_path_factory):
    folder = tmp_path_factory.mktemp("court")
    (folder / "model.yaml").write_text(COURT)
    (folder / "s.yaml").write_text("format: corridor-scenario/1\nname: base\nmodel: model.yaml\nhorizon: 12\n")
    return folder / "s.yaml"


def test_a_deterministic_run_gives_the_formats_files_as_tidy_frames_worked_by_hand(court):
    result = corridor.run(court)
    assert result.members == 1 and result.summary is None
    outputs = result.outputs
    assert list(outputs.columns) == ["step", "month", "output", "value", "unit"]
    assert str(outputs["month"].dtype) == "period[M]"
    # 1000 + 100 arrivals − 50 decided each month: 1000, 1050, 1100, …
    assert outputs["value"].tolist() == [1000 + 50 * step for step in range(12)]
    assert outputs["month"].iloc[3] == pd.Period("2024-04", freq="M")
    assert set(outputs["unit"]) == {"cases pending, start of month"}
    assert result.stocks.query("compartment == 'done' and step == 12")["value"].item() == 600
    assert result.info["corridor"] == corridor.version().split()[-1]


def test_a_lever_set_from_python_is_the_clis_set(court):
    result = corridor.run(court, set={"judges": 10})
    assert result.outputs["value"].tolist() == [1000] * 12
    scheduled = corridor.run(court, set={"judges": {"schedule": [{"from": "2024-07", "value": 10}]}})
    assert scheduled.outputs["value"].tolist() == [1000 + 50 * step for step in range(7)] + [1300] * 5


def test_the_readme_example_prints_the_band_of_the_court_backlog():
    result = corridor.run(BASELINE, members=200, seed=1, set={"judgesAdded": 300})
    backlog = result.outputs_summary.query("name == 'courtBacklog'")
    assert list(backlog.columns) == ["step", "month", "kind", "name", "group", "unit", "mean", "sd", "p05", "p25", "p50", "p75", "p95"]
    assert len(backlog) == 276 and backlog["unit"].iloc[0] == "immigration-court cases pending (people), start of month"
    assert (backlog["p05"] <= backlog["p50"]).all() and (backlog["p50"] <= backlog["p95"]).all()
    # The same numbers as the CLI's summary.csv for the same settings.
    out = Path(os.environ.get("PYTEST_TMP", "/tmp")) / f"corridor-cli-{os.getpid()}"
    subprocess.run([corridor.find_binary(), "run", str(BASELINE), "--members", "200", "--seed", "1",
                    "--set", "judgesAdded=300", "--out", str(out)], check=True, capture_output=True)
    cli = pd.read_csv(out / "summary.csv", dtype={"group": str}).query("name == 'courtBacklog'")
    assert cli["p50"].tolist() == backlog["p50"].tolist()


def test_the_xarray_view_has_month_series_and_statistic(court):
    dataset = corridor.run(court, members=50, seed=3).to_xarray()
    assert dataset["summary"].dims == ("month", "series", "statistic")
    assert list(dataset["statistic"].values) == ["mean", "sd", "p05", "p25", "p50", "p75", "p95"]
    first = dataset["summary"].sel(series="output:backlog", statistic="p50").values[0]
    assert first == 1000 and dataset["unit"].sel(series="output:backlog").item() == "cases pending, start of month"


def test_compare_plan_and_sensitivity_return_frames(court, tmp_path):
    more = tmp_path / "more.yaml"
    more.write_text(f"format: corridor-scenario/1\nname: more\nmodel: {court.parent / 'model.yaml'}\nhorizon: 12\nset:\n  judges: {{value: 15}}\n")
    comparison = corridor.compare([court, more], members=50, seed=3)
    row = comparison.query("scenario == 'more' and step == 10").iloc[0]
    # 100 more completions a month for 10 months: 1,000 fewer cases in every member.
    assert row["diff_p50"] == -1000 and row["month"] == pd.Period("2024-11", freq="M")
    # set= applies to every scenario: with no arrivals, base has 500 cases left at step 10
    # (1000 − 10·50) and more none (1000 − 7·150 < 0): 500 fewer.
    without = corridor.compare([court, more], members=50, seed=3, set={"arrivals": 0})
    assert without.query("scenario == 'more' and step == 10")["diff_p50"].item() == -500
    plan = corridor.plan(court, "judges", "backlog <= 200 by 2024-12", range=(0, 40), from_month="2024-01", members=100, seeds=1)
    assert plan.answer is not None and plan.probability >= 0.9
    assert list(plan.curve.columns) == ["value", "probability"] and plan.seeds["answer"].iloc[0] == plan.answer
    ranking = corridor.sensitivity(court, "backlog", "2024-10", members=200)
    assert ranking["parameter"].iloc[0] == "arrivals" and ranking.attrs["r_squared"] > 0.9


def test_errors_carry_corridors_message_unchanged(court, tmp_path):
    with pytest.raises(corridor.CorridorError) as error:
        corridor.run(court, set={"judgs": 3})
    assert "the model has no parameter 'judgs'. Did you mean 'judges'?" in error.value.message
    assert error.value.status == 1
    bad = tmp_path / "bad.yaml"
    bad.write_text(COURT.replace("judges: {value: 5}", "judges: {value: five}"))
    with pytest.raises(corridor.CorridorError) as error:
        corridor.validate(bad)
    assert error.value.message == f"{bad}:7:19: error: parameters.judges.value: expected a value (a number or a per-group map), found 'five'"
    with pytest.raises(corridor.CorridorError, match="lies outside the months this scenario runs"):
        corridor.sensitivity(court, "backlog", "2030-01")


def test_a_missing_binary_is_explained_with_the_command_that_builds_it(monkeypatch):
    with pytest.raises(corridor.BinaryNotFoundError, match="swift build -c release --product corridor"):
        corridor.run(EXAMPLE, binary="/nowhere/corridor")
    monkeypatch.setenv("CORRIDOR_BINARY", "/nowhere/either")
    with pytest.raises(corridor.BinaryNotFoundError, match="CORRIDOR_BINARY names /nowhere/either"):
        corridor.run(EXAMPLE)


def test_progress_reaches_tqdm_for_calls_that_take_time(court, monkeypatch):
    seen = []
    import corridor._binary as binary

    class Recording(binary._bar_class()):
        def update(self, n=1):
            seen.append((self.desc, self.n + n, self.total))
            return super().update(n)

    monkeypatch.setattr(binary, "_bar_class", lambda: Recording)
    corridor.run(court, members=3000, seed=1)
    assert seen and seen[-1] == ("running 3000 members", 3000, 3000)


def test_warnings_from_the_binary_become_python_warnings(court):
    with pytest.warns(UserWarning, match="-5 is negative"):
        corridor.run(court, set={"judges": -5})


def test_calibrate_and_backtest_recover_a_known_court(tmp_path):
    """Monthly completions observed from a court with 5 judges; a fit that starts from 3
    judges finds 5, and a backtest of the true court forecasts the held-back months exactly."""
    (tmp_path / "model.yaml").write_text(COURT.replace("  arrivals: {value: 100, uncertainty: {dist: lognormal, cv: 0.2}}",
                                                       "  arrivals: {value: 100}"))
    truth = corridor.run(tmp_path / "model.yaml", horizon=12)
    completions = truth.flows.query("flow == 'decide'")
    (tmp_path / "observed").mkdir()
    lines = ["series,group,period,value,unit,source"] + [
        f"completions,ALL,{month},{value!r},cases,the court itself" for month, value in zip(completions["month"].astype(str), completions["value"])]
    (tmp_path / "observed" / "court.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "start.yaml").write_text("format: corridor-scenario/1\nmodel: model.yaml\nhorizon: 12\nset:\n  judges: {value: 3}\n")
    (tmp_path / "fit.yaml").write_text(
        "format: corridor-calibration/1\nscenario: start.yaml\nobserved: observed\nwindow: {from: 2024-01, to: 2024-12}\n"
        "output: fitted.yaml\nparameters:\n  - {name: judges, min: 1, max: 50}\n"
        "targets:\n  - {model: \"flow:decide:AAA\", observed: completions}\n")
    fit = corridor.calibrate(tmp_path / "fit.yaml")
    assert fit.overlay_path.endswith("fitted.new.yaml") and "judges" in fit.overlay
    assert (fit.comparison["model"] - fit.comparison["observed"]).abs().max() < 1e-6
    accuracy = corridor.backtest(tmp_path / "fit.yaml", "2024-08")
    assert set(accuracy.forecasts["horizon"]) == {1, 2, 3, 4}
    assert (accuracy.forecasts["model"] - accuracy.forecasts["observed"]).abs().max() < 1e-6
