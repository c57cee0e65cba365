/**
 * How long a test waits for a thing (a state, an event, a log line) before it
 * says the thing never came: the bound of a failure, not a measure of speed,
 * so it is sized for two busy cores. Benchmarks measure speed.
 */
export const WAIT_TIMEOUT_MS = 60_000;
/** How long a process started from source may take to say it is ready, on two busy cores. */
export const START_TIMEOUT_MS = 120_000;
