/**
 * Waits for `work` at most `ms` milliseconds. Resolves true when it settled (fulfilled or
 * rejected: a failed step must not keep the next one from running), false when time ran out.
 * Used by shutdown so that one stuck step (a driver socket that never closes, a keep-alive client)
 * cannot keep the process, and the local Neo4j it owns, alive.
 */
export async function settleWithin(work: Promise<unknown> | undefined, ms: number): Promise<boolean> {
  if (!work) return true;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
