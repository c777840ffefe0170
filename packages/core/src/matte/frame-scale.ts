/**
 * The snapping filters' pixel sizes (window radii, spatial grid steps, the protected component
 * area) were tuned on DAVIS's 854×480 frames. On larger footage the network's map is upsampled
 * further (a 768² map covers a 1080p frame at 2.5 frame pixels per network pixel, DAVIS at 1.1),
 * so its boundary error spans proportionally more frame pixels: the sizes grow with the frame's
 * linear size, and a 1080p or 4K frame is snapped as its 480p version would be, at about the same
 * grid cost. They never shrink below the tuned values: on smaller frames the network's map is
 * already at least as sharp as the frame.
 */
import { DEFAULT_BILATERAL_GRID, type BilateralGridParams } from './bilateral-grid';
import { DEFAULT_DENSE_CRF, type DenseCrfParams } from './dense-crf';
import { DEFAULT_GUIDED_FILTER, type GuidedFilterParams } from './guided-filter';
import { DEFAULT_SLIC, type SlicParams } from './slic';

/** The frame size the snapping defaults were tuned on (DAVIS 480p). */
export const SNAP_REFERENCE_SIZE = { width: 854, height: 480 } as const;

/** Frame diagonal over the reference's, at least 1. */
export function snapScale(width: number, height: number): number {
  const ref = Math.hypot(SNAP_REFERENCE_SIZE.width, SNAP_REFERENCE_SIZE.height);
  return Math.max(1, Math.hypot(width, height) / ref);
}

export interface ScaledSnapParams {
  guided: GuidedFilterParams;
  bilateral: BilateralGridParams;
  crf: DenseCrfParams;
  slic: SlicParams;
  /** Foreground components smaller than this (pixels) keep the network's values. */
  protectArea: number;
}

/** The snapping filters' default parameters scaled to a frame of this size. */
export function scaledSnapParams(width: number, height: number, protectArea: number): ScaledSnapParams {
  const s = snapScale(width, height);
  return {
    // The fast guided filter's subsampling grows with the radius: the same work per window.
    guided: {
      ...DEFAULT_GUIDED_FILTER,
      radius: DEFAULT_GUIDED_FILTER.radius * s,
      subsample: Math.max(1, Math.round(DEFAULT_GUIDED_FILTER.subsample * s)),
    },
    bilateral: { ...DEFAULT_BILATERAL_GRID, sigmaSpatial: DEFAULT_BILATERAL_GRID.sigmaSpatial * s },
    crf: {
      ...DEFAULT_DENSE_CRF,
      sigmaSpatial: DEFAULT_DENSE_CRF.sigmaSpatial * s,
      smoothnessRadius: Math.max(1, Math.round(DEFAULT_DENSE_CRF.smoothnessRadius * s)),
    },
    slic: { ...DEFAULT_SLIC, regionSize: Math.round(DEFAULT_SLIC.regionSize * s) },
    protectArea: Math.round(protectArea * s * s),
  };
}
