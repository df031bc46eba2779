/**
 * The benchmark's questions, each twice: the GraphQL operation the API serves, and the same
 * question as ONE hand-written Cypher query (the floor: what the database costs when asked once,
 * by someone who knows the model). Both apply the caller's markings (`$markings`) the way the
 * API does, so the floor does not skip the security filter the API must pay for.
 */

// ------------------------------------------------------------------ (a) device detail

export const DEVICE_DETAIL_GRAPHQL = /* GraphQL */ `
  query BenchDeviceDetail($id: ID!) {
    device(id: $id) {
      id
      name
      category
      releasedAt
      components(first: 60) {
        totalCount
        edges {
          via {
            role
          }
          node {
            id
            name
            kind
            version
            vulnerabilities(first: 20) {
              totalCount
              edges {
                via {
                  versionRange
                  vexState
                }
                node {
                  id
                  name
                  cvss
                  knownExploited
                }
              }
            }
          }
        }
      }
      certifications(first: 20) {
        totalCount
        edges {
          via {
            minOsVersion
            maxOsVersion
          }
          node {
            id
            name
            kind
            status
            validUntil
            issuer {
              id
              name
            }
          }
        }
      }
    }
  }
`;

/** (a) One device, its components (up to 60) with their vulnerabilities (up to 20 each), and the device's certifications with issuers. */
export const DEVICE_DETAIL_CYPHER = `
MATCH (d:Device {id: $id}) WHERE d.classification IN $markings
RETURN d {.id, .name, .category, .releasedAt,
  components: COLLECT {
    MATCH (d)-[hc:HAS_COMPONENT]->(c:Component)
    WHERE c.classification IN $markings AND coalesce(hc.classification, 'UNCLASSIFIED') IN $markings
    WITH hc, c ORDER BY c.name, c.id LIMIT 60
    RETURN {role: hc.role, id: c.id, name: c.name, kind: c.kind, version: c.version,
      vulnerabilities: COLLECT {
        MATCH (c)<-[af:AFFECTS]-(v:Vulnerability)
        WHERE v.classification IN $markings AND coalesce(af.classification, 'UNCLASSIFIED') IN $markings
        WITH af, v ORDER BY v.name, v.id LIMIT 20
        RETURN {versionRange: af.versionRange, vexState: af.vexState, id: v.id, name: v.name, cvss: v.cvss, knownExploited: v.knownExploited}
      }}
  },
  certifications: COLLECT {
    MATCH (d)<-[ce:CERTIFIES]-(cert:Certification)
    WHERE cert.classification IN $markings AND coalesce(ce.classification, 'UNCLASSIFIED') IN $markings
    WITH ce, cert ORDER BY cert.name, cert.id LIMIT 20
    // the issuer only when it and the claim are visible, as the API does
    OPTIONAL CALL (cert) {
      MATCH (cert)-[ib:ISSUED_BY]->(o:Organization)
      WHERE o.classification IN $markings AND coalesce(ib.classification, 'UNCLASSIFIED') IN $markings
      RETURN o ORDER BY o.name, o.id LIMIT 1
    }
    RETURN {minOsVersion: ce.minOsVersion, maxOsVersion: ce.maxOsVersion, id: cert.id, name: cert.name, kind: cert.kind,
            status: cert.status, validUntil: cert.validUntil, issuer: o {.id, .name}}
  }
} AS device`;

// ------------------------------------------------------------------ (b) device page

export const DEVICE_PAGE_GRAPHQL = /* GraphQL */ `
  query BenchDevicePage($categories: [DeviceCategory!], $after: Date) {
    devices(filter: { categories: $categories, releasedAfter: $after }, orderBy: { field: RELEASED_AT, direction: DESC }, first: 20) {
      totalCount
      edges {
        cursor
        node {
          id
          name
          category
          releasedAt
          maker {
            id
            name
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

/** (b) Devices of some categories released after a date, newest first, 20 per page, with the total and each maker. */
export const DEVICE_PAGE_CYPHER = `
CALL () {
  MATCH (d:Device)
  WHERE d.classification IN $markings AND d.category IN $categories AND d.releasedAt >= date($after)
  RETURN count(d) AS total
}
CALL () {
  MATCH (d:Device)
  WHERE d.classification IN $markings AND d.category IN $categories AND d.releasedAt >= date($after)
  WITH d ORDER BY d.releasedAt DESC, d.id ASC LIMIT 20
  OPTIONAL CALL (d) {
    MATCH (o:Organization)-[m:MAKES]->(d)
    WHERE o.classification IN $markings AND coalesce(m.classification, 'UNCLASSIFIED') IN $markings
    RETURN o ORDER BY o.name, o.id LIMIT 1
  }
  RETURN collect(d {.id, .name, .category, .releasedAt, maker: o {.id, .name}}) AS page
}
RETURN total, page`;

// ------------------------------------------------------------------ (c) risk paths

export const RISK_PATHS_GRAPHQL = /* GraphQL */ `
  query BenchRiskPaths($from: ID!, $to: ID!, $maxHops: Int!) {
    riskPaths(from: $from, to: $to, maxHops: $maxHops, first: 20) {
      totalCount
      truncated
      paths {
        score
        mitigated
        path {
          length
          nodes {
            id
          }
        }
        steps {
          position
          controls {
            control {
              id
            }
            effectiveness
          }
        }
      }
    }
  }
