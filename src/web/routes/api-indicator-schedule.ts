/**
 * The indicator schedule over the API, the agency's (`indicators schedule` on the command line, the
 * `/agency/indicator-schedule` page): where each task stands (mailcharter/indicators-schedule/1), and
 * the retry of given-up tasks, by key or all of them, recorded with the account that asked.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Principal } from "../../accounts/principal.js";
import { scheduleDocumentSchema } from "../../jobs/schedule-document.js";
import { indicatorsOf } from "../app/indicators-views.js";
import type { ServiceContext } from "../context.js";
import { errorResponses, errorSchema } from "../schemas.js";

/** A task's key as the schedule writes them (`fetch:NAME`, `tlsrpt:ORG:DAY`): bounded, printable. */
export const taskKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, "a task key as the schedule shows it");

const retryBody = z.union([
  z.strictObject({ keys: z.array(taskKey).min(1).max(100) }),
  z.strictObject({ failed: z.literal(true) }),
]);

const retrySchema = z
  .strictObject({
    retried: z.array(
      z.strictObject({
        key: z.string(),
        at: z.string(),
        by: z.string(),
        attempts: z.number().int(),
        lastError: z.string().nullable(),
      }),
    ),
    refused: z.array(
      z.strictObject({
        key: z.string(),
        reason: z.enum(["unknown", "not-failed"]),
        status: z.string().optional(),
      }),
    ),
  })
  .meta({ id: "IndicatorTaskRetry" });
const scheduleSchema = scheduleDocumentSchema.meta({ id: "IndicatorSchedule" });

/** Who a retry is recorded as: the account's address, and how it asked. */
export const retryActor = (viewer: Principal): string =>
  viewer.kind === "account" ? `${viewer.via === "token" ? "api" : "web"}:${viewer.email}` : "public";

export const indicatorScheduleApiRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (
  app,
  { ctx },
) => {
  app.get(
    "/indicators/schedule",
    {
      schema: {
        tags: ["indicators"],
        summary:
          "Where the indicator schedule stands: each report mailbox's fetch and each TLS-RPT day, with its failures (the agency's)",
        response: { 200: scheduleSchema, ...errorResponses, 503: errorSchema },
      },
    },
    async () => indicatorsOf(ctx).schedule(),
  );

  app.post(
    "/indicators/schedule/retry",
    {
      schema: {
        tags: ["indicators"],
        summary:
          'Put given-up indicator tasks back to due: {"keys": [...]} or {"failed": true} for all of them (the agency\'s)',
        description:
          "A task is given up after its attempts; a retry sets it due now with its failure count reset, and is recorded with who asked. A key that is unknown, or whose task is not given up, is listed in refused with the reason; the others are retried.",
        body: retryBody,
        response: { 200: retrySchema, ...errorResponses, 503: errorSchema },
      },
    },
    async (request) => {
      const which = "keys" in request.body ? [...new Set(request.body.keys)] : "failed";
      const outcome = await indicatorsOf(ctx).retry(which, ctx.now(), retryActor(request.principal));
      return { retried: [...outcome.retried], refused: [...outcome.refused] };
    },
  );
};
