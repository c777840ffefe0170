/**
 * Jest environment for suites that run onnxruntime-node: jest's per-test realm has its own typed
 * array constructors, so tensors the native addon returns fail ort's `instanceof Float32Array`
 * checks. Sharing the host realm's typed arrays fixes that.
 */
const { TestEnvironment } = require('jest-environment-node');

const SHARED = ['ArrayBuffer', 'Float32Array', 'Float64Array', 'Int8Array', 'Int16Array', 'Int32Array', 'Uint8Array', 'Uint16Array', 'Uint32Array', 'Uint8ClampedArray', 'BigInt64Array', 'BigUint64Array'];

class OrtEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const k of SHARED) this.global[k] = globalThis[k];
  }
}

module.exports = OrtEnvironment;
