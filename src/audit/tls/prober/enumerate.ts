/**
 * Enumeration by elimination (docs/contract.md §6): per protocol version, offer the candidate suites, record the
 * one the server picks, remove it and ask again until the server refuses — so the connections spent
 * grow with the suites a server *accepts*. Offers are split in bundles of at most 64 suites (servers
 * mishandle longer lists; internet.nl's limit). TLS 1.3 suites and groups come from HelloRetryRequests
 * (no key shares computed); TLS 1.2 curves from ServerKeyExchange when TLS 1.3 is absent.
 *
 * Pure logic over an `ask` function: unit tests drive it with server models, the prober with sockets.
 */
import {
  type CipherSuite,
  type ProtocolVersion,
  type ReportedVersion,
  suiteByCode,
  suiteName,
  suitesFor,
} from "../cipher-suites.js";
import { groups as allGroups, groupName } from "../wire/constants.js";
import type { ServerHello } from "../wire/server-flight.js";
import type { HelloOutcome, HelloRequest } from "./hello-exchange.js";

export const maxSuitesPerHello = 64;
/** Suites in the one small offer that tells "drops unknown suites" from "lacks the version". */
const strongProbeSize = 8;
/** Extra connections one version may spend splitting offers that a server drops. */
export const maxSplitsPerVersion = 8;

export interface TlsEnumeration {
  /** Versions the server accepted, oldest first. */
  readonly versions: readonly ReportedVersion[];
  /** Per version, IANA names in the server's order when it imposes one, else in the order picked. */
  readonly cipherSuites: Readonly<Partial<Record<ProtocolVersion, readonly string[]>>>;
  /** True when the server imposes its order on every version with two suites or more. */
  readonly serverPreference: boolean | null;
  readonly serverPreferenceByVersion: Readonly<Partial<Record<ProtocolVersion, boolean | null>>>;
  /** Named groups in the server's order (TLS 1.3 HelloRetryRequest, or TLS 1.2 ECDHE curves). */
  readonly groups: readonly string[];
  readonly dhBits: number | null;
  readonly compression: boolean | null;
  readonly secureRenegotiation: boolean | null;
  readonly extendedMasterSecret: boolean | null;
  readonly encryptThenMac: boolean | null;
  /** SSL 2.0 answered (null: not asked, or no answer). */
  readonly sslv2: boolean | null;
  /** Every question answered; false when throttling, a budget or an error cut it short. */
  readonly complete: boolean;
  readonly notes: readonly string[];
}

export interface EnumerateOptions {
  /** One hello per version: versions and one suite each, no elimination. */
  readonly quick: boolean;
}

type Ask = (request: HelloRequest) => Promise<HelloOutcome>;

const groupCodes = allGroups.map(([code]) => code);

/** Larger is stronger; candidates are offered weakest first so a server order shows up for free. */
function strength(s: CipherSuite): number {
  const cipher: Record<string, number> = {
    NULL: 0,
    RC4: 1,
    DES: 1,
    RC2: 1,
    "3DES": 2,
    IDEA: 2,
    SEED: 2,
    GOST: 2,
  };
  const c = cipher[s.cipher] ?? (s.aead ? 6 : 4);
  const kx = s.keyExchange === "ECDHE" ? 4 : s.forwardSecret ? 3 : 0;
  return (s.export ? 0 : 20) + c * 2 + kx + (s.aead ? 2 : s.mac === "SHA1" || s.mac === "MD5" ? 0 : 1);
}

const rankOf = (code: number): number => {
  const suite = suiteByCode(code);
  return suite ? (tier(suite) === 0 ? 100 : 0) + strength(suite) : 0;
};

/** Mainstream suites first, so that the first bundle holds what real servers accept. */
function tier(s: CipherSuite): number {
  const mainstream =
    ["ECDHE", "DHE", "RSA"].includes(s.keyExchange) &&
    ["RSA", "ECDSA"].includes(s.authentication) &&
    ["AES", "AESGCM", "CHACHA20", "3DES", "RC4", "AESCCM"].includes(s.cipher) &&
    !s.export;
  if (mainstream) return 0;
  return s.openssl ? 1 : 2;
}

