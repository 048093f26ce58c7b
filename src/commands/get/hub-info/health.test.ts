import { health, STALE_LEADER_SECONDS } from './run.js';
import { tokenExpiry } from '../klusterlet-info/run.js';

const now = Date.parse('2026-12-04T12:00:00Z');
const ago = (s: number) => new Date(now - s * 1000).toISOString();
const leader = { holder: 'h1', renewTime: ago(5) };

describe('hub controller health', () => {
  test.each([
    ['a running process that leads', { runtime: 'local' as const, local: { pid: 1, running: true, logFile: 'l' }, leader }, undefined],
    ['all replicas ready, leading', { runtime: 'cluster' as const, deployment: { image: 'i', replicas: 2, readyReplicas: 2 }, leader }, undefined],
    ['nothing found', { runtime: 'none' as const }, /no hub controller found/],
    ['a dead process', { runtime: 'local' as const, local: { pid: 7, running: false, logFile: 'log' }, leader }, /pid 7\) is not running; see log/],
    ['replicas not ready', { runtime: 'cluster' as const, deployment: { image: 'i', replicas: 2, readyReplicas: 1 }, leader }, /1\/2 replicas ready/],
    ['no leader', { runtime: 'local' as const, local: { pid: 1, running: true, logFile: 'l' } }, /no replica holds the leader Lease/],
    ['a stale leader', { runtime: 'local' as const, local: { pid: 1, running: true, logFile: 'l' }, leader: { holder: 'h1', renewTime: ago(STALE_LEADER_SECONDS + 1) } }, /has not renewed/],
  ])('%s', (_, info, problem) => {
    const got = health(info, now);
    if (problem === undefined) expect(got).toBeUndefined();
    else expect(got).toMatch(problem);
  });
});

describe('tokenExpiry', () => {
  const jwt = (payload: object) => `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;
  test('the exp claim of a JWT; none for bootstrap tokens and garbage', () => {
    expect(tokenExpiry(jwt({ exp: 1_800_000_000 }))?.toISOString()).toBe(new Date(1_800_000_000_000).toISOString());
    expect(tokenExpiry('ocmhub.0123456789abcdef')).toBeUndefined();
    expect(tokenExpiry(jwt({ sub: 'x' }))).toBeUndefined();
    expect(tokenExpiry('a.!!!.b')).toBeUndefined();
    expect(tokenExpiry(undefined)).toBeUndefined();
  });
});
