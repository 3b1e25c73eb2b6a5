/**
 * Every limit and timeout, in one place, each with its reason. Options on the command line may lower
 * or raise the timeouts and the politeness values within the ranges below; the byte caps are fixed.
 */
export const limits = {
  // --- Time -------------------------------------------------------------------------------------
  /** Per network step (DNS, connect, one reply, handshake). RFC 5321 §4.5.3.2 allows servers 5 min
   * for the greeting; a scanner cannot wait that long, and testssl/sslyze use 5–10 s. */
  stepTimeoutMs: 10_000,
  /** Whole endpoint: one deadline shared by DNS, the main connection (dialogue, handshake, post-TLS),
   * every enumeration connection and the HTTP fetches of that endpoint, so that no server — silent,
   * drip-feeding or slow to greet — can stretch a probe past it. An `audit` of a domain holds the
   * same deadline for all its work (see `auditMarginMs`). */
  endpointDeadlineMs: 60_000,
  /** What an `audit` may take beyond the endpoint deadline: the measures, the rendering and the
   * lookups that only start once the probes are known (MTA-STS policy, webmail fetches) are bounded
   * by the deadline too; this is the slack for the last in-flight step to notice it and close. */
  auditMarginMs: 5_000,
  /** A connection closed by us is cut if the peer has not closed its side by then: politeness (an
   * orderly FIN) without letting a peer that never closes hold a slot of the per-host cap. */
  closeGraceMs: 1_000,
  /** Connection attempts an endpoint may leave unanswered (no greeting, no answer to a ClientHello,
   * each costing a whole step timeout) before we stop asking: the first is the main connection, the
   * second confirms it is the server and not one unlucky connection. A third would teach nothing. */
  maxSilentAttempts: 2,
  /** DNS: c-ares tries each query this many times within the step timeout (one lost UDP datagram
   * must not fail a probe; more tries would overrun the step). */
  dnsTriesPerQuery: 2,
  /** DNS: the shortest per-try timeout handed to c-ares, below which a healthy resolver 100 ms away
   * would be judged dead. */
  dnsMinTryMs: 100,

  // --- Politeness (docs/contract.md §7: rate limiting is the first failure on port 25) -----------------------
  /** Simultaneous connections to one address for the whole run (internet.nl uses 1 per MX, sslyze 5):
   * every connection — main, enumeration, HTTP — takes a slot. */
  maxConnectionsPerHost: 2,
  /** Upper bound accepted for `--max-connections`: more would look like an attack to an MX. */
  maxConnectionsPerHostCeiling: 16,
  /** Minimum time between two connection starts to one address (`--delay`). */
  connectionDelayMs: 0,
  /** Upper bound accepted for `--delay` (one minute between connections is already glacial). */
  connectionDelayCeilingMs: 60_000,
  /** Connections one endpoint may cost in one run, retries included (`--budget`): a safety net far
   * above what enumeration needs (accepted suites + versions + groups + 5). */
  maxConnectionsPerEndpoint: 250,
  /** Upper bound accepted for `--budget`. */
  maxConnectionsPerEndpointCeiling: 1000,
  /** Retries after a throttling sign (421/450 greeting, a refusal line instead of a ServerHello, a
   * reset after an earlier success), with backoff doubling from `throttleBackoffMs`. */
  throttleRetries: 2,
  /** First backoff after a throttling sign: Postfix's anvil and Exim count per second or minute. */
  throttleBackoffMs: 1_000,
  /** Range accepted for `--timeout` (a step shorter than 100 ms fails healthy servers abroad). */
  minStepTimeoutMs: 100,
  maxStepTimeoutMs: 600_000,

  // --- Raw-handshake enumeration ------------------------------------------------------------------
  /** Suites per ClientHello: servers mishandle longer lists (internet.nl's limit). */
  maxSuitesPerHello: 64,
  /** Suites in the one small offer that tells "drops unknown suites" from "lacks the version". */
  strongProbeSuites: 8,
  /** Extra connections one version may spend splitting offers that a server drops. */
  maxSplitsPerVersion: 8,
  /** A server's first flight (ServerHello, Certificate chain, ServerKeyExchange): chains of real
   * servers stay under 16 KiB; 256 KiB bounds memory against a flood. */
  maxFirstFlightBytes: 256 * 1024,

  // --- Bytes -------------------------------------------------------------------------------------
  /** One protocol reply (an SMTP multi-line reply, an IMAP response up to its tagged line, a POP3
   * multi-line answer). RFC 5321 §4.5.3.1.5 caps a reply line at 512 octets; EHLO replies of real
   * servers stay under 2 KiB. 64 KiB leaves room for odd servers and bounds memory. */
  maxReplyBytes: 64 * 1024,
  /** Of a reply that exceeded its cap, the bytes kept for the transcript (enough to show what it was). */
  oversizeKeptBytes: 512,
  /** Bytes a connection buffers before pausing the socket: a flood cannot grow memory past this. */
  socketHighWaterBytes: 256 * 1024,
  /** HTTP response head (status line + headers). Node's own http parser uses 16 KiB; cookies-heavy
   * webmails reach 20 KiB. */
  maxHttpHeadBytes: 64 * 1024,
  /** HTTP body kept for analysis (the login page). Pages beyond that are truncated, not failed. */
  maxHttpBodyBytes: 1024 * 1024,
  /** Redirect hops followed for webmail checks (browsers stop at 20; 10 is plenty for a login). */
  maxRedirects: 10,
  /** Addresses probed per host name: an A/AAAA set larger than this is cut (and said so). */
  maxAddressesPerHost: 8,
  /** Transcript kept per endpoint, so a huge reply never lands whole in a report. */
  maxTranscriptBytes: 16 * 1024,
  /** Length at which one transcript line is shortened. */
  maxTranscriptLineChars: 400,
  /** MTA-STS policy body (RFC 8461 §3.3 suggests 64 KiB): a policy is a few lines, a larger body is
   * refused as invalid rather than read to the 1 MiB page cap. */
  maxMtaStsPolicyBytes: 64 * 1024,
  /** MX hosts of one domain probed. RFC 5321 sets no bound; real domains publish 1–5, the largest
   * providers 10. Beyond 10 the rest are listed as not probed, so a zone cannot make us scan a list. */
  maxMxHosts: 10,
  /** Targets taken from one SRV label (RFC 6186 / RFC 8314). Real domains publish one or two. */
  maxSrvTargetsPerLabel: 4,
  /** Server entries taken from an autoconfig document (Thunderbird's own ones list 2–6). */
  maxAutoconfigServers: 16,
  /** Pause before an MX that answered STARTTLS with 454 (RFC 3207 §4: "TLS not available due to
   * temporary reason") is asked once more; a refusal that outlasts it is what a sender would meet. */
  starttlsRetryPauseMs: 3_000,
  /** Domains audited at once by one `audit` run: each domain runs its own discovery and fetches
   * concurrently; more than this at once only queues behind the per-host connection cap and the
   * resolver, and makes every domain late. The rest wait their turn. */
  maxConcurrentDomains: 4,
} as const;