`;

/**
 * (c) Paths from a threat to a device within $maxHops: first forward over TARGETS / EXPLOITS /
 * AFFECTS (never over an AFFECTS in a blocking VEX state), then from the reached part up to the
 * device over HAS_COMPONENT / DEPENDS_ON taken backwards; no node twice. For each path, the
 * distinct controls implemented by a node after the threat that mitigate it, and the score
 * severity × likelihood × Π(1 − effectiveness) (edge effectiveness, else the control's, else 0.5).
 * The best 20 by score, then length, then node ids; plus the number of paths.
 */
export const RISK_PATHS_CYPHER = `
MATCH (t:Threat {id: $from}) WHERE t.classification IN $markings
MATCH (dst:Device {id: $to}) WHERE dst.classification IN $markings
CALL (t, dst) {
  MATCH p = (t) ((a)-[f:TARGETS|EXPLOITS|AFFECTS]->(b)
                  WHERE b.classification IN $markings AND coalesce(f.classification, 'UNCLASSIFIED') IN $markings
                    AND NOT coalesce(f.vexState, '') IN $blockingVex){1,2}
            (mid) ((u)<-[k:HAS_COMPONENT|DEPENDS_ON]-(w)
                  WHERE w.classification IN $markings AND coalesce(k.classification, 'UNCLASSIFIED') IN $markings){0,6}
            (dst)
  WHERE length(p) <= $maxHops
    AND all(i IN range(0, length(p) - 1) WHERE none(j IN range(i + 1, length(p)) WHERE nodes(p)[i] = nodes(p)[j]))
  RETURN p
}
WITH t, collect(p) AS paths
UNWIND paths AS p
CALL (t, p) {
  UNWIND tail(nodes(p)) AS n
  OPTIONAL MATCH (n)-[i:IMPLEMENTS]->(c:Control)-[m:MITIGATES]->(t)
  WHERE c.classification IN $markings AND coalesce(i.classification, 'UNCLASSIFIED') IN $markings AND coalesce(m.classification, 'UNCLASSIFIED') IN $markings
  WITH DISTINCT c, m
  WITH c, max(coalesce(m.effectiveness, c.effectiveness, 0.5)) AS eff
  RETURN collect(c.id) AS controls, reduce(r = 1.0, e IN collect(eff) | r * (1 - e)) AS residual
}
WITH p, controls, coalesce(t.severity, 5.0) * coalesce(t.likelihood, 0.5) * residual AS score, size(paths) AS total
ORDER BY score DESC, length(p) ASC, [n IN nodes(p) | n.id] ASC
LIMIT 20
RETURN total, score, size(controls) > 0 AS mitigated, [n IN nodes(p) | n.id] AS nodeIds, controls`;

// ------------------------------------------------------------------ (d) certification lineage

export const LINEAGE_GRAPHQL = /* GraphQL */ `
  query BenchLineage($id: ID!, $asOf: Date!) {
    certificationLineage(certificationId: $id, asOf: $asOf) {
      holds
      truncated
      entries {
        depth
        holds
        certification {
          id
          name
          status
        }
        findings {
          reason
        }
      }
      links {
        type
        holds
        from {
          id
        }
        to {
          id
        }
      }
    }
  }
