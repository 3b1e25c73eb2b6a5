/**
 * The MTA log upload pages (issue #10: operators send their logs from a browser too):
 * `GET /indicators/logs` the form, `POST /indicators/logs` the upload (multipart/form-data, read as it
 * arrives), `GET /indicators/logs/result` the summary (Post/Redirect/Get: the summary is kept in the
 * session until the next upload). An API token's upload gets the result page in the POST's answer,
 * having no session to keep it in.
 *
 * The CSRF token is a form field, and a multipart body is not parsed before the handler: this
 * route's own preValidation reads the fields that come before the file (the form puts `_csrf` first),
 * so the server's CSRF check (route-guard.ts), which runs after it, sees `_csrf` before a byte of
 * the file is read. The file part then streams through app/log-upload.ts into the ingestion.
 */
import fastifyMultipart, { type MultipartFile } from "@fastify/multipart";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { type LogFormat, logFormats } from "../../indicators/log/parser.js";
import { ApiError } from "../api-error.js";
import {
  ingestUploadedLog,
  refusalStatus,
  type UploadLimits,
  type UploadMeasure,
  UploadRefused,
  uploadLimits,
  uploadTargets,
} from "../app/log-upload.js";
import { actsForOrganisation } from "../authorization.js";
import type { ServiceContext } from "../context.js";
import { emptyForm, type FormState } from "../forms/form-state.js";
import { pageContext } from "../page-context.js";
import { withArgs } from "../pages/form-fields.js";
import { type LogUploadResult, logUploadPage, logUploadResultPage, mib } from "../pages/log-upload-page.js";

const html = "text/html; charset=utf-8";
const langQuery = z.object({ lang: z.enum(["fr", "en"]).optional() });
/** The form's fields other than the file: each a few bytes; anything bigger is not our form. */
const fieldBytes = 1024;
/** What a multipart body adds to the file: boundaries, part headers, the small fields. */
const multipartOverheadBytes = 64 * 1024;

/** The fields read before the file part, and the file part itself (not read yet). */
interface Leading {
  readonly fields: Record<string, string>;
  readonly file: MultipartFile | null;
  /** The request says (Content-Length) it is bigger than the cap: the file is refused unread. */
  readonly declaredTooLarge: boolean;
}

const leading = new WeakMap<FastifyRequest, Leading>();

async function readLeading(request: FastifyRequest, limits: UploadLimits): Promise<void> {
  if (!request.isMultipart()) return;
  const parts = request.parts({
    // One byte more than the cap, so that app/log-upload.ts sees the excess and fails the ingestion
    // before its end (busboy would end a truncated file as if it were whole).
    limits: { fileSize: limits.uploadBytes + 1, files: 1, fields: 8, parts: 9, fieldSize: fieldBytes },
  });
  const fields: Record<string, string> = {};
  let file: MultipartFile | null = null;
  for await (const part of parts) {
    if (part.type === "file") {
      file = part;
      break;
    }
    if (typeof part.value === "string") fields[part.fieldname] ??= part.value;
  }
  const declared = Number(request.headers["content-length"] ?? Number.NaN);
  leading.set(request, {
    fields,
    file,
    declaredTooLarge: Number.isFinite(declared) && declared > limits.uploadBytes + multipartOverheadBytes,
  });
  // What the CSRF check reads (route-guard.ts); the file is not part of it.
  request.body = fields;
}

const refusalKey = (error: UploadRefused, limits: UploadLimits): string => {
  switch (error.reason) {
    case "too_large":
      return withArgs("errUploadTooLarge", mib(limits.uploadBytes));
    case "inflated_too_large":
      return withArgs("errUploadInflated", mib(limits.inflatedBytes));
    case "ratio_exceeded":
      return withArgs("errUploadRatio", limits.inflateRatio);
    case "bad_gzip":
      return "errUploadBadGzip";
  }
};

/** A part the handler will not read is let through (discarded), so the client gets the answer. */
const discard = (file: MultipartFile | null) => {
  file?.file.resume();
};

