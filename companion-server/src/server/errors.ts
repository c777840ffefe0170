/** An error the server reports to the client with a protocol error code. */
import type { ErrorCode } from '@oneshot-roto/protocol';

export class ProtocolError extends Error {
  readonly code: ErrorCode;
  readonly path?: string;
  readonly retryable?: boolean;
  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; path?: string; retryable?: boolean },
  ) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'ProtocolError';
    this.code = code;
    this.path = options?.path;
    this.retryable = options?.retryable;
  }
}

/** Maps file-system errors to `io_error` with a message naming the path and the fix. */
export function ioError(what: string, path: string, err: unknown): ProtocolError {
  const code = (err as NodeJS.ErrnoException)?.code;
  const hint =
    code === 'ENOSPC'
      ? 'the disk is full; free space and retry'
      : code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
        ? 'the folder is not writable; choose another folder or fix its permissions'
        : code === 'ENOTDIR'
          ? 'a file is in the way of the folder'
          : `${(err as Error)?.message ?? String(err)}`;
  return new ProtocolError('io_error', `cannot ${what} ${path}: ${hint}`, { cause: err, retryable: true });
}

export function asProtocolError(err: unknown): ProtocolError {
  if (err instanceof ProtocolError) return err;
  return new ProtocolError('internal', `internal error: ${(err as Error)?.message ?? String(err)}`, {
    cause: err,
  });
}
