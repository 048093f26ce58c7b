import { retryDelayMs } from './client.js';

describe('retryDelayMs (which answers are sent again, and when)', () => {
  test('429 is retried after Retry-After seconds, 1 s without the header, never more than 10 s', () => {
    expect(retryDelayMs(429, '1')).toBe(1000);
    expect(retryDelayMs(429, null)).toBe(1000);
    expect(retryDelayMs(429, '120')).toBe(10_000);
    expect(retryDelayMs(429, 'Wed, 21 Oct 2015 07:28:00 GMT')).toBe(1000);
  });
  test('a 5xx is retried only when the server asks with Retry-After', () => {
    expect(retryDelayMs(503, '2')).toBe(2000);
    expect(retryDelayMs(503, null)).toBeUndefined();
    expect(retryDelayMs(500, null)).toBeUndefined();
  });
  test('other answers are final', () => {
    for (const s of [400, 401, 403, 404, 409, 410, 422]) expect(retryDelayMs(s, '1')).toBeUndefined();
  });
});
