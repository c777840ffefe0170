import { setTimeout as sleep } from 'node:timers/promises';
import { KeyedLock } from '../../src/fs/keyed-lock';

test('runs of one key never overlap and run in call order; a failure does not block the next', async () => {
  const lock = new KeyedLock();
  const log: string[] = [];
  let inside = 0;
  let most = 0;
  const task = (name: string, ms: number, fail = false) =>
    lock.run('k', async () => {
      inside++;
      most = Math.max(most, inside);
      log.push(`start ${name}`);
      await sleep(ms);
      log.push(`end ${name}`);
      inside--;
      if (fail) throw new Error(`${name} failed`);
      return name;
    });
  const results = await Promise.allSettled([task('a', 30), task('b', 1, true), task('c', 10), task('d', 0)]);
  expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
    'a',
    'b failed',
    'c',
    'd',
  ]);
  expect(most).toBe(1);
  expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c', 'start d', 'end d']);
  expect(lock.activeKeys).toBe(0);
});

test('a read-modify-write under the lock loses no update; different keys run side by side', async () => {
  const lock = new KeyedLock();
  const store = new Map<string, number[]>();
  const append = (key: string, v: number) =>
    lock.run(key, async () => {
      const list = (store.get(key) ?? []).slice();
      await sleep(Math.random() * 5);
      list.push(v);
      store.set(key, list);
    });
  let overlap = false;
  let inX = false;
  const slowX = lock.run('x', async () => {
    inX = true;
    await sleep(40);
    inX = false;
  });
  const y = lock.run('y', async () => {
    overlap = inX;
  });
  await Promise.all([
    ...Array.from({ length: 20 }, (_, i) => append('p', i)),
    ...Array.from({ length: 20 }, (_, i) => append('q', i)),
    slowX,
    y,
  ]);
  expect(store.get('p')).toEqual(Array.from({ length: 20 }, (_, i) => i));
  expect(store.get('q')).toEqual(Array.from({ length: 20 }, (_, i) => i));
  expect(overlap).toBe(true);
  expect(lock.activeKeys).toBe(0);
});

test('a synchronous throw inside fn releases the key', async () => {
  const lock = new KeyedLock();
  await expect(
    lock.run('k', () => {
      throw new Error('boom');
    }),
  ).rejects.toThrow('boom');
  await expect(lock.run('k', async () => 7)).resolves.toBe(7);
  expect(lock.activeKeys).toBe(0);
});
