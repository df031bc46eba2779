/** Closes the driver and stops the test Neo4j, waiting until the JVM has exited. */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__TEST_NEO4J__?.close();
}
