/**
 * A small seeded pseudo-random generator (sfc32 seeded through a string hash). Each section of
 * the synthetic graph draws from its own stream, derived from the seed and the section name,
 * so a section's output does not depend on the order in which the other sections are read.
 */

function hashString(text: string): () => number {
  let h = 1779033703 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  return () => {
    h = Math.imul(h ^ (h >>> 16), 2246822507);
    h = Math.imul(h ^ (h >>> 13), 3266489909);
    h ^= h >>> 16;
    return h >>> 0;
  };
}

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    const next = hashString(seed);
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Up to `count` distinct indexes in [0, size), in draw order. */
  distinctIndexes(size: number, count: number): number[] {
    const wanted = Math.min(count, size);
    const chosen = new Set<number>();
    // Rejection sampling is fine while wanted is small relative to size; fall back to a shuffle otherwise.
    if (wanted * 2 > size) {
      const all = Array.from({ length: size }, (_, i) => i);
      for (let i = all.length - 1; i > 0; i--) {
        const j = Math.floor(this.next() * (i + 1));
        const tmp = all[i] as number;
        all[i] = all[j] as number;
        all[j] = tmp;
      }
      return all.slice(0, wanted);
    }
    const out: number[] = [];
    while (out.length < wanted) {
      const i = Math.floor(this.next() * size);
      if (!chosen.has(i)) {
        chosen.add(i);
        out.push(i);
      }
    }
    return out;
  }

  /** Index drawn with a power-law bias toward the start of [0, size) (popular items). */
  skewedIndex(size: number, exponent = 2): number {
    return Math.min(size - 1, Math.floor(Math.pow(this.next(), exponent) * size));
  }

  /** A date 'YYYY-MM-DD' between two years (inclusive start, exclusive end). */
  date(fromYear: number, toYear: number): string {
    const start = Date.UTC(fromYear, 0, 1);
    const end = Date.UTC(toYear, 0, 1);
    return new Date(start + Math.floor(this.next() * (end - start))).toISOString().slice(0, 10);
  }
}

/** Adds whole days to a 'YYYY-MM-DD' date. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86400000).toISOString().slice(0, 10);
}
