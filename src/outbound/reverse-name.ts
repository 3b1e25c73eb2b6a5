/** The PTR name of a sending address (RFC 1035 §3.5), for the record: bounded by a timeout, never fatal. */
import type { ReceivedMessage } from "./model.js";

export type ReverseLookup = (address: string) => Promise<readonly string[]>;

export interface ReverseName {
  readonly name: string | null;
  readonly lookup: ReceivedMessage["reverseLookup"];
}

export async function reverseName(
  address: string,
  lookup: ReverseLookup,
  timeoutMs: number,
): Promise<ReverseName> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ReverseName>((resolve) => {
    timer = setTimeout(() => resolve({ name: null, lookup: "timeout" }), timeoutMs);
  });
  const asked = lookup(address).then(
    (names): ReverseName => {
      const name = names[0]?.replace(/\.$/, "").toLowerCase();
      return name ? { name, lookup: "found" } : { name: null, lookup: "none" };
    },
    (error: NodeJS.ErrnoException): ReverseName =>
      error.code === "ENOTFOUND" || error.code === "ENODATA"
        ? { name: null, lookup: "none" }
        : { name: null, lookup: "error" },
  );
  try {
    return await Promise.race([asked, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
