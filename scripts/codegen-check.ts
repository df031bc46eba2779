/**
 * Exits 1 when running codegen again would change the committed generated file(s).
 *   tsx scripts/codegen-check.ts [--against <file>]   (compare the generated content with another file)
 */
import fs from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import config from '../codegen';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..');
  const againstIndex = process.argv.indexOf('--against');
  const against = againstIndex > 0 ? process.argv[againstIndex + 1] : undefined;
  const outputs = (await generate({ ...config, cwd: root, silent: true }, false)) as { filename: string; content: string }[];
  let drift = false;
  for (const output of outputs) {
    const file = against ?? path.resolve(root, output.filename);
    const committed = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    if (committed !== output.content) {
      process.stderr.write(`${output.filename} is out of date: run \`npm run codegen\` and commit the result\n`);
      drift = true;
    }
  }
  if (!drift) process.stdout.write('generated files are up to date\n');
  process.exit(drift ? 1 : 0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
