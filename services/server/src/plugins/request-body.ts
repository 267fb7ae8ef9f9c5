import { gunzip, inflate } from 'node:zlib';
import { promisify } from 'node:util';
import { DecodeError, PayloadTooLargeError, UnsupportedMediaTypeError } from '@sleuth/core';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/**
 * Decompresses a request body per its Content-Encoding, refusing to inflate past `maxBytes`
 * (a gzip bomb is answered 413, not buffered). Runs on libuv's thread pool, off the event loop.
 */
export async function decodeContentEncoding(
  body: Buffer,
  contentEncoding: string | undefined,
  maxBytes: number,
): Promise<Buffer> {
  const enc = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (enc === 'identity' || enc === '') return body;
  if (enc !== 'gzip' && enc !== 'deflate') {
    throw new UnsupportedMediaTypeError(`Content-Encoding ${enc} is not supported; use gzip or none`, {
      contentEncoding: enc,
    });
  }
  try {
    const opts = { maxOutputLength: maxBytes };
    return enc === 'gzip' ? await gunzipAsync(body, opts) : await inflateAsync(body, opts);
  } catch (err) {
    if (err instanceof RangeError || (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new PayloadTooLargeError(`body inflates past the limit of ${maxBytes} bytes`, { maxBytes });
    }
    throw new DecodeError(`body is not valid ${enc}: ${(err as Error).message}`, { contentEncoding: enc });
  }
}
