// Talking to the gridline API: JSON with the session's CSRF token on
// unsafe requests, the uniform error body turned into an Error that names
// its field, uploads and downloads that report their progress, and the
// live event stream.

let csrf = '';
export const setCsrf = (token) => { csrf = token || ''; };

// Called when the server says the session is gone (expired, signed out
// elsewhere), so the app can ask the person to sign in again.
let signedOut = () => {};
export const onSignedOut = (f) => { signedOut = f; };

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message || `HTTP ${status}`);
    this.status = status;
    this.code = body?.error?.code || (status === 0 ? 'offline' : 'http');
    this.field = body?.error?.field;
  }
}

// fetch() failing outright means the network, not the server, said no.
export const isOffline = (err) => err instanceof TypeError || err?.code === 'offline';

export async function api(path, { method = 'GET', body, headers = {} } = {}) {
  const h = { ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) h['X-CSRF-Token'] = csrf;
  const res = await fetch(path, {
    method, headers: h, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = res.status === 204 ? '' : await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (res.status === 401 && path !== '/api/v1/me' && path !== '/api/v1/session') signedOut();
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

export const get = (path) => api(path);
export const post = (path, body) => api(path, { method: 'POST', body });
export const put = (path, body) => api(path, { method: 'PUT', body });
export const patch = (path, body) => api(path, { method: 'PATCH', body });
export const del = (path) => api(path, { method: 'DELETE' });

// Query string from an object, leaving out empty values.
export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== '') p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}

// POSTs raw bytes (a photo) with progress(0..1) callbacks; resolves to the
// JSON answer. XMLHttpRequest, because fetch() cannot report upload progress.
export function upload(path, blob, progress) {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', path);
    x.withCredentials = true;
    x.setRequestHeader('Content-Type', blob.type || 'application/octet-stream');
    if (csrf) x.setRequestHeader('X-CSRF-Token', csrf);
    x.upload.onprogress = (e) => { if (e.lengthComputable && progress) progress(e.loaded / e.total); };
    x.onload = () => {
      let json = null;
      try { json = JSON.parse(x.responseText); } catch { json = null; }
      if (x.status >= 200 && x.status < 300) resolve(json);
      else reject(new ApiError(x.status, json));
    };
    x.onerror = () => reject(new ApiError(0, null));
    x.send(blob);
  });
}

// Downloads an export with progress(0..1) (the server sends its length),
// then hands it to the browser as a file.
export async function download(path, filename, progress) {
  const res = await fetch(path, { credentials: 'same-origin' });
  if (!res.ok) {
    let json = null;
    try { json = await res.json(); } catch { json = null; }
    throw new ApiError(res.status, json);
  }
  const total = Number(res.headers.get('Content-Length')) || 0;
  const reader = res.body.getReader();
  const parts = [];
  let got = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    got += value.length;
    if (total && progress) progress(got / total);
  }
  const url = URL.createObjectURL(new Blob(parts, { type: res.headers.get('Content-Type') || '' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  if (progress) progress(1);
}

// The live event stream: calls onEvent(data) for each committed change the
// caller may see; the browser reconnects (with Last-Event-ID) by itself.
export function subscribe(onEvent) {
  const es = new EventSource('/api/v1/events', { withCredentials: true });
  es.addEventListener('case', (e) => {
    try { onEvent(JSON.parse(e.data)); } catch { /* a malformed event changes nothing */ }
  });
  return () => es.close();
}

// A random key for an action queued on this device (idempotency).
export function clientKey(prefix) {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return `${prefix}-${Date.now().toString(36)}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
