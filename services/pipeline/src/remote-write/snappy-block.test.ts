import { compress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '@sleuth/core';
import { snappyBlockProblem } from './snappy-block';
import { decodeWriteRequest, snappyLength } from './write-request';

const LIMITS = { maxDecompressedBytes: 32 * 1024 * 1024, maxSamples: 1000 };
const problemOf = (block: Uint8Array) => snappyBlockProblem(block, snappyLength(block));

describe('snappyBlockProblem', () => {
  it.each([
    ['empty', new Uint8Array(0)],
    ['text', Buffer.from('hello hello hello hello hello hello')],
    ['zeros', new Uint8Array(5000)],
    ['a long literal', Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 251)],
  ])('finds nothing wrong with what snappy compresses (%s)', (_what, data) => {
    expect(problemOf(compress(data))).toBeUndefined();
  });

  // Found by test/fuzz/remote-write.fuzz.test.ts: snappyjs 0.7 looped forever on these 6 bytes.
  it('refuses a literal whose 4-byte length reads as negative, which snappyjs never finishes', () => {
    const body = Buffer.from([0x00, 0xfc, 0xf8, 0x43, 0xc7, 0x85]);
    expect(problemOf(body)).toMatch(/literal of \d+ bytes runs past the end/);
    expect(() => decodeWriteRequest(body, LIMITS)).toThrow(DecodeError);
  });

  it('refuses a 6-byte body that declares 32 MB before allocating them', () => {
    const body = Buffer.from([0x80, 0x80, 0x80, 0x10, 0x00, 0x41]);
    expect(() => decodeWriteRequest(body, LIMITS)).toThrow(/inflates to 1 bytes, not the 33554432/);
  });

  it('refuses data shorter than its header, which snappyjs pads with zeros', () => {
    expect(problemOf(Buffer.from([0x10, 0x00, 0x0a]))).toMatch(/inflates to 1 bytes, not the 16/);
  });

  it('refuses a copy that reaches before the start and a tag cut short', () => {
    expect(problemOf(Buffer.from([0x08, 0x00, 0x61, 0x09, 0x05]))).toMatch(/reaches before the start/);
    expect(problemOf(Buffer.from([0x08, 0x00, 0x61, 0x0a]))).toMatch(/copy runs past the end/);
  });
});
