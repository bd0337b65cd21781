// Corridor's planning page: controls → POST /api/run (debounced; a newer request cancels
// the older), fan charts and key numbers; plan on demand; saved configurations in this
// browser's storage, compared with POST /api/compare. No external resource is loaded.
"use strict";

const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
const SAVED_KEY = "corridor.saved";
const state = { catalog: null, scenario: null, running: null, lastRun: null, runCount: 0 };
const $ = (id) => document.getElementById(id);

// ---- numbers ----------------------------------------------------------------------------
/** A number as the page shows it: whole numbers with separators from 100 on, else 3
    significant digits; negative ones with a minus sign (−), so that ranges read clearly. */
function formatNumber(value) {
  if (typeof value !== "number" || !isFinite(value)) return String(value);
  let text;
  if (Math.abs(value) >= 100) text = Math.round(value).toLocaleString("en-US");
  else if (value === 0) text = "0";
  else text = Number(value.toPrecision(3)).toLocaleString("en-US", { maximumSignificantDigits: 3 });
  return text.replace(/^-/, "\u2212");
}
function signed(value) { return (value > 0 ? "+" : "") + formatNumber(value); }
/** "median [p05 – p95]" of a band, each number written by `format`. */
function band(format, p50, p05, p95) { return `${format(p50)} [${format(p05)} – ${format(p95)}]`; }

function parseMonths(text) {
  return text.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
}
function monthIndex(text) { const [y, m] = text.split("-").map(Number); return y * 12 + (m - 1); }
function monthText(index) { const y = Math.floor(index / 12), m = index % 12 + 1; return `${y}-${String(m).padStart(2, "0")}`; }

// ---- requests ---------------------------------------------------------------------------
async function api(path, body, { signal } = {}) {
  const response = await fetch(path, body === undefined ? { signal } : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), signal,
  });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try { message = (await response.json()).error.message; } catch (_) { /* not JSON */ }
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return response;
}

/** Fetches a file from the API and hands it to the browser as a download. */
async function download(path, body) {
  try {
    const response = await api(path, body);
    const disposition = response.headers.get("Content-Disposition") || "";
    const name = (disposition.match(/filename="([^"]+)"/) || [null, "corridor.txt"])[1];
    const url = URL.createObjectURL(await response.blob());
    const link = document.createElement("a");
    link.href = url; link.download = name;
    document.body.appendChild(link); link.click(); link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  } catch (error) { setStatus("error", error.message); }
}

function setStatus(kind, text) {
  const status = $("status");
  status.dataset.state = kind;
  status.textContent = text;
}

// ---- configuration ------------------------------------------------------------------------
/** The configuration the controls describe: scenario, overlay and the levers moved. */
function configuration() {
  const levers = {};
  for (const lever of state.scenario.levers) {
    const value = Number($(`lever-${lever.parameter}-value`).value);
    if (value !== lever.value) levers[lever.parameter] = value;
  }
  const config = { scenario: state.scenario.name, levers };
  if ($("overlay").value) config.overlay = $("overlay").value;
  return config;
}
function ensemble() {
  const settings = { members: Number($("members").value) };
  if ($("seed").value !== "") settings.seed = Number($("seed").value);
  return settings;
}
function chosenOutputs() {
  return [...document.querySelectorAll("#outputs input:checked")].map((box) => box.value);
}
function runBody() {
  return { ...configuration(), ...ensemble(), outputs: chosenOutputs(), at: parseMonths($("months").value) };
}

// ---- building the controls --------------------------------------------------------------
async function loadCatalog() {
  const catalog = await (await api("/api/scenarios")).json();
  state.catalog = catalog;
  $("version").textContent = `Corridor ${catalog.corridor}`;
  const select = $("scenario");
  select.innerHTML = "";
  for (const scenario of catalog.scenarios) select.add(new Option(`${scenario.name} — ${scenario.title}`, scenario.name));
  for (const overlay of catalog.overlays) $("overlay").add(new Option(overlay.name, overlay.name));
  $("members").max = catalog.limits.members;
  $("plan-members").max = catalog.limits.members;
  if (catalog.unreadable.length) {
    setStatus("error", "Some scenario files do not load: " + catalog.unreadable.map((s) => `${s.name}: ${s.error}`).join("; "));
  }
  // ?scenario=NAME opens that scenario; else one called "baseline" when there is one.
  const wanted = new URLSearchParams(location.search).get("scenario") || "baseline";
  if (catalog.scenarios.some((s) => s.name === wanted)) select.value = wanted;
  chooseScenario(select.value);
}

