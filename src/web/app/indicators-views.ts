/**
 * What the indicators pages and API show, under the service's visibility rules (charter art. 4.5):
 * an operator sees the links where its organisation is a party, and uploads its own MTA logs; the
 * agency and auditors see every link; the public none. A link the viewer may not see is "not found".
 */
import type { Principal } from "../../accounts/principal.js";
import type { LinkRow } from "../../indicators/links/link-figures.js";
import { type LogFormat, logFormats } from "../../indicators/log/parser.js";
import type { LogSummary } from "../../indicators/log/summary.js";
import { ApiError, notFound } from "../api-error.js";
import { actsForOrganisation } from "../authorization.js";
import type { ServiceContext } from "../context.js";
import { ingestUploadedLog, type UploadMeasure, uploadLimits } from "./log-upload.js";

export interface Period {
  readonly from: string;
  readonly to: string;
}

/** The indicators of this server, or 503 (a server built without them). */
export function indicatorsOf(ctx: ServiceContext) {
  if (!ctx.indicators)
    throw new ApiError(503, "unavailable", "the indicators are not available in this server");
  return ctx.indicators;
}

/** The organisation an operator is scoped to; undefined for the agency and auditors. */
function scope(viewer: Principal): number | undefined {
  if (viewer.kind !== "account") throw notFound("indicators");
  if (viewer.role === "operator") {
    if (viewer.organisationId === null) throw notFound("indicators");
    return viewer.organisationId;
  }
  return undefined;
}

export async function visibleLinks(
  ctx: ServiceContext,
  viewer: Principal,
  period: Period,
): Promise<LinkRow[]> {
  const organisationId = scope(viewer);
  return indicatorsOf(ctx).links({ ...period, ...(organisationId === undefined ? {} : { organisationId }) });
}

/** One link's rows (sender → receiver, both signatories by registry id), if the viewer is a party. */
export async function visibleLink(
  ctx: ServiceContext,
  viewer: Principal,
  senderId: number,
  receiverId: number,
  period: Period,
): Promise<{ sender: string; receiver: string; rows: LinkRow[] }> {
  const organisationId = scope(viewer);
  if (organisationId !== undefined && organisationId !== senderId && organisationId !== receiverId)
    throw notFound(`link ${senderId} → ${receiverId}`);
  const directory = await indicatorsOf(ctx).directory();
  const sender = directory.names.get(senderId);
  const receiver = directory.names.get(receiverId);
  if (sender === undefined || receiver === undefined) throw notFound(`link ${senderId} → ${receiverId}`);
  const rows = (await indicatorsOf(ctx).links({ ...period, organisationId: senderId })).filter(
    (r) => r.sender.organisationId === senderId && r.receiver.organisationId === receiverId,
  );
  return { sender, receiver, rows };
}

export async function signatoryNames(ctx: ServiceContext): Promise<ReadonlyMap<number, string>> {
  return (await indicatorsOf(ctx).directory()).names;
}

export function parseLogFormat(text: string | undefined): LogFormat {
  if (text === undefined || !(logFormats as readonly string[]).includes(text))
    throw new ApiError(400, "invalid_request", "format: postfix or exim");
  return text as LogFormat;
}

/**
 * An operator uploads its own organisation's MTA log (the agency any organisation's) through the API:
 * another organisation's is "not found" (no IDOR), then the same bounded, streamed reading as the page
 * (app/log-upload.ts). The summary comes once every batch is committed.
 */
export async function uploadMtaLog(
  ctx: ServiceContext,
  viewer: Principal,
  organisationId: number,
  format: LogFormat,
  body: AsyncIterable<Buffer>,
  measure: UploadMeasure,
  expectGzip: boolean,
): Promise<LogSummary> {
  if (!actsForOrganisation(viewer, organisationId)) throw notFound(`organisation ${organisationId}`);
  return ingestUploadedLog(ctx, viewer, organisationId, format, body, measure, uploadLimits, expectGzip);
}

/** `YYYY-MM` → its first and last day. */
export function monthPeriod(month: string): Period {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { from: `${month}-01`, to: `${month}-${String(last).padStart(2, "0")}` };
}
