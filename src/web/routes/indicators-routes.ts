/**
 * The indicators' routes (charter art. 4.5): the link matrix, one link's charts, the agency's
 * monthly report (pages), the links document (`GET /api/v1/links`, mailcharter/indicators-links/1)
 * and an operator's upload of its MTA log (`POST /api/v1/organisations/:id/mta-logs?format=…`, the
 * log as the body: `text/plain` or `application/octet-stream`, gzip or not (told by its magic bytes),
 * `application/gzip`, `application/x-gzip`, or any of them with `Content-Encoding: gzip`; streamed,
 * with the page's caps before and after inflation, app/log-upload.ts).
 * They call the application functions of src/web/app/indicators-views.ts.
 */

import { Readable } from "node:stream";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { linksDocument } from "../../indicators/links/links-document.js";
import type { LogSummary } from "../../indicators/log/summary.js";
import { ApiError, notFound } from "../api-error.js";
import {
  indicatorsOf,
  monthPeriod,
  parseLogFormat,
  signatoryNames,
  uploadMtaLog,
  visibleLink,
  visibleLinks,
} from "../app/indicators-views.js";
import { refusalStatus, type UploadMeasure, UploadRefused, uploadLimits } from "../app/log-upload.js";
import { receivedPoliciesLimit, receivedReport, receivedReports } from "../app/tlsrpt-views.js";
import type { ServiceContext } from "../context.js";
import { pageContext } from "../page-context.js";
import { indicatorSchedulePage } from "../pages/indicator-schedule-page.js";
import { indicatorsMatrixPage } from "../pages/indicators-matrix.js";
import { monthlyReportPage } from "../pages/indicators-report.js";
import { linkPage } from "../pages/link-page.js";
import { tlsRptReportPage, tlsRptReportsPage } from "../pages/tlsrpt-reports.js";
import { idParams } from "../schemas.js";
import { retryActor, taskKey } from "./api-indicator-schedule.js";

const html = "text/html; charset=utf-8";
const day = z.string().regex(/^\d{4}-\d\d-\d\d$/, "a date YYYY-MM-DD");
const lang = z.enum(["fr", "en"]).optional();
const periodQuery = z.object({ from: day.optional(), to: day.optional(), lang });
const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const linkParams = z.object({ sender: id, receiver: id });
const monthQuery = z.object({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month YYYY-MM")
    .optional(),
  lang,
});
const count = z.coerce.number().int().min(0).max(1_000_000);
const scheduleQuery = z.object({ lang, retried: count.optional(), refused: count.optional() });
const retryForm = z.object({
  _csrf: z.string().max(512).optional(),
  key: taskKey.optional(),
  all: z.literal("failed").optional(),
});
const uploadQuery = z.object({ format: z.enum(["postfix", "exim"]) });
/** The media types of an uploaded log (gzip or not: the magic bytes tell, whatever the type says). */
const uploadTypes = ["text/plain", "application/octet-stream", "application/gzip", "application/x-gzip"];
const unsupportedType = `send the log as ${uploadTypes.join(", ")} (gzip-compressed or not; Content-Encoding: gzip is accepted too)`;

