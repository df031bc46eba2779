/**
 * Reading documents from disk for the importers, the CLI and the loaders: plain JSON or
 * gzip-compressed JSON, told apart by the gzip magic bytes (1f 8b), not by the file name.
 */
import fs from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** Upper bound on a decompressed document (a guard against gzip bombs), 1 GiB. */
export const MAX_DECOMPRESSED_BYTES = 1024 * 1024 * 1024;

/** True when the bytes start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * The document's text: gunzipped first when the bytes are gzip; UTF-8, or Latin-1 when the bytes
 * are not valid UTF-8 (the Common Criteria portal's CSV is Latin-1: `NetIQ\xae`). Pure.
 */
export function decodeDocument(bytes: Buffer, maxBytes: number = MAX_DECOMPRESSED_BYTES): string {
  const raw = isGzip(bytes) ? gunzipSync(bytes, { maxOutputLength: maxBytes }) : bytes;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(raw);
  } catch {
    return raw.toString('latin1');
  }
}

/** Reads a document file, plain or gzip-compressed, as UTF-8 text. */
export function readDocument(file: string): string {
  return decodeDocument(fs.readFileSync(file));
}
