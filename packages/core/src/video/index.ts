/** Public API of video input: frame sources (folders, ffmpeg-decoded video), masks, the sample clip. */
export { makeRgbFrame, type RgbFrame } from './frame';
export { openFrameSource } from './open-frame-source';
export {
  FrameSourceError,
  type FrameSource,
  type FrameRange,
  type IndexedFrame,
  type OpenFrameSourceOptions,
} from './frame-source';
export { readMask, MaskSizeError, type BinaryMask, type ReadMaskOptions } from './mask-io';
export { sampleClip, type SampleClip } from './sample-clip';
export { probeVideo } from './probe';
export { decodeRgbImage } from './image-decode';
export { ffmpegPath } from './ffmpeg-binaries';
