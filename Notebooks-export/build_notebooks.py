"""Builds the exported notebooks from the cells below and executes them with nbclient, so
that every output they are exported with was made by running them top to bottom with the
corridor Python package (`pip install -e python/` and a release build of corridor).

    python3 Notebooks-export/build_notebooks.py            # all four
    python3 Notebooks-export/build_notebooks.py sensitivity

Tests/python/test_reports_and_notebooks.py executes them again and checks that their
text outputs are reproduced.
"""
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent

SETUP = '''import corridor
import matplotlib.pyplot as plt
import pandas as pd
from pathlib import Path

# The repository's root, whether the notebook runs from Notebooks-export/ or the root.
ROOT = Path.cwd().parent if Path.cwd().name == "Notebooks-export" else Path.cwd()
SCENARIOS = ROOT / "Datasets" / "scenarios"
OBSERVED = ROOT / "Datasets" / "observed"
BLUE, ORANGE, GREEN = "#0072B2", "#E69F00", "#009E73"  # Okabe–Ito: safe for colour blindness
pd.set_option("display.width", 120)
corridor.version()'''

FAN = '''def fan(ax, result, output, color, label):
    """Median, p25–p75 and p05–p95 of an ensemble output over months."""
    rows = result.outputs_summary.query("name == @output")
    months = rows["month"].dt.to_timestamp()
    ax.fill_between(months, rows["p05"], rows["p95"], color=color, alpha=0.15, linewidth=0)
    ax.fill_between(months, rows["p25"], rows["p75"], color=color, alpha=0.3, linewidth=0)
    ax.plot(months, rows["p50"], color=color, label=f"{label}: median, p25–p75, p05–p95")
    ax.set_ylabel(rows["unit"].iloc[0] or output)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))


def observed(ax, result, output):
    points = result.observed_for(output, OBSERVED)
    if len(points):
        ax.scatter(points["month"].dt.to_timestamp(), points["value"], s=8, color="black", zorder=3,
                   label=f"observed ({points['series'].iloc[0]})")'''

