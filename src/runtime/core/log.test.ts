import { createLogger, isSecretName, MASK, parseLogLevel, redact } from './log.js';

const capture = () => {
  const lines: string[] = [];
  return { lines, stream: { write: (s: string) => lines.push(s) }, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
};
const now = () => new Date('2026-11-23T10:00:00.000Z');

describe('logger', () => {
  test('writes one JSON line with ts, level, component, msg and fields', () => {
    const out = capture();
    const log = createLogger({ component: 'hub', stream: out.stream, now });
    log.info('cluster accepted', { cluster: 'c1', n: 2 });
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]!.endsWith('\n')).toBe(true);
    expect(out.parsed()[0]).toEqual({ ts: '2026-11-23T10:00:00.000Z', level: 'info', component: 'hub', msg: 'cluster accepted', cluster: 'c1', n: 2 });
  });

  test('level filters; child adds fields; fields cannot replace the envelope', () => {
    const out = capture();
    const log = createLogger({ component: 'k', level: 'warn', stream: out.stream, now }).child({ controller: 'lease' });
    log.debug('d');
    log.info('i');
    log.warn('w', { msg: 'sneaky', level: 'x' });
    log.child({ object: 'ns/a' }).error('e');
    expect(out.parsed()).toEqual([
      { ts: expect.any(String), level: 'warn', component: 'k', msg: 'w', controller: 'lease', 'field.msg': 'sneaky', 'field.level': 'x' },
      { ts: expect.any(String), level: 'error', component: 'k', msg: 'e', controller: 'lease', object: 'ns/a' },
    ]);
  });

  test('errors are logged as their message, not a stack', () => {
    const out = capture();
    createLogger({ component: 'c', stream: out.stream, now }).error('failed', { error: new Error('boom') });
    expect(out.parsed()[0]!.error).toBe('boom');
  });

  test('never writes secrets', () => {
    const out = capture();
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJlLWJ5dGVz';
    createLogger({ component: 'c', stream: out.stream, now }).info('joined', {
      token: 'abc',
      bootstrap: { kubeconfig: 'apiVersion: v1\n...', user: { 'client-key-data': 'LS0t', 'client-certificate-data': 'LS0t' } },
      object: { kind: 'Secret', metadata: { name: 'hub-kubeconfig-secret' }, data: { 'tls.key': 'x', 'hub.conf': 'y' } },
      note: `got ${jwt}`,
    });
    const line = out.lines[0]!;
    for (const s of ['abc', 'apiVersion: v1', 'LS0t', jwt, 'hub.conf']) expect(line).not.toContain(s);
    expect(line).toContain('hub-kubeconfig-secret');
  });
});

describe('redact', () => {
  test('masks secret-named fields at any depth and keeps the rest', () => {
    expect(
      redact({
        name: 'a',
        key: 'k',
        privateKey: 'pk',
        'tls.key': 'x',
        password: 'p',
        bearerToken: 't',
        'certificate-authority-data': 'ca',
        nested: [{ apiKey: 'z', ok: 1 }],
      }),
    ).toEqual({
      name: 'a',
      key: MASK,
      privateKey: MASK,
      'tls.key': MASK,
      password: MASK,
      bearerToken: MASK,
      'certificate-authority-data': MASK,
      nested: [{ apiKey: MASK, ok: 1 }],
    });
  });

  test('names that only mention a secret stay readable', () => {
    for (const n of ['kubeconfigPath', 'secretName', 'tokenFile', 'keys', 'namespace', 'object']) expect(isSecretName(n)).toBe(false);
    for (const n of ['token', 'kubeconfig', 'hubKubeconfig', 'tls.key', 'client-key-data', 'KEY', 'certificateData']) expect(isSecretName(n)).toBe(true);
  });

  test('masks PEM private keys by value, handles cycles and buffers', () => {
    const o: Record<string, unknown> = { pem: 'x', body: '-----BEGIN EC PRIVATE KEY-----\nMHc...' };
    o.self = o;
    expect(redact(o)).toEqual({ pem: MASK, body: MASK, self: '[Circular]' });
    expect(redact({ raw: Buffer.from('secret') })).toEqual({ raw: '<6 bytes>' });
  });

  test('parseLogLevel', () => {
    expect(parseLogLevel('DEBUG')).toBe('debug');
    expect(parseLogLevel('loud')).toBe('info');
    expect(parseLogLevel(undefined, 'warn')).toBe('warn');
  });
});
