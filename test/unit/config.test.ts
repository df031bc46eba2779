import path from 'node:path';
import { loadConfig } from '../../src/config';

describe('configuration', () => {
  it('resolves relative Neo4j folders against the working directory (Neo4j itself runs in another one)', () => {
    const config = loadConfig({ NEO4J_LOCAL_DATA: '.data/elsewhere', NEO4J_CACHE_DIR: 'cache-rel' });
    expect(config.NEO4J_LOCAL_DATA).toBe(path.join(process.cwd(), '.data', 'elsewhere'));
    expect(config.NEO4J_CACHE_DIR).toBe(path.join(process.cwd(), 'cache-rel'));
    expect(path.isAbsolute(loadConfig({}).NEO4J_LOCAL_DATA)).toBe(true);
  });
});
