/**
 * Tables of the fleet of workers (migration `2026-12-10-fleet`). Dates are ISO strings (UTC). Only
 * src/jobs reads and writes them.
 */

/**
 * One endpoint's probe in one scheduler cycle, shared by every worker: the first worker to claim it
 * probes, the others wait for its result; a claim whose holder died (or whose lease passed) is taken
 * over. An MX named by many domains is probed once per cycle, whichever workers audit them.
 */
export interface FleetProbeTable {
  cycle_id: number;
  /** `host|port|tlsMode|service`. */
  endpoint: string;
  holder: string;
  state: "probing" | "done";
  /** The endpoint reports (JSON) once done. */
  result: string | null;
  expires_at: string;
  finished_at: string | null;
}

export interface FleetTables {
  fleet_probes: FleetProbeTable;
}
