/** Fetches the Neo4j jars into the cache (what `npm start` and the tests do on first use). */
import { loadConfig } from '../src/config';
import { ensureNeo4jJars } from '../src/runtime/localNeo4j';

const config = loadConfig();
const lib = ensureNeo4jJars(config.NEO4J_CACHE_DIR, (m) => process.stdout.write(`${m}\n`));
process.stdout.write(`Neo4j jars ready in ${lib}\n`);
