// The schedule-optimal time: a lower bound on how fast ANY client could finish the work against the demo portal's
// limits, derived from the portal's own parameters. No client can beat it; the benchmark reports every contender
// as a ratio to it.
//
// The work: `count` calls of each method (e.g. 10,000 × imopenlines.session.start, plus 10,000 ×
// imopenlines.dialog.get when a run verifies), sent in batches. Time runs from the first request the client sends.
//
// 1. Request bucket (real seconds, never scaled). The portal admits a request while its level + 1 ≤ capacity, adds 1
//    per request and drains `drainPerSecond`. Starting empty, the first `capacity` requests may arrive at t = 0 and
//    the k-th request (k > capacity) no earlier than (k − capacity) / drain. The work needs at least
//      R = max( ⌈commands / maxBatch⌉, ⌈total server cost / 60 s⌉ )
//    requests (≤ 50 commands per batch; a request is cut off after 60 portal seconds of work, §4.1), so
//      T_bucket = max(0, R − capacity) / drainPerSecond.
//    Batches may mix methods, so R counts all commands together (the most favourable packing).
// 2. Operating budget, per method (portal seconds, scaled). The portal checks the method's sum before each call and
//    lets the call that crosses the limit finish, so a window admits K = ⌈limit / cost⌉ calls of a method (600
//    session starts at 0.8 s against 480 s). A fresh window is available at once (the initial budget); each further
//    K calls need the earlier calls to leave the sliding window, one window length later. So n calls need
//      T_operating = (⌈n / K⌉ − 1) × window / timeScale.
//    Methods are billed separately (batch billing per command, the documented behaviour); the slowest method counts.
// 3. The two envelopes bound commands-by-time independently (≤ maxBatch × (capacity + drain·t) and ≤ K × (1 + ⌊t /
//    window⌋)); a time is feasible only when both reach the work, so the bound is their maximum.
// 4. Tail: the last admitted call still has to run on the portal: + cost / timeScale of the cheapest final call.
//
//    optimal = max(T_bucket, T_operating of every method) + tail
//
// What this model deliberately does not grant: the portal's operating window is ten one-minute buckets, so a
// schedule that opens a bucket just before an older one expires can squeeze up to 1/10 window more out of a
// window; and, with several requests in flight, calls admitted before the crossing call is billed may overshoot
// the budget. Both are artefacts no real client can plan on (Bitrix24 documents neither), so the reference stays
// the documented sliding-window model: K calls per window per method.

export interface MethodLoad {
  method: string;
  /** Calls of the method the work needs. */
  calls: number;
  /** Portal seconds one call costs. */
  costSeconds: number;
}

export interface ScheduleLimits {
  bucketCapacity: number;
  drainPerSecond: number;
  /** Commands per batch (50). */
  maxBatch: number;
  /** Per-request cut-off, portal seconds (60 in the cloud). */
  requestCutoffSeconds: number;
  operatingLimitSeconds: number;
  operatingWindowSeconds: number;
  timeScale: number;
}

export interface MethodBound {
  method: string;
  calls: number;
  /** Calls admitted per window (K). */
  callsPerWindow: number;
  /** Windows the calls must wait for after the first (⌈n / K⌉ − 1). */
  windowsWaited: number;
  ms: number;
}

export interface OptimalSchedule {
  commands: number;
  /** Minimum requests (R). */
  requests: number;
  /** Commands one request may carry: min(maxBatch, ⌊cut-off / heaviest cost⌋) when a method runs alone. */
  commandsPerRequest: number;
  bucketMs: number;
  operating: MethodBound[];
  tailMs: number;
  /** Real milliseconds of one operating window at this scale. */
  windowMs: number;
  totalMs: number;
  /** Which bound decided the total. */
  dominant: string;
}

export function optimalSchedule(loads: readonly MethodLoad[], limits: ScheduleLimits): OptimalSchedule {
  const work = loads.filter((load) => load.calls > 0);
  const commands = work.reduce((sum, load) => sum + load.calls, 0);
  const totalCost = work.reduce((sum, load) => sum + load.calls * load.costSeconds, 0);
  const heaviest = work.reduce((max, load) => Math.max(max, load.costSeconds), 0);
  const commandsPerRequest =
    heaviest > 0
      ? Math.max(1, Math.min(limits.maxBatch, Math.floor(limits.requestCutoffSeconds / heaviest)))
      : limits.maxBatch;
  const requests = Math.max(
    Math.ceil(commands / limits.maxBatch),
    Math.ceil(totalCost / limits.requestCutoffSeconds - 1e-9),
  );
  const bucketMs = (Math.max(0, requests - limits.bucketCapacity) / limits.drainPerSecond) * 1000;
  const windowMs = (limits.operatingWindowSeconds * 1000) / limits.timeScale;

  const operating = work.map((load): MethodBound => {
    if (load.costSeconds <= 0) {
      return {
        method: load.method,
        calls: load.calls,
        callsPerWindow: Number.POSITIVE_INFINITY,
        windowsWaited: 0,
        ms: 0,
      };
    }
    // ⌈limit / cost⌉ with a tolerance for binary fractions (480 / 0.8 is 600, not 600.0000000001).
    const callsPerWindow = Math.max(1, Math.ceil(limits.operatingLimitSeconds / load.costSeconds - 1e-9));
    const windowsWaited = Math.max(0, Math.ceil(load.calls / callsPerWindow) - 1);
    return { method: load.method, calls: load.calls, callsPerWindow, windowsWaited, ms: windowsWaited * windowMs };
  });

  const cheapest = work.reduce((min, load) => Math.min(min, load.costSeconds), Number.POSITIVE_INFINITY);
  const tailMs = Number.isFinite(cheapest) ? (cheapest * 1000) / limits.timeScale : 0;

  let dominant = 'request bucket';
  let boundMs = bucketMs;
  for (const bound of operating) {
    if (bound.ms > boundMs) {
      boundMs = bound.ms;
      dominant = `operating budget of ${bound.method}`;
    }
  }
  return {
    commands,
    requests,
    commandsPerRequest,
    bucketMs,
    operating,
    tailMs,
    windowMs,
    totalMs: boundMs + tailMs,
    dominant,
  };
}
