/**
 * Enumeration by elimination (docs/contract.md §6): per protocol version, offer the candidate suites, record the
 * one the server picks, remove it and ask again until the server refuses — so the connections spent
 * grow with the suites a server *accepts*. Offers are split in bundles of at most 64 suites (servers
 * mishandle longer lists; internet.nl's limit). TLS 1.3 suites and groups come from HelloRetryRequests
 * (no key shares computed); TLS 1.2 curves from ServerKeyExchange when TLS 1.3 is absent.
 *
 * Pure logic over an `ask` function: unit tests drive it with server models, the prober with sockets.
 */

import { limits } from "../../../core/limits.js";
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
import type { HelloOutcome, HelloRequest, IncompleteReason } from "./hello-exchange.js";

export const maxSuitesPerHello = limits.maxSuitesPerHello;
/** Suites in the one small offer that tells "drops unknown suites" from "lacks the version". */
const strongProbeSize = limits.strongProbeSuites;
/** Extra connections one version may spend splitting offers that a server drops. */
export const maxSplitsPerVersion = limits.maxSplitsPerVersion;

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
  /** Every question answered; false when the deadline, throttling, a budget or an error cut it short. */
  readonly complete: boolean;
  /** Versions whose support was settled (SSL 2.0 … TLS 1.3), by a hello of their own or by what the
   * answer to a newer one implies (RFC 5246 App. E.1): the "versions probed" of the budget. */
  readonly versionsProbed: number;
  /** Why it is not complete (null when complete). */
  readonly incompleteReason: IncompleteReason | null;
  readonly notes: readonly string[];
  /** The chain of the first Certificate message seen (TLS ≤ 1.2), DER; empty when none was read. */
  readonly peerChain: readonly Buffer[];
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
  peerChain: readonly Buffer[];
}

function note(facts: Facts, hello: ServerHello): void {
  // The smallest DH prime the server uses for any accepted DHE suite (weakest link).
  if (hello.dhBits !== null)
    facts.dhBits = facts.dhBits === null ? hello.dhBits : Math.min(facts.dhBits, hello.dhBits);
  if (hello.certificates && hello.certificates.length > 0 && facts.peerChain.length === 0)
    facts.peerChain = hello.certificates;
  if (hello.version !== "TLSv1.3") {
    facts.compression = (facts.compression ?? false) || hello.compression !== 0;
    facts.secureRenegotiation = (facts.secureRenegotiation ?? true) && hello.secureRenegotiation;
    facts.extendedMasterSecret = (facts.extendedMasterSecret ?? true) && hello.extendedMasterSecret;
    facts.encryptThenMac = (facts.encryptThenMac ?? false) || hello.encryptThenMac;
    if (hello.group !== null && !facts.curves.includes(hello.group)) facts.curves.push(hello.group);
  }
}

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

/**
 * What every lane has learnt about the server, shared: the longest offer it answered (a drop of an
 * offer no longer than that is no length intolerance), whether it negotiates versions properly, and
 * whether it closes where an alert was due.
 */
interface Knowledge {
  maxAnsweredOffer: number;
  negotiates: boolean;
  closesInsteadOfAlert: boolean;
}

type Answer = ServerHello | { refused: "alert"; message: string } | { dropped: string };

/**
 * One version's elimination, resumable one hello at a time, so that the plan can ask every version's
 * first question (what a client negotiates) before the rest.
 */
class VersionJob {
  readonly result: VersionResult = {
    supported: null,
    picks: [],
    serverPreference: null,
    other: null,
    groups: [],
    intolerant: false,
    rounds: [],
  };
  // Offers waiting to be asked: bundles of at most 64 suites, split in halves when a server drops the
  // connection on a longer offer than it ever answered (too long a hello).
  private readonly queue: number[][];
  private splits = 0;
  private drops = 0;
  private strongTried = false;
  private consecutiveDrops = 0;
  private answers = 0;
  finished = false;

