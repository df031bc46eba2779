import http from 'node:http';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { createApolloServer } from '../../src/http/apollo';

describe('Apollo leaves SIGINT/SIGTERM to src/main.ts', () => {
  it('registers no signal handler of its own outside tests (a second, concurrent stop() hung shutdown)', async () => {
    const before = { SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') };
    const nodeEnv = process.env.NODE_ENV;
    // Apollo decides from NODE_ENV: under jest ('test') it would register nothing anyway
    process.env.NODE_ENV = 'development';
    try {
      const apollo = await createApolloServer(loadConfig({ NODE_ENV: 'development' }), pino({ level: 'silent' }), http.createServer());
      expect({ SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') }).toEqual(before);
      await apollo.stop();
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
  });
});
