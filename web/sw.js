// The service worker: keeps a copy of the app itself so it opens without a
// network (a grid worker in a village with bad signal). App files are
// fetched fresh when the network is there and from the copy when it is not;
// the API is not cached (the app queues its own writes, lib/queue.js),
// except the reference lists a report form needs (categories, grids,
// departments), kept the same way so a report can be written offline.
const CACHE = 'gridline-app-v1';
const SHELL = [
  '/', '/index.html', '/app.js', '/i18n.js', '/style.css', '/favicon.svg', '/manifest.webmanifest',
  '/lib/api.js', '/lib/queue.js', '/lib/ui.js', '/lib/map.js', '/lib/chart.js',
  '/views/report.js', '/views/case.js', '/views/queue.js', '/views/worker.js', '/views/resident.js',
  '/views/desk.js', '/views/dashboard.js', '/views/admin.js',
  '/vendor/preact.module.js', '/vendor/hooks.module.js', '/vendor/htm.module.js',
  '/vendor/echarts.js', '/vendor/leaflet.js', '/vendor/leaflet.css',
];

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

const REFERENCE = ['/api/v1/categories', '/api/v1/grids', '/api/v1/departments'];

self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== location.origin) return;
  if (url.pathname.startsWith('/api/') ? !REFERENCE.includes(url.pathname)
    : url.pathname === '/metrics' || url.pathname.endsWith('z')) return;
  e.respondWith(fetch(e.request)
    .then((res) => {
      if (res.ok) { const copy = res.clone(); caches.open(CACHE).then((c) => c.put(e.request, copy)); }
      return res;
    })
    .catch(() => caches.match(e.request).then((hit) => hit
      || (e.request.mode === 'navigate' ? caches.match('/index.html') : Response.error()))));
});
