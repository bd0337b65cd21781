"""Checks what people open: the HTML report in headless Chromium, and the notebooks with
nbformat (validation) and nbclient (execution). Run by `make test` after `swift test`,
with the corridor binary that `swift test` built."""
import os
import shutil
import subprocess

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def corridor():
    for candidate in ("debug", "release"):
        path = os.path.join(ROOT, ".build", candidate, "corridor")
        if os.path.exists(path):
            return path
    pytest.fail("no corridor binary: run swift build first")


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("Chromium is needed to check the report (apt-get install chromium)")


def test_report_renders_in_headless_chromium(tmp_path):
    report = tmp_path / "report.html"
    subprocess.run([corridor(), "report", "Datasets/scenarios/baseline.yaml", "Datasets/scenarios/judges-plus-300.yaml",
                    "--members", "20", "--out", str(report)], cwd=ROOT, check=True, capture_output=True)
    html = report.read_text()
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org/2000/svg", ""), "self-contained"
    screenshot = tmp_path / "report.png"
    subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=900,1600",
                    f"--screenshot={screenshot}", report.as_uri()], check=True, capture_output=True, timeout=120)
    pixels = np.asarray(Image.open(screenshot).convert("RGB"), dtype=int).reshape(-1, 3)
    r, g, b = pixels[:, 0], pixels[:, 1], pixels[:, 2]
    ink = float(np.mean(r + g + b < 700))
    blue = float(np.mean((b > 150) & (r < 120)))
    assert ink > 0.02, f"the page looks blank ({ink:.3%} of pixels not white)"
    assert blue > 0.001, "no chart colour on the page"


def text_outputs(notebook):
    """Every code cell's printed text and displayed tables, in order (images left out:
    their bytes depend on the fonts and the matplotlib version of the machine; progress
    bars too: they appear only for calls that take over a second, which depends on the
    machine)."""
    texts = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.outputs:
            if output.output_type == "stream" and output.name == "stdout":
                texts.append(output.text)
            elif ("text/plain" in output.get("data", {}) and "image/png" not in output["data"]
                  and "application/vnd.jupyter.widget-view+json" not in output["data"]):
                texts.append(output["data"]["text/plain"])
    return texts


@pytest.mark.parametrize("name", ["baseline-projection", "eo-14010-vs-baseline", "judge-capacity-plan", "sensitivity"])
def test_each_exported_notebook_changes_a_lever_reruns_and_reproduces_its_outputs(name, tmp_path):
    """Executed top to bottom with nbclient (from a copy, with the corridor package and the
    release binary), every notebook reproduces the text it was exported with and draws as
    many charts; each has a cell that changes a lever and runs the model again."""
    path = os.path.join(ROOT, "Notebooks-export", f"{name}.ipynb")
    exported = nbformat.read(path, as_version=4)
    nbformat.validate(exported)
    assert any("# lever:" in cell.source for cell in exported.cells if cell.cell_type == "code"), "no lever cell"
    rerun = nbformat.read(path, as_version=4)
    for cell in rerun.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    NotebookClient(rerun, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": os.path.join(ROOT, "Notebooks-export")}}).execute()
    assert text_outputs(rerun) == text_outputs(exported)

    def images(notebook):
        return sum("image/png" in output.get("data", {}) for cell in notebook.cells if cell.cell_type == "code"
                   for output in cell.outputs)
    assert images(rerun) == images(exported) >= 2


def test_the_notebook_command_writes_a_valid_notebook_and_its_data(tmp_path):
    out = tmp_path / "n.ipynb"
    subprocess.run([corridor(), "notebook", "Datasets/scenarios/baseline.yaml", "--members", "10", "--out", str(out)],
                   cwd=ROOT, check=True, capture_output=True)
    nbformat.validate(nbformat.read(out, as_version=4))
    assert (tmp_path / "n-data" / "summary.csv").exists()


def test_names_with_commas_and_quotes_keep_every_csv_row_as_wide_as_its_header(tmp_path):
    """A scenario named `judges, case "1"` (comma and quotes) gives CSV files that pandas
    reads with the header's column count and the name intact."""
    import pandas as pd

    model = os.path.join(ROOT, "Datasets", "examples", "model.yaml")
    for name, judges in (("base", 500), ('judges, case "1"', 700)):
        (tmp_path / f"{judges}.yaml").write_text(
            "format: corridor-scenario/1\n"
            f"name: '{name}'\n"
            f"model: {model}\n"
            "horizon: 24\nmembers: 20\nseed: 3\n"
            f"set:\n  judges: {{value: {judges}}}\n")
    subprocess.run([corridor(), "compare", str(tmp_path / "500.yaml"), str(tmp_path / "700.yaml"), "--out", str(tmp_path / "c")],
                   cwd=ROOT, check=True, capture_output=True)
    table = pd.read_csv(tmp_path / "c" / "comparison.csv")
    header = (tmp_path / "c" / "comparison.csv").read_text().splitlines()[0].split(",")
    assert list(table.columns) == header and len(header) == 12
    assert set(table["scenario"]) == {"base", 'judges, case "1"'}
    assert not table.isnull().any().any()
