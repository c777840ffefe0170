/**
 * A server in its own process, for kill -9 tests: `node --import tsx serve-child.ts <workspace>
 * <iterationDelayMs> <frameDelayMs>`. Uses the FAKE-SPEED synthetic backend (the real one would
 * take minutes per fine-tune on 2 shared cores). Prints `{"port":N}` on stdout when listening.
 */
import { createServer } from '../../../src/server/create-server';
import { createSyntheticBackend } from './synthetic-backend';
import pino from 'pino';

async function main(): Promise<void> {
  const [workspace, iterationDelayMs, frameDelayMs] = process.argv.slice(2);
  if (!workspace) throw new Error('usage: serve-child.ts <workspace> <iterationDelayMs> <frameDelayMs>');
  const server = await createServer({
    workspace,
    backend: createSyntheticBackend({
      iterationDelayMs: Number(iterationDelayMs),
      frameDelayMs: Number(frameDelayMs),
    }),
    port: 0,
    logger: pino({ level: 'warn' }, pino.destination(2)),
  });
  const { port } = await server.listen();
  // Memory probe for the fuzz test: SIGUSR2 → full GC (when --expose-gc) → print RSS.
  process.on('SIGUSR2', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    process.stdout.write(
      `${JSON.stringify({ rss: process.memoryUsage().rss, heapUsed: process.memoryUsage().heapUsed })}\n`,
    );
  });
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
