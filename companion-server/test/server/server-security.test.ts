/**
 * Security: token on every HTTP request and ws upgrade, Host and Origin checks, loopback-only
 * binding, path rules. Real server on a real port (synthetic fake-speed backend: the model is
 * irrelevant here).
 */
import { promises as fs } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { createServer, ServerConfigError } from '../../src/server/create-server';
import { loadOrCreateToken } from '../../src/server/token';
import { createSyntheticBackend } from './helpers/synthetic-backend';
import { smallBearFrames, tempDir } from './helpers/fixtures';
import { startTestServer, TEST_TOKEN, type TestServer } from './helpers/start-server';
import { TestClient } from './helpers/ws-client';

jest.setTimeout(60_000);

let srv: TestServer;
let frames: { folder: string };

beforeAll(async () => {
  frames = await smallBearFrames(2, 48);
  srv = await startTestServer(createSyntheticBackend(), { allowedOrigins: ['https://panel.example'] });
});
afterAll(() => srv?.close());

/** Raw HTTP GET with full control of the headers (fetch would rewrite Host). */
function get(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: srv.port,
        path,
        method: 'GET',
        headers: { host: `127.0.0.1:${srv.port}`, ...headers },
      },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const bearer = { authorization: `Bearer ${TEST_TOKEN}` };

describe('HTTP', () => {
  test('refuses a missing or wrong token with 401 and accepts Bearer or ?token=', async () => {
    expect((await get('/health', {})).status).toBe(401);
    expect((await get('/health', { authorization: 'Bearer wrong-token-000000000000' })).status).toBe(401);
    expect((await get('/health?token=nope', {})).status).toBe(401);
    expect((await get('/health', { authorization: `Basic ${TEST_TOKEN}` })).status).toBe(401);
    // A right token next to a wrong one does not pass.
    expect((await get(`/health?token=bad`, bearer)).status).toBe(401);
    const ok = await get('/health', bearer);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({
      ok: true,
      protocol: 1,
      executionProvider: 'cpu',
      backend: 'synthetic-test',
      queue: { depth: 0, running: 0, workers: 1 },
    });
    expect((await get(`/health?token=${TEST_TOKEN}`, {})).status).toBe(200);
    expect(JSON.parse((await get('/health', {})).body)).toMatchObject({ error: { code: 'unauthorized' } });
  });

  test('refuses foreign Host headers (DNS rebinding) with 403', async () => {
    for (const host of [
      'evil.example',
      `evil.example:${srv.port}`,
      `127.0.0.1.evil.example:${srv.port}`,
      `localhost:${srv.port + 1}`,
      `10.0.0.1:${srv.port}`,
    ]) {
      expect({ host, status: (await get('/health', { ...bearer, host })).status }).toEqual({
        host,
        status: 403,
      });
    }
    for (const host of [`localhost:${srv.port}`, `127.0.0.1:${srv.port}`, `LOCALHOST:${srv.port}`]) {
      expect((await get('/health', { ...bearer, host })).status).toBe(200);
    }
  });

  test('refuses web page Origins and "null" with 403, accepts none, the UXP panel and the configured list', async () => {
    expect((await get('/health', { ...bearer, origin: 'https://evil.example' })).status).toBe(403);
    expect((await get('/health', { ...bearer, origin: `http://localhost:${srv.port + 1}` })).status).toBe(
      403,
    );
    expect((await get('/health', { ...bearer, origin: 'null' })).status).toBe(403);
    expect((await get('/health', { ...bearer, origin: 'uxp://com.oneshot.roto' })).status).toBe(200);
    const allowed = await get('/health', { ...bearer, origin: 'https://panel.example' });
    expect(allowed.status).toBe(200);
  });

  test('refusals are logged without the token', async () => {
    await get('/health?token=secret-guess-123456', {});
    const refused = srv.logs.filter((l) => l.msg === 'request refused');
    expect(refused.length).toBeGreaterThan(3);
    expect(JSON.stringify(srv.logs)).not.toContain(TEST_TOKEN);
    expect(JSON.stringify(srv.logs)).not.toContain('secret-guess-123456');
  });

  test('path traversal in URLs is refused and never reads files', async () => {
    for (const path of [
      '/clips/..%2F..%2Fetc/frames/0.png',
      '/clips/abc/objects/..%2F..%2F/masks/0.png',
      '/clips/abc/frames/..%2F0.png',
      '/clips/%2E%2E/frames/0.png',
    ]) {
      const r = await get(path, bearer);
      expect([400, 404]).toContain(r.status);
      expect(r.body).not.toContain('root:');
    }
  });
});

