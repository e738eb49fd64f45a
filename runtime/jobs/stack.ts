// `error_stack` holds the stack text serialized with the blob codec, so that DataJoint
// for Python reads it back as a str (jobs.py: Job.error; blob.py: pack with compress=True).
// Only the one item kind a stack needs is written here: a `dj0` string item, compressed
// with zlib when longer than 1000 bytes and only if that is shorter (blob.py: pack).
import { deflateSync, inflateSync } from 'node:zlib';

const DJ0 = Buffer.from('dj0\0', 'latin1');
const ZL = Buffer.from('ZL123\0', 'latin1');

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

export function encodeErrorStack(text: string): Buffer {
  const utf8 = Buffer.from(text, 'utf8');
  const blob = Buffer.concat([DJ0, Buffer.from([0x05]), u64(utf8.length), utf8]);
  if (blob.length > 1000) {
    const packed = Buffer.concat([ZL, u64(blob.length), deflateSync(blob)]);
    if (packed.length < blob.length) return packed;
  }
  return blob;
}

/** The text of an `error_stack` value written by us or by Python; undefined for other payloads. */
export function decodeErrorStack(data: Uint8Array | null | undefined): string | undefined {
  if (!data) return undefined;
  let b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.subarray(0, 6).equals(ZL)) b = inflateSync(b.subarray(14));
  const header = b.subarray(0, 4).toString('latin1');
  if ((header !== 'dj0\0' && header !== 'mYm\0') || b[4] !== 0x05) return undefined;
  const len = Number(b.readBigUInt64LE(5));
  return b.subarray(13, 13 + len).toString('utf8');
}
