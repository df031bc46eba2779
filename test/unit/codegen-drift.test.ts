import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const generated = path.join(root, 'src/graphql/generated/resolvers-types.ts');

function check(args: string[] = []) {
  return spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/codegen-check.ts', ...args], { cwd: root, encoding: 'utf8' });
}

/** Fails when running codegen again would change the committed resolver types. */
describe('generated resolver types', () => {
  it('match what codegen produces from schema/*.graphql', () => {
    const result = check();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  }, 60000);

  it('the check detects a stale file', () => {
    const stale = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'codegen-')), 'stale.ts');
    fs.writeFileSync(stale, fs.readFileSync(generated, 'utf8').replace('export type Maybe<T>', 'export type Maybe2<T>'));
    const result = check(['--against', stale]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/out of date/);
  }, 60000);
});
