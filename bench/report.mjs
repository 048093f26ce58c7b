// The markdown table of bench results (median, min-max), with targets from issue 8.
const range = (s, unit) => (s ? `${s.median} ${unit} (${s.min}–${s.max}, n=${s.n})` : 'not measured');

export function markdown(r) {
  const rows = [];
  const add = (what, value, target) => rows.push(`| ${what} | ${value} | ${target ?? ''} |`);
  const h = r.handshake;
  if (h) {
    if (h.cli?.nodeFloorMs) add("Node's floor: start + one TLS GET of the clusters (bench/node-floor.mjs, no CLI)", range(h.cli.nodeFloorMs, 'ms'));
    add('CLI cold start: `ocmadm --version`', range(h.cli?.versionMs, 'ms'), '<= 150 ms');
    add('CLI cold start: `ocmadm get clusters -o json`', range(h.cli?.getClustersJsonMs, 'ms'), '<= 150 ms');
    for (const [cmd, s] of Object.entries(h.cli?.readOnlyMs ?? {})) add(`CLI cold start: \`ocmadm ${cmd} -o json\``, range(s, 'ms'), '<= 150 ms');
    add('`init --runtime local --wait`', range(h.initMs, 'ms'));
    add('`join --runtime local --wait`', range(h.joinMs, 'ms'));
    add('`accept --wait` (whole command)', range(h.acceptWaitMs, 'ms'));
    add('accept → Joined and Available', range(h.acceptToAvailableMs, 'ms'), '<= 3 s');
    if (h.footprint) {
      add('hub controller idle (1 cluster)', `${h.footprint.hubController.rssMiB} MiB RSS, ${h.footprint.hubController.cpuPercent} % of a core`);
      add('klusterlet agent idle', `${h.footprint.klusterlet.rssMiB} MiB RSS, ${h.footprint.klusterlet.cpuPercent} % of a core`, '<= 80 MB');
    }
  }
  for (const line of r.work?.rows ?? []) add(line.what, line.value, line.target);
  for (const line of r.scale?.rows ?? []) add(line.what, line.value, line.target);
  const m = r.machine;
  return [
    `Measured ${r.date.slice(0, 10)} on ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, Linux ${m.kernel}; median (min–max) of ${r.rounds} rounds unless n says otherwise.`,
    '',
    '| What | Result | Target |',
    '| --- | --- | --- |',
    ...rows,
    '',
    ...peerTable(r.peers),
  ].join('\n');
}

/** The side-by-side table of BENCH_PEERS=1: ocmadm, the OCM program doing the same job, ratio. */
function peerTable(p) {
  if (!p) return [];
  return [
    `Peers (${p.versions.split('\n').slice(0, 2).join(', ')}), same control planes, same run; ratio = ocmadm / peer:`,
    '',
    '| What | ocmadm | peer | ratio |',
    '| --- | --- | --- | --- |',
    ...p.rows.map((row) => `| ${row.what} | ${row.ocmadm} | ${row.peer} | ${row.ratio ?? ''} |`),
    '',
    ...(p.hub ? [`Hub peers, each side on its own fresh hub, no add-on: ${Object.entries(p.hub.flags).map(([bin, args]) => `\`${bin} ${args}\``).join(', ')}.`, ''] : []),
  ];
}
