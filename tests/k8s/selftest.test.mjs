// The validator must reject what it is there to catch: each case breaks one
// thing in the rendered production overlay and expects a problem naming it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { checkObjects, loadObjects } from "./validate.mjs";
import { metricsIn } from "./metric_names.mjs";

const sourceRoot = process.env.PROMPTSALES_SOURCE_DIR;
const rendered = process.env.K8S_RENDERED;
const fresh = () => loadObjects(rendered);
const find = (objects, kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const problems = (objects) => checkObjects(objects, { sourceRoot, expectWorkloads: true });

async function expectProblem(objects, pattern) {
  const found = await problems(objects);
  assert.ok(found.some((p) => pattern.test(p)), `expected a problem matching ${pattern}, got ${JSON.stringify(found)}`);
}

test("the production rendering passes as it is", async () => {
  assert.deepEqual(await problems(fresh()), []);
});

test("a schema violation is reported", async () => {
  const objects = fresh();
  find(objects, "CronJob", "backup").spec.jobTemplate.spec.backoffLimit = "three";
  await expectProblem(objects, /CronJob\/backup: .*backoffLimit must be integer/);
});

test("an unknown kind is an error, not skipped", async () => {
  const objects = fresh();
  objects.push({ apiVersion: "example.invalid/v1", kind: "Widget", metadata: { name: "w" } });
  await expectProblem(objects, /Widget\/w: no schema/);
});

test("a CronJob without FailJob on exit 2 is reported", async () => {
  const objects = fresh();
  const rules = find(objects, "CronJob", "segmentation").spec.jobTemplate.spec.podFailurePolicy.rules;
  rules[0].onExitCodes.values = [3];
  await expectProblem(objects, /CronJob\/segmentation: podFailurePolicy needs FailJob on exit code 2/);
});

test("a CronJob that allows overlapping runs is reported", async () => {
  const objects = fresh();
  find(objects, "CronJob", "backup-drill").spec.concurrencyPolicy = "Allow";
  await expectProblem(objects, /CronJob\/backup-drill: concurrencyPolicy must be Forbid/);
});

test("a missing required CronJob is reported", async () => {
  const objects = fresh().filter((o) => !(o.kind === "CronJob" && o.metadata.name === "backup"));
  await expectProblem(objects, /CronJob\/backup: missing/);
});

test("a grace period shorter than preStop + shutdown timeout is reported", async () => {
  const objects = fresh();
  find(objects, "Deployment", "promptsales").spec.template.spec.terminationGracePeriodSeconds = 30;
  await expectProblem(objects, /terminationGracePeriodSeconds 30 < preStop 10 s \+ shutdown timeout 25 s/);
});

test("a writable root filesystem is reported", async () => {
  const objects = fresh();
  find(objects, "Deployment", "redis").spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
  await expectProblem(objects, /Deployment\/redis container redis: readOnlyRootFilesystem/);
});

test("a Secret with a real-looking value is reported", async () => {
  const objects = fresh();
  objects.push({
    apiVersion: "v1", kind: "Secret", metadata: { name: "leak" },
    stringData: { "redis-password": "9f86d081884c7d659a2feaa0c55ad015" },
  });
  await expectProblem(objects, /Secret\/leak: key redis-password/);
});

test("an alert on a metric nobody exports is reported", async () => {
  const objects = fresh();
  const rule = find(objects, "PrometheusRule", "promptsales").spec.groups[0].rules[0];
  rule.expr = rule.expr.replaceAll("promptsales_http_requests_total", "promptsales_http_request_total");
  await expectProblem(objects, /rule HighErrorRate: metric promptsales_http_request_total/);
});

test("metric names are told from functions, labels and keywords", () => {
  assert.deepEqual(
    metricsIn('sum by (namespace) (rate(a_total{status=~"5.."}[5m])) / on (job) b_seconds_bucket > 0.1 unless absent(c)'),
    ["a_total", "b_seconds_bucket", "c"],
  );
  assert.deepEqual(metricsIn('label_replace(x > 0, "job_name", "$1", "job", "(.*)")'), ["x"]);
});
