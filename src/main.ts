import { runCli } from './cli/program.js';
import { EXIT } from './cli/errors.js';
import { transportDefaults } from './kube/transport.js';

// A command is one short run: Node's built-in https, not undici's pool (src/kube/transport.ts).
// Set here without loading the client: `--version`, `--help` and local commands never need it.
transportDefaults.kind = 'node';

// One AbortController for the whole run: the first Ctrl-C stops waits cleanly (exit 130),
// a second one exits at once.
const interrupt = new AbortController();
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (interrupted) process.exit(EXIT.INTERRUPTED);
    interrupted = true;
    interrupt.abort();
  });
}

// A reader that goes away (`ocmadm ... | head`) is not an error: stop quietly, as other CLIs do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  // Read on use: opening stdin (a file, a pipe) loads stream machinery most commands never need.
  get stdin() {
    return process.stdin;
  },
  env: process.env,
}, interrupt.signal);
process.exitCode = interrupted && code !== 0 ? EXIT.INTERRUPTED : code;