function chooseScenario(name) {
  const scenario = state.catalog.scenarios.find((s) => s.name === name);
  state.scenario = scenario;
  $("scenario-notes").textContent = scenario.notes.slice(0, 2).join(" ");
  $("seed").value = scenario.seed;
  const outputs = $("outputs");
  outputs.querySelectorAll("div").forEach((d) => d.remove());
  for (const output of scenario.outputs) {
    const row = document.createElement("div");
    const id = `output-${output.name}`;
    row.innerHTML = `<input type="checkbox" id="${id}" value="${output.name}"> <label for="${id}"></label>`;
    row.querySelector("label").textContent = output.label + (output.observed ? " (observed)" : "");
    row.querySelector("input").checked = scenario.defaultOutputs.includes(output.name);
    row.querySelector("input").addEventListener("change", scheduleRun);
    outputs.appendChild(row);
  }
  buildLevers(scenario);
  const planLever = $("plan-lever"), planOutput = $("plan-output");
  planLever.innerHTML = ""; planOutput.innerHTML = "";
  for (const lever of scenario.levers) planLever.add(new Option(lever.label, lever.parameter));
  for (const output of scenario.outputs) planOutput.add(new Option(output.label, output.name));
  if (scenario.outputs.some((o) => o.name === "courtBacklog")) planOutput.value = "courtBacklog";
  scheduleRun(0);
}

function buildLevers(scenario) {
  const fieldset = $("levers");
  fieldset.querySelectorAll(".lever").forEach((d) => d.remove());
  for (const lever of scenario.levers) {
    const div = document.createElement("div");
    div.className = "lever";
    const id = `lever-${lever.parameter}`;
    div.innerHTML = `
      <label for="${id}"></label>
      <div class="inputs">
        <input type="range" id="${id}" min="${lever.min}" max="${lever.max}" step="${lever.step}" value="${lever.value}">
        <input type="number" id="${id}-value" min="${lever.min}" max="${lever.max}" step="${lever.step}" value="${lever.value}">
      </div>
      <p class="muted small" id="${id}-help"></p>`;
    div.querySelector("label").textContent = lever.label;
    div.querySelector(`#${id}-value`).setAttribute("aria-label", `${lever.label} (${lever.unit})`);
    div.querySelector(`#${id}-help`).textContent =
      `${lever.unit}; ${formatNumber(lever.value)} in this scenario; moves from ${lever.from} over ${lever.ramp} month${lever.ramp === 1 ? "" : "s"}`;
    div.querySelector(`#${id}`).setAttribute("aria-describedby", `${id}-help`);
    const range = div.querySelector(`#${id}`), number = div.querySelector(`#${id}-value`);
    const moved = () => div.classList.toggle("moved", Number(number.value) !== lever.value);
    range.addEventListener("input", () => { number.value = range.value; moved(); scheduleRun(); });
    number.addEventListener("change", () => { range.value = number.value; moved(); scheduleRun(); });
    fieldset.appendChild(div);
  }
}

function resetLevers() {
  for (const lever of state.scenario.levers) {
    $(`lever-${lever.parameter}`).value = lever.value;
    $(`lever-${lever.parameter}-value`).value = lever.value;
    $(`lever-${lever.parameter}`).closest(".lever").classList.remove("moved");
  }
  scheduleRun(0);
}

// ---- running ------------------------------------------------------------------------------
let timer = null;
function scheduleRun(delay = 150) {
  clearTimeout(timer);
  timer = setTimeout(runNow, typeof delay === "number" ? delay : 150);
}

function newId() { return `page-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`; }

async function cancelRunning() {
  const running = state.running;
  if (!running) return;
  state.running = null;
  running.controller.abort();
  try { await api("/api/cancel", { id: running.id }); } catch (_) { /* it may have finished */ }
}

