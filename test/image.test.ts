/**
 * The runtime image's Dockerfile, checked without a Docker engine: multi-stage, production
 * dependencies only in the final stage, a numeric non-root user matching the Deployments, and the
 * entrypoints the Deployments run present where they expect them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMAGE_COMMAND } from '../src/install/hub/constants.js';
import { KLUSTERLET, klusterletObjects } from '../src/install/klusterlet/klusterlet.js';
import { allObjects, loadHubCrds, planHub } from '../src/install/hub/plan.js';
import type { KubeObject } from '../src/kube/client.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const text = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

interface Stage {
  from: string;
  name?: string;
  lines: string[];
}

/** Instructions (continuation lines joined, comments dropped), grouped by FROM. */
function stages(dockerfile: string): Stage[] {
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const out: Stage[] = [];
  for (const l of instructions) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(l);
    if (from) out.push({ from: from[1]!, name: from[2], lines: [] });
    else out.at(-1)?.lines.push(l);
  }
  return out;
}

const all = stages(text);
const final = all.at(-1)!;
const instr = (s: Stage, op: string) => s.lines.filter((l) => l.toUpperCase().startsWith(`${op} `));
const workdir = instr(final, 'WORKDIR').at(-1)!.split(/\s+/)[1]!;

describe('Dockerfile', () => {
  test('multi-stage: a named build stage, and a final stage built FROM a base image, not from it', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(all[0]!.name).toBe('build');
    expect(final.from).not.toBe('build');
  });

  test('the build stage installs all dependencies and compiles with tsconfig.build.json', () => {
    const build = all[0]!;
    const run = instr(build, 'RUN').join('\n');
    expect(run).toMatch(/npm ci/);
    expect(run).not.toMatch(/--omit=dev/);
    expect(run).toMatch(/tsc -p tsconfig\.build\.json/);
  });

  test('the final stage installs production dependencies only and never builds', () => {
    const run = instr(final, 'RUN').join('\n');
    expect(run).toMatch(/npm ci --omit=dev/);
    // Every install in the final stage omits dev dependencies (the fallback too).
    for (const install of run.match(/npm (ci|install)[^|&)]*/g) ?? []) expect(install).toMatch(/--omit=dev/);
    expect(run).not.toMatch(/tsc|npm run build/);
    expect(instr(final, 'ENV').join(' ')).toMatch(/NODE_ENV=production/);
  });

  test('runs as a numeric non-root user: the uid the Deployments ask for', () => {
    const user = instr(final, 'USER').at(-1)!.split(/\s+/)[1]!;
    const [uid, gid] = user.split(':').map(Number);
    expect(uid).toBeGreaterThan(0);
    expect(gid).toBeGreaterThan(0);
    expect(instr(final, 'USER')).toHaveLength(1);
    expect(final.lines.findIndex((l) => l.startsWith('USER'))).toBeGreaterThan(final.lines.findIndex((l) => /^RUN /.test(l)));
    const hubPod = podSpec(allObjects(planHub({ runtime: 'cluster', image: 'reg/ocmadm:1', clusterInfoKubeconfig: 'kc', crds: loadHubCrds() })));
    expect(hubPod.containers[0]!.securityContext?.runAsUser ?? hubPod.securityContext?.runAsUser).toBe(uid);
    const agentPod = podSpec(klusterletObjects({ clusterName: 'c1', runtime: 'cluster', image: 'reg/ocmadm:1', spokeServer: 'https://s:6443', clusterClaims: {}, bootstrapKubeconfig: 'kc' }));
    expect(agentPod.containers[0]!.securityContext?.runAsUser ?? agentPod.securityContext?.runAsUser).toBe(uid);
  });

  test('the entrypoints the Deployments run come from dist/ copied out of the build stage into WORKDIR', () => {
    const copyDist = instr(final, 'COPY').find((l) => /--from=build\s+\S*dist\s+\.\/dist/.test(l));
    expect(copyDist).toBeDefined();
    for (const command of [IMAGE_COMMAND, KLUSTERLET.command]) {
      expect(command[0]).toBe('node');
      const file = command[command.length - 1]!;
      expect(file.startsWith(`${workdir}/dist/`)).toBe(true);
      // dist/<x>.js is compiled from src/<x>.ts
      const source = path.join(ROOT, 'src', file.slice(`${workdir}/dist/`.length).replace(/\.js$/, '.ts'));
      expect({ file, source: fs.existsSync(source) }).toEqual({ file, source: true });
    }
    expect(JSON.parse(/^CMD\s+(.*)$/m.exec(text)![1]!)).toEqual([...IMAGE_COMMAND]);
  });

  test('what the code reads at run time is in the image: package.json, CRD manifests, templates', () => {
    const copies = instr(final, 'COPY').join('\n');
    expect(copies).toMatch(/package\.json/);
    expect(copies).toMatch(/COPY manifests \.\/manifests/);
    expect(copies).toMatch(/COPY src\/templates \.\/src\/templates/);
  });

  test('.dockerignore keeps local builds, dependencies, tests and git out of the context', () => {
    const ignored = fs.readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const p of ['node_modules', 'dist', '.git', 'e2e', 'test']) expect(ignored).toContain(p);
    for (const needed of ['src', 'manifests', 'bin', 'package.json', 'package-lock.json']) expect(ignored).not.toContain(needed);
  });
});

type Pod = { securityContext?: { runAsUser?: number }; containers: { securityContext?: { runAsUser?: number } }[] };
function podSpec(objects: KubeObject[]): Pod {
  const d = objects.find((o) => o.kind === 'Deployment') as KubeObject & { spec: { template: { spec: Pod } } };
  return d.spec.template.spec;
}
