/**
 * The dependency rules of docs/ARCHITECTURE.md, checked on the source text: the service, store,
 * domain and importer layers import nothing from src/graphql, and src/domain imports nothing from
 * outside itself (no other layer, no package). Every import form counts: `import … from`,
 * `export … from`, side-effect `import '…'`, `import(…)` and `require(…)`.
 */
import fs from 'node:fs';
import path from 'node:path';

const SRC = path.join(__dirname, '..', '..', 'src');
const GRAPHQL = path.join(SRC, 'graphql');
const DOMAIN = path.join(SRC, 'domain');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|js|mjs|cjs)$/.test(entry.name) ? [full] : [];
  });
}

/** Every module specifier the file imports or re-exports, in order. */
function importSpecifiers(text: string): string[] {
  const patterns = [
    /\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  return patterns.flatMap((re) => [...text.matchAll(re)].map((m) => m[1] ?? ''));
}

interface Import {
  file: string;
  specifier: string;
  /** Absolute path for a relative or src/-rooted specifier; null for a package. */
  resolved: string | null;
}

function importsOf(file: string): Import[] {
  return importSpecifiers(fs.readFileSync(file, 'utf8')).map((specifier) => {
    let resolved: string | null = null;
    if (specifier.startsWith('.')) resolved = path.resolve(path.dirname(file), specifier);
    else if (specifier.startsWith('src/')) resolved = path.join(SRC, '..', specifier);
    return { file: path.relative(path.join(SRC, '..'), file), specifier, resolved };
  });
}

const inside = (target: string, dir: string): boolean => target === dir || target.startsWith(dir + path.sep);

describe('layer dependencies', () => {
  it('finds the imports it checks (the scan is not vacuous)', () => {
    expect(
      importSpecifiers("import {\n  a,\n} from '../domain/x';\nexport * from \"./y\";\nimport './z';\nconst w = require('./w');\nawait import('./v');"),
    ).toEqual(expect.arrayContaining(['../domain/x', './y', './z', './w', './v']));
    const analytics = importsOf(path.join(SRC, 'services', 'analytics.ts'));
    expect(analytics.some((i) => i.resolved !== null && inside(i.resolved, DOMAIN))).toBe(true);
  });

  it.each(['services', 'store', 'domain', 'importers'])('src/%s imports nothing from src/graphql', (layer) => {
    const files = sourceFiles(path.join(SRC, layer));
    expect(files.length).toBeGreaterThan(0);
    const offending = files.flatMap(importsOf).filter((i) => i.resolved !== null && inside(i.resolved, GRAPHQL));
    expect(offending.map((i) => `${i.file} imports ${i.specifier}`)).toEqual([]);
  });

  it('src/domain imports only from src/domain', () => {
    const offending = sourceFiles(DOMAIN)
      .flatMap(importsOf)
      .filter((i) => i.resolved === null || !inside(i.resolved, DOMAIN));
    expect(offending.map((i) => `${i.file} imports ${i.specifier}`)).toEqual([]);
  });
});
