"""Corridor from Python.

A thin interface over the compiled ``corridor`` tool (as CmdStanPy is over CmdStan): each
function runs the binary with the CLI's options as keyword arguments, reads the files it
writes and returns pandas objects with a monthly ``month`` column. Errors from the binary
are raised as :class:`CorridorError` carrying Corridor's message unchanged, and progress
is shown with tqdm (in Jupyter too) for any call that runs longer than a second.

>>> import corridor
>>> r = corridor.run("Datasets/scenarios/baseline.yaml", members=200, seed=1, set={"judgesAdded": 300})
>>> r.outputs_summary.query("name == 'courtBacklog'").tail()
"""
from ._api import (BacktestResult, CalibrationResult, PlanResult, RunResult, backtest, calibrate, compare,
                   observed, plan, run, sensitivity, validate, version)
from ._binary import BinaryNotFoundError, CorridorError, find_binary, set_binary

__all__ = [
    "run", "compare", "plan", "sensitivity", "calibrate", "backtest", "validate", "version", "observed",
    "RunResult", "PlanResult", "CalibrationResult", "BacktestResult",
    "CorridorError", "BinaryNotFoundError", "find_binary", "set_binary",
]
