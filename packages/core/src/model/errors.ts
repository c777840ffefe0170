/** Errors of model preparation and inference. `code` lets the CLI and server map them to exit codes / replies. */
export type ModelErrorCode =
  | 'PACKAGE_MISSING'
  | 'CHUNK_CORRUPT'
  | 'CACHE_UNWRITABLE'
  | 'MODEL_NOT_FOUND'
  | 'MODEL_INVALID'
  | 'UNSUPPORTED_GRAPH'
  | 'BAD_RESOLUTION'
  | 'PROVIDER_UNAVAILABLE'
  | 'BAD_INPUT';

export class ModelError extends Error {
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ModelError';
  }
}