async function runNow() {
  await cancelRunning();
  const body = runBody();
  if (body.outputs.length === 0) { setStatus("error", "Choose at least one output."); return; }
  const id = newId(), controller = new AbortController();
  state.running = { id, controller };
  $("cancel").disabled = false;
  setStatus("running", `Running ${formatNumber(body.members)} members…`);
  const began = performance.now();
  try {
    const result = await (await api("/api/run", { ...body, id }, { signal: controller.signal })).json();
    if (state.running?.id !== id) return;
    state.running = null;
    state.lastRun = { body, result };
    state.runCount += 1;
    render(result);
    const seconds = (performance.now() - began) / 1000;
    setStatus("done", `${formatNumber(result.members)} members, seed ${result.seed}: computed in ${result.seconds.toFixed(2)} s, shown in ${seconds.toFixed(2)} s.`);
    $("status").dataset.run = String(state.runCount);
    $("status").dataset.levers = JSON.stringify(body.levers);  // what the numbers shown were run with
  } catch (error) {
    if (error.name === "AbortError" || error.status === 409) return;  // replaced or cancelled
    if (state.running?.id === id) state.running = null;
    setStatus("error", error.message);
  } finally {
    if (!state.running) $("cancel").disabled = true;
  }
}

// ---- rendering ----------------------------------------------------------------------------
function render(result) {
  const moved = Object.entries(result.set);
  $("results-caption").textContent = `${result.scenario}${result.overlay ? " with overlay " + result.overlay : ""}; ` +
    (moved.length ? "levers moved: " + moved.map(([p]) => p).join(", ") : "no lever moved") +
    `; ${formatNumber(result.members)} members, seed ${result.seed}.`;
  const body = document.querySelector("#key-numbers tbody");
  body.innerHTML = "";
  for (const output of result.outputs) {
    for (const key of output.at) {
      const row = body.insertRow();
      row.dataset.output = output.info.name;
      row.dataset.month = key.month;
      row.insertCell().textContent = output.info.label;
      row.insertCell().textContent = key.month;
      const level = row.insertCell();
      level.innerHTML = `<span data-stat="p50"></span> [<span data-stat="p05"></span> – <span data-stat="p95"></span>]`;
      for (const stat of ["p50", "p05", "p95"]) {
        const span = level.querySelector(`[data-stat=${stat}]`);
        span.textContent = formatNumber(key[stat]);
        span.dataset.value = String(key[stat]);
      }
      const difference = row.insertCell();
      difference.innerHTML = `<span data-stat="difference-p50"></span> [<span data-stat="difference-p05"></span> – <span data-stat="difference-p95"></span>]`;
      for (const stat of ["p50", "p05", "p95"]) {
        const span = difference.querySelector(`[data-stat=difference-${stat}]`);
        span.textContent = signed(key.difference[stat]);
        span.dataset.value = String(key.difference[stat]);
      }
    }
  }
  const charts = $("charts");
  charts.innerHTML = "";
  for (const output of result.outputs) {
    const div = document.createElement("div");
    div.className = "chart";
    div.id = `chart-${output.info.name}`;
    div.dataset.run = String(state.runCount);
    const heading = document.createElement("h3");
    heading.textContent = output.info.label;
    div.appendChild(heading);
    div.appendChild(fanChart(result, output));
    div.appendChild(legend([["band", PALETTE[0], "median, p25–p75, p05–p95"], ["dash", "#000", "unchanged scenario (median)"],
                            ...(output.observed.length ? [["dot", PALETTE[5], `observed (${output.info.observed})`]] : [])]));
    div.appendChild(differenceChart(result, output));
    charts.appendChild(div);
  }
}

function legend(entries) {
  const div = document.createElement("div");
  div.className = "legend";
  for (const [kind, colour, text] of entries) {
    const span = document.createElement("span");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = kind === "band" ? colour : "transparent";
    if (kind === "dash") swatch.style.borderTop = `2px dashed ${colour}`;
    if (kind === "dot") { swatch.style.background = colour; swatch.style.borderRadius = "50%"; swatch.style.width = "0.7em"; }
    span.appendChild(swatch);
    span.appendChild(document.createTextNode(text));
    div.appendChild(span);
  }
  return div;
}

const SVG = "http://www.w3.org/2000/svg";
function svgElement(name, attributes = {}) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}

