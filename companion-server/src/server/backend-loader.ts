/**
 * Picks the segmentation backend for `serve`: the real one-shot backend (osvos/backend.ts,
 * `createOsvosBackend`) or the parent-only development backend.
 */
import { join } from 'node:path';
import type { DeviceChoice } from '../model';
import type { SegmentationBackend } from './backend';
import { createParentOnlyBackend } from './parent-only-backend';

export type BackendChoice = 'osvos' | 'parent-only';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['osvos', 'parent-only'];

export interface BackendLoadOptions {
  device?: DeviceChoice;
  /** Network resolution; the backend's default when absent. */
  resolution?: number;
}

interface OsvosModule {
  createOsvosBackend(options: BackendLoadOptions): SegmentationBackend | Promise<SegmentationBackend>;
}

export async function loadBackend(
  choice: BackendChoice,
  options: BackendLoadOptions,
): Promise<SegmentationBackend> {
  if (choice === 'parent-only') return createParentOnlyBackend(options);
  // Resolved at run time so the server builds while the OSVOS backend is developed alongside it.
  const modulePath = join(__dirname, '..', 'osvos', 'backend');
  let mod: Partial<OsvosModule>;
  try {
    mod = (await import(modulePath)) as Partial<OsvosModule>;
  } catch (err) {
    throw new Error(
      `the one-shot (osvos) backend is not available in this build (${(err as Error).message}); run with --backend parent-only`,
      { cause: err },
    );
  }
  if (typeof mod.createOsvosBackend !== 'function') {
    throw new Error('osvos/backend does not export createOsvosBackend; run with --backend parent-only');
  }
  return mod.createOsvosBackend(options);
}
