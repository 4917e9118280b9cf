// Validates the manifests in a folder (default: ..) offline, as CI does before anything is applied:
//   1. every document against the Kubernetes API schema of its apiVersion/kind (kubernetes-models: the OpenAPI schemas
//      compiled into validators, from the npm registry; nothing is fetched at run time);
//   2. the rules this cluster needs: probes on the admin listener, a grace period longer than the host's shutdown,
//      Orleans' pod labels matching the configured ids, RBAC for the pod watcher, selectors and references that resolve,
//      non-root containers with limits, pinned images, a kustomization listing every file.
// Usage: node validate.mjs [DIR]   (env HOST_SHUTDOWN_SECONDS: the host's graceful shutdown, default 25)
// Prints one line per problem and exits 1 if there is any.
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";

const dir = resolve(process.argv[2] ?? join(import.meta.dirname, ".."));
const shutdownSeconds = Number(process.env.HOST_SHUTDOWN_SECONDS ?? "25");
const problems = [];
const problem = (where, text) => problems.push(`${where}: ${text}`);

const files = readdirSync(dir).filter((f) => f.endsWith(".yaml") || f.endsWith(".yml")).sort();
const objects = [];
let kustomization = null;
for (const file of files) {
  const documents = parseAllDocuments(readFileSync(join(dir, file), "utf8"));
  documents.forEach((document, index) => {
    const where = `${file}#${index}`;
    if (document.errors.length > 0) {
      problem(where, `not YAML: ${document.errors[0].message}`);
      return;
    }
    const object = document.toJS();
    if (object === null) return;
    if (object.kind === "Kustomization") {
      kustomization = { file, object };
      return;
    }
    objects.push({ where, file, object });
  });
}

// 1. The API schema of each object.
for (const { where, object } of objects) {
  if (typeof object.apiVersion !== "string" || typeof object.kind !== "string") {
    problem(where, "no apiVersion/kind");
    continue;
  }
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : [null, object.apiVersion];
  const module = `kubernetes-models/${group ? `${group}/` : ""}${version}/${object.kind}`;
  let Model;
  try {
    Model = (await import(module))[object.kind];
  } catch {
    problem(where, `${object.apiVersion} ${object.kind} is not a Kubernetes API kind`);
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problem(where, `${object.kind}/${object.metadata?.name}: ${error.message}`);
  }
}

// 2. The cluster's own rules.
const named = (kind, name) => objects.find((o) => o.object.kind === kind && o.object.metadata?.name === name);
const subset = (small, big) => Object.entries(small ?? {}).every(([k, v]) => big?.[k] === v);
const config = objects.find((o) => o.object.kind === "ConfigMap")?.object.data ?? {};
const workloads = objects.filter((o) => ["Deployment", "StatefulSet", "Job"].includes(o.object.kind));

