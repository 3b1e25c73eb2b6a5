/**
 * `POST /tlsrpt`: the HTTPS door for TLS-RPT reports (RFC 8460 §5.3.2). Public: any sending MTA may
 * post a report, with `Content-Type: application/tlsrpt+json` or `application/tlsrpt+gzip`. The body
 * is capped as it arrives (maxCompressedBytes), a gzip body is inflated under the report cap and the
 * ratio guard (src/indicators/tlsrpt/inflate.ts), and the answer comes only once the report is
 * committed: 201 accepted, 200 duplicate (already stored, not counted again), 4xx with the reason.
 * Rate limited per client address. The answer is the ingestion result (the same as one entry of
 * `indicators import`), without the stored row's id.
 */
import type { FastifyPluginAsync } from "fastify";
import { tlsrptLimits } from "../../core/limits.js";
import { ingestReport } from "../../indicators/tlsrpt/ingest.js";
import type { RejectReason } from "../../indicators/tlsrpt/outcome.js";
import { tlsrptGzipType, tlsrptJsonType } from "../../indicators/tlsrpt/wire.js";
import { ApiError } from "../api-error.js";
import type { ServiceContext } from "../context.js";

/** The HTTP status of a refusal: a cap is 413, a body we cannot read is 400 or 422. */
const statusOf = (reason: RejectReason): number =>
  reason === "too_large" || reason === "inflated_too_large" || reason === "ratio_exceeded"
    ? 413
    : reason === "not_json" || reason === "not_utf8" || reason === "bad_gzip" || reason === "empty"
      ? 400
      : 422;

export const tlsRptRoutes: FastifyPluginAsync<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  // This plugin's scope only: the report media types, each read as bytes, capped as they arrive.
  app.removeAllContentTypeParsers();
  for (const type of [tlsrptJsonType, tlsrptGzipType])
    app.addContentTypeParser(
      type,
      { parseAs: "buffer", bodyLimit: tlsrptLimits.maxCompressedBytes },
      (_request, body, done) => done(null, body),
    );
  app.addContentTypeParser("*", (_request, _payload, done) =>
    done(
      new ApiError(
        415,
        "unsupported_media_type",
        `send ${tlsrptJsonType} or ${tlsrptGzipType} (RFC 8460 §5.3.2)`,
      ),
    ),
  );

  app.post(
    "/tlsrpt",
    {
      schema: { hide: true },
      bodyLimit: tlsrptLimits.maxCompressedBytes,
      config: { rateLimit: { max: tlsrptLimits.postsPerMinute, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const store = ctx.tlsrpt;
      if (!store) throw new ApiError(503, "unavailable", "this server does not take TLS-RPT reports");
      const body = request.body;
      if (!Buffer.isBuffer(body))
        throw new ApiError(
          415,
          "unsupported_media_type",
          `send ${tlsrptJsonType} or ${tlsrptGzipType} (RFC 8460 §5.3.2)`,
        );
      const gzip = String(request.headers["content-type"] ?? "")
        .toLowerCase()
        .startsWith(tlsrptGzipType);
      const result = await ingestReport(store, {
        bytes: body,
        kind: gzip ? "gzip" : "json",
        door: "https",
        source: request.ip,
        now: ctx.now,
      });
      const { id: _id, ...answer } = result;
      const status =
        result.status === "accepted"
          ? 201
          : result.status === "duplicate"
            ? 200
            : statusOf(result.error?.code ?? "internal");
      return reply.code(status).type("application/json; charset=utf-8").send(answer);
    },
  );
};
