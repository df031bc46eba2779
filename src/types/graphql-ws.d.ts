/**
 * graphql-ws publishes `graphql-ws/use/ws` only through package.json `exports`, which this
 * project's `moduleResolution: node` does not read (Node, tsx and jest do, at run time). This
 * points the type checker at the same declarations.
 */
declare module 'graphql-ws/use/ws' {
  export * from 'graphql-ws/dist/use/ws';
}