/** Limits of the service (`mailcharter serve`), each with its reason. */
export const serviceLimits = {
  /** OWASP session management cheat sheet: 15–30 min idle for a low-risk application; 30 min, since
   * a postmaster reading a report does not click every minute. */
  sessionIdleMs: 30 * 60_000,
  /** Absolute lifetime of a login (OWASP: 4–8 h for an office day; 12 h covers a long incident night
   * and still forces a fresh login every day). */
  sessionAbsoluteMs: 12 * 3_600_000,
  /** The last-seen time of a session is written at most this often, so reading pages is not one
   * database write per request. */
  sessionTouchMs: 60_000,
  /** Expired sessions are kept this long after their end (to tell the user why they were logged out),
   * then purged. */
  sessionPurgeGraceMs: 24 * 3_600_000,
  /** Login attempts per client address per window (credential stuffing from one place). */
  loginAttemptsPerIp: 20,
  /** Login attempts per account name per window, from anywhere (guessing one account's password from
   * many addresses). Counted whether the account exists or not, so it reveals nothing. */
  loginAttemptsPerAccount: 5,
  loginWindowMs: 15 * 60_000,
  /** Every other request, per client address per minute: generous for a dashboard and an API client,
   * low enough to stop a flood. */
  requestsPerMinute: 600,
  /** Request bodies (JSON, forms): a registry import of a few hundred signatories fits in 1 MiB. */
  bodyLimitBytes: 1024 * 1024,
  /** A whole request, body included, must arrive within this (a slow client cannot hold a socket);
   * an MTA log upload of 50 MiB needs about 14 Mbit/s, and a gzip one a tenth of that. */
  requestTimeoutMs: 30_000,
  /** Passwords: NIST SP 800-63B §5.1.1.2 asks for at least 8 characters and allows up to 64+; we ask
   * 12 (ANSSI recommends 12 or more for a password alone) and cap at 1024 so hashing stays bounded. */
  passwordMinChars: 12,
  passwordMaxChars: 1024,
  /** scrypt cost (RFC 7914): N = 2^15, r = 8, p = 1 is 32 MiB and ~60–100 ms per hash on one core,
   * the OWASP password storage cheat sheet's floor for scrypt. */
  scrypt: { N: 2 ** 15, r: 8, p: 1, keyLength: 32, saltBytes: 16, maxmem: 64 * 1024 * 1024 },
  /** How long `serve` waits on SIGTERM for running audits and open requests before closing anyway. */
  shutdownGraceMs: 30_000,
  /** Validity of the published list signed by the server (the EFF STARTTLS list's 14 days); it is
   * re-signed at least this often so it never expires while the server runs. */
  publishedListValidDays: 14,
  publishedListRefreshMs: 24 * 3_600_000,
} as const;

