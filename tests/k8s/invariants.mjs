// The bundle's own rules, beyond what the Kubernetes schemas say. Each
// function returns a list of problems (strings naming the object and field).

// The jobs every full rendering must schedule (issue 5), and the exit code of
// the job runner that means "configuration error: a retry cannot help".
const REQUIRED_CRONJOBS = ["backup", "segmentation", "backup-drill"];
const CONFIG_ERROR_EXIT = 2;

const SERVE = "promptsales";

function podSpecs(objects) {
  const out = [];
  for (const o of objects) {
    const id = `${o.kind}/${o.metadata?.name}`;
    if (["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind)) out.push([id, o.spec?.template?.spec]);
    if (o.kind === "CronJob") out.push([id, o.spec?.jobTemplate?.spec?.template?.spec]);
    if (o.kind === "Job") out.push([id, o.spec?.template?.spec]);
  }
  return out;
}

// Non-root, read-only root filesystem, no capabilities, RuntimeDefault
// seccomp and bounded memory for every container, init containers included.
function checkPodSecurity(objects) {
  const problems = [];
  for (const [id, spec] of podSpecs(objects)) {
    if (!spec) {
      problems.push(`${id}: no pod template`);
      continue;
    }
    const pod = spec.securityContext ?? {};
    if (pod.runAsNonRoot !== true) problems.push(`${id}: pod securityContext.runAsNonRoot must be true`);
    if (!Number.isInteger(pod.runAsUser) || pod.runAsUser === 0) problems.push(`${id}: pod runAsUser must be a non-zero uid`);
    if (pod.seccompProfile?.type !== "RuntimeDefault") problems.push(`${id}: seccompProfile must be RuntimeDefault`);
    if (spec.automountServiceAccountToken !== false) problems.push(`${id}: automountServiceAccountToken must be false`);
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      const cid = `${id} container ${c.name}`;
      const sc = c.securityContext ?? {};
      if (sc.readOnlyRootFilesystem !== true) problems.push(`${cid}: readOnlyRootFilesystem must be true`);
      if (sc.allowPrivilegeEscalation !== false) problems.push(`${cid}: allowPrivilegeEscalation must be false`);
      if (!(sc.capabilities?.drop ?? []).includes("ALL")) problems.push(`${cid}: capabilities must drop ALL`);
      if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory) problems.push(`${cid}: needs cpu and memory requests`);
      if (!c.resources?.limits?.memory) problems.push(`${cid}: needs a memory limit`);
      if (/:latest$/.test(c.image ?? "") && !/^promptsales:/.test(c.image)) problems.push(`${cid}: pin a tag, not latest`);
    }
  }
  return problems;
}

function checkCronJobs(objects, expectWorkloads) {
  const problems = [];
  const cronjobs = objects.filter((o) => o.kind === "CronJob");
  if (expectWorkloads) {
    for (const name of REQUIRED_CRONJOBS) {
      if (!cronjobs.some((c) => c.metadata.name === name)) problems.push(`CronJob/${name}: missing`);
    }
  }
  for (const cj of cronjobs) {
    const id = `CronJob/${cj.metadata.name}`;
    const s = cj.spec ?? {};
    const job = s.jobTemplate?.spec ?? {};
    const pod = job.template?.spec ?? {};
    if (s.concurrencyPolicy !== "Forbid") problems.push(`${id}: concurrencyPolicy must be Forbid`);
    if (!s.timeZone) problems.push(`${id}: needs an explicit timeZone`);
    for (const [field, value] of [
      ["startingDeadlineSeconds", s.startingDeadlineSeconds],
      ["jobTemplate.spec.activeDeadlineSeconds", job.activeDeadlineSeconds],
      ["jobTemplate.spec.backoffLimit", job.backoffLimit],
      ["jobTemplate.spec.ttlSecondsAfterFinished", job.ttlSecondsAfterFinished],
    ]) {
      if (!Number.isInteger(value) || value < 0) problems.push(`${id}: ${field} must be set`);
    }
    if (pod.restartPolicy !== "Never") problems.push(`${id}: restartPolicy must be Never (podFailurePolicy needs it)`);
    const containers = pod.containers ?? [];
    const names = containers.map((c) => c.name);
    const rules = job.podFailurePolicy?.rules ?? [];
    const failJob = rules.find(
      (r) =>
        r.action === "FailJob" &&
        r.onExitCodes?.operator === "In" &&
        (r.onExitCodes.values ?? []).includes(CONFIG_ERROR_EXIT) &&
        (!r.onExitCodes.containerName || names.includes(r.onExitCodes.containerName)),
    );
    if (!failJob) problems.push(`${id}: podFailurePolicy needs FailJob on exit code ${CONFIG_ERROR_EXIT}`);
    const ignoreDisruption = rules.find(
      (r) => r.action === "Ignore" && (r.onPodConditions ?? []).some((c) => c.type === "DisruptionTarget"),
    );
    if (!ignoreDisruption) problems.push(`${id}: podFailurePolicy needs Ignore on DisruptionTarget`);
    const args = containers[0]?.args ?? [];
    if (args.join(" ") !== `jobs run ${cj.metadata.name}`) {
      problems.push(`${id}: must run \`promptsales jobs run ${cj.metadata.name}\`, runs ${JSON.stringify(args)}`);
    }
  }
  const backup = cronjobs.find((c) => c.metadata.name === "backup");
  if (backup && backup.spec.schedule !== "0 3 * * *") problems.push(`CronJob/backup: schedule must be daily 03:00`);
  return problems;
}

