/**
 * The published list served at stable URLs (charter art. 7): built from the registry and signed with
 * the server's Ed25519 key. It is signed again whenever the signatories in force change (whoever
 * changed the registry: the API, or `mailcharter registry` in another process) and at least daily, so
 * it never expires while the server runs; the list and its signature always come from one signing.
 */
import { createHash } from "node:crypto";
import { serviceLimits } from "../core/limits.js";
import { buildList, type PublishedList, signList } from "../registry/published-list.js";
import type { Registry } from "../registry/repository.js";

export interface SignedList {
  readonly body: Buffer;
  readonly signature: string;
  readonly issuedAt: string;
}

export class ListPublisher {
  private cached: { fingerprint: string; signedAt: number; list: SignedList } | null = null;
  private pending: Promise<SignedList> | null = null;

  constructor(
    private readonly registry: Registry,
    private readonly key: { readonly privatePem: string; readonly publicPem: string },
    private readonly now: () => Date = () => new Date(),
  ) {}

  get publicKeyPem(): string {
    return this.key.publicPem;
  }

  async current(): Promise<SignedList> {
    this.pending ??= this.refresh().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  private async refresh(): Promise<SignedList> {
    const now = this.now();
    const list = buildList(await this.registry.list(), now, serviceLimits.publishedListValidDays);
    const fingerprint = createHash("sha256").update(JSON.stringify(list.signatories)).digest("hex");
    const c = this.cached;
    if (
      c &&
      c.fingerprint === fingerprint &&
      now.getTime() - c.signedAt < serviceLimits.publishedListRefreshMs
    )
      return c.list;
    const signed = signList(list satisfies PublishedList, this.key.privatePem);
    const result = { body: signed.body, signature: signed.signature, issuedAt: list.issuedAt };
    this.cached = { fingerprint, signedAt: now.getTime(), list: result };
    return result;
  }
}
