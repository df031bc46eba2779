import type { Classification } from '../../domain/model';
import type { Prng } from '../prng';

/** Nodes: mostly UNCLASSIFIED, every marking present. */
export function nodeMarking(rng: Prng, weights: readonly [number, number, number] = [0.08, 0.05, 0.02]): Classification {
  const r = rng.next();
  if (r < weights[2]) return 'SECRET';
  if (r < weights[2] + weights[1]) return 'CONFIDENTIAL';
  if (r < weights[2] + weights[1] + weights[0]) return 'RESTRICTED';
  return 'UNCLASSIFIED';
}

/** Relationships: claims are rarely marked above their ends, but every marking occurs. */
export function relMarking(rng: Prng): Classification {
  return nodeMarking(rng, [0.03, 0.015, 0.005]);
}