/** The period asked, else the 30 days up to today; at most a year, `from` not after `to`. */
function period(ctx: ServiceContext, query: { from?: string | undefined; to?: string | undefined }) {
  const today = ctx.now().toISOString().slice(0, 10);
  const to = query.to ?? today;
  const from =
    query.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 29 * 86_400_000).toISOString().slice(0, 10);
  if (Number.isNaN(Date.parse(`${from}T00:00:00Z`)) || Number.isNaN(Date.parse(`${to}T00:00:00Z`)))
    throw new ApiError(400, "invalid_request", "from/to: not a date");
  if (from > to) throw new ApiError(400, "invalid_request", `from ${from} is after to ${to}`);
  if (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`) > 366 * 86_400_000)
    throw new ApiError(400, "invalid_request", "at most a year at a time");
  return { from, to };
}

async function signatoryList(ctx: ServiceContext) {
  return [...(await signatoryNames(ctx))]
    .map(([sid, name]) => ({ id: sid, name }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export const indicatorsPageRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  // The agency's view of the indicator schedule (what `indicators schedule` prints).
  app.get(
    "/agency/indicator-schedule",
    { schema: { hide: true, querystring: scheduleQuery } },
    async (request, reply) => {
      const { retried, refused } = request.query;
      return reply
        .type(html)
        .send(
          indicatorSchedulePage(
            pageContext(request, reply),
            ctx.indicators ? await ctx.indicators.schedule() : null,
            retried === undefined ? null : { retried, refused: refused ?? 0 },
          ),
        );
    },
  );

  // The page's retry buttons: one given-up task (its key), or all of them.
  app.post(
    "/agency/indicator-schedule/retry",
    { schema: { hide: true, body: retryForm } },
    async (request, reply) => {
      const { key, all } = request.body;
      const which = all === "failed" ? "failed" : key ? [key] : null;
      if (!which) throw new ApiError(400, "invalid_request", "say which task to retry (key), or all=failed");
      const outcome = await indicatorsOf(ctx).retry(which, ctx.now(), retryActor(request.principal));
      return reply
        .code(303)
        .redirect(
          `/agency/indicator-schedule?retried=${outcome.retried.length}&refused=${outcome.refused.length}`,
        );
    },
  );

  app.get("/indicators", { schema: { hide: true, querystring: periodQuery } }, async (request, reply) => {
    const viewer = request.principal;
    const p = period(ctx, request.query);
    const rows = await visibleLinks(ctx, viewer, p);
    const scope = viewer.kind === "account" && viewer.role === "operator" ? viewer.organisationId : null;
    return reply.type(html).send(
      indicatorsMatrixPage(pageContext(request, reply), {
        ...p,
        signatories: await signatoryList(ctx),
        rows,
        scope,
        canReport: viewer.kind === "account" && viewer.role !== "operator",
      }),
    );
  });

  app.get(
    "/indicators/links/:sender/:receiver",
    { schema: { hide: true, params: linkParams, querystring: periodQuery } },
    async (request, reply) => {
      const p = period(ctx, request.query);
      const { sender, receiver } = request.params;
      const link = await visibleLink(ctx, request.principal, sender, receiver, p);
      return reply
        .type(html)
        .send(
          linkPage(pageContext(request, reply), { ...p, senderId: sender, receiverId: receiver, ...link }),
        );
    },
  );

  // The TLS-RPT reports received, whoever sent them (app/tlsrpt-views.ts says who sees which).
  app.get(
    "/indicators/tlsrpt",
    { schema: { hide: true, querystring: periodQuery } },
    async (request, reply) => {
      const p = period(ctx, request.query);
      const received = await receivedReports(ctx, request.principal, p);
      return reply
        .type(html)
        .send(
          tlsRptReportsPage(pageContext(request, reply), { ...p, ...received, limit: receivedPoliciesLimit }),
        );
    },
  );

  app.get(
    "/indicators/tlsrpt/:id",
    { schema: { hide: true, params: z.object({ id }), querystring: z.object({ lang }) } },
    async (request, reply) => {
      const detail = await receivedReport(ctx, request.principal, request.params.id);
      return reply.type(html).send(tlsRptReportPage(pageContext(request, reply), detail));
    },
  );

  app.get(
    "/indicators/report",
    { schema: { hide: true, querystring: monthQuery } },
    async (request, reply) => {
      const viewer = request.principal;
      if (viewer.kind !== "account" || viewer.role === "operator") throw notFound("report");
      const month = request.query.month ?? ctx.now().toISOString().slice(0, 7);
      const rows = await visibleLinks(ctx, viewer, monthPeriod(month));
      return reply.type(html).send(
        monthlyReportPage(pageContext(request, reply), {
          month,
          signatories: await signatoryList(ctx),
          rows,
        }),
      );
    },
  );
};

export const indicatorsApiRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  app.get(
    "/links",
    {
      schema: {
        summary:
          "Per-link daily figures (mailcharter/indicators-links/1); an operator sees the links of its organisation",
        querystring: periodQuery.omit({ lang: true }),
      },
    },
    async (request) => {
      const p = period(ctx, request.query);
      return linksDocument(p.from, p.to, await visibleLinks(ctx, request.principal, p));
    },
  );

  // The log is the body, handed on as the request stream: app/log-upload.ts counts it against the
  // cap as it arrives (a chunked body has no Content-Length), inflates it if it is gzip and feeds the
  // ingestion, so no more than a chunk and a batch of sessions is ever held.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(uploadTypes, (request, payload, done) => {
    const declared = Number(request.headers["content-length"] ?? Number.NaN);
    if (Number.isFinite(declared) && declared > uploadLimits.uploadBytes)
      return done(
        new ApiError(
          413,
          "body_too_large",
          `the body is ${declared} bytes, more than the ${uploadLimits.uploadBytes} accepted (split the log, or compress it with gzip)`,
          "too_large",
        ),
        undefined,
      );
    done(null, payload);
  });
  app.addContentTypeParser("*", (_request, _payload, done) =>
    done(new ApiError(415, "unsupported_media_type", unsupportedType), undefined),
  );
  app.post(
    "/organisations/:id/mta-logs",
    {
      schema: {
        summary:
          "Upload an MTA log of the organisation (Postfix or Exim), read into sessions and link figures",
        description: `The log is the body (${uploadTypes.join(", ")}; gzip is recognised by its magic bytes, and Content-Encoding: gzip is accepted), at most ${uploadLimits.uploadBytes} bytes as sent and ${uploadLimits.inflatedBytes} inflated, at most ${uploadLimits.inflateRatio} times its compressed size. The answer comes once the sessions are committed; a refusal says why in error.reason (too_large, inflated_too_large, ratio_exceeded, bad_gzip, empty).`,
        params: idParams,
        querystring: uploadQuery,
      },
    },
    async (request) => {
      const body = request.body as unknown;
      if (!(body instanceof Readable)) throw new ApiError(415, "unsupported_media_type", unsupportedType);
      const encoding = String(request.headers["content-encoding"] ?? "identity")
        .trim()
        .toLowerCase();
      if (encoding !== "identity" && encoding !== "gzip" && encoding !== "x-gzip")
        throw new ApiError(
          415,
          "unsupported_media_type",
          `Content-Encoding ${encoding.slice(0, 40)} is not accepted: send gzip or no encoding`,
        );
      const type = String(request.headers["content-type"] ?? "")
        .split(";", 1)[0]
        ?.trim()
        .toLowerCase();
      const expectGzip =
        encoding !== "identity" || type === "application/gzip" || type === "application/x-gzip";
      const measure: UploadMeasure = { bytes: 0, gzip: false, inflatedBytes: 0 };
      let summary: LogSummary;
      try {
        summary = await uploadMtaLog(
          ctx,
          request.principal,
          request.params.id,
          parseLogFormat(request.query.format),
          body,
          measure,
          expectGzip,
        );
      } catch (error) {
        if (error instanceof UploadRefused)
          throw new ApiError(
            refusalStatus(error.reason),
            error.reason === "bad_gzip" ? "invalid_request" : "body_too_large",
            `${error.message}; sessions of the lines read before it may be stored already, and sending the same lines again stores nothing twice`,
            error.reason,
          );
        throw error;
      }
      if (measure.bytes === 0)
        throw new ApiError(400, "invalid_request", "the body is empty: send the log", "empty");
      return summary;
    },
  );
};
