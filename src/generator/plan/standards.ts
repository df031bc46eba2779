import { pad } from '../util';
import { STANDARDS } from '../vocabulary';
import { GENERATED_ID_PREFIX, type StandardEntity } from '../world';

/** The fixed list of standards certifications are assessed against. */
export function planStandards(): StandardEntity[] {
  return STANDARDS.map((s, i) => ({ ...s, id: `${GENERATED_ID_PREFIX}standard:${pad(i, 3)}` }));
}