NOTEBOOKS = {
    "baseline-projection": [
        ("markdown", """# The baseline projection, beside what was observed

Corridor's regional model of the corridor from El Salvador, Guatemala and Honduras through Mexico
to the United States, calibrated to FY2013–FY2025 (Docs/regional-model.md), projected to
FY2035 under the 2025 arrival regime. Each member of the ensemble draws the uncertain
parameters; bands are the p05–p95 and p25–p75 over 200 members, the line is the median, dots
are the published figures the model was fitted to. Every number comes from `corridor.run`."""),
        ("code", SETUP),
        ("code", FAN),
        ("code", '''baseline = corridor.run(SCENARIOS / "baseline.yaml", members=200, seed=14010)
backlog = baseline.outputs_summary.query("name == 'courtBacklog'")
backlog[backlog["month"].isin(pd.PeriodIndex(["2024-10", "2030-10", "2035-09"], freq="M"))][["month", "name", "p05", "p50", "p95"]]'''),
        ("markdown", "## Immigration-court backlog and Southwest border encounters"),
        ("code", '''fig, axes = plt.subplots(2, 1, figsize=(10, 8), sharex=True)
for ax, output in zip(axes, ["courtBacklog", "encounters"]):
    fan(ax, baseline, output, BLUE, "baseline")
    observed(ax, baseline, output)
    ax.set_title(output)
    ax.legend(loc="upper left", fontsize=8)
plt.tight_layout()
plt.show()'''),
        ("markdown", """## Change a lever and run again

300 more immigration judges, hired over two years from January 2026 (`judgesAdded` is the
model's lever for judges beyond the observed headcount). The same seed gives the same draws."""),
        ("code", '''# lever: judges added from 2026-01, reaching 300 after a 24-month ramp
more_judges = corridor.run(SCENARIOS / "baseline.yaml", members=200, seed=14010,
                           set={"judgesAdded": {"schedule": [{"from": "2026-01", "value": 300, "ramp": 24}]}})
fig, ax = plt.subplots(figsize=(10, 4.5))
fan(ax, baseline, "courtBacklog", BLUE, "baseline")
fan(ax, more_judges, "courtBacklog", ORANGE, "+300 judges from 2026")
observed(ax, baseline, "courtBacklog")
ax.set_title("courtBacklog: baseline and +300 judges")
ax.legend(loc="upper left", fontsize=8)
plt.show()'''),
        ("code", '''key = ["courtBacklog", "courtWaitMonths"]
table = pd.concat({"baseline": baseline.outputs_summary, "+300 judges": more_judges.outputs_summary})
table = table[table["name"].isin(key) & table["month"].isin(pd.PeriodIndex(["2028-09", "2032-09"], freq="M"))]
table = table.reset_index(level=0, names="run")
table.pivot_table(index=["name", "run"], columns="month", values="p50").round(1)'''),
    ],
    "eo-14010-vs-baseline": [
        ("markdown", """# Executive Order 14010 against the baseline, member by member

`corridor.compare` runs both scenarios on the same members with the same draws (common random
numbers), so each member's difference isolates what the order's levers change: root causes,
regional asylum, reintegration and lawful pathways (Datasets/scenarios/eo-14010.yaml states
every assumption). The bands are the p05–p95 of those paired differences over 200 members."""),
        ("code", SETUP),
        ("code", '''def differences(comparison, output, ax, color, label):
    rows = comparison.query("scenario == 'eo-14010' and output == @output")
    months = rows["month"].dt.to_timestamp()
    ax.fill_between(months, rows["diff_p05"], rows["diff_p95"], color=color, alpha=0.2, linewidth=0)
    ax.plot(months, rows["diff_p50"], color=color, label=f"{label}: median, p05–p95 of paired differences")
    ax.axhline(0, color="#555", linestyle="--", linewidth=0.8)
    ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))


scenarios = [SCENARIOS / "baseline.yaml", SCENARIOS / "eo-14010.yaml"]
outputs = ["encounters", "courtBacklog", "regionalClaims", "pathwayArrivals"]
comparison = corridor.compare(scenarios, outputs=outputs, members=200, seed=14010)
AT = pd.Period("2030-09", freq="M")
comparison[(comparison["scenario"] == "eo-14010") & (comparison["month"] == AT)][["output", "mean", "diff_p05", "diff_p50", "diff_p95"]].round(1)'''),
        ("code", '''fig, axes = plt.subplots(2, 2, figsize=(11, 7), sharex=True)
for ax, output in zip(axes.flat, outputs):
    differences(comparison, output, ax, GREEN, "EO 14010 − baseline")
    ax.set_title(f"{output}: EO 14010 − baseline")
axes.flat[0].legend(loc="lower left", fontsize=8)
plt.tight_layout()
plt.show()'''),
        ("markdown", """## Change a lever and compare again

A lever set with `set=` applies to both scenarios: here both worlds get 300 more judges from
2026, and the comparison asks what the order changes on top of that."""),
        ("code", '''# lever: 300 more judges in both scenarios
with_judges = corridor.compare(scenarios, outputs=outputs, members=200, seed=14010, set={"judgesAdded": 300})
fig, ax = plt.subplots(figsize=(10, 4))
differences(comparison, "courtBacklog", ax, GREEN, "as scheduled")
differences(with_judges, "courtBacklog", ax, ORANGE, "both with +300 judges")
ax.set_title("courtBacklog: EO 14010 − baseline")
ax.legend(loc="lower left", fontsize=8)
plt.show()
def at_2030(frame):
    rows = frame[(frame["scenario"] == "eo-14010") & (frame["month"] == AT)]
    return rows.set_index("output")["diff_p50"]


pd.DataFrame({"as scheduled": at_2030(comparison), "+300 judges in both": at_2030(with_judges)}).round(0)'''),
    ],
    "judge-capacity-plan": [
        ("markdown", """# How many immigration judges?

The least number of judges added from January 2026 for which the court backlog is at most
1,000,000 by September 2032 in at least 90 % of members, if arrivals return to their FY2019
level (Datasets/scenarios/baseline-arrivals-fy2019.yaml). `corridor.plan` runs every
candidate as members of one ensemble with common draws, and refines between the last that
fails and the first that meets the target."""),
        ("code", SETUP),
        ("code", '''SCENARIO = SCENARIOS / "baseline-arrivals-fy2019.yaml"
TARGET = "courtBacklog <= 1000000 by 2032-09"
plan = corridor.plan(SCENARIO, "judgesAdded", TARGET, range=(0, 3000), from_month="2026-01", ramp=24,
                     candidates=11, seeds=1, members=200)
print(f"answer: judgesAdded = {plan.answer:,.0f} (probability {plan.probability:.2f})")'''),
        ("code", '''def curve(ax, plan, color, label):
    ax.plot(plan.curve["value"], plan.curve["probability"], marker="o", markersize=3, color=color, label=label)
    if plan.answer is not None:
        ax.axvline(plan.answer, color=color, linestyle=":", linewidth=1)


fig, ax = plt.subplots(figsize=(9, 4))
curve(ax, plan, "#0072B2", "hired over 24 months")
ax.axhline(0.9, color="#555", linestyle="--", linewidth=0.8)
ax.set_xlabel("judges added from 2026-01")
ax.set_ylabel("share of members meeting the target")
ax.set_title(TARGET)
ax.legend(loc="lower right")
plt.show()'''),
        ("markdown", """## The backlog with the answer

The scenario run with the answer, beside the target."""),
        ("code", '''answer = corridor.run(SCENARIO, members=200, seed=14010,
                      set={"judgesAdded": {"schedule": [{"from": "2026-01", "value": plan.answer, "ramp": 24}]}})
rows = answer.outputs_summary.query("name == 'courtBacklog'")
months = rows["month"].dt.to_timestamp()
fig, ax = plt.subplots(figsize=(10, 4))
ax.fill_between(months, rows["p05"], rows["p95"], color="#0072B2", alpha=0.2, linewidth=0, label="p05–p95")
ax.plot(months, rows["p50"], color="#0072B2", label=f"median with {plan.answer:,.0f} judges added")
ax.axhline(1_000_000, color="#D55E00", linestyle="--", label="target: 1,000,000 by 2032-09")
ax.axvline(pd.Timestamp("2032-09-01"), color="#555", linestyle=":", linewidth=0.8)
ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
ax.legend(loc="upper left", fontsize=8)
plt.show()'''),
        ("markdown", """## Change a lever and plan again

Hiring faster: the same target with the judges in place after 12 months instead of 24."""),
        ("code", '''# lever: the hiring ramp, 12 months instead of 24
faster = corridor.plan(SCENARIO, "judgesAdded", TARGET, range=(0, 3000), from_month="2026-01", ramp=12,
                       candidates=11, seeds=1, members=200)
fig, ax = plt.subplots(figsize=(9, 4))
curve(ax, plan, "#0072B2", "hired over 24 months")
curve(ax, faster, "#E69F00", "hired over 12 months")
ax.axhline(0.9, color="#555", linestyle="--", linewidth=0.8)
ax.set_xlabel("judges added from 2026-01")
ax.set_ylabel("share of members meeting the target")
ax.legend(loc="lower right")
plt.show()
print(f"24-month ramp: {plan.answer:,.0f} judges; 12-month ramp: {faster.answer:,.0f} judges")'''),
    ],
    "sensitivity": [
        ("markdown", """# What moves the court backlog?

`corridor.sensitivity` runs 1,000 members of the baseline and ranks the uncertain parameters
by how much of the spread of the court backlog in September 2030 each explains: the
standardized regression coefficient (a linear fit over the members' draws) and the
first-order share of variance (the share explained by that draw alone, estimated by binning)."""),
        ("code", SETUP),
        ("code", '''ranking = corridor.sensitivity(SCENARIOS / "baseline.yaml", "courtBacklog", "2030-09", members=1000)
print(f"R² of the linear fit: {ranking.attrs['r_squared']:.3f}")
ranking.head(8)[["parameter", "standardized_coefficient", "first_order_share"]].round(3)'''),
        ("code", '''def bars(ax, ranking, color, label, offset=0.0):
    top = ranking.head(8).iloc[::-1]
    positions = range(len(top))
    ax.barh([p + offset for p in positions], top["first_order_share"], height=0.4, color=color, label=label)
    ax.set_yticks(list(positions), top["parameter"])
    ax.set_xlabel("first-order share of the variance of courtBacklog at 2030-09")


fig, ax = plt.subplots(figsize=(9, 4.5))
bars(ax, ranking, "#0072B2", "baseline")
ax.legend(loc="lower right")
plt.tight_layout()
plt.show()'''),
        ("markdown", """## Change a lever and rank again

With 700 more judges from 2026 the backlog is worked down faster. The judges' productivity
(`productivityShock`) still dominates the spread: it scales how fast every judge, old or new,
completes cases."""),
        ("code", '''# lever: 700 judges added from 2026-01 over 24 months
with_judges = corridor.sensitivity(SCENARIOS / "baseline.yaml", "courtBacklog", "2030-09", members=1000,
                                   set={"judgesAdded": {"schedule": [{"from": "2026-01", "value": 700, "ramp": 24}]}})
merged = pd.DataFrame({"baseline": ranking.set_index("parameter")["first_order_share"],
                       "with +700 judges": with_judges.set_index("parameter")["first_order_share"]}).loc[ranking["parameter"]]
merged.head(8).round(3)'''),
        ("code", '''fig, ax = plt.subplots(figsize=(9, 4.5))
top = merged.head(8).iloc[::-1]
ax.barh([p + 0.2 for p in range(len(top))], top["baseline"], height=0.4, color="#0072B2", label="baseline")
ax.barh([p - 0.2 for p in range(len(top))], top["with +700 judges"], height=0.4, color="#E69F00", label="+700 judges")
ax.set_yticks(list(range(len(top))), top.index)
ax.set_xlabel("first-order share of the variance of courtBacklog at 2030-09")
ax.legend(loc="lower right")
plt.tight_layout()
plt.show()'''),
    ],
}


def build(name: str) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, source in NOTEBOOKS[name]:
        cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        notebook.cells.append(cell)
    NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
    path = HERE / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path


if __name__ == "__main__":
    for name in sys.argv[1:] or NOTEBOOKS:
        print("built", build(name).relative_to(HERE.parent))
