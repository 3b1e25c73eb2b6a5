/**
 * Auditing several domains in one run: at most limits.maxConcurrentDomains at once, in the order
 * given (the caller shares one ProbeCache and one network, so an MX shared by many domains is probed
 * once, within the per-host connection cap). Results come back in the order of the domains.
 */
import { limits } from "../core/limits.js";

/** `work` over `items`, at most `limit` running at once; results in the order of `items`. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/** One audit per domain, at most limits.maxConcurrentDomains at once. */
export const forEachDomain = <R>(domains: readonly string[], audit: (domain: string) => Promise<R>) =>
  mapConcurrent(domains, limits.maxConcurrentDomains, audit);
