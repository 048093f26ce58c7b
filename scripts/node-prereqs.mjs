// Makes this machine able to run the sandbox's real nodes (e2e/nodes, `ocmadm sandbox up`):
// installs containerd, runc, containernetworking-plugins, iptables, iproute2, socat and
// util-linux with apt-get when missing (as root), or says in one line why it cannot (exit 1).
// Run after `npm run build`; .ci/run calls it before `npm test`.
import { ensureNodePrereqs } from '../dist/sandbox/node/prereqs.js';

const why = await ensureNodePrereqs({ log: (line) => process.stderr.write(`node-prereqs: ${line}\n`) });
if (why) {
  process.stderr.write(`node-prereqs: ${why}\n`);
  process.exit(1);
}
process.stderr.write('node-prereqs: this machine can run nodes\n');