  constructor(
    readonly version: ProtocolVersion,
    private readonly candidates: readonly number[],
    private readonly e: Enumerator,
  ) {
    this.queue = chunk(candidates, maxSuitesPerHello);
    const seed = e.seeds.get(version);
    if (seed && candidates.includes(seed.hello.cipherSuite))
      this.accept(
        seed.offer.filter((c) => candidates.includes(c)),
        seed.hello,
      );
  }

  /** Records a pick made among `offer`, and takes it out of the offers still to ask. */
  private accept(offer: readonly number[], hello: ServerHello): void {
    const { result, e } = this;
    e.knowledge.negotiates = true;
    e.knowledge.maxAnsweredOffer = Math.max(e.knowledge.maxAnsweredOffer, offer.length);
    note(e.facts, hello);
    if (hello.group !== null && !result.groups.includes(hello.group)) result.groups.push(hello.group);
    result.supported = true;
    result.picks.push(hello.cipherSuite);
    result.rounds.push({ offer, pick: hello.cipherSuite });
    for (const [i, bundle] of this.queue.entries())
      this.queue[i] = bundle.filter((c) => c !== hello.cipherSuite);
  }

  get decided(): boolean {
    return this.finished || this.result.supported !== null;
  }

  private end(): false {
    this.finished = true;
    return false;
  }

  /** Asks one hello; false once the version's elimination is over. */
  async step(): Promise<boolean> {
    const { version, result, queue, e } = this;
    if (this.finished) return false;
    while (queue.length > 0 && (queue[0]?.length ?? 0) === 0) queue.shift();
    if (queue.length === 0 || e.stopped) return this.end();
    const offer = queue[0] ?? [];
    const answer = await e.question({
      version,
      cipherSuites: offer,
      groups: groupCodes,
      offerCompression: version !== "TLSv1.3",
      wantKeyExchange: version !== "TLSv1.3",
      wantCertificate: version !== "TLSv1.3" && e.facts.peerChain.length === 0,
    });
    if (!answer) return this.end();
    if ("refused" in answer) {
      queue.shift();
      this.consecutiveDrops = 0;
      if (result.picks.length === 0 && answer.message === "protocol_version") {
        result.supported = false;
        return this.end();
      }
      this.answers++;
      return true;
    }
    if ("dropped" in answer) {
      this.drops++;
      this.consecutiveDrops++;
      const k = e.knowledge;
      // A server that answered hellos this long is not choking on the length: it closes where an
      // alert was due (Dovecot does, when no suite is shared or the version is missing).
      const lengthAnswered = k.maxAnsweredOffer >= offer.length;
      if (result.picks.length === 0) {
        if (lengthAnswered && k.negotiates) {
          queue.shift();
          e.closeSeen();
          if (this.answers === 0) {
            // The mainstream bundle, that every server of this version shares a suite with, was
            // dropped by a server that negotiates versions: it lacks this one (and older ones).
            result.supported = false;
            return this.end();
          }
          return true;
        }
        // Not yet known to work: one small offer of the strongest suites tells "lacks this version"
        // from "dropped this (long) bundle".
        if (this.strongTried) {
          result.supported = false;
          result.intolerant = this.answers === 0;
          return this.end();
        }
        this.strongTried = true;
        const pending = queue.flat();
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
        return true;
      }
      if (lengthAnswered) {
        // The version works and hellos this long are answered: the close is the refusal.
        queue.shift();
        e.closeSeen();
        return true;
      }
      // Longer than anything answered: split while drops stay isolated (several in a row mean
      // "nothing shared here", not a length problem).
      queue.shift();
      if (offer.length > 1 && this.splits < maxSplitsPerVersion && this.consecutiveDrops <= 2) {
        this.splits++;
        const half = Math.ceil(offer.length / 2);
        queue.unshift(offer.slice(0, half), offer.slice(half));
      } else if (offer.length === 1) {
        e.notes.push(
          `${version}: the server drops the connection when offered only ${suiteName(offer[0] ?? 0)}`,
        );
      }
      return true;
    }
    this.answers++;
    this.consecutiveDrops = 0;
    if (answer.version !== version) {
      if (result.picks.length === 0) {
        result.supported = false;
        result.other = answer.version;
        if (answer.version !== null) {
          e.knowledge.negotiates = true;
          // The answer is the older version's first pick: its elimination starts from it.
          e.seeds.set(answer.version, { offer, hello: answer });
        }
        return this.end();
      }
      e.notes.push(
        `${version}: the server switched to ${answer.version ?? "an unknown version"} mid-enumeration`,
      );
      e.incomplete("inconclusive");
      return this.end();
    }
    if (!offer.includes(answer.cipherSuite)) {
      e.notes.push(`${version}: the server picked ${suiteName(answer.cipherSuite)}, which was not offered`);
      e.incomplete("inconclusive");
      return this.end();
    }
    this.accept(offer, answer);
    if (e.options.quick) return this.end();
    return true;
  }

