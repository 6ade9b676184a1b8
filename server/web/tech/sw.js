// The technician app's service worker: keeps the app shell and the device core (scripts, wasm) so the app starts
// with no network. Network first, so a new server version shows at once when online; the cache when offline.
// The API is never cached: the core's replica in the worker is where data lives offline.
const CACHE = 'fieldrepair-tech-v2';
const SHELL = [
  '/tech/', '/tech/app.js', '/tech/core-client.js', '/tech/format.js', '/tech/forms.js', '/tech/handover.js',
  '/tech/i18n.js', '/tech/job.js', '/tech/style.css', '/tech/manifest.webmanifest', '/tech/icon.svg',
  '/tech/icon-maskable.svg', '/tech/icon-192.png', '/tech/icon-512.png', '/tech/icon-maskable-512.png',
  '/tech/apple-touch-icon.png', '/tech/worker.js', '/tech/core/fieldmobile-core.js', '/tech/core/fieldmobile-core.wasm',
  '/board/lib.js', '/board/dom.js', '/board/i18n.js', '/board/language.js',
];
const NETWORK_WAIT_MS = 4000;

self.addEventListener('install', (event) => {
  // Each file on its own: one missing file must not leave the others uncached.
  event.waitUntil(caches.open(CACHE).then((cache) => Promise.all(SHELL.map((url) => cache.add(new Request(url, { cache: 'no-cache' })).catch(() => null))))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

// The network's answer (kept in the cache when good), else the cached copy; a navigation falls back to the shell.
async function network_first(request) {
  const cache = await caches.open(CACHE);
  const key = request.mode === 'navigate' ? '/tech/' : request;
  try {
    const response = await Promise.race([fetch(request),
      new Promise((_, reject) => setTimeout(() => reject(new Error('slow network')), NETWORK_WAIT_MS))]);
    if (response.ok) await cache.put(key, response.clone());
    return response;
  } catch (e) {
    const cached = await cache.match(key, { ignoreSearch: true });
    if (cached) return cached;
    throw e;
  }
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/tech/') || SHELL.includes(url.pathname)) event.respondWith(network_first(event.request));
});
