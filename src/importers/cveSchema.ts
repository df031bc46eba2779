/**
 * Validation of one CVE record against the full upstream CVE Record Format schema
 * (`schemas/CVE_Record_Format_bundled.json`, verbatim from CVEProject/cve-schema, draft-07).
 * Pure: no I/O. The schema is compiled once, on first use (about 1.5-3 s on this machine), not at
 * module load, so processes that never import a CVE record do not pay for it.
 *
 * Two departures from a plain `ajv.compile(schema)`, both keeping the schema's meaning:
 * - The record is validated against the branch of the root `oneOf` its `cveMetadata.state` names
 *   (`PUBLISHED`: `#/oneOf/0`, `REJECTED`: `#/oneOf/1`), so errors are those of that branch only.
 * - `uniqueItems` is checked by a linear-time implementation (canonical JSON of each item in a
 *   set) instead of ajv's pairwise comparison, which is quadratic in the array length: a 5 MB
 *   `versions` array of distinct small entries would otherwise take hours.
 * The formats the schema uses (`uri`, `date`) come from ajv-formats.
 *
 * Deviations: a record whose only violations are tolerated ones (see `toleration`: repeated array
 * entries, and the `cpeApplicability` property later schema releases add to the containers) is
 * accepted and the violations are returned as deviations; any other violation refuses the record.
 */
import Ajv, { type ErrorObject, type SchemaValidateFunction, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import cveSchema from './schemas/CVE_Record_Format_bundled.json';
import { pointerToPath } from './types';

/**
 * Properties later releases of the CVE Record Format add to the `cna` and `adp` containers, which
 * the shipped schema (5.1.0: `dataVersion` default "5.1.0") does not define and so refuses under
 * `additionalProperties: false`. The importer does not read them.
 */
export const NEWER_CONTAINER_PROPERTIES: ReadonlySet<string> = new Set(['cpeApplicability']);

const CONTAINER = /^\/containers\/(cna|adp\/\d+)$/;

/**
 * The tolerated deviations, with what the problem line says about them; undefined: the error refuses.
 * - `uniqueItems`: a repeated array entry adds nothing the importer has not already read.
 * - `additionalProperties` for a newer container property (above) at a container.
 */
function toleration(error: ErrorObject): string | undefined {
  if (error.keyword === 'uniqueItems') return `${error.message ?? 'repeated entries'}; imported (a repeated entry adds nothing)`;
  const extra = (error.params as { additionalProperty?: string }).additionalProperty;
  if (error.keyword === 'additionalProperties' && extra && NEWER_CONTAINER_PROPERTIES.has(extra) && CONTAINER.test(error.instancePath))
    return `"${extra}" is defined by later releases of the CVE Record Format, not by the shipped schema (5.1.0); imported, the property is not read`;
  return undefined;
}

export interface CveSchemaDeviation {
  /** Field path in the record, e.g. `containers.cna.affected[0].versions`. */
  path: string;
  keyword: string;
  message: string;
}

export type CveSchemaResult = { ok: true; deviations: CveSchemaDeviation[] } | { ok: false; path: string; message: string; errors: ErrorObject[] };

/** JSON text of a value with object keys sorted: equal texts are equal JSON values. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

/** The first pair of equal items [earlier, later], or undefined. */
export function firstRepeat(items: readonly unknown[]): [number, number] | undefined {
  const seen = new Map<string, number>();
  for (let j = 0; j < items.length; j += 1) {
    const key = canonical(items[j]);
    const i = seen.get(key);
    if (i !== undefined) return [i, j];
    seen.set(key, j);
  }
  return undefined;
}

const uniqueItems: SchemaValidateFunction = (schema: unknown, data: unknown): boolean => {
  if (schema !== true || !Array.isArray(data)) return true;
  const pair = firstRepeat(data);
  if (!pair) return true;
  const [i, j] = pair;
  uniqueItems.errors = [{ keyword: 'uniqueItems', params: { i: j, j: i }, message: `entries [${i}] and [${j}] are identical` }];
  return false;
};

let compiled: { published: ValidateFunction; rejected: ValidateFunction } | undefined;

function validators(): { published: ValidateFunction; rejected: ValidateFunction } {
  if (compiled) return compiled;
  // inlineRefs/optimize off: the schema's many $refs to the CVSS enums otherwise make compiling ~2x slower.
  const ajv = new Ajv({ allErrors: true, strict: false, inlineRefs: false, code: { optimize: false } });
  addFormats(ajv, ['uri', 'date']);
  ajv.removeKeyword('uniqueItems');
  ajv.addKeyword({ keyword: 'uniqueItems', type: 'array', schemaType: 'boolean', errors: true, validate: uniqueItems });
  ajv.addSchema(cveSchema);
  const branch = (i: number): ValidateFunction => {
    const v = ajv.getSchema(`${cveSchema.$id}#/oneOf/${i}`);
    if (!v) throw new Error(`CVE schema: no #/oneOf/${i}`);
    return v;
  };
  compiled = { published: branch(0), rejected: branch(1) };
  return compiled;
}

const COMBINATOR = new Set(['anyOf', 'oneOf']);

function under(path: string, parent: string): boolean {
  return path === parent || path.startsWith(`${parent}/`);
}

/**
 * The error to report. ajv lists the errors of a failed `anyOf`/`oneOf` alternative just before the
 * combinator's own error, at or below its instance path (schema paths cannot tell: a `$ref`'s
 * errors carry the referenced definition's path). Preferred: an error outside any alternative
 * (`baseScore: must be one of ...`), else the first missing property of the first alternative
 * (`product is missing`, `versionType is missing`), else the combinator's own error.
 */
function primary(errors: ErrorObject[]): ErrorObject | undefined {
  const inAlternative = new Set<number>();
  errors.forEach((e, k) => {
    if (!COMBINATOR.has(e.keyword)) return;
    inAlternative.add(k);
    for (let i = k - 1; i >= 0 && under((errors[i] as ErrorObject).instancePath, e.instancePath); i -= 1) inAlternative.add(i);
  });
  return (
    errors.find((_e, k) => !inAlternative.has(k)) ?? errors.find((e) => e.keyword === 'required') ?? errors.find((e) => COMBINATOR.has(e.keyword)) ?? errors[0]
  );
}

function describe(error: ErrorObject): string {
  const params = error.params as { missingProperty?: string; allowedValues?: unknown[]; additionalProperty?: string; format?: string };
  if (error.keyword === 'required') return `${String(params.missingProperty)} is missing`;
  if (error.keyword === 'enum' && params.allowedValues) return `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
  if (error.keyword === 'additionalProperties') return `unknown property "${String(params.additionalProperty)}"`;
  return error.message ?? `violates ${error.keyword}`;
}

/** Validates one parsed record (an object) against the full CVE record schema. */
export function validateCveRecord(record: Record<string, unknown>): CveSchemaResult {
  const meta = record.cveMetadata;
  const state = meta !== null && typeof meta === 'object' ? (meta as Record<string, unknown>).state : undefined;
  const validate = state === 'REJECTED' ? validators().rejected : validators().published;
  if (validate(record)) return { ok: true, deviations: [] };
  const errors = validate.errors ?? [];
  const refusing = errors.filter((e) => toleration(e) === undefined);
  if (refusing.length === 0) {
    return {
      ok: true,
      deviations: errors.map((e) => ({ path: pointerToPath(e.instancePath) || '(record)', keyword: e.keyword, message: toleration(e) as string })),
    };
  }
  const first = primary(refusing) as ErrorObject;
  return { ok: false, path: pointerToPath(first.instancePath) || '(record)', message: describe(first), errors: refusing };
}
