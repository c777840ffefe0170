/** The companion server's public surface. */
export {
  createServer,
  DEFAULT_HOST,
  DEFAULT_PORT,
  ServerConfigError,
  type ServerOptions,
  type RunningServer,
} from './create-server';
export type {
  SegmentationBackend,
  BackendClip,
  AnnotationMask,
  BackendFineTuneRequest,
  BackendFineTuneResult,
  BackendFineTuneProgress,
  BackendSegmentRequest,
} from '@oneshot-roto/core';
export { loadBackend, BACKEND_CHOICES, type BackendChoice, type BackendLoadOptions } from './backend-loader';
export { loadOrCreateToken, configDir, type TokenInfo } from './token';
export { rasterizeStrokes, RasterizeError } from './annotation/rasterize';
