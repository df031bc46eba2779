/**
 * Type definitions for the peer (`@neo4j/graphql`) over the same labels, relationship types and
 * properties that the benchmark's questions (a) and (b) read (src/domain/model.ts): what a team
 * putting GraphQL on this graph with `@neo4j/graphql` would write for these questions. No
 * markings: the peer does not filter by classification (the comparison asks this API as a
 * SECRET-cleared caller, which sees everything in the generated graph).
 */
import { RELATIONSHIPS } from '../../src/domain/model';

const { HAS_COMPONENT, AFFECTS, CERTIFIES, ISSUED_BY, MAKES } = RELATIONSHIPS;

export const PEER_TYPE_DEFS = /* GraphQL */ `
  type Organization @node {
    id: ID!
    name: String!
  }

  type Device @node {
    id: ID!
    name: String!
    category: String!
    releasedAt: Date
    maker: Organization @relationship(type: "${MAKES.type}", direction: IN)
    components: [Component!]! @relationship(type: "${HAS_COMPONENT.type}", direction: OUT, properties: "HasComponent")
    certifications: [Certification!]! @relationship(type: "${CERTIFIES.type}", direction: IN, properties: "Certifies")
  }

  type Component @node {
    id: ID!
    name: String!
    kind: String!
    version: String
    vulnerabilities: [Vulnerability!]! @relationship(type: "${AFFECTS.type}", direction: IN, properties: "Affects")
  }

  type Vulnerability @node {
    id: ID!
    name: String!
    cvss: Float
    knownExploited: Boolean
  }

  type Certification @node {
    id: ID!
    name: String!
    kind: String!
    status: String!
    validUntil: Date
    issuer: Organization @relationship(type: "${ISSUED_BY.type}", direction: OUT)
  }

  type HasComponent @relationshipProperties {
    role: String
  }

  type Affects @relationshipProperties {
    versionRange: String
    vexState: String
  }

  type Certifies @relationshipProperties {
    minOsVersion: String
    maxOsVersion: String
  }
`;