/** The monitor's scheduler and queue (src/monitor). */
export const monitorLimits = {
  /** Domains audited at once by one process. The per-host connection cap still bounds each MX; four
   * keeps a daily cycle of a few hundred domains within an hour without crowding a 2-core host. */
  concurrency: 4,
  /** A running audit's claim: past it, the run is re-queued for another holder. An audit is bounded by
   * the endpoint deadline (60 s) per endpoint and endpoints run side by side; renewed every third. */
  runLeaseMs: 5 * 60_000,
  /** The cycle lease (one cycle at a time, across processes); renewed every third while it runs. */
  cycleLeaseMs: 2 * 60_000,
  /** SIGTERM: running audits get this long to finish, then they are re-queued (systemd waits 90 s). */
  stopGraceMs: 20_000,
  /** Jitter: a domain's next audit comes up to this fraction of its cadence early, never late, so
   * domains audited together drift apart and a daily cadence stays at most a day. */
  jitterFraction: 0.1,
  /** How often the in-process scheduler looks for due domains. */
  tickMs: 60_000,
} as const;

/** The job layer (src/jobs) and the fleet of workers (`mailcharter worker`). */
export const jobLimits = {
  /** Failed attempts of a job before it is given up (a bug in us, or a store gone for long). */
  retryLimit: 8,
  /** First pause before a failed job is tried again; doubled each time (pg-boss retryBackoff). */
  retryDelaySeconds: 5,
  /** An audit job running longer than this is taken as lost by pg-boss and retried: the domain
   * deadline (60 s per endpoint, side by side) is far below; a killed worker's run is re-queued sooner
   * by the reaper (its pid is gone, or its run lease passed). */
  expireSeconds: 15 * 60,
  /** A worker's default: audits at once. Latency, not CPU, bounds an audit; 16 keep a core busy. */
  workerConcurrency: 16,
  /** How often a worker looks for runs left by dead holders (and its pg-boss polling interval). */
  reapIntervalMs: 5_000,
  pollingIntervalSeconds: 0.5,
  /** A cycle with no run finished for this long has its queued runs sent again (a job lost with a
   * worker killed between taking it and claiming its run; a send lost with the database). */
  stallMs: 30_000,
  /** The fleet's per-host cap: the per-host limit of one run (2) holds for the whole fleet. */
  fleetPerHost: 2,
  /** The fleet's per-provider cap (an IPv4 /24 or IPv6 /48 is one provider by default). */
  fleetPerProvider: 8,
  /** How often a connection waiting for a fleet slot asks PostgreSQL again. */
  fleetPollMs: 25,
  /** A shared probe held by a worker longer than this is taken over (its worker died): above the
   * endpoint deadline plus the 454 retry pause. */
  sharedProbeLeaseMs: 3 * 60_000,
  /** How often a worker waiting for another worker's probe of the same endpoint looks again. */
  sharedProbePollMs: 100,
} as const;

