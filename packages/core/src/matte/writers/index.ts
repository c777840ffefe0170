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
    case 'rgba':
      return openPngSequenceWriter(format, options);
    case 'prores':
    case 'h264':
    case 'ffv1':
      return openVideoWriter(format, options);
  }
}
