/**
 * The one error the method throws when its AbortSignal fires, whichever step it was in: callers
 * tell a cancel from a failure by this class (or by their own signal) without knowing the step.
 */
export type CancellableStep = 'fine-tuning' | 'segmentation';

export class OperationCancelledError extends Error {
  readonly step: CancellableStep;
  constructor(step: CancellableStep) {
    super(`${step} was cancelled`);
    this.name = 'OperationCancelledError';
    this.step = step;
  }
}
