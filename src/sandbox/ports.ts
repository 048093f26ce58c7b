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

/**
 * Ports the Fetch standard blocks (https://fetch.spec.whatwg.org/#bad-port), above 1023: Node's
 * fetch refuses them without connecting ("fetch failed", cause "bad port"), so a component on
 * one never passes the readiness checks (readiness.ts). 10080 is the one in our range; an etcd
 * given it failed a CI run.
 */
const FETCH_BLOCKED = new Set([1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080]);

/** Whether fetch() may connect to `port` at all. */
export const fetchAllows = (port: number): boolean => !FETCH_BLOCKED.has(port);

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen({ host: '127.0.0.1', port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** One port that is free on 127.0.0.1 right now and not yet handed out by this process (`pick`: the candidates, random by default). */
export async function freePort(pick: () => number = () => LOW + Math.floor(Math.random() * (HIGH - LOW + 1))): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = pick();
    if (handedOut.has(port) || !fetchAllows(port)) continue;
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
