"""Checks what people open: the HTML report in headless Chromium, and the notebooks with
nbformat (validation) and nbclient (execution). Run by `make test` after `swift test`,
with the corridor binary that `swift test` built."""
import glob
import os
import shutil
import subprocess

import nbformat
import pytest
from nbclient import NotebookClient
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOTEBOOKS = sorted(glob.glob(os.path.join(ROOT, "Notebooks-export", "*.ipynb")))


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
    image = Image.open(screenshot).convert("RGB")
    pixels = list(image.getdata())
    ink = sum(1 for r, g, b in pixels if r + g + b < 700) / len(pixels)
    blue = sum(1 for r, g, b in pixels if b > 150 and r < 120) / len(pixels)
    assert ink > 0.02, f"the page looks blank ({ink:.3%} of pixels not white)"
    assert blue > 0.001, "no chart colour on the page"


def test_three_exported_notebooks_are_valid_nbformat_4():
    names = {os.path.basename(path) for path in NOTEBOOKS}
    assert {"baseline-projection.ipynb", "eo-14010-vs-baseline.ipynb", "judge-capacity-plan.ipynb"} <= names
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        kinds = {cell.cell_type for cell in notebook.cells}
        assert kinds == {"markdown", "code"}
        assert any(output.get("data", {}).get("image/svg+xml") for cell in notebook.cells if cell.cell_type == "code"
                   for output in cell.outputs), f"{path} has no chart"


def test_the_plan_notebook_executes_and_redraws_its_charts(tmp_path):
    source = os.path.join(ROOT, "Notebooks-export", "judge-capacity-plan.ipynb")
    shutil.copy(source, tmp_path / "plan.ipynb")
    shutil.copytree(os.path.join(ROOT, "Notebooks-export", "judge-capacity-plan-data"), tmp_path / "judge-capacity-plan-data")
    notebook = nbformat.read(tmp_path / "plan.ipynb", as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    images = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
              if "image/png" in output.get("data", {})]
    assert len(images) >= 3, "matplotlib redrew the charts"


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