describe('WebSocket upgrade', () => {
  const refusedStatus = async (
    token: string | null,
    headers: Record<string, string> = {},
    via?: 'subprotocol',
  ) => {
    try {
      const c = await TestClient.connect(srv.url, token, { headers, via });
      await c.close();
      return 101;
    } catch (err) {
      return (err as { status?: number }).status ?? -1;
    }
  };

  test('refuses missing/wrong tokens, foreign Host and foreign Origin; logs it', async () => {
    expect(await refusedStatus(null)).toBe(401);
    expect(await refusedStatus('wrong-token-0000000000000')).toBe(401);
    expect(await refusedStatus(TEST_TOKEN, { host: 'evil.example' })).toBe(403);
    expect(await refusedStatus(TEST_TOKEN, { origin: 'https://evil.example' })).toBe(403);
    expect(await refusedStatus('wrong-token-0000000000000', {}, 'subprotocol')).toBe(401);
    expect(srv.logs.filter((l) => l.msg === 'websocket upgrade refused').length).toBeGreaterThanOrEqual(5);
  });

  test('accepts the token as a query parameter or as a subprotocol (and selects the protocol subprotocol)', async () => {
    const a = await TestClient.connect(srv.url, TEST_TOKEN);
    expect(await a.ack({ type: 'ping' })).toHaveProperty('time');
    await a.close();
    const b = await TestClient.connect(srv.url, TEST_TOKEN, { via: 'subprotocol' });
    expect(b.ws.protocol).toBe('oneshot-roto.v1');
    expect(await b.ack({ type: 'ping' })).toHaveProperty('time');
    await b.close();
  });

  test('media and output paths: relative, traversal and workspace targets are refused', async () => {
    const c = await TestClient.connect(srv.url, TEST_TOKEN);
    try {
      expect(
        await c.request({ type: 'openClip', source: { kind: 'frames', folder: 'relative/frames' } }),
      ).toMatchObject({ type: 'error', code: 'bad_path' });
      expect(
        await c.request({
          type: 'openClip',
          source: { kind: 'frames', folder: `${frames.folder}/../..${frames.folder}` },
        }),
      ).toMatchObject({ type: 'error', code: 'path_forbidden' });
      expect(
        await c.request({
          type: 'openClip',
          source: { kind: 'video', path: '/etc/passwd', inFrame: 0, outFrame: 2 },
        }),
      ).toMatchObject({ type: 'error', code: 'media_unreadable' });
      const { clip } = await c.ack<{ clip: { clipId: string } }>({
        type: 'openClip',
        source: { kind: 'frames', folder: frames.folder },
      });
      const out = await tempDir('out');
      expect(
        await c.request({
          type: 'render',
          clipId: clip.clipId,
          format: 'png8',
          outputFolder: `${out}/../../etc`,
        }),
      ).toMatchObject({ type: 'error', code: 'path_forbidden' });
      expect(
        await c.request({
          type: 'render',
          clipId: clip.clipId,
          format: 'png8',
          outputFolder: join(srv.workspace, 'clips'),
        }),
      ).toMatchObject({ type: 'error', code: 'path_forbidden' });
      expect(
        await c.request({
          type: 'render',
          clipId: clip.clipId,
          format: 'png8',
          outputFolder: out,
          name: '../escape',
        }),
      ).toMatchObject({ type: 'error', code: 'bad_message', path: '/name' });
    } finally {
      await c.close();
    }
  });
});

describe('binding', () => {
  test('listens on 127.0.0.1 only; other interfaces are not reachable', async () => {
    const addr = srv.server.app.server.address();
    expect(addr).toMatchObject({ address: '127.0.0.1' });
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) {
      const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
        const req = httpRequest(
          { host: external.address, port: srv.port, path: '/health', timeout: 3000 },
          () => resolve(null),
        );
        req.on('error', (e) => resolve(e));
        req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
        req.end();
      });
      expect(err?.code).toMatch(/ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH/);
    }
  });

  test('refuses a non-loopback --host unless allowRemoteHost is set', async () => {
    const ws = await tempDir('bind');
    await expect(
      createServer({ workspace: ws, backend: createSyntheticBackend(), host: '0.0.0.0', token: TEST_TOKEN }),
    ).rejects.toThrow(ServerConfigError);
    await expect(
      createServer({
        workspace: ws,
        backend: createSyntheticBackend(),
        host: '192.168.1.5',
        token: TEST_TOKEN,
      }),
    ).rejects.toThrow(/allow-remote-host/);
    const forced = await createServer({
      workspace: ws,
      backend: createSyntheticBackend(),
      host: '0.0.0.0',
      allowRemoteHost: true,
      token: TEST_TOKEN,
      port: 0,
    });
    await forced.close();
  });
});

describe('install token', () => {
  test('is generated once with mode 0600 in the config dir and read back; the env var overrides it', async () => {
    const dir = await tempDir('cfg');
    const env = { ONESHOT_ROTO_CONFIG_DIR: dir };
    const first = await loadOrCreateToken(env);
    expect(first).toMatchObject({ source: 'created', path: join(dir, 'token') });
    expect(first.token).toMatch(/^[0-9a-f]{64}$/);
    expect((await fs.stat(join(dir, 'token'))).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateToken(env)).toMatchObject({ source: 'file', token: first.token });
    expect(await loadOrCreateToken({ ...env, ONESHOT_ROTO_TOKEN: 'override-token-123456' })).toMatchObject({
      source: 'env',
      token: 'override-token-123456',
    });
    await expect(loadOrCreateToken({ ...env, ONESHOT_ROTO_TOKEN: 'short' })).rejects.toThrow(
      /ONESHOT_ROTO_TOKEN/,
    );
  });
});
