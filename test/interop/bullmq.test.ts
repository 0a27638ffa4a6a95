/*
 * BullMQ, a job queue built on Lua scripts (EVALSHA of ~60 scripts using cmsgpack and cjson,
 * streams for events, BZPOPMIN on a marker key), runs against bin/strata-server: jobs are added,
 * processed, retried with backoff, delayed, prioritised, removed on completion, chained in a flow
 * and repeated by a job scheduler. Each test has its own queue name; nothing asserts on timing
 * beyond what BullMQ itself guarantees (a delayed job does not run before its delay).
 */

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FlowProducer, Queue, QueueEvents, Worker, type Job, type Processor } from 'bullmq';
import { startServer, type RunningServer } from '../helpers/server.js';

/** Generous: a job round trip takes milliseconds, but CI machines stall. */
const FINISH_TIMEOUT_MS = 10_000;

let server: RunningServer;
/** Queues, workers and listeners of the current test, closed after it. */
const openedInTest: { close(): Promise<unknown> }[] = [];
/** Errors the workers emitted (a failed script reply surfaces here, not as a failed job). */
const workerErrors: Error[] = [];

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});
afterEach(async () => {
  for (const opened of openedInTest.splice(0).reverse()) await opened.close();
  expect(workerErrors.splice(0)).toEqual([]);
});

function connection() {
  // BullMQ requires maxRetriesPerRequest: null for its blocking connections.
  return { host: '127.0.0.1', port: server.port, maxRetriesPerRequest: null };
}

function track<T extends { close(): Promise<unknown> }>(opened: T): T {
  openedInTest.push(opened);
  return opened;
}

/** A queue and its event listener, ready before any job is added so no event is missed. */
async function openQueue(name: string): Promise<{ queue: Queue; events: QueueEvents }> {
  const queue = track(new Queue(name, { connection: connection() }));
  const events = track(new QueueEvents(name, { connection: connection() }));
  await events.waitUntilReady();
  return { queue, events };
}

function startWorker(name: string, processor: Processor, opts: { autorun?: boolean } = {}): Worker {
  const worker = track(new Worker(name, processor, { connection: connection(), concurrency: 1, ...opts }));
  worker.on('error', (err) => workerErrors.push(err));
  return worker;
}

