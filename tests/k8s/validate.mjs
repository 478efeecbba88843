// Validates rendered Kubernetes manifests (the output of `kubectl kustomize`):
//  1. every object against the Kubernetes schemas of `kubernetes-models`
//     (and `@kubernetes-models/prometheus-operator`); an unknown
//     apiVersion/kind is an error, never skipped;
//  2. the bundle's own invariants (invariants.mjs);
//  3. every metric name in the alert rules and the Grafana dashboard is one
//     that promptsales exports or one on the external list.
// With --rules-out FILE it also writes the PrometheusRule's `spec` (the plain
// `groups:` form) for promtool, so the rules tested are the ones deployed.
//
//   node validate.mjs --source-root REPO [--expect-cronjobs] [--rules-out F] rendered.yaml
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseAllDocuments, stringify } from "yaml";
import { checkInvariants } from "./invariants.mjs";
import { checkMetricNames } from "./metric_names.mjs";

function parseArgs(argv) {
  const args = { sourceRoot: null, rulesOut: null, expectWorkloads: false, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--source-root") args.sourceRoot = argv[++i];
    else if (a === "--rules-out") args.rulesOut = argv[++i];
    else if (a === "--expect-workloads") args.expectWorkloads = true;
    else if (a.startsWith("--")) throw new Error(`unknown option ${a}`);
    else args.files.push(a);
  }
  if (!args.sourceRoot || args.files.length === 0) {
    throw new Error("usage: validate.mjs --source-root REPO [--expect-workloads] [--rules-out FILE] rendered.yaml...");
  }
  return args;
}

// apiVersion "apps/v1" -> module "kubernetes-models/apps/v1"; core "v1" ->
// "kubernetes-models/v1"; CRDs of the operator from its own package.
const MODULE_ROOTS = ["kubernetes-models", "@kubernetes-models/prometheus-operator"];

async function modelFor(apiVersion, kind) {
  for (const root of MODULE_ROOTS) {
    let mod;
    try {
      mod = await import(`${root}/${apiVersion}`);
    } catch {
      continue;
    }
    if (typeof mod[kind] === "function") return mod[kind];
  }
  return null;
}

export function loadObjects(file) {
  const objects = [];
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
    const obj = doc.toJS();
    if (obj !== null && obj !== undefined) objects.push(obj);
  }
  return objects;
}

// Schema, invariant and metric-name problems of a list of objects.
export async function checkObjects(objects, { sourceRoot, expectWorkloads }) {
  const problems = [];
  if (objects.length === 0) problems.push("no objects rendered");
  for (const obj of objects) {
    const id = `${obj.kind}/${obj.metadata?.name}`;
    const Model = await modelFor(obj.apiVersion, obj.kind);
    if (!Model) {
      problems.push(`${id}: no schema for apiVersion ${obj.apiVersion} kind ${obj.kind}`);
      continue;
    }
    try {
      new Model(obj).validate();
    } catch (e) {
      problems.push(`${id}: ${e.message}`);
    }
  }
  problems.push(...checkInvariants(objects, { expectWorkloads }));
  problems.push(...checkMetricNames(objects, sourceRoot));
  return problems;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const objects = args.files.flatMap(loadObjects);
  const problems = await checkObjects(objects, args);

  if (args.rulesOut) {
    const rules = objects.filter((o) => o.kind === "PrometheusRule");
    if (rules.length !== 1) problems.push(`expected one PrometheusRule to extract, found ${rules.length}`);
    else writeFileSync(args.rulesOut, stringify(rules[0].spec));
  }

  for (const p of problems) console.error(`FAIL ${p}`);
  console.log(`${objects.length} objects checked, ${problems.length} problem(s)`);
  process.exit(problems.length ? 1 : 0);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(`FAIL ${e.message}`);
    process.exit(2);
  });
}
