/**
 * Live progress of one audit run as server-sent events (text/event-stream, HTML Living Standard
 * §9.2): `progress` events with the phase in the viewer's language, then one `end` event when the
 * run is done or failed, and the stream closes. Events come from this process's progress hub, and
 * the stored run is checked every few seconds too, so a run executed by another process (a worker)
 * still ends the stream. Streams are bounded per session and in all; past the bound the answer is
 * 429 and the page falls back to reloading itself. The same visibility as the page: another
 * organisation's run is "not found".
 */
import { PassThrough } from "node:stream";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { liveProgressLimits } from "../../core/limits.js";
import type { ProgressEvent, ProgressHub } from "../../monitor/progress.js";
import { ApiError } from "../api-error.js";
import { visibleAudit } from "../app/audit-views.js";
import type { ServiceContext } from "../context.js";
import { EventStreams } from "../live/event-streams.js";
import { requestLang } from "../page-context.js";
import { progressLabel } from "../pages/progress-words.js";
import { idParams } from "../schemas.js";

const finished = (status: string) => status === "done" || status === "failed";

/** One event of the stream (field lines, RFC-like framing of the HTML standard: a blank line ends it). */
export const sseEvent = (event: string, data: unknown): string =>
  `event: ${event}\ndata: ${JSON.stringify(data).replace(/\n/g, "\\n")}\n\n`;

export interface AuditEventsOptions {
  readonly ctx: ServiceContext;
  readonly progress: ProgressHub | null;
  readonly limits?: Partial<typeof liveProgressLimits>;
}

export const auditEventRoutes: FastifyPluginAsyncZod<AuditEventsOptions> = async (app, options) => {
  const { ctx, progress } = options;
  const limits = { ...liveProgressLimits, ...options.limits };
  const streams = new EventStreams(limits.streamsPerSession, limits.streamsTotal);
  // Before Fastify waits for its connections: a stream would hold the close forever.
  app.addHook("preClose", async () => streams.closeAll());

  app.get(
    "/audits/:id/events",
    {
      schema: {
        hide: true,
        params: idParams,
        querystring: z.object({ lang: z.enum(["fr", "en"]).optional() }),
      },
    },
    async (request, reply) => {
      const viewer = request.principal;
      const run = await visibleAudit(ctx, viewer, request.params.id);
      const lang = requestLang(request, reply);
      const key =
        viewer.kind !== "account"
          ? "public"
          : viewer.via === "session"
            ? `session:${request.session.sessionId}`
            : `account:${viewer.accountId}`;
      const stream = new PassThrough();
      const abort = new AbortController();
      let ended = false;
      const timers: NodeJS.Timeout[] = [];
      const close = () => {
        if (ended) return;
        ended = true;
        abort.abort();
        for (const t of timers) clearTimeout(t);
        slot?.release();
        stream.end();
      };
      const opened = streams.acquire(key, close);
      if (!opened.ok)
        throw new ApiError(
          429,
          "rate_limited",
          opened.reason === "closing"
            ? "the server is stopping"
            : `too many live progress streams open (${opened.reason === "total" ? limits.streamsTotal : limits.streamsPerSession}): the page reloads itself instead`,
        );
      const slot = opened.slot;
      const write = (text: string) => {
        if (!ended) stream.write(text);
      };
      const send = (event: ProgressEvent | { phase: "queued" | "running" | "done" | "failed" }) =>
        write(sseEvent("progress", { phase: event.phase, label: progressLabel(lang, event) }));
      const end = (status: string) => {
        write(sseEvent("end", { status }));
        close();
      };
      // The response's close: the client went away, or the stream ended.
      reply.raw.on("close", close);

      reply
        .type("text/event-stream; charset=utf-8")
        .header("cache-control", "no-store")
        .header("x-accel-buffering", "no");
      // How long the browser waits before it reconnects after a cut (HTML §9.2.6 `retry`).
      write(`retry: ${limits.pollMs}\n\n`);
      if (finished(run.status)) {
        send({ phase: run.status as "done" | "failed" });
        end(run.status);
        return reply.send(stream);
      }
      send(progress?.current(run.id) ?? { phase: run.status as "queued" | "running" });
      timers.push(setTimeout(close, limits.streamMaxMs));
      const poll = async () => {
        if (ended) return;
        const now = await ctx.history?.get(run.id).catch(() => null);
        if (now && finished(now.status)) return end(now.status);
        write(": keep-alive\n\n");
        timers.push(setTimeout(() => void poll(), limits.pollMs));
      };
      timers.push(setTimeout(() => void poll(), limits.pollMs));
      if (progress)
        void (async () => {
          try {
            for await (const event of progress.follow(run.id, abort.signal)) {
              send(event);
              if (event.phase === "done" || event.phase === "failed") {
                // The report is stored just before the final event: the page reloads to show it.
                end(event.phase);
                return;
              }
            }
          } catch (error) {
            request.log.error({ err: error }, "audit progress stream");
            close();
          }
        })();
      return reply.send(stream);
    },
  );
};
