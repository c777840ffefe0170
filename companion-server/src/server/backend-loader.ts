/**
 * Picks the segmentation backend for `serve`: the real one-shot backend (osvos/backend.ts) or
 * the parent-only development backend (no fine-tuning).
 */
import { type DeviceChoice, createOsvosBackend, type SegmentationBackend } from '@oneshot-roto/core';
import { createParentOnlyBackend } from './parent-only-backend';

export type BackendChoice = 'osvos' | 'parent-only';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['osvos', 'parent-only'];

export interface BackendLoadOptions {
  device?: DeviceChoice;
  /** Network resolution; the backend's (or preset's) default when absent. */
  resolution?: number;
}

export function loadBackend(choice: BackendChoice, options: BackendLoadOptions): SegmentationBackend {
  return choice === 'parent-only' ? createParentOnlyBackend(options) : createOsvosBackend(options);
}
