/**
 * The service's HTTPS server (Fastify 5). Security first, in this order: headers (helmet: HSTS, a CSP
 * without 'unsafe-inline', framing refused), cookies and server-side sessions in our database, CSRF,
 * rate limits, then who is asking (session or API token), then the authorisation table applied to
 * every route as it is registered. Each feature is an encapsulated plugin with its prefix; bodies are
 * bounded and every input is validated by its zod schema, which also writes the OpenAPI document.
 */
import { fileURLToPath } from "node:url";
import fastifyCookie from "@fastify/cookie";
import fastifyCsrf from "@fastify/csrf-protection";
import fastifyFormbody from "@fastify/formbody";
import fastifyHelmet from "@fastify/helmet";
import fastifyRateLimit from "@fastify/rate-limit";
import fastifySession from "@fastify/session";
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from "fastify";
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from "fastify-type-provider-zod";
import { MailcharterError } from "../core/errors.js";
import { serviceLimits } from "../core/limits.js";
import { ApiError } from "./api-error.js";
import type { ServiceContext } from "./context.js";
import { installErrorHandlers } from "./error-handler.js";
import { resolvePrincipals } from "./request-principal.js";
import { type CollectedRoute, guardRoutes } from "./route-guard.js";
import { accountPageRoutes } from "./routes/account-pages.js";
import { annexPageRoutes } from "./routes/annex-pages.js";
import { accountsRoutes } from "./routes/api-accounts.js";
import { annexRoutes } from "./routes/api-annex.js";
import { auditsRoutes } from "./routes/api-audits.js";
import { incidentsRoutes } from "./routes/api-incidents.js";
import { indicatorScheduleApiRoutes } from "./routes/api-indicator-schedule.js";
import { outboundRoutes } from "./routes/api-outbound.js";
import { registryRoutes } from "./routes/api-registry.js";
import { selfRoutes } from "./routes/api-self.js";
import { auditEventRoutes } from "./routes/audit-events.js";
import { incidentPageRoutes } from "./routes/incident-pages.js";
import { indicatorsApiRoutes, indicatorsPageRoutes } from "./routes/indicators-routes.js";
import { logUploadPageRoutes } from "./routes/log-upload-pages.js";
import { metricsRoutes, notifyApiRoutes } from "./routes/notify-routes.js";
import { pageRoutes } from "./routes/pages.js";
import { publishedListRoutes } from "./routes/published-list.js";
import { registryPageRoutes } from "./routes/registry-pages.js";
import { servicePageRoutes } from "./routes/service-pages.js";
import { tlsRptRoutes } from "./routes/tlsrpt.js";
import { DatabaseSessionStore } from "./session-store-adapter.js";

export type ServiceLimits = {
  -readonly [K in keyof typeof serviceLimits]: (typeof serviceLimits)[K] extends number
    ? number
    : (typeof serviceLimits)[K];
};

export interface ServerOptions {
  /** Key and certificate (PEM) for HTTPS; absent only in tests that never listen. */
  readonly https: { readonly key: string; readonly cert: string } | null;
  /** Secret signing the session cookie (≥ 32 characters), kept in the data directory. */
  readonly sessionSecret: string;
  readonly logger: FastifyServerOptions["logger"];
  /** Tests lower or raise some limits (login attempts); the defaults are serviceLimits. */
  readonly limits?: Partial<ServiceLimits>;
}

export interface Server {
  readonly app: FastifyInstance;
  /** Every route as registered, with its authorisation entry (the matrix test enumerates these). */
  readonly routes: readonly CollectedRoute[];
}

export const sessionCookieName = "__Host-mailcharter-session";

/** Logged requests never carry the session cookie, a token or a password. */
export const redactedPaths = [
  "req.headers.cookie",
  "req.headers.authorization",
  'req.headers["csrf-token"]',
  'res.headers["set-cookie"]',
  "password",
  "*.password",
];

/**
 * The pages' static files, beside this module: src/web/static when run from the sources, dist/web/static
 * in the built package (the build copies them there, since the package ships dist only); from a chunk
 * of the bundled command line (dist/cli/) "../web/static/" is the same directory.
 */
const staticRoot = fileURLToPath(new URL("../web/static/", import.meta.url));

