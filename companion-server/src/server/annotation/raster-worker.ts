/**
 * Worker thread of the raster pool: rasterises one annotation's strokes (and counts its
 * pixels by label) off the server's event loop. The mask's buffer is transferred back, not copied.
 */
import { parentPort } from 'node:worker_threads';
import { countLabels, rasterizeStrokes, RasterizeError } from './rasterize';
import type { RasterReply, RasterRequest } from './raster-pool';

const port = parentPort;
if (!port) throw new Error('raster-worker.ts runs as a worker thread of the raster pool');

port.on('message', (job: RasterRequest) => {
  let reply: RasterReply;
  try {
    const mask = rasterizeStrokes(job.strokes, {
      width: job.width,
      height: job.height,
      space: job.space,
      base: job.base,
    });
    reply = { id: job.id, ok: true, mask, ...countLabels(mask) };
    port.postMessage(reply, [mask.buffer as ArrayBuffer]);
  } catch (err) {
    reply = {
      id: job.id,
      ok: false,
      invalid: err instanceof RasterizeError,
      message: (err as Error).message,
    };
    port.postMessage(reply);
  }
});
