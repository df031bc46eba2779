/**
 * Documents are read plain or gzip-compressed, told apart by the magic bytes 1f 8b (not by the
 * file name); and the reference data the product uses is inside the checkout, each file listed
 * in data/README.md and each folder with its license.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { dataDir, REPO_ROOT } from '../../src/config';
import { decodeDocument, isGzip, readDocument } from '../../src/importers/readDocument';

const TEXT = '{"é": "plain ✓", "n": [1, 2, 3]}\n';

describe('decodeDocument / readDocument', () => {
  it('recognises gzip by its magic bytes only', () => {
    expect(isGzip(Buffer.from([0x1f, 0x8b, 0x08]))).toBe(true);
    expect(isGzip(Buffer.from([0x1f]))).toBe(false);
    expect(isGzip(Buffer.from('{"a":1}'))).toBe(false);
    expect(isGzip(Buffer.alloc(0))).toBe(false);
  });

  it('returns plain UTF-8 text unchanged and gunzips gzip bytes to the same text', () => {
    expect(decodeDocument(Buffer.from(TEXT, 'utf8'))).toBe(TEXT);
    expect(decodeDocument(gzipSync(Buffer.from(TEXT, 'utf8')))).toBe(TEXT);
  });

  it('sniffs the content, not the name: gzip in a .json file and plain text in a .gz file both read', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-read-'));
    try {
      fs.writeFileSync(path.join(dir, 'looks-plain.json'), gzipSync(TEXT));
      fs.writeFileSync(path.join(dir, 'looks-gzip.json.gz'), TEXT);
      expect(readDocument(path.join(dir, 'looks-plain.json'))).toBe(TEXT);
      expect(readDocument(path.join(dir, 'looks-gzip.json.gz'))).toBe(TEXT);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a document that decompresses beyond the limit', () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024, 0x20));
    expect(() => decodeDocument(bomb, 1024)).toThrow(/Cannot create a Buffer larger than|buffer|output/i);
  });

  it('fails on a truncated gzip document instead of returning part of it', () => {
    const gz = gzipSync(TEXT);
    expect(() => decodeDocument(gz.subarray(0, gz.length - 6))).toThrow();
  });
});

describe('reference data in the checkout', () => {
  const DATA = dataDir({});

  it('defaults to data/ in the checkout and follows DATA_DIR', () => {
    expect(DATA).toBe(path.join(REPO_ROOT, 'data'));
    expect(dataDir({ DATA_DIR: '/tmp/elsewhere' })).toBe('/tmp/elsewhere');
    expect(dataDir({ DATA_DIR: '' })).toBe(path.join(REPO_ROOT, 'data'));
  });

  const files = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.relative(DATA, path.join(dir, e.name))]));

  it('lists every data file in data/README.md and gives every folder a license', () => {
    const readme = fs.readFileSync(path.join(DATA, 'README.md'), 'utf8');
    const listed = files(DATA).filter((f) => f !== 'README.md' && !/(^|\/)LICENSE(\.txt)?$/.test(f));
    expect(listed).toHaveLength(17);
    for (const f of listed) expect({ file: f, listed: readme.includes(`\`${f}\``) }).toEqual({ file: f, listed: true });
    for (const dir of fs.readdirSync(DATA, { withFileTypes: true }).filter((e) => e.isDirectory())) {
      const license = fs.readdirSync(path.join(DATA, dir.name)).some((f) => /^LICENSE(\.txt)?$/.test(f));
      expect({ folder: dir.name, license }).toEqual({ folder: dir.name, license: true });
    }
  });

  it('stores large JSON gzip-compressed, and each .gz holds the JSON its README line describes', () => {
    for (const f of files(DATA).filter((x) => x.endsWith('.json')))
      expect({ file: f, small: fs.statSync(path.join(DATA, f)).size < 200 * 1024 }).toEqual({ file: f, small: true });
    const kev = JSON.parse(readDocument(path.join(DATA, 'cisa-kev/known_exploited_vulnerabilities.json.gz'))) as {
      catalogVersion: string;
      vulnerabilities: unknown[];
    };
    expect([kev.catalogVersion, kev.vulnerabilities.length]).toEqual(['2025.08.25', 1404]);
    const cves = JSON.parse(readDocument(path.join(DATA, 'cve-records/cve-records.json.gz'))) as { cveMetadata: { cveId: string } }[];
    const manifest = fs
      .readFileSync(path.join(DATA, 'cve-records/MANIFEST.tsv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t')[0]);
    expect(cves.map((c) => c.cveMetadata.cveId)).toEqual(manifest);
    expect(manifest).toHaveLength(79);
    const certificates = JSON.parse(readDocument(path.join(DATA, 'nist-cmvp/certificates.json.gz'))) as Record<string, unknown>;
    expect(Object.keys(certificates)).toHaveLength(173);
    const active = JSON.parse(readDocument(path.join(DATA, 'nist-cmvp/modules-2026-01-18.json.gz'))) as unknown;
    expect(active).toBeTruthy();
  });

  it('no source, test, bench or script reads a path outside the checkout', () => {
    const roots = ['src', 'test', 'bench', 'scripts', '.ci'].map((d) => path.join(REPO_ROOT, d));
    const walk = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === 'node_modules' || e.name.startsWith('node-') ? [] : walk(p);
        return /\.(ts|js|mjs|cjs|sh)$/.test(e.name) || e.name === 'run' ? [p] : [];
      });
    const offenders = roots
      .filter((r) => fs.existsSync(r))
      .flatMap(walk)
      .filter((f) => f !== __filename && /\/work\/|\.\.\/shared|SHARED_DATA_DIR/.test(fs.readFileSync(f, 'utf8')));
    expect(offenders.map((f) => path.relative(REPO_ROOT, f))).toEqual([]);
  });
});
