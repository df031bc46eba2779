/**
 * A value read from a document or a driver row, as text: strings as they are, numbers, booleans
 * and bigints printed, null and undefined as '', objects and arrays as JSON (never
 * "[object Object]").
 */
export function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}