`;

/**
 * (d) The lineage of a certification as of a date: certifications reached over BASED_ON (to the
 * basis) and SUPERSEDES (both ways) within 8 links, each at its shortest depth, whether it holds
 * on $asOf (issued, not expired, not suspended or revoked, not superseded by one already in
 * effect, and every basis reached over BASED_ON holding in the same sense), and the links.
 */
export const LINEAGE_CYPHER = `
MATCH (root:Certification {id: $id}) WHERE root.classification IN $markings
CALL (root) {
  MATCH p = ANY SHORTEST (root) ((a:Certification)-[r:BASED_ON|SUPERSEDES]-(b:Certification)
      WHERE b.classification IN $markings AND coalesce(r.classification, 'UNCLASSIFIED') IN $markings
        AND (type(r) = 'SUPERSEDES' OR startNode(r) = a)){0,8} (c:Certification)
  RETURN c, length(p) AS depth
}
// own validity: dates, the recorded status, and no visible successor in effect on $asOf. The floor
// reads the recorded status only; the API also reads each certification's status history in the
// same statement (docs/CERTIFICATION-LIFECYCLE.md), which the generated graph does not have.
CALL (c) {
  RETURN c.status <> 'PENDING' AND coalesce(c.issuedAt <= date($asOf), true)
     AND coalesce(c.validUntil >= date($asOf), true) AND NOT c.status IN ['EXPIRED', 'SUSPENDED', 'REVOKED']
     AND NOT EXISTS {
       MATCH (c)<-[s:SUPERSEDES]-(n:Certification)
       WHERE n.classification IN $markings AND coalesce(s.classification, 'UNCLASSIFIED') IN $markings
         AND n.status <> 'PENDING' AND coalesce(n.issuedAt <= date($asOf), true)
     } AS own
}
// every basis, transitively, must hold on its own
CALL (c) {
  OPTIONAL MATCH (c)-[:BASED_ON]->{1,8}(b:Certification)
  WHERE b.classification IN $markings
  WITH DISTINCT b
  RETURN all(x IN collect(b) WHERE x.status <> 'PENDING' AND coalesce(x.issuedAt <= date($asOf), true)
     AND coalesce(x.validUntil >= date($asOf), true) AND NOT x.status IN ['EXPIRED', 'SUSPENDED', 'REVOKED']
     AND NOT EXISTS { MATCH (x)<-[:SUPERSEDES]-(n:Certification) WHERE n.classification IN $markings AND n.status <> 'PENDING' AND coalesce(n.issuedAt <= date($asOf), true) }) AS basesHold
}
WITH c, depth, own AND basesHold AS holds ORDER BY depth, c.id LIMIT 501
WITH collect({id: c.id, name: c.name, status: c.status, depth: depth, holds: holds}) AS entries
CALL (entries) {
  WITH [e IN entries | e.id] AS ids
  MATCH (a:Certification)-[r:BASED_ON|SUPERSEDES]->(b:Certification)
  WHERE a.id IN ids AND b.id IN ids AND coalesce(r.classification, 'UNCLASSIFIED') IN $markings
  RETURN collect({type: type(r), from: a.id, to: b.id}) AS links
}
RETURN entries, links`;

// ------------------------------------------------------------------ (e) full-text search

export const SEARCH_GRAPHQL = /* GraphQL */ `
  query BenchSearch($text: String!) {
    search(text: $text, first: 20) {
      score
      label
      node {
        id
        name
      }
    }
  }
`;

/** (e) Full-text search over every label, visible hits only, best 20 by score then id. */
export const SEARCH_CYPHER = `
CALL db.index.fulltext.queryNodes($index, $query) YIELD node, score
WHERE node.classification IN $markings
WITH node, score ORDER BY score DESC, node.id ASC LIMIT 20
RETURN node.id AS id, node.name AS name, labels(node)[0] AS label, score`;

// ------------------------------------------------------------------ targets (setup, not measured)

/** Visible devices with the most components, for (a). */
export const PICK_DEVICES = `
MATCH (d:Device) WHERE d.classification IN $markings
RETURN d.id AS id, COUNT { (d)-[:HAS_COMPONENT]->() } AS parts
ORDER BY parts DESC, d.id ASC LIMIT toInteger($limit)`;

/** Threat -> device pairs joined by a path over a targeted OS release or library, for (c). */
export const PICK_RISK_PAIRS = `
MATCH (t:Threat)-[:TARGETS]->(c:Component)<-[:HAS_COMPONENT]-{1,2}(d:Device)
WHERE t.classification IN $markings AND c.classification IN $markings AND d.classification IN $markings
WITH DISTINCT t.id AS threatId, d.id AS deviceId
ORDER BY threatId, deviceId
RETURN threatId, deviceId LIMIT toInteger($limit)`;

/** Roots of lineages with a BASED_ON chain, for (d). */
export const PICK_LINEAGE_ROOTS = `
MATCH (c:Certification)-[:BASED_ON]->(:Certification)
WHERE c.classification IN $markings
WITH DISTINCT c.id AS id ORDER BY id
RETURN id LIMIT toInteger($limit)`;
