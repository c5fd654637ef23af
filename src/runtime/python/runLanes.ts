// The lanes of a Python run. Each process declares its own lanes in its own file (LANE: a=local
// id, b=kind, c=pool, d=pid, e=key, text=thread name); a lane is one (pid, key) across every file,
// so a parent writing on its dead worker's lane and the worker itself draw on the same row.
// Here each (file, local id) becomes a run-wide lane id, named as the JavaScript runtime names
// its lanes: Main, Callback, Worker 1..N; other threads and processes keep their Python names.
// A process that printed before it learned it is a pool's worker (spawn and forkserver import
// the program first) declares its lane again: the lane becomes a worker lane, kept in place.
import { LaneKindCode, PoolAction, Rec, type RawRecord } from '../../trace/records';

export const MAIN_LANE = 0;

export class RunLanes {
  private readonly byKey = new Map<string, number>();
  /** each lane's kind and pool as last declared */
  private readonly roles = new Map<number, string>();
  private next = MAIN_LANE + 1;
  private workers = 0;
  private callbacks = 0;

  /** `rootPid`: the process that runs the program's main thread. */
  constructor(private readonly rootPid: number) {}

  /**
   * Rewrites a record's lanes from the file's local ids to run-wide ones, in place. `local` is
   * the file's table. Returns false for a record to drop: a lane already declared by another file.
   */
  remap(r: RawRecord, local: number[]): boolean {
    if (r.type === Rec.LANE) return this.declare(r, local);
    r.lane = local[r.lane] ?? MAIN_LANE;
    if (r.type === Rec.POOL && r.b === PoolAction.respawn) r.d = local[r.d] ?? r.d;
    return true;
  }

  private declare(r: RawRecord, local: number[]): boolean {
    const key = `${r.d}:${r.e}`;
    let id = this.byKey.get(key);
    if (id === undefined) {
      id = r.d === this.rootPid && r.e === 0 ? MAIN_LANE : this.next++;
      this.byKey.set(key, id);
    }
    local[r.a] = id;
    const role = `${r.b}:${r.c}`;
    const was = this.roles.get(id);
    // Told again by another file, or by its own process going back to what it was: nothing new.
    if (was === role || (was !== undefined && r.c < 0)) return false;
    this.roles.set(id, role);
    r.a = id;
    r.lane = id;
    r.text = this.name(r);
    return true;
  }

  private name(r: RawRecord): string {
    if (r.b === LaneKindCode.callback) return ++this.callbacks === 1 ? 'Callback' : `Callback ${this.callbacks}`;
    if (r.b === LaneKindCode.worker && r.c >= 0) return `Worker ${++this.workers}`;
    if (r.d === this.rootPid && r.e === 0) return 'Main';
    const thread = r.text ?? `thread ${r.e}`;
    return r.d === this.rootPid ? thread : `${thread} (pid ${r.d})`;
  }
}
