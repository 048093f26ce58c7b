import { runCli } from './cli/program.js';
import { EXIT } from './cli/errors.js';

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
  stdin: process.stdin,
  env: process.env,
}, interrupt.signal);
process.exitCode = interrupted && code !== 0 ? EXIT.INTERRUPTED : code;
