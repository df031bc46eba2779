/**
 * Changing the password of the built-in `neo4j` user of the project-managed Neo4j. Used once,
 * when a store created before authentication was switched on (its user still has the default
 * password `neo4j`, which must be changed before anything else) gets its generated password.
 */
import neo4j from 'neo4j-driver';

/** Runs `ALTER CURRENT USER SET PASSWORD` on the system database as `user`/`oldPassword`. */
export async function changeOwnPassword(uri: string, user: string, oldPassword: string, newPassword: string): Promise<void> {
  const driver = neo4j.driver(uri, neo4j.auth.basic(user, oldPassword), { connectionTimeout: 5000, logging: { level: 'error', logger: () => undefined } });
  const session = driver.session({ database: 'system' });
  try {
    await session.run('ALTER CURRENT USER SET PASSWORD FROM $oldPassword TO $newPassword', { oldPassword, newPassword });
  } finally {
    await session.close();
    await driver.close();
  }
}
