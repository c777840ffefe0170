/**
 * Progress reporting for long CLI jobs: a cli-progress bar with rate and ETA on a terminal, plain
 * throttled lines otherwise (logs, CI, pipes), always on stderr so stdout stays parseable.
 */
import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  update(value: number, info?: string): void;
  stop(): void;
}

export function createProgress(
  label: string,
  total: number,
  unit: string,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  if (stream.isTTY) {
    const bar = new SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} ${unit} | {rate} ${unit}/s | ETA {eta_formatted} {info}`,
        stream,
        hideCursor: true,
        etaBuffer: 20,
      },
      Presets.shades_classic,
    );
    const start = performance.now();
    bar.start(total, 0, { rate: '0.0', info: '' });
    return {
      update(value, info = '') {
        const rate = value / Math.max(1e-3, (performance.now() - start) / 1000);
        bar.update(value, { rate: rate.toFixed(2), info });
      },
      stop: () => bar.stop(),
    };
  }
  const start = performance.now();
  let lastPrint = 0;
  return {
    update(value, info = '') {
      const now = performance.now();
      if (value < total && now - lastPrint < 2000) return;
      lastPrint = now;
      const seconds = (now - start) / 1000;
      const rate = value / Math.max(1e-3, seconds);
      const eta = rate > 0 ? (total - value) / rate : NaN;
      stream.write(
        `${label}: ${value}/${total} ${unit}, ${rate.toFixed(2)} ${unit}/s, ETA ${Number.isFinite(eta) ? `${eta.toFixed(0)} s` : '?'}${info ? `, ${info}` : ''}\n`,
      );
    },
    stop() {},
  };
}
