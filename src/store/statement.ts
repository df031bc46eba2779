/** A named, parameterized Cypher statement, built by a pure function (pinned by snapshot tests). */
export interface Statement {
  /** The query name used in logs and query statistics. */
  name: string;
  cypher: string;
  params: Record<string, unknown>;
}