describe('BullMQ against strata', () => {
  it('adds jobs, processes them and counts them as completed', async () => {
    const { queue, events } = await openQueue('basic');
    startWorker('basic', async (job: Job<{ n: number }>) => ({ doubled: job.data.n * 2 }));
    const jobs = await queue.addBulk([1, 2, 3].map((n) => ({ name: 'double', data: { n } })));
    const results = await Promise.all(jobs.map((job) => job.waitUntilFinished(events, FINISH_TIMEOUT_MS)));
    expect(results).toEqual([{ doubled: 2 }, { doubled: 4 }, { doubled: 6 }]);
    expect(await queue.getJobCounts('completed', 'failed', 'waiting', 'active')).toEqual({ completed: 3, failed: 0, waiting: 0, active: 0 });
    const stored = await queue.getJob(jobs[1].id!);
    expect(stored?.returnvalue).toEqual({ doubled: 4 });
    expect(await stored?.getState()).toBe('completed');
  });

  it('retries a failing job with backoff until it completes, and fails one that runs out of attempts', async () => {
    const { queue, events } = await openQueue('retries');
    startWorker('retries', async (job: Job) => {
      if (job.name === 'hopeless') throw new Error('always broken');
      if (job.attemptsMade < 2) throw new Error(`attempt ${job.attemptsMade} broken`);
      return 'finally';
    });

    const flaky = await queue.add('flaky', {}, { attempts: 3, backoff: { type: 'fixed', delay: 50 } });
    expect(await flaky.waitUntilFinished(events, FINISH_TIMEOUT_MS)).toBe('finally');
    const hopeless = await queue.add('hopeless', {}, { attempts: 2, backoff: { type: 'exponential', delay: 50 } });
    await expect(hopeless.waitUntilFinished(events, FINISH_TIMEOUT_MS)).rejects.toThrow('always broken');

    const completed = await queue.getJob(flaky.id!);
    expect(completed?.attemptsMade).toBe(3);
    // The stack traces of the failed attempts, oldest first, are kept on the job.
    expect(completed?.stacktrace?.map((trace) => trace.split('\n')[0])).toEqual(['Error: attempt 0 broken', 'Error: attempt 1 broken']);
    const failed = await queue.getJob(hopeless.id!);
    expect([failed?.attemptsMade, failed?.failedReason, failed?.stacktrace?.length]).toEqual([2, 'always broken', 2]);
    expect(await queue.getJobCounts('completed', 'failed', 'delayed')).toEqual({ completed: 1, failed: 1, delayed: 0 });
  });

  it('holds a delayed job until its delay has passed', async () => {
    const { queue, events } = await openQueue('delayed');
    startWorker('delayed', async () => 'ran');
    const delayMs = 300;
    const job = await queue.add('later', {}, { delay: delayMs });
    expect(await job.getState()).toBe('delayed');
    expect(await queue.getJobCounts('delayed', 'waiting')).toEqual({ delayed: 1, waiting: 0 });
    expect(await job.waitUntilFinished(events, FINISH_TIMEOUT_MS)).toBe('ran');
    const finished = await queue.getJob(job.id!);
    expect(finished!.processedOn! - finished!.timestamp).toBeGreaterThanOrEqual(delayMs);
  });

  it('processes prioritised jobs lowest priority number first', async () => {
    const { queue, events } = await openQueue('priorities');
    const order: string[] = [];
    const worker = startWorker('priorities', async (job: Job) => void order.push(job.name), { autorun: false });
    const jobs = [];
    for (const priority of [5, 1, 3, 2]) jobs.push(await queue.add(`p${priority}`, {}, { priority }));
    expect(await queue.getJobCounts('prioritized', 'waiting')).toEqual({ prioritized: 4, waiting: 0 });
    expect(await queue.getCountsPerPriority([1, 5, 9])).toEqual({ 1: 1, 5: 1, 9: 0 });
    void worker.run();
    await Promise.all(jobs.map((job) => job.waitUntilFinished(events, FINISH_TIMEOUT_MS)));
    expect(order).toEqual(['p1', 'p2', 'p3', 'p5']);
  });

  it('removes completed jobs with removeOnComplete and keeps the others', async () => {
    const { queue, events } = await openQueue('cleanup');
    startWorker('cleanup', async (job: Job) => job.name);
    const removed = await queue.add('removed', {}, { removeOnComplete: true });
    const kept = await queue.add('kept', {});
    await Promise.all([removed, kept].map((job) => job.waitUntilFinished(events, FINISH_TIMEOUT_MS)));
    expect(await queue.getJob(removed.id!)).toBeUndefined();
    expect((await queue.getJob(kept.id!))?.returnvalue).toBe('kept');
    expect(await queue.getJobCounts('completed')).toEqual({ completed: 1 });
  });

  it('runs a flow: the parent waits for its children and reads their results', async () => {
    const { queue, events } = await openQueue('flows');
    startWorker('flows', async (job: Job<{ n: number }>) => {
      if (job.name !== 'sum') return job.data.n * 10;
      const childResults = Object.values(await job.getChildrenValues<number>());
      return childResults.reduce((a, b) => a + b, 0);
    });
    const flow = track(new FlowProducer({ connection: connection() }));
    const tree = await flow.add({
      name: 'sum',
      queueName: 'flows',
      data: { n: 0 },
      children: [1, 2, 3].map((n) => ({ name: 'times-ten', queueName: 'flows', data: { n } })),
    });
    expect(await tree.job.waitUntilFinished(events, FINISH_TIMEOUT_MS)).toBe(60);
    expect(await queue.getJobCounts('completed', 'waiting-children')).toEqual({ completed: 4, 'waiting-children': 0 });
  });

  it('repeats a job from a job scheduler until the scheduler is removed', async () => {
    const { queue, events } = await openQueue('schedules');
    startWorker('schedules', async () => 'tick');
    const twoTicks = new Promise<void>((resolve) => {
      let ticks = 0;
      events.on('completed', () => ++ticks === 2 && resolve());
    });
    await queue.upsertJobScheduler('every-100ms', { every: 100 }, { name: 'tick' });
    expect((await queue.getJobSchedulers()).map((s) => [s.key, s.every])).toEqual([['every-100ms', 100]]);
    await twoTicks;
    expect(await queue.removeJobScheduler('every-100ms')).toBe(true);
    expect(await queue.getJobSchedulers()).toEqual([]);
  });
});
