/**
 * Production never talks to a Neo4j without a password, the generated password file is refused
 * when other users could read it, and the seed is opt-in in production.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { connectDatabase } from '../../src/runtime/database';
import { generatePassword, LocalNeo4jError, passwordFile, readPassword } from '../../src/runtime/localNeo4j';

describe('Neo4j credentials and the seed default', () => {
  it('refuses NODE_ENV=production with NEO4J_URI but no NEO4J_PASSWORD, naming the variable', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', NEO4J_URI: 'bolt://db.example:7687' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', NEO4J_URI: 'bolt://db.example:7687' })).toThrow(/NEO4J_PASSWORD.*password for NEO4J_URI in production/);
    expect(loadConfig({ NODE_ENV: 'production', NEO4J_URI: 'bolt://db.example:7687', NEO4J_PASSWORD: 'pw' }).NEO4J_PASSWORD).toBe('pw');
    // The project-managed Neo4j always has its generated password.
    expect(() => loadConfig({ NODE_ENV: 'production' })).not.toThrow();
    expect(() => loadConfig({ NODE_ENV: 'development', NEO4J_URI: 'bolt://db.example:7687' })).not.toThrow();
  });

  it('the startup function refuses production without credentials before connecting to anything', async () => {
    const config = { ...loadConfig({ NEO4J_URI: 'bolt://127.0.0.1:1' }), NODE_ENV: 'production' as const };
    await expect(connectDatabase(config)).rejects.toThrow(LocalNeo4jError);
    await expect(connectDatabase(config)).rejects.toThrow(/refusing to start in production .* without credentials/);
  });

  it('generates passwords neo4j-admin cannot mistake for an option: 48 hex digits, never a leading "-"', () => {
    // A base64url password starts with '-' about once in 64 tries and made `set-initial-password` fail (seen in CI).
    const passwords = Array.from({ length: 2000 }, () => generatePassword());
    for (const password of passwords) expect(password).toMatch(/^[0-9a-f]{48}$/);
    expect(new Set(passwords).size).toBe(passwords.length);
  });

  it('refuses a password file other users can read', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'neo4j-auth-'));
    try {
      expect(readPassword(home)).toBeUndefined();
      fs.mkdirSync(path.dirname(passwordFile(home)), { recursive: true });
      fs.writeFileSync(passwordFile(home), 'a-long-enough-password\n', { mode: 0o644 });
      fs.chmodSync(passwordFile(home), 0o644);
      expect(() => readPassword(home)).toThrow(/readable by other users \(mode 644\): run chmod 600/);
      fs.chmodSync(passwordFile(home), 0o600);
      expect(readPassword(home)).toBe('a-long-enough-password');
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('loads the seed at start by default outside production only', () => {
    expect(loadConfig({}).SEED).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).SEED).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).SEED).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', SEED: 'true' }).SEED).toBe(true);
    expect(loadConfig({ SEED: 'false' }).SEED).toBe(false);
  });
});