for (const { where, object } of workloads) {
  const name = `${object.kind}/${object.metadata.name}`;
  const template = object.spec?.template ?? {};
  const pod = template.spec ?? {};
  const labels = template.metadata?.labels ?? {};
  if (object.kind !== "Job" && !subset(object.spec?.selector?.matchLabels, labels)) {
    problem(where, `${name}: the selector does not match the pod template's labels`);
  }
  if (pod.securityContext?.runAsNonRoot !== true) problem(where, `${name}: pods must set securityContext.runAsNonRoot`);
  for (const container of pod.containers ?? []) {
    const at = `${name} container ${container.name}`;
    if (!/^[^:@]+(:[^:]+|@sha256:[0-9a-f]{64})$/.test(container.image ?? "") || container.image.endsWith(":latest")) {
      problem(where, `${at}: image '${container.image}' must be pinned to a tag other than latest`);
    }
    if (!container.resources?.requests || !container.resources?.limits?.memory) problem(where, `${at}: needs resource requests and a memory limit`);
    if (container.securityContext?.allowPrivilegeEscalation !== false) problem(where, `${at}: must set allowPrivilegeEscalation: false`);
    if (container.securityContext?.readOnlyRootFilesystem !== true) problem(where, `${at}: must set readOnlyRootFilesystem: true`);
    for (const source of container.envFrom ?? []) {
      if (source.configMapRef && !named("ConfigMap", source.configMapRef.name)) problem(where, `${at}: ConfigMap ${source.configMapRef.name} is not defined`);
      if (source.secretRef && !named("Secret", source.secretRef.name)) problem(where, `${at}: Secret ${source.secretRef.name} is not defined`);
    }
    if (object.kind === "Job") continue;
    const ports = new Map((container.ports ?? []).map((p) => [p.name, p.containerPort]));
    const admin = 5082; // the admin listener of the image (deploy/docker/Dockerfile)
    for (const [probe, path] of [["startupProbe", "/healthz"], ["readinessProbe", "/healthz"], ["livenessProbe", "/livez"]]) {
      const get = container[probe]?.httpGet;
      if (!get) {
        problem(where, `${at}: needs a ${probe} (GET ${path} on the admin port)`);
        continue;
      }
      if (get.path !== path) problem(where, `${at}: ${probe} must GET ${path}, not ${get.path}`);
      const port = typeof get.port === "string" ? ports.get(get.port) : get.port;
      if (port !== admin) problem(where, `${at}: ${probe} must use the admin port ${admin}`);
    }
    const role = (container.env ?? []).find((e) => e.name === "ActorSales__Role")?.value;
    if (!["silo", "gateway", "silo+gateway"].includes(role)) problem(where, `${at}: ActorSales__Role must be silo, gateway or silo+gateway`);
    if (role !== "gateway") {
      if (labels["orleans/serviceId"] !== config.ActorSales__ServiceId || labels["orleans/clusterId"] !== config.ActorSales__ClusterId) {
        problem(where, `${name}: silo pods need labels orleans/serviceId and orleans/clusterId equal to the ConfigMap's ActorSales__ServiceId and ActorSales__ClusterId`);
      }
      for (const variable of ["POD_NAME", "POD_NAMESPACE", "POD_IP"]) {
        if (!(container.env ?? []).some((e) => e.name === variable && e.valueFrom?.fieldRef)) problem(where, `${at}: silo needs ${variable} from the downward API`);
      }
      const account = pod.serviceAccountName;
      const binding = objects.find((o) => o.object.kind === "RoleBinding" && (o.object.subjects ?? []).some((s) => s.kind === "ServiceAccount" && s.name === account));
      const rules = binding ? named("Role", binding.object.roleRef?.name)?.object.rules ?? [] : [];
      const verbs = new Set(rules.filter((r) => (r.resources ?? []).includes("pods")).flatMap((r) => r.verbs ?? []));
      for (const verb of ["get", "list", "watch", "patch"]) {
        if (!verbs.has(verb)) problem(where, `${name}: service account '${account}' may not ${verb} pods (Orleans' Kubernetes hosting needs it)`);
      }
    }
  }
  if (object.kind !== "Job" && !(pod.terminationGracePeriodSeconds > shutdownSeconds)) {
    problem(where, `${name}: terminationGracePeriodSeconds must exceed the host's graceful shutdown (${shutdownSeconds} s)`);
  }
}

const matchesWorkload = (selector) => workloads.some((w) => w.object.kind !== "Job" && subset(selector, w.object.spec?.template?.metadata?.labels));
for (const { where, object } of objects) {
  const name = `${object.kind}/${object.metadata?.name}`;
  if (object.kind === "Service") {
    const target = workloads.find((w) => subset(object.spec?.selector, w.object.spec?.template?.metadata?.labels));
    if (!target) {
      problem(where, `${name}: its selector matches no workload`);
      continue;
    }
    const ports = (target.object.spec.template.spec.containers ?? []).flatMap((c) => c.ports ?? []);
    for (const port of object.spec?.ports ?? []) {
      if (!ports.some((p) => p.name === port.targetPort || p.containerPort === port.targetPort)) problem(where, `${name}: targetPort ${port.targetPort} is no container port of ${target.object.metadata.name}`);
    }
  }
  if (object.kind === "PodDisruptionBudget" && !matchesWorkload(object.spec?.selector?.matchLabels)) problem(where, `${name}: its selector matches no workload`);
  if (object.kind === "HorizontalPodAutoscaler") {
    const ref = object.spec?.scaleTargetRef;
    if (!named(ref?.kind, ref?.name)) problem(where, `${name}: scale target ${ref?.kind}/${ref?.name} is not defined`);
  }
}

if (!kustomization) {
  problem(dir, "no kustomization.yaml");
} else {
  const listed = new Set(kustomization.object.resources ?? []);
  for (const file of new Set(objects.map((o) => o.file))) if (!listed.has(file)) problem(kustomization.file, `does not list ${file}`);
  for (const file of listed) if (!files.includes(file)) problem(kustomization.file, `lists ${file}, which does not exist`);
}

for (const line of problems) console.log(line);
console.log(`${objects.length} objects in ${files.length} files: ${problems.length} problem(s)`);
process.exit(problems.length === 0 ? 0 : 1);
