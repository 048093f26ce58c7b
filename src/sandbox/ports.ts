import net from 'node:net';

/**
 * Free TCP ports on 127.0.0.1 for control-plane components.
 *
 * Ports come from 10000-32767, below Linux's ephemeral range (32768-60999): a port picked there
 * cannot be taken in the meantime by an outgoing connection (which always gets an ephemeral
 * port), only by another process binding that exact port. Ports handed out by this process are
 * remembered so that clusters started side by side never get the same one.
 */
const LOW = 10_000;
const HIGH = 32_767;
const handedOut = new Set<number>();

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ host: '127.0.0.1', port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** One port that is free on 127.0.0.1 right now and not yet handed out by this process. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await canBind(port)) return port;
  }
  throw new Error(`no free loopback port found in ${LOW}-${HIGH} after 200 attempts`);
}

/** `n` distinct free ports. */
export async function freePorts(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await freePort());
  return out;
}

/** Lets a port be handed out again (after the component that used it stopped). */
export function releasePorts(ports: number[]): void {
  for (const p of ports) handedOut.delete(p);
}
