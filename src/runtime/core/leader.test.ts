import { microTime, renewIntervalMs } from './leader.js';

describe('microTime', () => {
  test('RFC 3339 with exactly 6 fractional digits', () => {
    expect(microTime(new Date('2026-11-23T10:00:00.123Z'))).toBe('2026-11-23T10:00:00.123000Z');
    expect(microTime(new Date('2026-11-23T10:00:00Z'))).toBe('2026-11-23T10:00:00.000000Z');
    expect(microTime()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  });

  test('round-trips through Date', () => {
    const d = new Date('2026-02-28T23:59:59.999Z');
    expect(new Date(microTime(d)).getTime()).toBe(d.getTime());
  });
});

describe('renewIntervalMs', () => {
  test('half the renew deadline, never sooner than the retry period', () => {
    expect(renewIntervalMs(10_000, 2_000)).toBe(5_000);
    expect(renewIntervalMs(3_000, 1_000)).toBe(1_500);
    expect(renewIntervalMs(3_000, 2_000)).toBe(2_000);
  });
});