export const logUploadPageRoutes: FastifyPluginAsyncZod<{
  ctx: ServiceContext;
  limits?: UploadLimits;
}> = async (app, { ctx, limits = uploadLimits }) => {
  // This plugin's scope only: no other route takes multipart bodies.
  await app.register(fastifyMultipart, { throwFileSizeLimit: false });

  const targets = async (request: FastifyRequest) => {
    if (!ctx.indicators)
      throw new ApiError(503, "unavailable", "the indicators are not available in this server");
    return uploadTargets(request.principal, (await ctx.indicators.directory()).names);
  };

  const form = async (request: FastifyRequest, reply: FastifyReply, state: FormState) =>
    reply.type(html).send(
      logUploadPage(pageContext(request, reply), {
        organisations: await targets(request),
        form: state,
        limits,
      }),
    );

  app.get("/indicators/logs", { schema: { hide: true, querystring: langQuery } }, (request, reply) =>
    form(request, reply, emptyForm),
  );

  app.get("/indicators/logs/result", { schema: { hide: true, querystring: langQuery } }, (request, reply) => {
    const result = request.session?.lastLogUpload;
    if (!result) return reply.code(303).redirect("/indicators/logs");
    return reply
      .header("cache-control", "no-store")
      .type(html)
      .send(logUploadResultPage(pageContext(request, reply), result));
  });

  app.post(
    "/indicators/logs",
    {
      schema: { hide: true },
      preValidation: (request) => readLeading(request, limits),
      // A refusal before the handler (the CSRF check) lets the file through too.
      onError: async (request) => discard(leading.get(request)?.file ?? null),
    },
    async (request, reply) => {
      const lead = leading.get(request);
      if (!lead)
        return form(request, reply.code(415), { values: {}, errors: { "": "errUploadNotMultipart" } });
      const { fields, file } = lead;
      const values = { organisation: fields.organisation ?? "", format: fields.format ?? "" };
      const refuse = (status: number, errors: Record<string, string>) => {
        discard(file);
        return form(request, reply.code(status), { values, errors });
      };
      const organisationId = Number(values.organisation);
      const errors: Record<string, string> = {};
      if (!Number.isSafeInteger(organisationId) || organisationId <= 0)
        errors.organisation = "errUploadOrganisation";
      if (!(logFormats as readonly string[]).includes(values.format)) errors.format = "errUploadFormat";
      if (!file || file.filename === "") errors.file = "errUploadNoFile";
      if (Object.keys(errors).length > 0) return refuse(400, errors);
      if (!actsForOrganisation(request.principal, organisationId))
        return refuse(403, { organisation: "errUploadForbidden" });
      if (lead.declaredTooLarge)
        return refuse(413, { file: withArgs("errUploadTooLarge", mib(limits.uploadBytes)) });
      const part = file as MultipartFile;
      const format = values.format as LogFormat;
      const measure: UploadMeasure = { bytes: 0, gzip: false, inflatedBytes: 0 };
      let summary: LogUploadResult["summary"];
      try {
        summary = await ingestUploadedLog(
          ctx,
          request.principal,
          organisationId,
          format,
          part.file,
          measure,
          limits,
        );
      } catch (error) {
        if (error instanceof UploadRefused)
          return refuse(refusalStatus(error.reason), { file: refusalKey(error, limits) });
        throw error;
      }
      if (measure.bytes === 0) return refuse(400, { file: "errUploadEmpty" });
      const names = (await ctx.indicators?.directory())?.names;
      const result: LogUploadResult = {
        organisation: names?.get(organisationId) ?? String(organisationId),
        format,
        fileName: part.filename.slice(0, 200),
        bytes: measure.bytes,
        gzip: measure.gzip,
        inflatedBytes: measure.inflatedBytes,
        at: ctx
          .now()
          .toISOString()
          .replace(/\.\d+Z$/, "Z"),
        summary,
      };
      const viewer = request.principal;
      if (viewer.kind === "account" && viewer.via === "session" && request.session) {
        request.session.lastLogUpload = result;
        return reply.code(303).redirect("/indicators/logs/result");
      }
      return reply
        .header("cache-control", "no-store")
        .type(html)
        .send(logUploadResultPage(pageContext(request, reply), result));
    },
  );
};