/** A chart frame over months × values: axes, ticks and gridlines; returns the svg and scales. */
function frame({ title, unit, first, count, low, high, height = 300 }) {
  const width = 860, left = 78, right = 16, top = 12, bottom = 34;
  if (!(high > low)) { high = low + 1; }
  const pad = (high - low) * 0.05;
  low -= pad; high += pad;
  const svg = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title });
  const titleElement = svgElement("title");
  titleElement.textContent = title;
  svg.appendChild(titleElement);
  const x = (i) => left + (width - left - right) * i / Math.max(1, count - 1);
  const y = (v) => top + (height - top - bottom) * (1 - (v - low) / (high - low));
  const ticks = niceTicks(low, high, 5);
  for (const tick of ticks) {
    svg.appendChild(svgElement("line", { x1: left, x2: width - right, y1: y(tick), y2: y(tick), stroke: "#e5e5e5" }));
    const label = svgElement("text", { x: left - 6, y: y(tick) + 4, "text-anchor": "end", "font-size": 11, fill: "#444" });
    label.textContent = formatNumber(tick);
    svg.appendChild(label);
  }
  const firstYear = Math.ceil(first / 12), lastYear = Math.floor((first + count - 1) / 12);
  const every = Math.max(1, Math.ceil((lastYear - firstYear + 1) / 12));
  for (let year = firstYear; year <= lastYear; year += every) {
    const i = year * 12 - first;
    svg.appendChild(svgElement("line", { x1: x(i), x2: x(i), y1: top, y2: height - bottom, stroke: "#f0f0f0" }));
    const label = svgElement("text", { x: x(i), y: height - bottom + 16, "text-anchor": "middle", "font-size": 11, fill: "#444" });
    label.textContent = String(year);
    svg.appendChild(label);
  }
  const unitLabel = svgElement("text", { x: left, y: height - 4, "font-size": 11, fill: "#444" });
  unitLabel.textContent = unit;
  svg.appendChild(unitLabel);
  return { svg, x, y };
}

