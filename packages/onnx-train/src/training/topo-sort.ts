import type { NodeProto } from '../onnx/model-io';
import { TrainingGraphError } from './errors';

/** Orders nodes so that every input is produced before use (ONNX requires it, but be lenient). */
export function topoSort(nodes: readonly NodeProto[], available: Set<string>): NodeProto[] {
  const have = new Set(available);
  const pending = nodes.slice();
  const out: NodeProto[] = [];
  while (pending.length) {
    const before = pending.length;
    for (let i = 0; i < pending.length;) {
      const n = pending[i]!;
      if ((n.input ?? []).every((x) => !x || have.has(x))) {
        out.push(n);
        for (const o of n.output ?? []) if (o) have.add(o);
        pending.splice(i, 1);
      } else i++;
    }
    if (pending.length === before) {
      const n = pending[0]!;
      const missing = (n.input ?? []).filter((x) => x && !have.has(x));
      throw new TrainingGraphError(
        `node "${n.name}" (${n.opType}) uses tensors that nothing produces: ${missing.join(', ')}`,
      );
    }
  }
  return out;
}