export function candidatesFor(version: ProtocolVersion): number[] {
  return suitesFor(version)
    .map((s) => ({ s, t: tier(s), w: strength(s) }))
    .sort((a, b) => a.t - b.t || a.w - b.w || a.s.code - b.s.code)
    .map(({ s }) => s.code);
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

interface Facts {
  dhBits: number | null;
  compression: boolean | null;
  secureRenegotiation: boolean | null;
  extendedMasterSecret: boolean | null;
  encryptThenMac: boolean | null;
  curves: number[];
}

function note(facts: Facts, hello: ServerHello): void {
  if (hello.dhBits !== null)
    facts.dhBits = facts.dhBits === null ? hello.dhBits : Math.min(facts.dhBits, hello.dhBits);
  if (hello.version !== "TLSv1.3") {
    facts.compression = (facts.compression ?? false) || hello.compression !== 0;
    facts.secureRenegotiation = (facts.secureRenegotiation ?? true) && hello.secureRenegotiation;
    facts.extendedMasterSecret = (facts.extendedMasterSecret ?? true) && hello.extendedMasterSecret;
    facts.encryptThenMac = (facts.encryptThenMac ?? false) || hello.encryptThenMac;
    if (hello.group !== null && !facts.curves.includes(hello.group)) facts.curves.push(hello.group);
  }
}

type Stop = { readonly stop: string } | null;

interface VersionResult {
  supported: boolean | null;
  picks: number[];
  serverPreference: boolean | null;
  /** Version the server answered instead, when it did not take the one offered. */
  other: ProtocolVersion | null;
  groups: number[];
  /** The first hello was dropped (close, reset, silence) rather than answered: maybe intolerance. */
  intolerant: boolean;
  /** Each accepted elimination hello: what was offered, what the server took. */
  rounds: Array<{ offer: readonly number[]; pick: number }>;
}

class Enumerator {
  readonly notes: string[] = [];
  readonly facts: Facts = {
    dhBits: null,
    compression: null,
    secureRenegotiation: null,
    extendedMasterSecret: null,
    encryptThenMac: null,
    curves: [],
  };
  stopped: Stop = null;

  constructor(
    private readonly ask: Ask,
    private readonly options: EnumerateOptions,
  ) {}

  /** Asks, and turns anything that is neither a hello nor a refusal into a stop. */
  private async question(request: HelloRequest): Promise<ServerHello | { refused: string } | null> {
    if (this.stopped) return null;
    const outcome = await this.ask(request);
    switch (outcome.kind) {
      case "hello":
        return outcome.hello;
      case "refused":
        return { refused: outcome.how === "alert" ? outcome.message : outcome.how };
      case "sslv2":
        this.notes.push("the server answered a TLS hello in SSL 2.0");
        return { refused: "sslv2" };
      default:
        this.stopped = { stop: outcome.message };
        this.notes.push(`stopped: ${outcome.message}`);
        return null;
    }
  }

  /** Elimination among `candidates` for one version; `groups` offered unchanged. */
  async eliminate(version: ProtocolVersion, candidates: readonly number[]): Promise<VersionResult> {
    const result: VersionResult = {
      supported: null,
      picks: [],
      serverPreference: null,
      other: null,
      groups: [],
      intolerant: false,
      rounds: [],
    };
    // Offers waiting to be asked: bundles of at most 64 suites, split in halves when a server drops the
    // connection instead of answering (too long a hello, or a suite it selects and then fails on).
    const queue: number[][] = chunk(candidates, maxSuitesPerHello);
    let splits = 0;
    let drops = 0;
    let strongTried = false;
    let consecutiveDrops = 0;
    let answers = 0;
    while (queue.length > 0 && !this.stopped) {
      const offer = queue[0] ?? [];
      if (offer.length === 0) {
        queue.shift();
        continue;
      }
      const answer = await this.question({
        version,
        cipherSuites: offer,
        groups: groupCodes,
        offerCompression: version !== "TLSv1.3",
      });
      if (!answer) break;
      if ("refused" in answer) {
        queue.shift();
        if (result.picks.length === 0 && answer.refused === "protocol_version") {
          result.supported = false;
          return result;
        }
        const dropped = ["closed", "reset", "timeout"].includes(answer.refused);
        if (!dropped) {
          consecutiveDrops = 0;
          answers++;
          continue;
        }
        drops++;
        consecutiveDrops++;
        if (result.picks.length === 0) {
          // Not yet known to work: some servers (Dovecot) close without an alert when they share no
          // suite or lack the version. One small offer of the strongest suites tells which it is.
          if (strongTried) {
            result.supported = false;
            result.intolerant = answers === 0;
            return result;
          }
          strongTried = true;
          const pending = [offer, ...queue].flat();
          const strong = [...pending].sort((a, b) => rankOf(b) - rankOf(a)).slice(0, strongProbeSize);
          queue.splice(
            0,
            queue.length,
            strong,
            ...chunk(
              pending.filter((c) => !strong.includes(c)),
              maxSuitesPerHello,
            ),
          );
          continue;
        }
        // Split while drops stay isolated: several in a row mean "nothing shared here", not one bad suite.
        if (offer.length > 1 && splits < maxSplitsPerVersion && consecutiveDrops <= 2) {
          splits++;
          const half = Math.ceil(offer.length / 2);
          queue.unshift(offer.slice(0, half), offer.slice(half));
        } else if (offer.length === 1) {
          this.notes.push(
            `${version}: the server drops the connection when offered only ${suiteName(offer[0] ?? 0)}`,
          );
        }
        continue;
      }
      answers++;
      consecutiveDrops = 0;
      if (answer.version !== version) {
        if (result.picks.length === 0) {
          result.supported = false;
          result.other = answer.version;
          return result;
        }
        this.notes.push(
          `${version}: the server switched to ${answer.version ?? "an unknown version"} mid-enumeration`,
        );
        break;
      }
      if (!offer.includes(answer.cipherSuite)) {
        this.notes.push(
          `${version}: the server picked ${suiteName(answer.cipherSuite)}, which was not offered`,
        );
        break;
      }
      note(this.facts, answer);
      if (answer.group !== null && !result.groups.includes(answer.group)) result.groups.push(answer.group);
      result.supported = true;
      result.picks.push(answer.cipherSuite);
      result.rounds.push({ offer, pick: answer.cipherSuite });
      queue[0] = offer.filter((c) => c !== answer.cipherSuite);
      if (this.options.quick) break;
    }
    if (splits > 0)
      this.notes.push(`${version}: ${drops} offers dropped without an answer; split ${splits} times`);
    if (result.supported === null && !this.stopped) result.supported = false;
    if (result.picks.length >= 2 && !this.options.quick) await this.preference(version, candidates, result);
    return result;
  }

  /**
   * Server or client order (docs/standards.md §1: ANSSI R13). A pick order that differs from ours proves a server
   * order; an identical one is checked with one hello in reverse order.
   */
  private async preference(
    version: ProtocolVersion,
    candidates: readonly number[],
    result: VersionResult,
  ): Promise<void> {
    const accepted = new Set(result.picks);
    // A client-order server takes the first accepted suite of each offer.
    const clientChoice = (offer: readonly number[]) => offer.find((c) => accepted.has(c));
    if (result.rounds.some((r) => r.pick !== clientChoice(r.offer))) {
      result.serverPreference = true;
    } else {
      const ours = candidates.filter((c) => accepted.has(c)).slice(0, maxSuitesPerHello);
      const reversed = [...ours].reverse();
      const r = await this.question({ version, cipherSuites: reversed, groups: groupCodes });
      if (!r || "refused" in r) return;
      if (r.cipherSuite !== reversed[0]) {
        result.serverPreference = true;
      } else if (
        result.rounds.some((round) => round.offer.includes(r.cipherSuite) && round.pick !== r.cipherSuite)
      ) {
        // It took our last choice now, but passed it over before: it follows the client.
        result.serverPreference = false;
      } else {
        // Either it follows us, or its favourite is our last: ask in our order to tell.
        const f = await this.question({ version, cipherSuites: ours, groups: groupCodes });
        if (!f || "refused" in f) return;
        result.serverPreference = f.cipherSuite !== ours[0];
      }
    }
    // The pick order is the server's order only if each pick was made with every later pick on offer.
    const compared = result.rounds.every((round, i) =>
      result.picks.slice(i + 1).every((p) => round.offer.includes(p)),
    );
    if (result.serverPreference && !compared && result.picks.length <= maxSuitesPerHello) {
      // Some picks were never offered together (bundles, split offers): order them among themselves.
      let rest = [...result.picks];
      const ordered: number[] = [];
      while (rest.length > 1) {
        const answer = await this.question({ version, cipherSuites: rest, groups: groupCodes });
        if (!answer || "refused" in answer || !rest.includes(answer.cipherSuite)) return;
        ordered.push(answer.cipherSuite);
        rest = rest.filter((c) => c !== answer.cipherSuite);
      }
      result.picks = [...ordered, ...rest];
    }
  }

  /** SSL 2.0: one CLIENT-HELLO; a SERVER-HELLO back means the server still speaks it. */
  async sslv2(): Promise<boolean | null> {
    if (this.stopped) return null;
    const outcome = await this.ask({ version: "SSLv2", cipherSuites: [], groups: [] });
    if (outcome.kind === "sslv2") return true;
    if (outcome.kind === "hello" || outcome.kind === "refused") return false;
    this.notes.push(`SSLv2: ${outcome.message}`);
    return null;
  }

  /** TLS 1.3 groups by elimination through HelloRetryRequests, or TLS 1.2 curves through ECDHE. */
  async groups(
    version: ProtocolVersion,
    suites: readonly number[],
    known: readonly number[],
  ): Promise<number[]> {
    const found = [...known];
    if (this.options.quick || suites.length === 0) return found;
    for (;;) {
      const offer = groupCodes.filter((g) => !found.includes(g));
      if (offer.length === 0) return found;
      const answer = await this.question({
        version,
        cipherSuites: suites,
        groups: offer,
        wantKeyExchange: true,
      });
      if (!answer || "refused" in answer || answer.group === null || found.includes(answer.group))
        return found;
      note(this.facts, answer);
      found.push(answer.group);
    }
  }
}

const order: readonly ProtocolVersion[] = ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

export async function enumerate(askOn: readonly Ask[], options: EnumerateOptions): Promise<TlsEnumeration> {
  // Two lanes when the politeness cap allows two connections: TLS 1.3 and the older versions.
  const [laneA, laneB = laneA] = askOn as [Ask, Ask?];
  const e13 = new Enumerator(laneA, options);
  const eOld = new Enumerator(laneB, options);

  const modern = (async () => {
    const r = await e13.eliminate("TLSv1.3", candidatesFor("TLSv1.3"));
    const groups = r.supported ? await e13.groups("TLSv1.3", r.picks, r.groups) : [];
    return { r, groups };
  })();

  const older = (async () => {
    const results = new Map<ProtocolVersion, VersionResult>();
    const r12 = await eOld.eliminate("TLSv1.2", candidatesFor("TLSv1.2"));
    results.set("TLSv1.2", r12);
    // A hello of version v also asks about every lower version: a server must answer with the highest
    // version it has at or below v (RFC 5246 App. E.1); protocol_version means it has none.
    const mayGoLower = (r: VersionResult, v: ProtocolVersion) =>
      r.supported === true || r.intolerant || (r.other !== null && order.indexOf(r.other) < order.indexOf(v));
    let previous = r12;
    for (const v of ["TLSv1.1", "TLSv1", "SSLv3"] as const) {
      const above = order[order.indexOf(v) + 1] as ProtocolVersion;
      if (v !== "TLSv1.1" && !mayGoLower(previous, above)) break;
      if (v === "TLSv1.1" && eOld.stopped) break;
      previous = await eOld.eliminate(v, candidatesFor(v));
      results.set(v, previous);
    }
    return { results, sslv2: await eOld.sslv2() };
  })();

  const [m, { results: old, sslv2 }] = await Promise.all([modern, older]);
  const byVersion = new Map(old);
  byVersion.set("TLSv1.3", m.r);

  let groups = m.groups;
  const ecdhe12 = (byVersion.get("TLSv1.2")?.picks ?? []).filter(
    (c) => suiteByCode(c)?.keyExchange === "ECDHE",
  );
  if (!m.r.supported && ecdhe12.length > 0) {
    groups = await eOld.groups("TLSv1.2", ecdhe12, eOld.facts.curves);
  }

  const tlsVersions = order.filter((v) => byVersion.get(v)?.supported === true);
  const versions: ReportedVersion[] = sslv2 ? ["SSLv2", ...tlsVersions] : tlsVersions;
  const cipherSuites: Partial<Record<ProtocolVersion, string[]>> = {};
  const serverPreferenceByVersion: Partial<Record<ProtocolVersion, boolean | null>> = {};
  for (const v of tlsVersions) {
    const r = byVersion.get(v);
    if (!r) continue;
    cipherSuites[v] = r.picks.map(suiteName);
    serverPreferenceByVersion[v] = r.picks.length >= 2 ? r.serverPreference : null;
  }
  const judged = Object.values(serverPreferenceByVersion).filter((p) => p !== null && p !== undefined);
  const facts = { ...eOld.facts };
  if (facts.dhBits === null) facts.dhBits = e13.facts.dhBits;
  return {
    versions,
    cipherSuites,
    serverPreference: judged.length === 0 ? null : judged.every((p) => p === true),
    serverPreferenceByVersion,
    groups: groups.map(groupName),
    dhBits: facts.dhBits,
    compression: facts.compression,
    secureRenegotiation: facts.secureRenegotiation,
    extendedMasterSecret: facts.extendedMasterSecret,
    encryptThenMac: facts.encryptThenMac,
    sslv2,
    complete: !e13.stopped && !eOld.stopped,
    notes: [...e13.notes, ...eOld.notes],
  };
}