function niceTicks(low, high, count) {
  const raw = (high - low) / count, magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) || raw;
  const ticks = [];
  for (let t = Math.ceil(low / step) * step; t <= high; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

function path(xs, ys) { return xs.map((x, i) => `${i ? "L" : "M"}${x.toFixed(1)},${ys[i].toFixed(1)}`).join(""); }
function area(xs, lows, highs) {
  return path(xs, highs) + xs.slice().reverse().map((x, i) => `L${x.toFixed(1)},${lows[lows.length - 1 - i].toFixed(1)}`).join("") + "Z";
}

function fanChart(result, output) {
  const q = output.quantiles, first = monthIndex(result.start), count = result.horizon;
  const unchanged = output.quantiles.p50.map((v, i) => v - output.difference.p50[i]);
  const observedValues = output.observed.map((p) => p.value);
  const values = [...q.p05, ...q.p95, ...unchanged, ...observedValues].filter(isFinite);
  const { svg, x, y } = frame({ title: `${output.info.label}: median, p25–p75 and p05–p95 of ${result.members} members`,
    unit: output.info.unit, first, count, low: Math.min(0, ...values), high: Math.max(...values) });
  const xs = q.p50.map((_, i) => x(i));
  svg.appendChild(svgElement("path", { d: area(xs, q.p05.map(y), q.p95.map(y)), fill: PALETTE[0], "fill-opacity": 0.18 }));
  svg.appendChild(svgElement("path", { d: area(xs, q.p25.map(y), q.p75.map(y)), fill: PALETTE[0], "fill-opacity": 0.3 }));
  svg.appendChild(svgElement("path", { d: path(xs, unchanged.map(y)), fill: "none", stroke: "#000", "stroke-width": 1.5, "stroke-dasharray": "5 4" }));
  svg.appendChild(svgElement("path", { d: path(xs, q.p50.map(y)), fill: "none", stroke: PALETTE[0], "stroke-width": 2, class: "median" }));
  for (const point of output.observed) {
    svg.appendChild(svgElement("circle", { cx: x(monthIndex(point.month) - first), cy: y(point.value), r: 3, fill: PALETTE[5] }));
  }
  return svg;
}

function differenceChart(result, output) {
  const d = output.difference, first = monthIndex(result.start), count = result.horizon;
  const values = [...d.p05, ...d.p95].filter(isFinite);
  const { svg, x, y } = frame({ title: `${output.info.label}: difference from the unchanged scenario, median and p05–p95 over members`,
    unit: "difference from the unchanged scenario", first, count, low: Math.min(0, ...values), high: Math.max(0, ...values), height: 170 });
  const xs = d.p50.map((_, i) => x(i));
  svg.appendChild(svgElement("path", { d: area(xs, d.p05.map(y), d.p95.map(y)), fill: PALETTE[1], "fill-opacity": 0.3 }));
  svg.appendChild(svgElement("path", { d: path(xs, d.p50.map(y)), fill: "none", stroke: PALETTE[5], "stroke-width": 2 }));
  svg.appendChild(svgElement("line", { x1: x(0), x2: x(count - 1), y1: y(0), y2: y(0), stroke: "#000", "stroke-width": 0.8 }));
  return svg;
}

// ---- plan ---------------------------------------------------------------------------------
function planBody() {
  const target = `${$("plan-output").value} ${$("plan-op").value} ${$("plan-value").value} by ${$("plan-month").value.trim()}`;
  const config = configuration();
  delete config.levers[$("plan-lever").value];
  return { ...config, members: Number($("plan-members").value), seed: ensemble().seed, lever: $("plan-lever").value,
           target, confidence: Number($("plan-confidence").value) };
}

async function runPlan(event) {
  event.preventDefault();
  await cancelRunning();
  const body = planBody(), id = newId(), controller = new AbortController();
  state.running = { id, controller };
  $("cancel").disabled = false;
  $("plan-answer").textContent = "Planning…";
  try {
    const plan = await (await api("/api/plan", { ...body, id }, { signal: controller.signal })).json();
    state.running = null;
    const lever = state.scenario.levers.find((l) => l.parameter === plan.lever);
    const best = plan.curve.reduce((a, b) => (b.probability > a.probability ? b : a));
    $("plan-answer").textContent = plan.answer !== null && plan.answer !== undefined
      ? `${lever.label}: ${formatNumber(plan.answer)} (${lever.unit}) is the least value tried that meets ${plan.target} with probability ≥ ${plan.confidence} (${plan.members} members per candidate, seed ${plan.seed}, moving from ${plan.from} over ${plan.ramp} months; ${plan.seconds.toFixed(1)} s).`
      : `The target ${plan.target} cannot be met within ${formatNumber(plan.range[0])}…${formatNumber(plan.range[1])}: the highest probability is ${best.probability.toFixed(2)} at ${formatNumber(best.value)}.`;
    $("plan-answer").dataset.answer = String(plan.answer);
    const chart = $("plan-chart");
    chart.innerHTML = "";
    chart.appendChild(planChart(plan, lever));
  } catch (error) {
    if (state.running?.id === id) state.running = null;
    $("plan-answer").textContent = error.name === "AbortError" || error.status === 409 ? "Cancelled." : error.message;
  } finally {
    if (!state.running) $("cancel").disabled = true;
  }
}

function planChart(plan, lever) {
  const width = 860, height = 220, left = 60, right = 16, top = 12, bottom = 34;
  const [low, high] = plan.range;
  const svg = svgElement("svg", { viewBox: `0 0 ${width} ${height}`, role: "img",
    "aria-label": `Probability of meeting the target against ${lever.label}` });
  const x = (v) => left + (width - left - right) * (v - low) / (high - low);
  const y = (p) => top + (height - top - bottom) * (1 - p);
  for (const p of [0, 0.25, 0.5, 0.75, 1]) {
    svg.appendChild(svgElement("line", { x1: left, x2: width - right, y1: y(p), y2: y(p), stroke: "#e5e5e5" }));
    const label = svgElement("text", { x: left - 6, y: y(p) + 4, "text-anchor": "end", "font-size": 11, fill: "#444" });
    label.textContent = String(p);
    svg.appendChild(label);
  }
  for (const tick of niceTicks(low, high, 6)) {
    const label = svgElement("text", { x: x(tick), y: height - bottom + 16, "text-anchor": "middle", "font-size": 11, fill: "#444" });
    label.textContent = formatNumber(tick);
    svg.appendChild(label);
  }
  svg.appendChild(svgElement("line", { x1: left, x2: width - right, y1: y(plan.confidence), y2: y(plan.confidence), stroke: PALETTE[5], "stroke-dasharray": "5 4" }));
  svg.appendChild(svgElement("path", { d: path(plan.curve.map((p) => x(p.value)), plan.curve.map((p) => y(p.probability))), fill: "none", stroke: PALETTE[0], "stroke-width": 2 }));
  for (const p of plan.curve) svg.appendChild(svgElement("circle", { cx: x(p.value), cy: y(p.probability), r: 3, fill: PALETTE[0] }));
  const unit = svgElement("text", { x: left, y: height - 4, "font-size": 11, fill: "#444" });
  unit.textContent = `${lever.label} (${lever.unit}); probability of meeting ${plan.target}; dashed: ${plan.confidence}`;
  svg.appendChild(unit);
  return svg;
}

// ---- saved configurations -------------------------------------------------------------
function savedList() { try { return JSON.parse(localStorage.getItem(SAVED_KEY) || "[]"); } catch (_) { return []; } }
function storeSaved(list) { localStorage.setItem(SAVED_KEY, JSON.stringify(list)); renderSaved(); }

function save() {
  const name = $("save-name").value.trim() || `configuration ${savedList().length + 1}`;
  const list = savedList().filter((s) => s.name !== name);
  list.push({ name, ...configuration(), members: Number($("members").value), seed: ensemble().seed });
  storeSaved(list);
  $("save-name").value = "";
  setStatus("done", `Saved “${name}”.`);
}

function renderSaved() {
  const list = $("saved");
  list.innerHTML = "";
  for (const [index, saved] of savedList().entries()) {
    const item = document.createElement("li");
    const id = `saved-${index}`;
    item.innerHTML = `<input type="checkbox" id="${id}" checked> <label for="${id}"></label>
      <button type="button" data-action="load">Load</button> <button type="button" data-action="delete">Delete</button>`;
    const levers = Object.entries(saved.levers).map(([p, v]) => `${p} ${v}`).join(", ");
    item.querySelector("label").textContent = `${saved.name}: ${saved.scenario}${saved.overlay ? " + " + saved.overlay : ""}${levers ? "; " + levers : ""}`;
    item.dataset.index = String(index);
    item.querySelector("[data-action=load]").setAttribute("aria-label", `Load ${saved.name}`);
    item.querySelector("[data-action=delete]").setAttribute("aria-label", `Delete ${saved.name}`);
    item.querySelector("[data-action=load]").addEventListener("click", () => loadSaved(saved));
    item.querySelector("[data-action=delete]").addEventListener("click", () => storeSaved(savedList().filter((_, i) => i !== index)));
    list.appendChild(item);
  }
}

function loadSaved(saved) {
  $("scenario").value = saved.scenario;
  chooseScenario(saved.scenario);
  $("overlay").value = saved.overlay || "";
  $("members").value = saved.members;
  if (saved.seed !== undefined) $("seed").value = saved.seed;
  for (const [parameter, value] of Object.entries(saved.levers)) {
    const range = $(`lever-${parameter}`), number = $(`lever-${parameter}-value`);
    if (!range) continue;
    range.value = value; number.value = value;
    range.closest(".lever").classList.add("moved");
  }
  scheduleRun(0);
}

function compareBody() {
  const checked = [...document.querySelectorAll("#saved li")].filter((li) => li.querySelector("input").checked)
    .map((li) => savedList()[Number(li.dataset.index)]);
  if (checked.length === 0) throw new Error("Save and check at least one configuration to compare.");
  return {
    configurations: checked.map((s) => ({ name: s.name, scenario: s.scenario, levers: s.levers, ...(s.overlay ? { overlay: s.overlay } : {}) })),
    ...ensemble(), outputs: chosenOutputs(), at: parseMonths($("months").value),
  };
}

async function compare() {
  let body;
  try { body = compareBody(); } catch (error) { setStatus("error", error.message); return; }
  await cancelRunning();
  const id = newId(), controller = new AbortController();
  state.running = { id, controller };
  $("cancel").disabled = false;
  setStatus("running", `Comparing ${body.configurations.length} configurations…`);
  try {
    const result = await (await api("/api/compare", { ...body, id }, { signal: controller.signal })).json();
    state.running = null;
    renderComparison(result, body.at);
    setStatus("done", `Compared ${result.configurations.length} configurations on ${formatNumber(result.members)} members with common draws in ${result.seconds.toFixed(2)} s.`);
  } catch (error) {
    if (state.running?.id === id) state.running = null;
    if (error.name !== "AbortError" && error.status !== 409) setStatus("error", error.message);
  } finally {
    if (!state.running) $("cancel").disabled = true;
  }
}

function renderComparison(result, months) {
  const section = $("comparison");
  section.hidden = false;
  const tables = $("comparison-tables"), charts = $("comparison-charts");
  tables.innerHTML = ""; charts.innerHTML = "";
  const first = monthIndex(result.start);
  for (const output of result.outputs) {
    const table = document.createElement("table");
    const caption = table.createCaption();
    caption.textContent = `${output.info.label}: median [p05–p95]; for each configuration after the first, its difference from “${result.configurations[0]}”, member by member`;
    const head = table.createTHead().insertRow();
    for (const text of ["Month", ...result.configurations]) { const th = document.createElement("th"); th.scope = "col"; th.textContent = text; head.appendChild(th); }
    const body = table.createTBody();
    for (const month of months) {
      const step = monthIndex(month) - first;
      if (step < 0 || step >= result.horizon) continue;
      const row = body.insertRow();
      row.insertCell().textContent = month;
      output.levels.forEach((level, k) => {
        const shown = k === 0 ? level : output.differences[k];
        row.insertCell().textContent = band(k === 0 ? formatNumber : signed, shown.p50[step], shown.p05[step], shown.p95[step]);
      });
    }
    tables.appendChild(table);
    const div = document.createElement("div");
    div.className = "chart";
    const heading = document.createElement("h3");
    heading.textContent = `${output.info.label}: medians`;
    div.appendChild(heading);
    const values = output.levels.flatMap((l) => l.p50).filter(isFinite);
    const { svg, x, y } = frame({ title: `${output.info.label}: median of each configuration`, unit: output.info.unit,
      first, count: result.horizon, low: Math.min(0, ...values), high: Math.max(...values) });
    output.levels.forEach((level, k) => {
      svg.appendChild(svgElement("path", { d: path(level.p50.map((_, i) => x(i)), level.p50.map(y)), fill: "none",
        stroke: PALETTE[k % PALETTE.length], "stroke-width": 2, "stroke-dasharray": k % 2 ? "6 3" : "" }));
    });
    div.appendChild(svg);
    div.appendChild(legend(result.configurations.map((name, k) => ["band", PALETTE[k % PALETTE.length], name])));
    charts.appendChild(div);
  }
}

// ---- start ----------------------------------------------------------------------------------
window.addEventListener("DOMContentLoaded", () => {
  $("scenario").addEventListener("change", (e) => chooseScenario(e.target.value));
  $("overlay").addEventListener("change", (e) => {
    const overlay = state.catalog.overlays.find((o) => o.name === e.target.value);
    $("overlay-notes").textContent = overlay ? overlay.description.split(". ")[0] + "." : "";
    scheduleRun(0);
  });
  for (const id of ["members", "seed", "months"]) $(id).addEventListener("change", () => scheduleRun(0));
  $("reset").addEventListener("click", resetLevers);
  $("cancel").addEventListener("click", async () => { await cancelRunning(); $("cancel").disabled = true; setStatus("idle", "Cancelled."); });
  $("download-csv").addEventListener("click", () => download("/api/run.csv", runBody()));
  $("download-yaml").addEventListener("click", () => {
    const { outputs, at, ...body } = runBody();
    download("/api/scenario.yaml", { ...body, name: $("save-name").value.trim() || undefined });
  });
  $("save").addEventListener("click", save);
  $("compare").addEventListener("click", compare);
  $("compare-csv").addEventListener("click", () => { try { download("/api/compare.csv", compareBody()); } catch (error) { setStatus("error", error.message); } });
  $("plan-form").addEventListener("submit", runPlan);
  $("plan-csv").addEventListener("click", () => download("/api/plan.csv", planBody()));
  renderSaved();
  loadCatalog().catch((error) => setStatus("error", `Cannot load the scenarios: ${error.message}`));
});
