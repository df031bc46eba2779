/**
 * The peer: `@neo4j/graphql` 7 over the same Neo4j and data, served by its own ApolloServer on its
 * own loopback port, configured as a team trying it would (type definitions in ./typeDefs.ts, no
 * authorization rules). Apollo's cache-control plugin is disabled as in this API
 * (src/http/apollo.ts), so neither side pays for per-field cache hints.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { Neo4jGraphQL } from '@neo4j/graphql';
import type { Driver } from 'neo4j-driver';
import { PEER_TYPE_DEFS } from './typeDefs';

export interface PeerServer {
  /** `http://127.0.0.1:<port>/graphql` */
  url: string;
  /** Runs one operation in-process (for the answer check); throws on GraphQL errors. */
  execute(query: string, variables: Record<string, unknown>): Promise<unknown>;
  stop(): Promise<void>;
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts the peer on `driver` (the same Neo4j as the API), listening on 127.0.0.1 and `port` (0: any free). */
export async function startPeer(driver: Driver, opts: { database?: string; port?: number } = {}): Promise<PeerServer> {
  const neoSchema = new Neo4jGraphQL({ typeDefs: PEER_TYPE_DEFS, driver });
  const schema = await neoSchema.getSchema();
  const httpServer = http.createServer();
  const apollo = new ApolloServer({
    schema,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled()],
  });
  await apollo.start();
  const sessionConfig = opts.database ? { database: opts.database } : undefined;
  const contextValue = () => ({ sessionConfig });
  httpServer.on('request', (req, res) => {
    void (async () => {
      try {
        if (req.method !== 'POST' || !req.url?.startsWith('/graphql')) {
          res.writeHead(404).end();
          return;
        }
        const body = await readBody(req);
        const headers = new HeaderMap();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
        const response = await apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: 'POST', headers, search: '', body: JSON.parse(body) as unknown },
          context: () => Promise.resolve(contextValue()),
        });
        const outHeaders: Record<string, string> = {};
        for (const [k, v] of response.headers) outHeaders[k] = v;
        res.writeHead(response.status ?? 200, outHeaders);
        if (response.body.kind === 'complete') res.end(response.body.string);
        else {
          for await (const chunk of response.body.asyncIterator) res.write(chunk);
          res.end();
        }
      } catch (error) {
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ errors: [{ message: error instanceof Error ? error.message : String(error) }] }));
      }
    })();
  });
  await new Promise<void>((resolve) => httpServer.listen(opts.port ?? 0, '127.0.0.1', () => resolve()));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    async execute(query, variables) {
      const response = await apollo.executeOperation({ query, variables }, { contextValue: contextValue() });
      if (response.body.kind !== 'single') throw new Error('peer: expected a single GraphQL result');
      const { errors, data } = response.body.singleResult;
      if (errors && errors.length > 0) throw new Error(`peer GraphQL errors: ${errors.map((e) => e.message).join('; ')}`);
      return JSON.parse(JSON.stringify(data)) as unknown;
    },
    async stop() {
      await apollo.stop();
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
