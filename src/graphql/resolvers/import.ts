/**
 * The `importDocument` mutation: checks the caller's role and the size limit, then calls the
 * import service. Parse and validation errors become BAD_USER_INPUT naming the place.
 */
import { ImportError, importDocument } from '../../services/importService';
import { badInput } from '../errors';
import type { MutationResolvers, Resolvers } from '../generated/resolvers-types';

function asOfText(value: unknown): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
}

const mutation: MutationResolvers = {
  importDocument: async (_p, { format, document, documents, name, dryRun, asOf }, ctx) => {
    const more = documents ?? [];
    const bytes = [document, ...more].reduce((n, d) => n + Buffer.byteLength(d, 'utf8'), 0);
    const limit = ctx.config.IMPORT_MAX_BYTES;
    if (bytes > limit) {
      throw badInput(`document: ${bytes} bytes is over the limit of ${limit} bytes (IMPORT_MAX_BYTES); import it with \`npm run import -- <format> <file>\``, [
        'document',
      ]);
    }
    if (name !== null && name !== undefined && (name.trim() === '' || name.length > 200)) throw badInput('name: must be 1..200 characters', ['name']);
    // The import is one transaction bounded by the request: not finished by REQUEST_TIMEOUT_MS, it is rolled back.
    ctx.deadline.hint =
      'importDocument did not finish in time and nothing was imported: import large documents with `npm run import -- <format> <file>` (no request limit).';
    try {
      return await importDocument(ctx.documents, {
        text: document,
        format: format ?? undefined,
        name: name ?? undefined,
        dryRun: dryRun ?? false,
        ...(more.length > 0 ? { more: more.map((text, i) => ({ name: `documents[${i}]`, text })) } : {}),
        // The Date scalar hands a JS Date (UTC midnight) to resolvers.
        ...(asOf ? { asOf: asOfText(asOf) } : {}),
        caller: ctx.caller.id,
        clearance: ctx.caller.clearance,
        stats: ctx.stats,
      });
    } catch (error) {
      if (error instanceof ImportError) throw badInput(error.message, ['document']);
      throw error;
    }
  },
};

export const importResolvers: Resolvers[] = [{ Mutation: mutation }];