/** TLS-RPT ingestion (src/indicators/tlsrpt), each cap checked where the bytes are read. */
export const tlsrptLimits = {
  /** A report once inflated: mox's 20 MB. A day of a large provider's report to one domain is a few
   * KiB to a few hundred KiB (one failure-details entry per MTA pair and result type). */
  maxReportBytes: 20 * 1024 * 1024,
  /** A compressed report as received (HTTPS body, attachment, file): reports compress 10–30×, so
   * 5 MiB is far above a real one and bounds what a client makes us buffer. */
  maxCompressedBytes: 5 * 1024 * 1024,
  /** A report mail (mox's 15 MB): the attachment base64-encoded plus a text or HTML part. */
  maxMailBytes: 15 * 1024 * 1024,
  /** Inflated / compressed size allowed: JSON reports compress 10–30×, deflate's ceiling is ~1032×; a
   * gzip bomb is past 200 after a few KiB of output, and is refused there, not inflated to the cap. */
  maxInflateRatio: 200,
  /** Below this inflated size the ratio is not looked at (a tiny gzip of a tiny report has a high one). */
  inflateRatioFloorBytes: 1024 * 1024,
  /** POST /tlsrpt per client address per minute: a sender posts one report per policy domain a day,
   * often all at once (a provider whose many domains point their rua here); 300 takes a burst for a
   * few hundred domains, a 429 makes the rest retry later (RFC 8460 §5.3), a flood stays bounded. */
  postsPerMinute: 300,
  /** IMAP: connect, login, each command; a mailbox that does not answer is abandoned for this run. */
  imapStepTimeoutMs: 30_000,
  /** Mails read from the mailbox per run; the rest wait for the next run (bounded work per run). */
  imapMaxMailsPerRun: 500,
} as const;

/** DKIM verification of report mails (src/indicators/tlsrpt/dkim-*.ts): what a hostile mail may cost. */
export const dkimLimits = {
  /** Signatures verified per mail, top first; the rest are counted, not checked. A real report mail
   * carries one or two (the sender's, an ESP's); each costs a DNS lookup and an RSA verification. */
  maxSignatures: 5,
  /** The header section read (RFC 5322 sets no bound; Postfix's header_size_limit is 100 KiB). A
   * mail whose header is larger is not verified at all: one cannot tell which fields were signed. */
  maxHeaderBytes: 256 * 1024,
  /** One DKIM-Signature field: a signature with 100 signed names and a 16384-bit b= is under 6 KiB. */
  maxSignatureFieldBytes: 16 * 1024,
  /** Names in h=: real signers list 10–40 (over-signing doubles some); more is a way to make us hash
   * the header again and again. */
  maxSignedFields: 128,
  /** One key record (RFC 6376 §3.6.2.2 concatenates its strings): a 4096-bit key is ~750 bytes. */
  maxKeyRecordBytes: 8 * 1024,
  /** RFC 8301 §3.2: verifiers MUST NOT consider keys below 1024 bits valid. */
  minRsaBits: 1024,
  /** RFC 8301 §3.2 asks verifiers to handle up to 4096 bits; above 8192 a key only costs CPU. */
  maxRsaBits: 8192,
  /** Each key lookup: a healthy resolver answers in well under a second. */
  dnsStepTimeoutMs: 5_000,
  /** All the lookups of one mail, shared: a mail with five signatures toward five silent servers
   * holds an ingestion run for at most this long. */
  mailDeadlineMs: 15_000,
  /** Seconds an `x=` may lie in the past before the signature is taken as expired: the clocks of the
   * signer and ours differ by a little. */
  clockSkewSeconds: 300,
} as const;

/** MTA log ingestion (src/indicators/log). */
export const logLimits = {
  /** Open connections remembered while joining Postfix lines (per smtp/smtpd process and tlsproxy
   * relay). A busy MTA runs a few hundred smtp processes at once; past this the oldest is forgotten,
   * so memory stays constant whatever the log's size. */
  joinEntries: 20_000,
  /** A log line longer than this is cut and counted as unparsed (Postfix's line_length_limit is
   * 2048 for SMTP; syslog daemons cut at 8 KiB by default). */
  lineBytes: 16 * 1024,
  /** Session records written to the store per transaction: large enough to amortise the commit,
   * (each commit waits for the disk), small enough to hold in memory (~20 MB); a crash loses at most
   * this many, and they are read again, idempotently. */
  batchSessions: 20_000,
  /** `--follow`: how often the file is looked at for new lines, rotation or truncation. */
  followPollMs: 1_000,
  /** An MTA log uploaded through the service (operators, POST): 50 MiB, a busy day of one MX. */
  uploadBytes: 50 * 1024 * 1024,
  /** What an uploaded gzip log may inflate to: a day's log compresses 10 to 30 times, so 512 MiB is
   * ten compressed uploads' worth of text. */
  uploadInflatedBytes: 512 * 1024 * 1024,
  /** Inflated bytes per compressed byte read so far: 100 leaves room for a very repetitive log, while
   * a bomb of zeros (about 1000 times) is stopped early, after at most this many times what was sent. */
  uploadInflateRatio: 100,
  /** The ratio is not applied to the first MiB inflated (a short log's gzip header weighs more). */
  uploadRatioFloorBytes: 1024 * 1024,
} as const;

