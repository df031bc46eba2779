/**
 * HTTP plumbing shared by the routes: an error carrying its status, the size-limited body
 * reader and the JSON answer (every answer carries the request id).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A request refused with an HTTP status (401, 413, ...) before GraphQL runs. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The request body as text; rejects with a 413 HttpError past `limit` bytes (announced or read). */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () => new HttpError(413, `Request body larger than MAX_BODY_BYTES (${limit} bytes)`);
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      // Refused before reading; Node discards the unread body after the 413 is sent.
      reject(tooLarge());
      return;
    }
    req.on('data', (chunk: Buffer) => {
      if (size > limit) return;
      size += chunk.length;
      if (size > limit) {
        // Stop buffering (the rest is discarded, the connection closed after the 413) so the client still gets the answer.
        chunks.length = 0;
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-request-id': requestId });
  res.end(JSON.stringify(body));
}
