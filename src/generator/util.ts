/** Small pure helpers shared by the planners and the sections. */

export function count(scale: number, perScaleOne: number, minimum: number): number {
  return Math.max(minimum, Math.round(perScaleOne * scale));
}

export function pad(n: number, width = 6): string {
  return String(n).padStart(width, '0');
}

export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
