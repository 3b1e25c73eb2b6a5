/** The clock is part of the network seam: everything above it receives time as a parameter. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
