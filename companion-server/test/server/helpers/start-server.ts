/** Starts a real server on a free port with a captured log, for tests. */
import pino from 'pino';
import { Writable } from 'node:stream';
import { createServer, type RunningServer, type ServerOptions } from '../../../src/server/create-server';
import type { SegmentationBackend } from '@oneshot-roto/core';
import { tempDir } from './fixtures';

export const TEST_TOKEN = 'test-token-0123456789abcdef';

export interface TestServer {
  server: RunningServer;
  url: string;
  port: number;
  workspace: string;
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startTestServer(
  backend: SegmentationBackend,
  extra: Partial<ServerOptions> = {},
): Promise<TestServer> {
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const workspace = extra.workspace ?? (await tempDir('ws'));
  const server = await createServer({
    workspace,
    backend,
    port: 0,
    token: TEST_TOKEN,
    logger: pino({ level: 'info' }, sink),
    ...extra,
  });
  const { port, url } = await server.listen();
  return { server, url, port, workspace, logs, close: () => server.close() };
}

export function authHeaders(token = TEST_TOKEN): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
