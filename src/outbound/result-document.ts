/**
 * The public document of an outbound test (`mailcharter outbound-test result ID --json`,
 * `mailcharter/outbound-test/1`; JSON Schema in schema/outbound-test.schema.json). One zod schema is
 * the source of the type, the validation in tests and the JSON Schema. Pure.
 */
import { z } from "zod";
import { type Conclusion, conclude, type OutboundResult } from "./conclude.js";
import type { OutboundTest, ReceivedMessage } from "./model.js";
import { type VariantKind, variantKinds } from "./variant.js";

const kind = z.enum(variantKinds as [VariantKind, ...VariantKind[]]);

const messageSchema = z.object({
  receivedAt: z.string(),
  remoteAddress: z.string(),
  reverseName: z.string().nullable(),
  reverseLookup: z.enum(["found", "none", "timeout", "error"]),
  ehlo: z.string(),
  mailFrom: z.string(),
  starttls: z.boolean(),
  tlsVersion: z.string().nullable(),
  cipherSuite: z.string().nullable(),
  group: z.string().nullable(),
  clientCertificate: z
    .object({ subject: z.string(), issuer: z.string(), notAfter: z.string(), sha256: z.string() })
    .nullable(),
  sizeBytes: z.number().int(),
});

const conclusion = <T extends readonly [string, ...string[]]>(values: T) =>
  z.discriminatedUnion("status", [
    z.object({ status: z.literal("observed"), value: z.enum(values), basis: z.array(kind) }),
    z.object({
      status: z.literal("not-observed"),
      reason: z.enum(["waiting", "nothing-arrived", "valid-not-arrived", "not-configured"]),
    }),
  ]);

export const outboundTestDocumentSchema = z.object({
  schema: z.literal("mailcharter/outbound-test/1"),
  id: z.number().int(),
  domain: z.string(),
  organisation: z.string().nullable(),
  requestedBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  /** `waiting` until every variant arrived or the test expired; `complete` after. */
  state: z.enum(["waiting", "complete"]),
  addresses: z.array(z.object({ kind, address: z.string() })),
  variants: z.array(
    z.object({
      kind,
      address: z.string(),
      state: z.enum(["arrived", "waiting", "not-arrived"]),
      messages: z.array(messageSchema),
    }),
  ),
  conclusions: z.object({
    starttlsWhenOffered: conclusion(["always", "sometimes", "never"] as const),
    certificateVerification: conclusion(["verifies", "opportunistic"] as const),
    withoutStarttls: conclusion(["falls-back-to-clear", "refuses-clear"] as const),
  }),
});

export type OutboundTestDocument = z.infer<typeof outboundTestDocumentSchema>;

export const outboundTestJsonSchema = (): unknown =>
  z.toJSONSchema(outboundTestDocumentSchema, { target: "draft-2020-12" });

const messageOut = (m: ReceivedMessage): OutboundTestDocument["variants"][number]["messages"][number] => ({
  receivedAt: m.receivedAt,
  remoteAddress: m.remoteAddress,
  reverseName: m.reverseName,
  reverseLookup: m.reverseLookup,
  ehlo: m.ehlo,
  mailFrom: m.mailFrom,
  starttls: m.starttls,
  tlsVersion: m.tlsVersion,
  cipherSuite: m.cipherSuite,
  group: m.group,
  clientCertificate: m.clientCertificate,
  sizeBytes: m.sizeBytes,
});

const conclusionOut = <T extends string>(c: Conclusion<T>) =>
  c.status === "observed" ? { ...c, basis: [...c.basis] } : { ...c };

export function outboundTestDocument(
  test: OutboundTest,
  messages: readonly ReceivedMessage[],
  now: Date,
  result: OutboundResult = conclude(test, messages, now),
): OutboundTestDocument {
  return {
    schema: "mailcharter/outbound-test/1",
    id: test.id,
    domain: test.domain,
    organisation: test.organisation,
    requestedBy: test.requestedBy,
    createdAt: test.createdAt,
    expiresAt: test.expiresAt,
    state: result.state,
    addresses: test.addresses.map((a) => ({ kind: a.kind, address: a.address })),
    variants: result.variants.map((v) => ({
      kind: v.kind,
      address: v.address,
      state: v.state,
      messages: v.messages.map(messageOut),
    })),
    conclusions: {
      starttlsWhenOffered: conclusionOut(result.starttlsWhenOffered),
      certificateVerification: conclusionOut(result.certificateVerification),
      withoutStarttls: conclusionOut(result.withoutStarttls),
    },
  };
}
