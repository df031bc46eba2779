/**
 * Names spliced into Cypher text: labels and property keys, checked against the model
 * declarations (src/domain/model.ts) so nothing from user input reaches a statement's text.
 */
import { LABELS, type Label, type PropertySpec, propertySpec } from '../domain/model';

/** The model's spec of `label.key` ('id' is a string on every label); throws on an unknown or malformed key. */
export function assertKey(label: Label, key: string): PropertySpec {
  const spec = key === 'id' ? ({ type: 'string' } as PropertySpec) : propertySpec(label, key);
  if (!spec) throw new Error(`unknown property ${label}.${key}`);
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) throw new Error(`invalid property key ${key}`);
  return spec;
}

/** A label alternation (`A|B`) of model labels; throws on an unknown label. */
export function labelExpr(labels: readonly Label[]): string {
  for (const l of labels) if (!LABELS.includes(l)) throw new Error(`unknown label ${l}`);
  return labels.join('|');
}

/** A property key for a projection: a plain identifier (they come from the model). */
export function propertyKey(key: string): string {
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) throw new Error(`invalid property key ${key}`);
  return key;
}