  /**
   * Drops the suites still to ask that `keep` rules out, and re-bundles the rest: fewer, fuller
   * offers (each refusal of a bundle costs a connection).
   */
  narrow(keep: (code: number) => boolean): void {
    const rest = this.queue.flat().filter(keep);
    this.queue.splice(0, this.queue.length, ...chunk(rest, maxSuitesPerHello));
  }

  /** After the last elimination hello: notes, and the server's order. */
  async conclude(): Promise<void> {
    const { result, version, e } = this;
    if (this.splits > 0)
      e.notes.push(`${version}: ${this.drops} offers dropped without an answer; split ${this.splits} times`);
    if (result.supported === null && !e.stopped) result.supported = false;
    if (result.picks.length >= 2 && !e.options.quick && !e.stopped)
      await e.preference(version, this.candidates, result);
  }
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
    peerChain: [],
  };
  stopped: IncompleteReason | null = null;
  /** First picks of older versions, from hellos of a newer version that the server answered in them. */
  readonly seeds = new Map<ProtocolVersion, { offer: readonly number[]; hello: ServerHello }>();
  /** Set when an answer could not be read as a conclusion: the result is then incomplete. */
  uncertain: IncompleteReason | null = null;

  constructor(
    private readonly ask: Ask,
    readonly options: EnumerateOptions,
    readonly knowledge: Knowledge,
  ) {}

  incomplete(reason: IncompleteReason): void {
    this.uncertain ??= reason;
  }

  closeSeen(): void {
    if (this.knowledge.closesInsteadOfAlert) return;
    this.knowledge.closesInsteadOfAlert = true;
    this.notes.push(
      "the server closes the connection where an alert is due: a close is read as a refusal once hellos as long have been answered",
    );
  }

  private halt(reason: IncompleteReason, message: string): null {
    if (!this.stopped) {
      this.stopped = reason;
      this.notes.push(`stopped: ${message}`);
    }
    return null;
  }

  /** Asks, and turns anything that is neither a hello, an alert nor a drop into a stop. */
  async question(request: HelloRequest): Promise<Answer | null> {
    if (this.stopped) return null;
    const outcome = await this.ask(request);
    switch (outcome.kind) {
      case "hello":
        return outcome.hello;
      case "refused":
        return { refused: "alert", message: outcome.message };
      case "dropped":
        return { dropped: outcome.how };
      case "sslv2":
        this.notes.push("the server answered a TLS hello in SSL 2.0");
        return this.halt("inconclusive", "an SSL 2.0 answer to a TLS hello");
      case "throttled":
        return this.halt("throttled", outcome.message);
      case "stopped":
        return this.halt(outcome.reason, outcome.message);
      case "inconclusive":
        return this.halt("inconclusive", `${request.version}: ${outcome.message}`);
      case "unreachable":
      case "failed":
        return this.halt("error", outcome.message);
    }
  }

  job(version: ProtocolVersion): VersionJob {
    return new VersionJob(version, candidatesFor(version), this);
  }

  /** Phase 1: until the version is decided (supported, with what a client would negotiate, or not). */
  async decide(job: VersionJob): Promise<void> {
    while (!job.decided && (await job.step())) {}
  }

  /** Phase 2: the rest of the version's suites, then its order. */
  async finish(job: VersionJob): Promise<void> {
    // Quick mode stops at what a client negotiates (a seeded version already has it).
    while (!(this.options.quick && job.result.picks.length > 0) && (await job.step())) {}
    await job.conclude();
  }

  /**
   * Server or client order (docs/standards.md §1: ANSSI R13). A pick order that differs from ours proves a server
   * order; an identical one is checked with one hello in reverse order.
   */
  async preference(
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
      if (!r || !("cipherSuite" in r)) return;
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
        if (!f || !("cipherSuite" in f)) return;
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
        if (!answer || !("cipherSuite" in answer) || !rest.includes(answer.cipherSuite)) return;
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
    // Anything but an SSL 2.0 SERVER-HELLO (TLS alert, close, bytes of another protocol) is a "no".
    if (["hello", "refused", "dropped", "inconclusive"].includes(outcome.kind)) return false;
    if (outcome.kind === "stopped" || outcome.kind === "throttled") {
      this.halt(outcome.kind === "stopped" ? outcome.reason : "throttled", `SSLv2: ${outcome.message}`);
      return null;
    }
    this.notes.push(`SSLv2: ${"message" in outcome ? outcome.message : outcome.kind}`);
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
      if (!answer || !("cipherSuite" in answer) || answer.group === null || found.includes(answer.group))
        return found;
      note(this.facts, answer);
      found.push(answer.group);
    }
  }
}

