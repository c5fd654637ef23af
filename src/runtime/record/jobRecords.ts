// The records main writes when user code issues work, shared by pools and executors.
import { CallbackKind, packPoolApi, Rec, TASK_JOB_POOLS } from '../../trace/records';
import type { CallbackKindName } from '../../trace/model';
import { previewArgs } from './preview';
import { recorder } from './recorder';
import { callbackName, functionSite } from '../sites/sites';
import { MAIN_LANE } from './lanes';

export function recordJob(job: number, pool: number, api: string, site: string | undefined, taskCount: number, fn: Function): void {
  const rec = recorder();
  if (!rec.tasks) return;
  rec.rec(Rec.JOB, MAIN_LANE, job, pool, rec.str(api), rec.str(site), taskCount, rec.str(functionSite(fn)));
}

/** A job of one task: one record where the pool id fits it, else JOB and TASK_SUBMIT. */
export function recordTaskJob(job: number, pool: number, api: string, site: string | undefined, fn: Function, taskId: number, fnName: string, args: readonly unknown[]): void {
  const rec = recorder();
  if (!rec.tasks) return;
  if (pool >= TASK_JOB_POOLS) {
    recordJob(job, pool, api, site, 1, fn);
    recordSubmit(taskId, job, fnName, 0, args);
    return;
  }
  rec.rec(Rec.TASK_JOB, MAIN_LANE, job, taskId, packPoolApi(pool, rec.str(api)), rec.str(site), rec.str(fnName), rec.str(functionSite(fn)), previewArgs(args));
}

export function recordCallbackReg(job: number, kind: CallbackKindName, fn: Function, registeredAt: string | undefined): void {
  const rec = recorder();
  if (!rec.tasks) return;
  rec.rec(Rec.CB_REG, MAIN_LANE, job, CallbackKind[kind], rec.str(callbackName(fn)), rec.str(functionSite(fn)), rec.str(registeredAt));
}

export function recordSubmit(taskId: number, job: number, fnName: string, index: number, args: readonly unknown[]): void {
  const rec = recorder();
  if (!rec.tasks) return;
  rec.rec(Rec.TASK_SUBMIT, MAIN_LANE, taskId, job, rec.str(fnName), index, 0, 0, previewArgs(args));
}

export function recordJobEvent(type: typeof Rec.RESULT_IN | typeof Rec.JOB_READY | typeof Rec.RETRIEVED, job: number, b = 0, c = 0, d = 0): void {
  const rec = recorder();
  if (rec.tasks) rec.rec(type, MAIN_LANE, job, b, c, d);
}
