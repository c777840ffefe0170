import { RequestCache } from '../../src/server/request-cache';

const answer = (s: string) => Promise.resolve(s);

test('entries are per scope: the same id in two scopes is two entries', async () => {
  const cache = new RequestCache();
  cache.set('client:a', 'r1', 'h1', answer('A'));
  cache.set('client:b', 'r1', 'h2', answer('B'));
  expect(cache.get('client:a', 'r1')?.hash).toBe('h1');
  expect(await cache.get('client:b', 'r1')?.answer).toBe('B');
  expect(cache.get('client:c', 'r1')).toBeUndefined();
  cache.delete('client:a', 'r1');
  expect(cache.get('client:a', 'r1')).toBeUndefined();
  expect(cache.size()).toBe(1);
});

test('bounded per scope and in all: the least recently used scope loses its oldest entries first', () => {
  const cache = new RequestCache(3, 5);
  for (let i = 0; i < 5; i++) cache.set('s1', `r${i}`, 'h', answer(''));
  // Per scope: only the last three stay.
  expect(['r0', 'r1', 'r2', 'r3', 'r4'].map((id) => cache.get('s1', id) !== undefined)).toEqual([
    false,
    false,
    true,
    true,
    true,
  ]);
  cache.set('s2', 'x0', 'h', answer(''));
  cache.set('s2', 'x1', 'h', answer(''));
  cache.get('s1', 'r4'); // s1 used last: s2 is now the least recently used
  cache.set('s3', 'y0', 'h', answer(''));
  expect(cache.size()).toBe(5);
  expect(cache.get('s2', 'x0')).toBeUndefined();
  expect(cache.get('s2', 'x1')).toBeDefined();
  expect(cache.get('s1', 'r2')).toBeDefined();
  // Setting an id again replaces it without counting it twice.
  cache.set('s3', 'y0', 'h2', answer(''));
  expect(cache.size()).toBe(5);
  cache.forget('s1');
  expect(cache.size()).toBe(2);
  expect(cache.get('s1', 'r4')).toBeUndefined();
});