/** The outbound-test receiving endpoint (src/outbound): an internet-facing SMTP listener. */
export const outboundLimits = {
  /** A test message is a few KiB; 1 MiB lets a sender's usual headers and a short body through and
   * bounds what a hostile client makes us read (RFC 1870 SIZE is announced; bigger is refused, 552). */
  maxMessageBytes: 1024 * 1024,
  /** Connections at once over all variants: far above what test senders need (one per variant and
   * retry), low enough that a flood cannot exhaust file descriptors or memory. */
  maxConnections: 100,
  /** Connections at once from one address: an MTA opens one per destination; a few for retries. */
  maxConnectionsPerIp: 5,
  /** New connections per address per window: a sender retrying deferred mail every few minutes
   * stays far below; a client hammering the listener is turned away with 421. */
  connectionsPerIpPerWindow: 30,
  rateWindowMs: 10 * 60_000,
  /** Addresses remembered by the rate limiter (oldest forgotten first): bounds its memory. */
  rateTrackedAddresses: 10_000,
  /** Idle time allowed at each phase (greeting, commands, STARTTLS handshake, DATA): RFC 5321
   * §4.5.3.2 gives servers 5 min; a test endpoint has no reason to wait that long for a client. */
  idleMs: 60_000,
  /** A whole session, however busy: bounds slow-drip clients that stay just under the idle time. */
  sessionMs: 5 * 60_000,
  /** PTR lookup of the sending address, for the record only: never allowed to hold the session. */
  reverseLookupMs: 3_000,
  /** Recipients refused in one session before it is closed (address harvesting). */
  maxRejectedRecipients: 5,
  /** Recipients accepted in one transaction: a test has one address per variant domain, each with its
   * own MX, so a sender never has more than one for us in one transaction. */
  maxRecipients: 1,
  /** Messages accepted in one session (a sender delivers one per domain; a few retries). */
  maxMessagesPerSession: 10,
  /** Default lifetime of a test: long enough for a postmaster to send from their MTA and for one
   * retry of a deferred message; what has not arrived by then is concluded as not sent. */
  testLifetimeMs: 30 * 60_000,
  /** Bounds of `outbound-test start --expires-in` (seconds). */
  minTestLifetimeMs: 5_000,
  maxTestLifetimeMs: 7 * 24 * 3_600_000,
} as const;

/** The monitoring of interruptions (src/monitor/incidents). */
export const incidentLimits = {
  /** A suspected interruption is probed again after this pause before it becomes an incident: long
   * enough for a restart or a greylisting window to pass, short enough to tell "without delay"
   * (Charte art. 4.6). `monitor run-once --confirm-pause` and tests shorten it. */
  confirmPauseMs: 5 * 60_000,
  /** "Could not check" (throttling, timeouts, our DNS) this long in a row becomes an incident of its
   * own: a day and a half is more than one missed daily cycle, never one bad night. */
  couldNotCheckIncidentMs: 36 * 3_600_000,
  /** An incident resolved and seen again within this window is reopened, not a new one (flapping). */
  flapWindowMs: 24 * 3_600_000,
  /** Certificate expiry warnings (days before notAfter), once per threshold. */
  expiryThresholdDays: [30, 14, 7] as readonly number[],
  /** A confirming audit that has not finished after this long is left to the next cycle. */
  confirmWaitMs: 10 * 60_000,
  /** Audits stored by other processes are processed when they finished within this window; older
   * history (a database from before the monitoring of incidents) is not replayed into notices. */
  sweepWindowMs: 2 * 86_400_000,
} as const;

