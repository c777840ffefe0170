import path from 'node:path';
import { Command } from 'commander';
import { registerModelsCommand } from '../../src/cli/commands/models';
import { makeTempDir, silenceLogs } from '../../../packages/core/test/model/fixtures';

silenceLogs();

async function run(args: string[]): Promise<string> {
  const program = new Command('oneshot-roto').exitOverride();
  program.configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  registerModelsCommand(program);
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return chunks.join('');
}

describe('oneshot-roto models', () => {
  const tmp = makeTempDir('models-cli');
  afterAll(() => tmp.cleanup());
  const cache = path.join(tmp.dir, 'cache');

  it('prepares the requested resolutions, then reports them as prepared', async () => {
    const first = await run(['models', 'prepare', '--resolution', '320', '--cache', cache]);
    expect(first).toMatch(
      /^320x320: .*isnet-medium-fp32-320\.onnx \(built in [\d.]+ s; sha256 [0-9a-f]{64}\)\n$/,
    );
    const again = await run(['models', 'prepare', '-r', '320', '--cache', cache]);
    expect(again).toContain('already prepared');

    const info = JSON.parse(await run(['models', 'info', '--json', '--cache', cache])) as {
      source: { installed: boolean; version: string };
      cacheDir: string;
      prepared: Array<{
        resolution: number;
        complete: boolean;
        outputs: Array<{ name: string; shape: Array<number | string> }>;
      }>;
    };
    expect(info.source).toMatchObject({ installed: true, version: '1.4.5' });
    expect(info.cacheDir).toBe(cache);
    expect(info.prepared).toHaveLength(1);
    expect(info.prepared[0]).toMatchObject({ resolution: 320, complete: true });
    expect(info.prepared[0]!.outputs[0]).toEqual({ name: 'output', shape: ['batch', 1, 320, 320] });
  });

  it('refuses a resolution the network cannot take, saying which ones it can', async () => {
    await expect(
      run(['models', 'prepare', '--resolution', '512,500', '--cache', cache]),
    ).rejects.toMatchObject({
      code: 'commander.invalidArgument',
      message: expect.stringMatching(/resolution 500 is not supported: use a multiple of 32/),
    });
  });
});