function configValue(objects, container, key) {
  for (const e of container.env ?? []) if (e.name === key && e.value !== undefined) return e.value;
  for (const ref of container.envFrom ?? []) {
    const cm = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === ref.configMapRef?.name);
    if (cm?.data?.[key] !== undefined) return cm.data[key];
  }
  return undefined;
}

// The drain must fit: preStop sleep + shutdown_timeout_ms < grace period, or
// the kubelet's SIGKILL cuts requests in flight.
function checkServe(objects, expectWorkloads) {
  const problems = [];
  const dep = objects.find((o) => o.kind === "Deployment" && o.metadata.name === SERVE);
  if (!dep) return expectWorkloads ? [`Deployment/${SERVE}: missing`] : [];
  const id = `Deployment/${SERVE}`;
  const pod = dep.spec.template.spec;
  const serve = (pod.containers ?? []).find((c) => c.name === "serve");
  if (!serve) return [`${id}: no container named serve`];
  if (serve.livenessProbe?.httpGet?.path !== "/healthz") problems.push(`${id}: liveness must GET /healthz`);
  if (serve.readinessProbe?.httpGet?.path !== "/readyz") problems.push(`${id}: readiness must GET /readyz`);
  const cmd = serve.lifecycle?.preStop?.exec?.command ?? [];
  const sleep = cmd[0] === "sleep" ? Number(cmd[1]) : NaN;
  if (!Number.isFinite(sleep) || sleep <= 0) problems.push(`${id}: preStop must be ["sleep", SECONDS]`);
  const timeoutMs = Number(configValue(objects, serve, "PROMPTSALES_SHUTDOWN_TIMEOUT_MS") ?? 25000);
  const grace = pod.terminationGracePeriodSeconds;
  if (!(grace >= sleep + timeoutMs / 1000)) {
    problems.push(`${id}: terminationGracePeriodSeconds ${grace} < preStop ${sleep} s + shutdown timeout ${timeoutMs / 1000} s`);
  }
  const cm = (serve.envFrom ?? []).length > 0 ? configValue(objects, serve, "PROMPTSALES_LISTEN") : undefined;
  if (expectWorkloads && cm !== "0.0.0.0:8080") problems.push(`${id}: PROMPTSALES_LISTEN must be 0.0.0.0:8080, is ${cm}`);
  for (const c of [...(pod.initContainers ?? []), serve]) {
    if ((c.args ?? []).concat(c.command ?? []).some((a) => /password|secret|key=/i.test(String(a)))) {
      problems.push(`${id} container ${c.name}: secrets must not be passed in argv`);
    }
  }
  const hpa = objects.find((o) => o.kind === "HorizontalPodAutoscaler" && o.spec.scaleTargetRef?.name === SERVE);
  if (hpa && (hpa.spec.minReplicas !== 2 || hpa.spec.maxReplicas !== 20)) problems.push(`HorizontalPodAutoscaler: must scale 2..20`);
  return problems;
}

// A Secret in the repository holds placeholders only: every value names
// REPLACE_ME and nothing secret-looking (a long random-looking run) is left.
export function checkSecrets(objects) {
  const problems = [];
  for (const s of objects.filter((o) => o.kind === "Secret")) {
    const values = { ...(s.stringData ?? {}) };
    for (const [k, v] of Object.entries(s.data ?? {})) values[k] = Buffer.from(v, "base64").toString("utf8");
    for (const [k, v] of Object.entries(values)) {
      const rest = String(v).replaceAll("REPLACE_ME", "");
      if (!String(v).includes("REPLACE_ME") || /[A-Za-z0-9+=_-]{16,}/.test(rest)) {
        problems.push(`Secret/${s.metadata.name}: key ${k} must hold a REPLACE_ME placeholder, not a value`);
      }
    }
  }
  return problems;
}

export function checkInvariants(objects, { expectWorkloads }) {
  return [
    ...checkPodSecurity(objects),
    ...checkCronJobs(objects, expectWorkloads),
    ...checkServe(objects, expectWorkloads),
    ...checkSecrets(objects),
  ];
}
