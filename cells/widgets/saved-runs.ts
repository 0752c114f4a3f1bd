// Trained runs kept in the student's browser (IndexedDB), so a model trained for minutes survives a
// reload: its weights, step and loss history, under a key naming the page and the trainer.
// The database is named `lectern-…`, so the home page's "Reset my progress and edits" clears it.
import type {SavedProgress} from "../train/client.js";

export const SAVED_RUNS_DB = "lectern-saved-runs";
const STORE = "runs";

export interface SavedRun extends SavedProgress {
  /** The trainer's seed when saved. */
  seed: number;
  /** When saved (ms since 1970). */
  savedAt: number;
  /** The last training loss. */
  loss: number;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(SAVED_RUNS_DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => {
      const db = request.result;
      // Let a reset in another tab delete the database.
      db.onversionchange = () => db.close();
      resolve(db);
    };
    request.onerror = () => reject(request.error ?? new Error("IndexedDB is unavailable"));
  });
}

async function withStore<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = work(db.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

/** A trainer's key: the page's address (without query or hash) and the name the lesson gives it. */
export function savedRunKey(name: string): string {
  return `${location.origin}${location.pathname}#${name}`;
}

export async function loadRun(key: string): Promise<SavedRun | undefined> {
  try {
    return (await withStore<SavedRun | undefined>("readonly", (s) => s.get(key))) ?? undefined;
  } catch {
    return undefined; // storage blocked (private mode): nothing saved
  }
}

export async function saveRun(key: string, run: SavedRun): Promise<boolean> {
  try {
    await withStore("readwrite", (s) => s.put(run, key));
    return true;
  } catch {
    return false;
  }
}

export async function forgetRun(key: string): Promise<void> {
  try {
    await withStore("readwrite", (s) => s.delete(key));
  } catch {
    // nothing was saved
  }
}
