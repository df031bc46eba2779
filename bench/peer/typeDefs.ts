/**
 * Type definitions for the peer (`@neo4j/graphql`) over the same labels, relationship types and
 * properties that the benchmark's questions (a) and (b) read (src/domain/model.ts): what a team
 * putting GraphQL on this graph with `@neo4j/graphql` would write for these questions. No
 * markings: the peer does not filter by classification (the comparison asks this API as a
 * SECRET-cleared caller, which sees everything in the generated graph).
 */
import { CERTIFICATION_STATUSES, HAS_STATUS_CHANGE, RELATIONSHIPS, STATUS_CHANGE_LABEL } from '../../src/domain/model';

const { HAS_COMPONENT, AFFECTS, CERTIFIES, ISSUED_BY, MAKES } = RELATIONSHIPS;

const STATUSES = CERTIFICATION_STATUSES.map((s) => `'${s}'`).join(', ');

/** Status in force today (src/domain/statusHistory.ts certificationStatusOn, src/services/statusHistory.ts statusOfRow). */
const STATUS_TODAY = `
CALL (this) {
  OPTIONAL MATCH (this)-[:${HAS_STATUS_CHANGE}]->(s:${STATUS_CHANGE_LABEL})
  WHERE NOT coalesce(s.retracted, false) AND toString(s.effectiveFrom) <= toString(date())
  WITH s ORDER BY toString(s.effectiveFrom) DESC, toString(s.recordedAt) DESC, s.id DESC LIMIT 1
  RETURN s.status AS fromHistory
}
WITH this, fromHistory,
  CASE WHEN this.status IN [${STATUSES}] THEN this.status ELSE 'ACTIVE' END AS recorded,
  EXISTS { MATCH (this)-[:${HAS_STATUS_CHANGE}]->(h:${STATUS_CHANGE_LABEL}) WHERE NOT coalesce(h.retracted, false) } AS hasHistory,
  this.validUntil IS NOT NULL AND this.validUntil < date() AS expiredByDate
RETURN CASE
  WHEN fromHistory IS NULL AND this.issuedAt IS NOT NULL AND date() < this.issuedAt THEN recorded
  WHEN fromHistory IS NULL AND NOT hasHistory AND recorded = 'EXPIRED' AND this.validUntil IS NOT NULL AND NOT expiredByDate THEN 'ACTIVE'
  WHEN expiredByDate AND coalesce(fromHistory, recorded) IN ['ACTIVE', 'SUSPENDED'] THEN 'EXPIRED'
  ELSE coalesce(fromHistory, recorded)
END AS status`;

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
    # This API's \`status\` is the status in force today (docs/CERTIFICATION-LIFECYCLE.md), not the
    # stored property: the latest non-retracted status-history entry in force, else the recorded
    # status; a certification ACTIVE or SUSPENDED past its validUntil is EXPIRED. The same rule
    # here, as a team would have to write it to give the same answer.
    status: String! @cypher(statement: """${STATUS_TODAY}""", columnName: "status")
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
