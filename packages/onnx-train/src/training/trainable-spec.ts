/** Textual trainable-set specifications (CLI, configuration files) → selectors. */
import { TrainingGraphError } from './errors';
import type { TrainableSelector } from './train-step';

/** Nodes of the parent network's (ISNet's) decoder: the stage*d blocks and the side outputs. */
export const ISNET_DECODER_NODES = /^\/(stage\d+d|side\d+)\//;

/**
 * 'all' → every parameter; 'isnet-decoder' → ISNet's decoder; 'node:<regex>' → parameters of
 * nodes whose name matches; 'param:<regex>' or a bare regex → parameters whose name matches.
 */
export function parseTrainableSpec(spec: string): TrainableSelector | undefined {
  if (spec === 'all') return undefined;
  if (spec === 'isnet-decoder') return { nodeName: ISNET_DECODER_NODES };
  const regex = (src: string) => {
    try {
      return new RegExp(src);
    } catch (cause) {
      throw new TrainingGraphError(`--trainable "${spec}": not a valid regular expression`, { cause });
    }
  };
  if (spec.startsWith('node:')) return { nodeName: regex(spec.slice(5)) };
  if (spec.startsWith('param:')) return regex(spec.slice(6));
  return regex(spec);
}
