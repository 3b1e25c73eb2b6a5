/**
 * Who a session links (charter art. 4.5, per-link figures): the ordered pair sender → receiver, each
 * an organisation of the registry when its domain or MX host is registered, else the domain (or host)
 * itself. Outbound sessions of organisation O go O → (recipient domain's organisation, else the MX
 * host's by its registered patterns — RFC 8461 §4.1 matching —, else the domain); inbound sessions of O
 * come (client host's organisation by MX patterns, else the host or address) → O.
 */
import type { SessionRecord } from "../log/session.js";

export interface PartyDirectory {
  /** Lower-case domain → organisation id. */
  readonly domains: ReadonlyMap<string, number>;
  /** MX host patterns (`mx.example.org`, `*.example.org`) with their organisation. */
  readonly mxPatterns: readonly { readonly pattern: string; readonly organisationId: number }[];
  /** Organisation id → name, for labels. */
  readonly names: ReadonlyMap<number, string>;
}

export interface Party {
  /** `o:<id>` or `d:<domain>`: the key stored in link_figures. */
  readonly key: string;
  readonly organisationId: number | null;
  readonly label: string;
}

/** RFC 8461 §4.1: `*.example.org` matches exactly one more leading label. */
export function mxMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, "");
  const h = host.toLowerCase().replace(/\.$/, "");
  if (p.startsWith("*.")) {
    const dot = h.indexOf(".");
    return dot > 0 && h.slice(dot + 1) === p.slice(2);
  }
  return p === h;
}

export function organisationParty(id: number, directory: PartyDirectory): Party {
  return { key: `o:${id}`, organisationId: id, label: directory.names.get(id) ?? `#${id}` };
}

function byHost(host: string | null, directory: PartyDirectory): number | null {
  if (host === null) return null;
  return directory.mxPatterns.find((p) => mxMatches(p.pattern, host))?.organisationId ?? null;
}

/** The other party of `session` (the receiver of an outbound one, the sender of an inbound one). */
export function peerParty(session: SessionRecord, directory: PartyDirectory): Party {
  if (session.direction === "outbound") {
    const domain = session.peerDomain;
    const id =
      (domain !== null ? directory.domains.get(domain) : undefined) ?? byHost(session.peerHost, directory);
    if (id !== null && id !== undefined) return organisationParty(id, directory);
    const label = domain ?? session.peerHost ?? session.peerIp ?? "unknown";
    return { key: `d:${label}`, organisationId: null, label };
  }
  const id = byHost(session.peerHost, directory);
  if (id !== null) return organisationParty(id, directory);
  const label = session.peerHost ?? session.peerIp ?? "unknown";
  return { key: `d:${label}`, organisationId: null, label };
}

/** sender → receiver of a session of organisation `self`'s log. */
export function linkOf(
  session: SessionRecord,
  self: number,
  directory: PartyDirectory,
): { sender: Party; receiver: Party } {
  const me = organisationParty(self, directory);
  const peer = peerParty(session, directory);
  return session.direction === "outbound" ? { sender: me, receiver: peer } : { sender: peer, receiver: me };
}
