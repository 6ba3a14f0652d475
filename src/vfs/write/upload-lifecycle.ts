// The life of an upload-queue item (one per staged file with changes) as one
// state machine: its states, the events that move it, and the only
// transitions allowed. Every change of an item's state goes through apply();
// docs/writes.md draws this table, and test/vfs/write/upload-lifecycle.test.ts
// fails when the drawing and the table differ.
//
//   open      a handle has it open for writing: never uploaded in this state
//   waiting   closed; a timer runs (the quiet delay after the last close, or
//             a retry's backoff), or none after an upload was stopped on
//             purpose (whoever stopped it schedules it again)
//   ready     due, waiting for one of maxConcurrentUploads upload slots
//   uploading a PUT is running (stopped by rename, discard, close)
//   failed    stopped on 507 / 403 / too many failures, or its writes failed:
//             data kept until retry(), a rewrite, or discard()
// A change during an upload is noticed through the file's generation: the
// item is then uploaded again rather than finished.

export type ItemState = 'open' | 'waiting' | 'ready' | 'uploading' | 'failed'

/** Before an item exists, and after it ends. */
export const NEW = 'new'
export const GONE = 'gone'

export const TRANSITIONS = [
  // A handle opened the file for writing (a new item, or a reopen).
  { event: 'opened', from: [NEW, 'waiting', 'ready', 'failed'], to: 'open' },
  // Found in the journal at start: pending, or failed (or incomplete).
  { event: 'recovered', from: [NEW], to: 'waiting' },
  { event: 'recovered-failed', from: [NEW], to: 'failed' },
  // The last close of a changed file: the quiet delay starts (again, when
  // the upload that ran meanwhile has already put it back).
  { event: 'closed', from: ['open', 'waiting', 'ready'], to: 'waiting' },
  // The delay or backoff ran out, or was skipped (drain, bridge back, retry).
  { event: 'due', from: ['waiting'], to: 'ready' },
  // The file moved (rename, or the folder rename that held it ended): its
  // delay starts again.
  { event: 'rescheduled', from: ['waiting', 'ready'], to: 'waiting' },
  { event: 'started', from: ['ready'], to: 'uploading' },
  // The server has it, as it is now.
  { event: 'uploaded', from: ['uploading'], to: GONE },
  // The upload ended without finishing the item (the file changed meanwhile,
  // it was stopped on purpose, or failed and is tried again): it goes again.
  { event: 'requeued', from: ['uploading'], to: 'waiting' },
  // ... as above, while a program has it open for writing.
  { event: 'held-open', from: ['uploading'], to: 'open' },
  // A failure no retry helps (507, 403), or too many failures.
  { event: 'gave-up', from: ['uploading'], to: 'failed' },
  // Its writes failed (a full staging disk): never uploaded.
  { event: 'incomplete', from: ['open', 'waiting', 'ready', 'uploading'], to: 'failed' },
  // The user's retry, of a failed item or one waiting on a backoff.
  { event: 'retried', from: ['failed', 'waiting'], to: 'waiting' },
  // The end of an upload could not be recorded (the journal's disk is full):
  // tried again later.
  { event: 'unrecorded', from: ['uploading', 'failed'], to: 'waiting' },
  // Unlinked, renamed over, dropped by the user, or closed unchanged.
  { event: 'discarded', from: ['open', 'waiting', 'ready', 'uploading', 'failed'], to: GONE },
] as const satisfies readonly { event: string; from: readonly (ItemState | typeof NEW)[]; to: ItemState | typeof GONE }[]

export type LifecycleEvent = (typeof TRANSITIONS)[number]['event']
type From = ItemState | typeof NEW

/** The state after event in state `from`; throws on a transition the table
 *  does not allow (a bug of the queue, never the user's doing). */
export function transition(from: From, event: LifecycleEvent): ItemState | typeof GONE {
  const edge = TRANSITIONS.find(t => t.event === event)!
  if (!(edge.from as readonly From[]).includes(from)) throw new Error(`upload lifecycle: no transition from ${from} on ${event}`)
  return edge.to
}

/** Moves item by event. An item whose state would end is left as it was:
 *  it is no longer in the queue (UploadItems.end). */
export function apply(item: { state: ItemState }, event: LifecycleEvent): void {
  const to = transition(item.state, event)
  if (to !== GONE) item.state = to
}

/** Every edge as [from, event, to] (the diagram of docs/writes.md). */
export function edges(): [From, LifecycleEvent, ItemState | typeof GONE][] {
  return TRANSITIONS.flatMap(t => t.from.map(from => [from, t.event, t.to] as [From, LifecycleEvent, ItemState | typeof GONE]))
}
