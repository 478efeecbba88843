// Every metric an alert or a dashboard panel reads must exist: a name
// promptsales exports (string literals "promptsales_..." / "process_..." in
// the C++ sources), or one listed in metrics.txt (kube-state-metrics, the
// kubelet, and promptsales metrics announced but not exported yet).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const PROMQL_WORDS = new Set([
  "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset",
  "inf", "nan", "time",
]);
const HISTOGRAM_SUFFIXES = ["_bucket", "_sum", "_count"];

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(cpp|hpp)$/.test(name)) out.push(p);
  }
  return out;
}

export function exportedNames(sourceRoot) {
  const names = new Set();
  for (const top of ["core", "jobs", "apps"]) {
    let files = [];
    try {
      files = walk(join(sourceRoot, top), []);
    } catch {
      continue;
    }
    for (const f of files) {
      for (const m of readFileSync(f, "utf8").matchAll(/"((?:promptsales|process)_[a-z0-9_]+)"/g)) names.add(m[1]);
    }
  }
  return names;
}

function listedNames() {
  const names = new Set();
  for (const line of readFileSync(join(HERE, "metrics.txt"), "utf8").split("\n")) {
    const name = line.replace(/#.*/, "").trim();
    if (name) names.add(name);
  }
  return names;
}

// The metric names in a PromQL expression: strip strings, label matchers
// {...}, grouping lists by (...)/on (...), range/duration brackets, and
// function calls; what is left that looks like an identifier is a metric.
export function metricsIn(expr) {
  let e = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/'(?:[^'\\]|\\.)*'/g, "''");
  e = e.replace(/\{[^}]*\}/g, " ").replace(/\[[^\]]*\]/g, " ");
  e = e.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = new Set();
  for (const m of e.matchAll(/(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    if (m[2]) continue; // a function call
    if (PROMQL_WORDS.has(m[1].toLowerCase())) continue;
    names.add(m[1]);
  }
  return [...names];
}

function known(name, names) {
  if (names.has(name)) return true;
  return HISTOGRAM_SUFFIXES.some((s) => name.endsWith(s) && names.has(name.slice(0, -s.length)));
}

function dashboardExprs(objects) {
  const exprs = [];
  for (const cm of objects.filter((o) => o.kind === "ConfigMap" && o.metadata?.labels?.grafana_dashboard)) {
    for (const [file, text] of Object.entries(cm.data ?? {})) {
      const dash = JSON.parse(text);
      for (const p of dash.panels ?? []) {
        for (const t of p.targets ?? []) exprs.push([`dashboard ${file} panel "${p.title}"`, t.expr]);
      }
    }
  }
  return exprs;
}

export function checkMetricNames(objects, sourceRoot) {
  const names = new Set([...exportedNames(sourceRoot), ...listedNames()]);
  const exprs = [];
  for (const r of objects.filter((o) => o.kind === "PrometheusRule")) {
    for (const g of r.spec?.groups ?? []) {
      for (const rule of g.rules ?? []) exprs.push([`rule ${rule.alert ?? rule.record}`, rule.expr]);
    }
  }
  exprs.push(...dashboardExprs(objects));
  const problems = [];
  for (const [where, expr] of exprs) {
    const used = metricsIn(String(expr));
    if (used.length === 0) problems.push(`${where}: reads no metric`);
    for (const m of used) if (!known(m, names)) problems.push(`${where}: metric ${m} is neither exported by promptsales nor listed in tests/k8s/metrics.txt`);
  }
  return problems;
}