const order: readonly ProtocolVersion[] = ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];
const below = (a: ProtocolVersion, b: ProtocolVersion) => order.indexOf(a) < order.indexOf(b);

/**
 * The plan: first every version with what a client negotiates there (one answered hello each), so
 * that what is known when the deadline comes is the most useful part; then every other suite, the
 * server's order and the groups. Two lanes when the per-host cap allows: TLS 1.3, and the others.
 */
export async function enumerate(askOn: readonly Ask[], options: EnumerateOptions): Promise<TlsEnumeration> {
  const [laneA, laneB = laneA] = askOn as [Ask, Ask?];
  const knowledge: Knowledge = {
    maxAnsweredOffer: 0,
    negotiates: false,
    closesInsteadOfAlert: false,
  };
  const e13 = new Enumerator(laneA, options, knowledge);
  const eOld = new Enumerator(laneB, options, knowledge);

  // Phase 1 — versions.
  /** Versions whose support is known, by an answer or by what an answer implies (RFC 5246 App. E.1). */
  const settled = new Set<string>();
  const j13 = e13.job("TLSv1.3");
  const older: VersionJob[] = [];
  let sslv2: boolean | null = null;
  await Promise.all([
    e13.decide(j13).then(() => {
      if (j13.result.supported !== null) settled.add("TLSv1.3");
    }),
    (async () => {
      const j12 = eOld.job("TLSv1.2");
      older.push(j12);
      await eOld.decide(j12);
      // A hello of version v also asks about every lower version: a server must answer with the
      // highest version it has at or below v (RFC 5246 App. E.1); protocol_version means it has none.
      if (j12.result.supported !== null) settled.add("TLSv1.2");
      let previous = j12.result;
      let ceiling: ProtocolVersion | null = previous.other; // the server answered with this instead
      const lower = ["TLSv1.1", "TLSv1", "SSLv3"] as const;
      for (const [i, v] of lower.entries()) {
        if (eOld.stopped) break;
        const goLower =
          previous.supported === true ||
          previous.intolerant ||
          (previous.other !== null && below(previous.other, order[order.indexOf(v) + 1] as ProtocolVersion));
        // TLS 1.1 is always asked: its hello also answers for TLS 1.0 and SSL 3.0.
        if (v !== "TLSv1.1" && !goLower) {
          // A clean "no" (or an answer in a version this one is above) settles every older one.
          for (const w of lower.slice(i)) settled.add(w);
          break;
        }
        // Answered with an older version than v: v is missing, skip to the one it named.
        if (ceiling !== null && below(ceiling, v)) {
          settled.add(v);
          continue;
        }
        const job = eOld.job(v);
        older.push(job);
        await eOld.decide(job);
        if (job.result.supported !== null) settled.add(v);
        previous = job.result;
        if (previous.other !== null) ceiling = previous.other;
      }
      sslv2 = await eOld.sslv2();
      if (sslv2 !== null) settled.add("SSLv2");
    })(),
  ]);

  // Phase 2 — every other suite, the order, the groups.
  const [groups13] = await Promise.all([
    (async () => {
      await e13.finish(j13);
      return j13.result.supported ? e13.groups("TLSv1.3", j13.result.picks, j13.result.groups) : [];
    })(),
    (async () => {
      const [j12, ...rest] = older;
      if (j12?.result.supported) await eOld.finish(j12);
      const known12 = j12?.finished && j12.result.supported && !eOld.stopped && !eOld.uncertain;
      if (known12 && rest.some((job) => job.result.supported)) {
        // A server's suites do not depend on the version (OpenSSL, GnuTLS and Schannel take one list):
        // a suite it refused in TLS 1.2 is not asked again in older versions; only the ones TLS 1.2
        // cannot carry (export, DES, IDEA…) and the ones it accepted there are.
        const accepted12 = new Set(j12.result.picks);
        const in12 = new Set(candidatesFor("TLSv1.2"));
        for (const job of rest) job.narrow((c) => accepted12.has(c) || !in12.has(c));
        eOld.notes.push("TLS 1.1 and older: suites refused in TLS 1.2 were not asked again");
      }
      for (const job of rest) if (job.result.supported) await eOld.finish(job);
    })(),
  ]);
  for (const job of [j13, ...older]) if (!job.finished) job.finished = true;

  const byVersion = new Map<ProtocolVersion, VersionResult>(older.map((j) => [j.version, j.result]));
  byVersion.set("TLSv1.3", j13.result);

  let groups = groups13;
  const ecdhe12 = (byVersion.get("TLSv1.2")?.picks ?? []).filter(
    (c) => suiteByCode(c)?.keyExchange === "ECDHE",
  );
  if (!j13.result.supported && ecdhe12.length > 0) {
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
  const dhBits = [eOld.facts.dhBits, e13.facts.dhBits].filter((b): b is number => b !== null);
  const reason = e13.stopped ?? eOld.stopped ?? e13.uncertain ?? eOld.uncertain;
  return {
    versions,
    cipherSuites,
    serverPreference: judged.length === 0 ? null : judged.every((p) => p === true),
    serverPreferenceByVersion,
    groups: groups.map(groupName),
    dhBits: dhBits.length === 0 ? null : Math.min(...dhBits),
    compression: eOld.facts.compression,
    secureRenegotiation: eOld.facts.secureRenegotiation,
    extendedMasterSecret: eOld.facts.extendedMasterSecret,
    encryptThenMac: eOld.facts.encryptThenMac,
    sslv2,
    complete: reason === null,
    incompleteReason: reason,
    versionsProbed: settled.size,
    // Both lanes stop for the same reason at a deadline: said once.
    notes: [...new Set([...e13.notes, ...eOld.notes])],
    peerChain: eOld.facts.peerChain.length > 0 ? eOld.facts.peerChain : e13.facts.peerChain,
  };
}
