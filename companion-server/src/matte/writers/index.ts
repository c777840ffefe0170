/** Opens the writer for an output format. */
import type { MatteOutputFormat } from '../options';
import { openVideoWriter } from './ffmpeg-video';
import { openPngSequenceWriter } from './png-sequence';
import type { MatteWriter, MatteWriterOptions } from './types';

export { MatteWriteError, type MatteWriter, type MatteWriterOptions } from './types';
export { pngFrameName } from './png-sequence';

export function openMatteWriter(
  format: MatteOutputFormat,
  options: MatteWriterOptions,
): Promise<MatteWriter> {
  switch (format) {
    case 'png8':
    case 'png16':
    case 'png-rgba':
      return openPngSequenceWriter(format, options);
    case 'prores4444':
    case 'h264-matte':
    case 'ffv1-matte':
      return openVideoWriter(format, options);
  }
}
