/**
 * A synthetic assurance ecosystem of realistic shape, generated deterministically from a seed.
 *
 * Pure: no I/O. `planWorld` decides the entities and their structure (vendors and shared
 * suppliers, OS release chains, library version chains, device compositions, certification
 * lineages, vulnerabilities); `batches` then emits nodes and relationships as write batches,
 * every node label first, then every relationship type, each chunked to `chunkSize` rows.
 * Every section draws from its own PRNG stream (seed + section name), so the output for a
 * seed is the same whatever the chunk size or the order in which batches are consumed.
 *
 * Scale 1 is about 50k nodes and 300k relationships. The controls (SP 800-53 rev5) and the
 * threats (ATT&CK Mobile) are the real catalog entries and do not grow with the scale.
 *
 * This file is the public entry. The parts: `world.ts` (entity types, options, id scheme),
 * `vocabulary.ts` (names), `plan/*.ts` (one planner per entity; `plan/world.ts` runs them in
 * order), `sections/*.ts` (the rows of each node label and relationship type) and `batches.ts`
 * (chunking and counts). test/unit/generator-golden.test.ts pins the output byte for byte.
 */
export { batches, countBatches, type Batch, type GeneratedCounts, type NodeBatch, type RelationshipBatch } from './batches';
export { planWorld } from './plan/world';
export {
  controlId,
  GENERATED_ID_PREFIX,
  NOT_GENERATED_RELATIONSHIPS,
  threatId,
  validateOptions,
  WORLD_TODAY,
  type GeneratorOptions,
  type World,
} from './world';
