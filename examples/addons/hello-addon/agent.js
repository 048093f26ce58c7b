// hello-addon's agent (runs on stock node:24-bookworm-slim; no dependencies).
// Hub: the add-on's own identity from <addon>-hub-kubeconfig (mounted at /managed/hub-kubeconfig,
// written and rotated by the klusterlet); it writes ConfigMap hello-addon in its cluster namespace
// and records whether the hub refuses it a write elsewhere. Spoke: its service account keeps the
// add-on Lease renewed in its install namespace, and deletes it on SIGTERM (the agent stopped).
// `node agent.js cleanup` is the pre-delete hook: it removes the agent's ConfigMap from the hub.
// The agent creates its ConfigMap once and only updates it after, so a ConfigMap the hook removed
// stays removed while the agent still runs (it runs until the hooks completed).
'use strict';
const fs = require('node:fs');
const https = require('node:https');

const ADDON = 'hello-addon';
const HUB_DIR = '/managed/hub-kubeconfig';
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const CLUSTER = process.env.CLUSTER_NAME;
const GREETING = process.env.GREETING || 'hello';
const PERIOD_MS = 20_000;

/** One value of the kubeconfig our klusterlet writes (single cluster; cert and key are files beside it). */
function kubeconfigValue(text, key) {
  const m = text.match(new RegExp(`^\\s*${key}:\\s*"?([^"\\s]+)"?\\s*$`, 'm'));
  if (!m) throw new Error(`${key} not found in the hub kubeconfig`);
  return m[1];
}

// Files are read on every call: the klusterlet rotates the certificate in place.
function hubTarget() {
  const kc = fs.readFileSync(process.env.HUB_KUBECONFIG || `${HUB_DIR}/kubeconfig`, 'utf8');
  return {
    base: kubeconfigValue(kc, 'server'),
    tls: { ca: Buffer.from(kubeconfigValue(kc, 'certificate-authority-data'), 'base64'), cert: fs.readFileSync(`${HUB_DIR}/tls.crt`), key: fs.readFileSync(`${HUB_DIR}/tls.key`) },
    headers: {},
  };
}

function spokeTarget() {
  return {
    base: `https://${process.env.KUBERNETES_SERVICE_HOST}:${process.env.KUBERNETES_SERVICE_PORT}`,
    tls: { ca: fs.readFileSync(`${SA_DIR}/ca.crt`) },
    headers: { authorization: `Bearer ${fs.readFileSync(`${SA_DIR}/token`, 'utf8').trim()}` },
  };
}

function call(target, method, path, body, contentType = 'application/json') {
  const url = new URL(path, target.base);
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, ...target.tls, headers: { ...target.headers, accept: 'application/json', ...(data ? { 'content-type': contentType } : {}) }, timeout: 10_000 }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode, text }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(data);
  });
}

/** Creates the object, or merge-patches it when it exists. */
async function upsert(target, collection, obj) {
  const created = await call(target, 'POST', collection, obj);
  if (created.status !== 409) return created.status;
  return (await call(target, 'PATCH', `${collection}/${obj.metadata.name}`, obj, 'application/merge-patch+json')).status;
}

const microTime = () => new Date().toISOString().replace('Z', '000Z');
const namespace = () => fs.readFileSync(`${SA_DIR}/namespace`, 'utf8').trim();
const leasePath = () => `/apis/coordination.k8s.io/v1/namespaces/${namespace()}/leases`;

async function renewLease() {
  const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: ADDON }, spec: { leaseDurationSeconds: 60, renewTime: microTime() } };
  return upsert(spokeTarget(), leasePath(), lease);
}

async function reportToHub(refusedElsewhere, created) {
  const cm = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: ADDON },
    data: { cluster: CLUSTER, greeting: GREETING, pod: process.env.HOSTNAME || '', reportedAt: new Date().toISOString(), refusedElsewhere: String(refusedElsewhere) },
  };
  const collection = `/api/v1/namespaces/${CLUSTER}/configmaps`;
  if (!created) return upsert(hubTarget(), collection, cm);
  return (await call(hubTarget(), 'PATCH', `${collection}/${ADDON}`, cm, 'application/merge-patch+json')).status;
}

/** What the hub answers when this identity writes outside its cluster namespace (expected: 403). */
async function writeElsewhere() {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${ADDON}-${CLUSTER}` } };
  return (await call(hubTarget(), 'POST', '/api/v1/namespaces/default/configmaps', cm)).status;
}

async function tick(state) {
  try {
    if (typeof state.refused !== 'number') state.refused = await writeElsewhere();
    const lease = await renewLease();
    const hub = await reportToHub(state.refused, state.created);
    if (hub === 200 || hub === 201) state.created = true;
    console.log(`lease ${lease}, hub configmap ${hub}, greeting ${GREETING}`);
  } catch (err) {
    console.log(`tick failed: ${err.message}`);
  }
}

async function main() {
  if (!CLUSTER) throw new Error('CLUSTER_NAME is not set');
  if (process.argv[2] === 'cleanup') {
    // The pre-delete hook: remove what the agent wrote on the hub before the add-on goes.
    const r = await call(hubTarget(), 'DELETE', `/api/v1/namespaces/${CLUSTER}/configmaps/${ADDON}`);
    console.log(`cleanup: hub configmap delete ${r.status}`);
    if (r.status !== 200 && r.status !== 404) process.exit(1);
    return;
  }
  const state = { refused: 'unknown', created: false };
  await tick(state);
  const timer = setInterval(() => tick(state), PERIOD_MS);
  process.once('SIGTERM', async () => {
    clearInterval(timer);
    const r = await call(spokeTarget(), 'DELETE', `${leasePath()}/${ADDON}`).catch((e) => ({ status: e.message }));
    console.log(`stopping: lease deleted (${r.status})`);
    process.exit(0);
  });
}

main().catch((err) => {
  console.log(`hello-addon agent: ${err.message}`);
  process.exit(1);
});
