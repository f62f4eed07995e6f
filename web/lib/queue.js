// Work done on the phone while the network is away: reports (with their
// photos) and visits wait in IndexedDB, each with the client key made when
// it was written, and are sent when the network returns. A send that the
// server already took (the key is known) is answered with what it wrote,
// so a retry never makes a second case or visit.
import { post, upload, isOffline } from './api.js';

const DB = 'gridline-queue';
const STORE = 'outbox';
const listeners = new Set();

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'key' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const txn = db.transaction(STORE, mode);
    const out = fn(txn.objectStore(STORE));
    txn.oncomplete = () => { db.close(); resolve(out?.result ?? out); };
    txn.onerror = () => { db.close(); reject(txn.error); };
  });
}

export const pending = () => tx('readonly', (s) => s.getAll());
const remove = (key) => tx('readwrite', (s) => s.delete(key));
const notify = async () => { const items = await pending(); listeners.forEach((f) => f(items)); };

// Calls f(items) whenever the queue changes; returns the unsubscriber.
export function watch(f) {
  listeners.add(f);
  notify();
  return () => listeners.delete(f);
}

// Queues an item: { key, kind: 'case' | 'visit', body, photos?: [Blob] }.
export async function enqueue(item) {
  await tx('readwrite', (s) => s.put({ ...item, queuedAt: Date.now() }));
  notify();
}

// Sends one item; resolves to the server's answer. Photos follow the case,
// one at a time; the item keeps only those not yet sent, so a send cut off
// halfway does not send a photo twice.
async function send(item, stored) {
  if (item.kind === 'visit') return post('/api/v1/visits', item.body);
  const k = await post('/api/v1/cases', item.body);
  while (item.photos?.length) {
    await upload(`/api/v1/cases/${k.id}/photos?step=report`, item.photos[0], item.progress);
    item.photos = item.photos.slice(1);
    if (stored) await tx('readwrite', (s) => s.put({ ...item, progress: undefined }));
  }
  return k;
}

let flushing = null;
// Sends everything queued, oldest first; stops at the first item the
// network refuses (the rest wait for the next try). An item the server
// refuses for a reason of its own is dropped and reported through onRefused.
// Asked while a flush runs, it flushes again once that one has ended.
export function flush(onRefused) {
  if (flushing) return flushing.then(() => flush(onRefused));
  flushing = (async () => {
    let sent = 0;
    const items = (await pending()).sort((a, b) => a.queuedAt - b.queuedAt);
    for (const item of items) {
      try {
        await send(item, true);
        await remove(item.key);
        sent++;
      } catch (err) {
        if (isOffline(err)) break;
        await remove(item.key);
        if (onRefused) onRefused(item, err);
      }
    }
    await notify();
    return sent;
  })().finally(() => { flushing = null; });
  return flushing;
}

// Tries to send now; when the network is away, queues instead. Resolves to
// { sent: answer } or { queued: true }.
export async function submit(item) {
  try {
    return { sent: await send(item, false) };
  } catch (err) {
    if (!isOffline(err)) throw err;
    await enqueue({ ...item, progress: undefined });
    return { queued: true };
  }
}