/** Outgoing notices and reports (src/notify). */
export const notifyLimits = {
  /** Attempts of one message before it is given up: with the default backoff (1 min doubling, capped
   * at 1 h) eight attempts span about two hours — long enough for a relay's restart or a receiver's
   * deployment, short enough that the agency sees a dead channel the same morning. */
  maxAttempts: 8,
  firstRetryDelayMs: 60_000,
  maxRetryDelayMs: 60 * 60_000,
  /** One SMTP or HTTP step (connect, greeting, STARTTLS, handshake, each reply, the response head). */
  stepTimeoutMs: 15_000,
  /** A whole delivery attempt: a relay or a receiver that drip-feeds cannot hold the worker longer. */
  attemptTimeoutMs: 60_000,
  /** Bytes of a webhook's or TLS-RPT endpoint's response read (for the log); the rest is discarded. */
  maxResponseBytes: 4 * 1024,
  /** Messages one `deliverDue` pass sends: a backlog is worked through pass after pass, so a burst of
   * notices never holds the worker (or one transaction) for long. */
  batch: 50,
  /** A message being sent is leased for this long; a worker killed mid-send leaves it to be retried
   * after the lease (the receiver may see it twice; the de-dup key travels with it). */
  leaseMs: 2 * 60_000,
  /** A secret file larger than this is not a secret file (a PEM key is ~2 KiB). */
  maxSecretFileBytes: 64 * 1024,
  /** How often serve's in-process worker looks for due messages. */
  tickMs: 15_000,
} as const;

/** Live progress of audits over server-sent events (GET /audits/:id/events, `serve`). */
export const liveProgressLimits = {
  /** Open event streams per session (or per token): a person follows a few audits in a few tabs;
   * past this the page falls back to reloading itself, so one client cannot hold many sockets. */
  streamsPerSession: 4,
  /** Open event streams in all: each holds a socket and a listener; beyond this the pages reload
   * themselves instead (the no-script path), which costs a request every few seconds, not a socket. */
  streamsTotal: 200,
  /** A stream ends after this even if the run has not (an audit ends well within it: its endpoint
   * deadlines are a minute); the page then reloads and opens a new one if still needed. */
  streamMaxMs: 10 * 60_000,
  /** How often a stream checks the stored run (a run executed by another process sends no event
   * here) and sends a keep-alive comment so proxies do not cut an idle stream. */
  pollMs: 3_000,
} as const;

/** Annex versions (src/annex): what a drafted profile file may weigh. */
export const annexLimits = {
  /** A profile file or API body larger than this is refused before parsing: the three built-in
   * profiles are 2–5 KB; 256 KiB leaves room for long suite lists and advice in two languages. */
  profileMaxBytes: 256 * 1024,
} as const;

/**
 * Indicator-based detections (src/monitor/detection/link-share.ts, tlsrpt-new-type.ts): when a link's
 * verified share, or a TLS-RPT failure type, says something changed. Chosen so that a handful of
 * sessions never raises an alarm (docs/service.md, "Detection from the indicators").
 */
export const linkDetectionLimits = {
  /** The baseline: the days before the evaluated ones, this far back (two weeks of weekdays and
   * weekends, so a quiet Sunday is compared with a typical week, not with itself). */
  baselineDays: 14,
  /** A day counts (in the baseline or as an observation) only with at least this many sessions:
   * under 20, one deferred message moves the share by 5 points or more. */
  minDaySessions: 20,
  /** A baseline needs this many qualifying days and sessions in all; else the link is only learnt. */
  minBaselineDays: 3,
  minBaselineSessions: 100,
  /** A drop is told when the share's upper confidence bound is below baseline − margin. */
  marginShare: 0.1,
  /** Normal quantile of the Wilson interval (1.96: 95 % two-sided, 97.5 % one-sided). */
  z: 1.96,
  /** A drop must hold on this many consecutive qualifying days (more than one data point). */
  confirmDays: 2,
  /** Only recent observations are evaluated: the latest qualifying day at most this many days old. */
  staleDays: 3,
  /** TLS-RPT: the recent reports (days of their start) looked at for new failure types… */
  recentReportDays: 2,
  /** …against the types reported for the same policy domain in the days before (RFC 8460 reports
   * are daily; a month covers the monthly jobs and certificate renewals of a typical service). */
  typeBaselineDays: 30,
  /** A new type's incident resolves after reports covering this many distinct later days without it. */
  typeResolveDays: 2,
  /** An indicator incident seen again within this many days of its resolution is reopened (flapping):
   * figures are daily, so the audits' one-day window would be a single data point. */
  flapWindowDays: 3,
  /** `serve` evaluates the indicators on its tick at most this often (`monitor run-once`: every
   * cycle). Daily figures change slowly; a query over three weeks of every link each minute would not. */
  evaluateEveryMs: 10 * 60_000,
} as const;
