"""The planning page in real headless Chromium (Debian's chromium and chromium-driver,
driven by Selenium): load it, move the judges lever with the keyboard, wait for the
backlog chart to change, and check the numbers shown against `corridor run` and `corridor
compare` with the same settings; then ask the plan question and check the answer against
`corridor plan`. Uses the release binary (`make test` builds it): the page is meant to
answer in about a second for 1,000 members."""
import csv
import json
import os
import re
import shutil
import subprocess
import time

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RELEASE = os.path.join(ROOT, ".build", "release", "corridor")
JUDGES_300 = "judgesAdded={schedule: [{from: 2026-01, value: 300, ramp: 24}]}"


def page_number(value, signed=False):
    """How the page writes a number of 100 or more (page.js formatNumber; `signed`: with +
    when positive, as differences are): whole, with separators, a minus sign (−) when negative."""
    text = f"{round(value):,}".replace("-", "\u2212")
    return "+" + text if signed and value > 0 else text


@pytest.fixture(scope="module")
def server():
    if not os.path.exists(RELEASE):
        pytest.fail("no release binary: run swift build -c release --product corridor (make test does)")
    process = subprocess.Popen([RELEASE, "serve", "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert match, f"corridor serve did not start: {line}"
    yield f"http://127.0.0.1:{match.group(1)}/"
    process.terminate()
    assert process.wait(timeout=30) == 0, "corridor serve did not stop cleanly on SIGTERM"
    assert "corridor serve: stopped" in process.stdout.read()


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.fail("Chromium and its driver are needed (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1900", "--hide-scrollbars"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    yield driver
    driver.quit()


def status(browser):
    element = browser.find_element(By.ID, "status")
    return element.get_attribute("data-state"), element.get_attribute("data-run"), element.get_attribute("data-levers")


def key_numbers(browser, output, month):
    row = browser.find_element(By.CSS_SELECTOR, f'#key-numbers tr[data-output="{output}"][data-month="{month}"]')
    return {span.get_attribute("data-stat"): (float(span.get_attribute("data-value")), span.text)
            for span in row.find_elements(By.CSS_SELECTOR, "[data-stat]")}


def summary_row(folder, name, month):
    with open(os.path.join(folder, "summary.csv"), newline="") as file:
        return next(row for row in csv.DictReader(file) if row["name"] == name and row["month"] == month)


def test_moving_the_judges_lever_updates_the_chart_and_matches_the_cli(server, browser, tmp_path):
    browser.get(server)
    WebDriverWait(browser, 120).until(lambda b: status(b)[0] == "done" and status(b)[1] is not None)
    assert browser.find_element(By.ID, "scenario").get_attribute("value") == "baseline"
    chart = browser.find_element(By.CSS_SELECTOR, "#chart-courtBacklog path.median")
    median_before = chart.get_attribute("d")
    before = key_numbers(browser, "courtBacklog", "2030-09")

    lever = browser.find_element(By.ID, "lever-judgesAdded")
    for _ in range(30):  # the keyboard, as a planner without a mouse would: step 10 judges, to 300
        lever.send_keys(Keys.ARROW_RIGHT)
    moved = time.monotonic()
    WebDriverWait(browser, 60).until(lambda b: status(b)[0] == "done" and status(b)[2] == '{"judgesAdded":300}')
    latency = time.monotonic() - moved
    print(f"\nplanning page: judges lever moved to 300, chart updated {latency:.2f} s after the last key (1,000 members)")
    assert browser.find_element(By.ID, "lever-judgesAdded-value").get_attribute("value") == "300"
    assert browser.find_element(By.CSS_SELECTOR, "#chart-courtBacklog path.median").get_attribute("d") != median_before
    after = key_numbers(browser, "courtBacklog", "2030-09")
    assert after["p50"][0] < before["p50"][0], "more judges, smaller backlog"

    # The same settings on the command line.
    out = tmp_path / "run"
    subprocess.run([RELEASE, "run", "Datasets/scenarios/baseline.yaml", "--members", "1000", "--seed", "14010", "--summaries", "outputs",
                    "--set", JUDGES_300, "--progress", "none", "--out", str(out)], cwd=ROOT, check=True, capture_output=True)
    row = summary_row(out, "courtBacklog", "2030-09")
    for stat in ("p05", "p50", "p95"):
        value, text = after[stat]
        assert value == float(row[stat]), f"{stat}: page {value}, corridor run {row[stat]}"
        assert text == page_number(float(row[stat])), f"{stat} shown as {text}"
    compared = tmp_path / "compare"
    subprocess.run([RELEASE, "compare", "Datasets/scenarios/baseline.yaml", "Datasets/scenarios/judges-plus-300.yaml", "--members", "1000",
                    "--output", "courtBacklog", "--at", "2030-09", "--progress", "none", "--out", str(compared)],
                   cwd=ROOT, check=True, capture_output=True)
    with open(compared / "comparison.csv", newline="") as file:
        difference = next(r for r in csv.DictReader(file)
                          if r["scenario"] == "judges-plus-300" and r["output"] == "courtBacklog" and r["month"] == "2030-09")
    for stat in ("p05", "p50", "p95"):
        value, text = after[f"difference-{stat}"]
        assert value == float(difference[f"diff_{stat}"]), f"difference {stat}: page {value}, corridor compare {difference[f'diff_{stat}']}"
        assert text == page_number(value, signed=True)

    screenshot = os.environ.get("CORRIDOR_PAGE_SCREENSHOT", str(tmp_path / "page.png"))
    browser.save_screenshot(screenshot)
    assert os.path.getsize(screenshot) > 50_000, "the page looks blank"


def test_the_plan_question_matches_corridor_plan(server, browser):
    if status(browser)[0] != "done":
        browser.get(server)
        WebDriverWait(browser, 120).until(lambda b: status(b)[0] == "done")
    browser.find_element(By.ID, "plan-run").click()
    WebDriverWait(browser, 120).until(lambda b: b.find_element(By.ID, "plan-answer").get_attribute("data-answer") not in (None, ""))
    answer = browser.find_element(By.ID, "plan-answer").get_attribute("data-answer")
    # The page's plan: the lever's range (0…2000), month and ramp; the lever planned is the
    # one varied, the other levers (none moved) as shown.
    result = subprocess.run([RELEASE, "plan", "Datasets/scenarios/baseline.yaml", "--vary", "judgesAdded", "--target", "courtBacklog <= 1000000 by 2032-09",
                             "--range", "0:2000", "--from", "2026-01", "--ramp", "24", "--confidence", "0.9", "--members", "200", "--seeds", "1",
                             "--progress", "none"], cwd=ROOT, check=True, capture_output=True, text=True)
    expected = re.search(r"answer: judgesAdded = ([\d,]+) is the least value", result.stdout)
    assert expected, result.stdout
    assert float(answer) == float(expected.group(1).replace(",", "")), f"page {answer}, corridor plan: {result.stdout}"