export async function buildServer(ctx: ServiceContext, options: ServerOptions): Promise<Server> {
  const limits = { ...serviceLimits, ...options.limits };
  let app: FastifyInstance;
  try {
    app = Fastify({
      ...(options.https
        ? { https: { key: options.https.key, cert: options.https.cert, minVersion: "TLSv1.2" as const } }
        : {}),
      logger: options.logger ?? false,
      bodyLimit: limits.bodyLimitBytes,
      requestTimeout: serviceLimits.requestTimeoutMs,
      return503OnClosing: true,
      forceCloseConnections: "idle",
      routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
    }) as unknown as FastifyInstance;
  } catch (error) {
    // Node's TLS refuses the pair before anything listens (bad PEM, key not matching the certificate).
    throw new MailcharterError("config", `--tls-cert/--tls-key: ${(error as Error).message}`, {
      cause: error,
    });
  }
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandlers(app);

  const routes: CollectedRoute[] = [];
  guardRoutes(app, routes);

  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        upgradeInsecureRequests: [],
      },
    },
    // ANSSI PA-009 R2 / RFC 6797: one year and the subdomains.
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true, preload: false },
    frameguard: { action: "deny" },
    referrerPolicy: { policy: "same-origin" },
  });
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: options.sessionSecret,
    cookieName: sessionCookieName,
    // OWASP: Secure, HttpOnly, SameSite, host-only (__Host-), no Max-Age (ends with the browser).
    cookie: { secure: true, httpOnly: true, sameSite: "lax", path: "/" },
    saveUninitialized: false,
    rolling: false,
    store: new DatabaseSessionStore(ctx.accounts.sessions, ctx.now, limits),
  });
  await app.register(fastifyCsrf, { sessionPlugin: "@fastify/session" });
  await app.register(fastifyRateLimit, {
    global: true,
    max: limits.requestsPerMinute,
    timeWindow: 60_000,
    errorResponseBuilder: (_request, context) =>
      new ApiError(429, "rate_limited", `too many requests: try again in ${Math.ceil(context.ttl / 1000)} s`),
  });
  await app.register(fastifyFormbody, { bodyLimit: limits.bodyLimitBytes });
  resolvePrincipals(app, ctx.accounts, ctx.now, limits, () => ctx.notify?.metricsToken() ?? null);

  const perAccount = app.createRateLimit({
    max: limits.loginAttemptsPerAccount,
    timeWindow: limits.loginWindowMs,
    // The address as typed, normalised: counted whether an account exists or not.
    keyGenerator: (request) =>
      `login:${String((request.body as { email?: unknown } | undefined)?.email ?? "")
        .trim()
        .toLowerCase()}`,
  });
  const accountLimiter = async (request: FastifyRequest) => {
    const limit = await perAccount(request);
    return { isExceeded: !limit.isAllowed && limit.isExceeded };
  };

  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "mailcharter service API",
        description:
          "The charter's registry, accounts and audits. Authenticate with a session cookie (state changes then need the csrf-token header from GET /api/v1/me) or `Authorization: Bearer <token>`.",
        version: "1",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    },
    transform: jsonSchemaTransform,
    // The schemas named with .meta({ id }) become components (their $refs point there).
    transformObject: jsonSchemaTransformObject,
  });

  await app.register(fastifyStatic, {
    root: staticRoot,
    prefix: "/static/",
    index: false,
    list: false,
    schemaHide: true,
    cacheControl: true,
    maxAge: 3_600_000,
  });
  await app.register(pageRoutes, {
    ctx,
    accountLimiter,
    loginRateLimit: { max: limits.loginAttemptsPerIp, timeWindow: limits.loginWindowMs },
  });
  await app.register(servicePageRoutes, { ctx });
  await app.register(indicatorsPageRoutes, { ctx });
  await app.register(logUploadPageRoutes, { ctx });
  await app.register(registryPageRoutes, { ctx });
  await app.register(accountPageRoutes, { ctx });
  await app.register(incidentPageRoutes, { ctx });
  await app.register(auditEventRoutes, { ctx, progress: ctx.progress ?? null });
  await app.register(annexPageRoutes, { ctx });
  await app.register(publishedListRoutes, { ctx });
  await app.register(tlsRptRoutes, { ctx });
  await app.register(metricsRoutes, { ctx });
  await app.register(
    async (api) => {
      await api.register(registryRoutes, { ctx });
      await api.register(selfRoutes, { ctx });
      await api.register(accountsRoutes, { ctx });
      await api.register(auditsRoutes, { ctx });
      await api.register(incidentsRoutes, { ctx });
      await api.register(notifyApiRoutes, { ctx });
      await api.register(outboundRoutes, { ctx });
      await api.register(indicatorsApiRoutes, { ctx });
      await api.register(indicatorScheduleApiRoutes, { ctx });
      await api.register(annexRoutes, { ctx });
      api.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
    },
    { prefix: "/api/v1" },
  );
  await app.ready();
  return { app, routes };
}
