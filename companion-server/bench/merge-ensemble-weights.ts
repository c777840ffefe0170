/**
 * Appends the networks of one set of saved weights to another's ensemble, per sequence: what a
 * fine-tune with one more ensemble network would have saved, without training the networks the
 * first set already has. Networks are fine-tuned one after the other, each from the parent and
 * seeded the same way (osvos/finetune.ts), so `best`'s weights plus a separately fine-tuned
 * network equal a fine-tune of the three with the same steps.
 *
 *   npx tsx companion-server/bench/merge-ensemble-weights.ts --base .bench/res-best
 *        --add .bench/res-v16 --add-views 16 --out .bench/res-3net
 *
 * `--add-views` names the added first network's views per annotation (a weights file records only
 * its further networks'). Both sets must share resolution, depth, parent and loss.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readWeights, writeWeights } from '../src/osvos/weights';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      base: { type: 'string' },
      add: { type: 'string' },
      'add-views': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const views = Number(values['add-views']);
  if (!values.base || !values.add || !values.out || !(views > 0))
    throw new Error('--base DIR --add DIR --add-views <n> --out DIR are required');
  await fs.mkdir(values.out, { recursive: true });
  for (const file of (await fs.readdir(values.add)).filter((f) => f.endsWith('.weights'))) {
    const base = await readWeights(path.join(values.base, file));
    const add = await readWeights(path.join(values.add, file));
    if (
      base.resolution !== add.resolution ||
      base.trainable !== add.trainable ||
      base.parentSha256 !== add.parentSha256
    )
      throw new Error(`${file}: the two sets were not trained at the same resolution, depth and parent`);
    await writeWeights(path.join(values.out, file), {
      ...base,
      iterations: base.iterations + add.iterations,
      ensemble: [...base.ensemble, { views, parameters: add.parameters }, ...add.ensemble],
    });
    console.log(`${file}: ${1 + base.ensemble.length} + ${1 + add.ensemble.length} networks`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
