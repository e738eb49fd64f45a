// The machine-readable events of `djx worker` (and of the Python runner's `worker`), on the
// same side channel and in the same style as populate's (runtime/populate/events.ts): one
// JSON object per line, `v` the version, fields added but never renamed or removed. Between
// a `tableStart` and its `tableEnd` come that table's populate events (start, keyDone,
// keyFailed, progress, end) unchanged.
//
//   {"v":1,"event":"workerStart","tables":["A","B","C"],"pid":4242,"host":"node1","language":"typescript","time":"…Z"}
//   {"v":1,"event":"roundStart","round":1,"time":"…Z"}
//   {"v":1,"event":"errorsCleared","round":1,"table":"B","count":2}
//   {"v":1,"event":"tableStart","round":1,"table":"A","schema":"lab"}
//   {"v":1,"event":"tableEnd","round":1,"table":"A","schema":"lab","made":10,"failed":0,"interrupted":0,"left":{…EndLeft…}}
//   {"v":1,"event":"roundEnd","round":1,"made":30,"failed":0}
//   {"v":1,"event":"wait","round":1,"seconds":5,"reason":"idle"}
//   {"v":1,"event":"summary","rounds":2,"stoppedBy":"done","durationMs":812.4,
//    "tables":[{"table":"A","schema":"lab","made":10,"failed":0,"skipped":0,"left":0,"leftByReason":{…}}]}
import type { EndLeft, PopulateEvent } from '../populate/events';

/** Why the worker ended: no work left, idle or duration reached, a stop request, the server gone. */
export type StoppedBy = 'done' | 'idle' | 'duration' | 'SIGINT' | 'SIGTERM' | 'connectionLost';

export interface WorkerStartEvent {
  v: 1;
  event: 'workerStart';
  /** Class names, in the order they are populated. */
  tables: string[];
  pid: number;
  host: string;
  language: 'typescript' | 'python';
  time: string;
}

export interface RoundStartEvent {
  v: 1;
  event: 'roundStart';
  round: number;
  time: string;
}

export interface ErrorsClearedEvent {
  v: 1;
  event: 'errorsCleared';
  round: number;
  table: string;
  /** Error jobs deleted because their message matched --clear-errors. */
  count: number;
}

export interface TableStartEvent {
  v: 1;
  event: 'tableStart';
  round: number;
  table: string;
  schema: string;
}

export interface TableEndEvent {
  v: 1;
  event: 'tableEnd';
  round: number;
  table: string;
  schema: string;
  made: number;
  failed: number;
  /** Keys interrupted by a second stop request (pending again). */
  interrupted: number;
  /** What populate left, by reason (its end event's `left`); null when unknown. */
  left: EndLeft | null;
}

export interface RoundEndEvent {
  v: 1;
  event: 'roundEnd';
  round: number;
  made: number;
  failed: number;
}

export interface WaitEvent {
  v: 1;
  event: 'wait';
  round: number;
  /** Seconds until the next look for work. */
  seconds: number;
  /** idle: nothing to do (with --idle or --duration); others: other workers hold keys whose makes may add work. */
  reason: 'idle' | 'others';
}

export interface TableSummary {
  table: string;
  schema: string;
  /** Keys this worker made. */
  made: number;
  /** Makes of this worker that failed (attempts: a key retried after --clear-errors counts again). */
  failed: number;
  /** Of `left`: error and ignored jobs, which populate does not take again (djx jobs retry, --clear-errors). */
  skipped: number;
  /** Keys of the table still missing when the worker last ran it; null when it never ran. */
  left: number | null;
  leftByReason: EndLeft | null;
}

export interface SummaryEvent {
  v: 1;
  event: 'summary';
  rounds: number;
  stoppedBy: StoppedBy;
  durationMs: number;
  tables: TableSummary[];
}

export type WorkerEvent = WorkerStartEvent | RoundStartEvent | ErrorsClearedEvent | TableStartEvent | TableEndEvent | RoundEndEvent | WaitEvent | SummaryEvent;

/** Everything a worker's side channel carries: its own events and its tables' populate events. */
export type WorkerStreamEvent = WorkerEvent | PopulateEvent;
