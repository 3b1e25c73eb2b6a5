/**
 * Every limit and timeout of the network layer, in one place, each with its reason.
 * Options on the command line may lower or raise the timeouts; the byte caps are fixed.
 */
export const limits = {
  /** Per network step (DNS, connect, one reply, handshake). RFC 5321 §4.5.3.2 allows servers 5 min
   * for the greeting; a scanner cannot wait that long, and testssl/sslyze use 5–10 s. */
  stepTimeoutMs: 10_000,
  /** Whole endpoint (DNS + connect + dialogue + handshake + post-TLS): one deadline shared by all
   * steps so a drip-feeding server cannot stretch a probe to steps × stepTimeout. */
  endpointDeadlineMs: 60_000,
  /** One protocol reply (an SMTP multi-line reply, an IMAP response up to its tagged line, a POP3
   * multi-line answer). RFC 5321 §4.5.3.1.5 caps a reply line at 512 octets; EHLO replies of real
   * servers stay under 2 KiB. 64 KiB leaves room for odd servers and bounds memory. */
  maxReplyBytes: 64 * 1024,
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
  /** Server entries taken from an autoconfig document (Thunderbird's own ones list 2–6). */
  maxAutoconfigServers: 16,
} as const;
