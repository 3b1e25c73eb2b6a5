/**
 * What an outbound test concludes, from what arrived and what did not by the test's expiry. Pure: the
 * clock is a parameter. Each conclusion is `observed` with what was seen, or `not-observed` with why
 * (still waiting, or nothing arrived that could tell): it never guesses.
 *
 * - STARTTLS used when offered (Charte annexe §2.2, RFC 3207): read from the messages that arrived on
 *   the variants that offer STARTTLS.
 * - Verification of our certificate: the valid variant arrived while every invalid-certificate variant
 *   stayed away until the expiry → the sender verifies (refuses or defers); one of them arrived → it
 *   delivers anyway (opportunistic, RFC 7435). Without the valid one, refusal cannot be told from not
 *   sending at all.
 * - Clear-text fallback when STARTTLS is not offered: the no-starttls variant arrived → falls back to
 *   clear; it stayed away while another variant arrived → TLS is enforced.
 */
import type { OutboundTest, ReceivedMessage } from "./model.js";
import { invalidCertificateKinds, offersStarttls, type VariantKind } from "./variant.js";

export type VariantState = "arrived" | "waiting" | "not-arrived";

export interface VariantObservation {
  readonly kind: VariantKind;
  readonly address: string;
  readonly state: VariantState;
  /** Every message received for this variant, oldest first. */
  readonly messages: readonly ReceivedMessage[];
}

export type Conclusion<T extends string> =
  | { readonly status: "observed"; readonly value: T; readonly basis: readonly VariantKind[] }
  | {
      readonly status: "not-observed";
      /** `not-configured`: the listener has no variant that could show it. */
      readonly reason: "waiting" | "nothing-arrived" | "valid-not-arrived" | "not-configured";
    };

export interface OutboundResult {
  readonly state: "waiting" | "complete";
  readonly variants: readonly VariantObservation[];
  /** `always`: every message to a STARTTLS variant came over TLS; `never`: none did; `sometimes`. */
  readonly starttlsWhenOffered: Conclusion<"always" | "sometimes" | "never">;
  readonly certificateVerification: Conclusion<"verifies" | "opportunistic">;
  readonly withoutStarttls: Conclusion<"falls-back-to-clear" | "refuses-clear">;
}

export function conclude(
  test: OutboundTest,
  messages: readonly ReceivedMessage[],
  now: Date,
): OutboundResult {
  const expired = now.getTime() >= Date.parse(test.expiresAt);
  const variants: VariantObservation[] = test.addresses.map((a) => {
    const own = messages
      .filter((m) => m.testId === test.id && m.variant === a.kind)
      .sort((x, y) => x.receivedAt.localeCompare(y.receivedAt));
    const state: VariantState = own.length > 0 ? "arrived" : expired ? "not-arrived" : "waiting";
    return { kind: a.kind, address: a.address, state, messages: own };
  });
  const byKind = (k: VariantKind) => variants.find((v) => v.kind === k);
  const arrived = variants.filter((v) => v.state === "arrived");
  const complete = expired || variants.every((v) => v.state === "arrived");

  // STARTTLS when offered.
  const offered = arrived.filter((v) => offersStarttls(v.kind));
  const offeredMessages = offered.flatMap((v) => v.messages);
  const starttlsWhenOffered: OutboundResult["starttlsWhenOffered"] =
    offeredMessages.length === 0
      ? { status: "not-observed", reason: complete ? "nothing-arrived" : "waiting" }
      : {
          status: "observed",
          value: offeredMessages.every((m) => m.starttls)
            ? "always"
            : offeredMessages.some((m) => m.starttls)
              ? "sometimes"
              : "never",
          basis: offered.map((v) => v.kind),
        };

  // Verification of the receiver's certificate.
  const invalid = variants.filter((v) => invalidCertificateKinds.includes(v.kind));
  const invalidArrived = invalid.filter((v) => v.state === "arrived");
  const valid = byKind("valid");
  let certificateVerification: OutboundResult["certificateVerification"];
  if (invalid.length === 0 || valid === undefined)
    certificateVerification = { status: "not-observed", reason: "not-configured" };
  else if (invalidArrived.length > 0)
    certificateVerification = {
      status: "observed",
      value: "opportunistic",
      basis: invalidArrived.map((v) => v.kind),
    };
  else if (invalid.some((v) => v.state === "waiting"))
    certificateVerification = { status: "not-observed", reason: "waiting" };
  else if (valid.state !== "arrived")
    certificateVerification = {
      status: "not-observed",
      reason: arrived.length === 0 ? "nothing-arrived" : "valid-not-arrived",
    };
  else
    certificateVerification = {
      status: "observed",
      value: "verifies",
      basis: ["valid", ...invalid.map((v) => v.kind)],
    };

  // Clear text when STARTTLS is not offered.
  const plain = byKind("no-starttls");
  const others = arrived.filter((v) => v.kind !== "no-starttls");
  let withoutStarttls: OutboundResult["withoutStarttls"];
  if (plain?.state === "arrived")
    withoutStarttls = { status: "observed", value: "falls-back-to-clear", basis: ["no-starttls"] };
  else if (plain === undefined) withoutStarttls = { status: "not-observed", reason: "not-configured" };
  else if (plain.state === "waiting") withoutStarttls = { status: "not-observed", reason: "waiting" };
  else if (others.length === 0) withoutStarttls = { status: "not-observed", reason: "nothing-arrived" };
  else
    withoutStarttls = {
      status: "observed",
      value: "refuses-clear",
      basis: ["no-starttls", ...others.map((v) => v.kind)],
    };

  return {
    state: complete ? "complete" : "waiting",
    variants,
    starttlsWhenOffered,
    certificateVerification,
    withoutStarttls,
  };
}
