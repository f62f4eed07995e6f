// gridline web app: signs people in, shows each role its own views, and
// keeps the phone's queue moving. Views live in views/, the API client and
// shared pieces in lib/, every string in i18n.js (Chinese first, English by
// the switch). Routes are #/<view>, so the app works offline from the
// service worker's copy.
import { render } from './vendor/preact.module.js';
import { useEffect, useState } from './vendor/hooks.module.js';
import { api, get, post, setCsrf, isOffline, onSignedOut } from './lib/api.js';
import { flush } from './lib/queue.js';
import { html, Msg, errText, useLoad, when } from './lib/ui.js';
import { messages, pickLang } from './i18n.js';
import { ReportForm } from './views/report.js';
import { CaseQueue } from './views/queue.js';
import { ResidentHome, OpinionForm } from './views/resident.js';
import { WorkerHome, VisitLog, Pending } from './views/worker.js';
import { CaseDesk, ErrandDesk, OpinionDesk } from './views/desk.js';
import { Dashboard } from './views/dashboard.js';
import { Admin } from './views/admin.js';

// The views, which roles see them, in the order the menu shows them.
const VIEWS = [
  ['tasks', ['grid_worker']],
  ['report', ['resident', 'grid_worker', 'party_member', 'agent', 'dispatcher']],
  ['mine', ['resident', 'party_member']],
  ['desk', ['dispatcher', 'dept_staff', 'dept_head', 'supervisor', 'leader', 'auditor', 'admin']],
  ['dashboard', ['leader', 'dispatcher', 'supervisor', 'dept_head', 'auditor', 'admin']],
  ['errands', ['resident', 'agent', 'dispatcher']],
  ['visits', ['grid_worker', 'party_member', 'agent', 'leader']],
  ['votes', ['resident']],
  ['opinions', ['resident', 'grid_worker', 'party_member']],
  ['decide', ['dispatcher', 'leader']],
  ['admin', ['admin']],
  ['inbox', null],
];

function SignIn({ t, onIn }) {
  const [form, setForm] = useState({ username: '', password: '', totp: '' });
  const [needTotp, setNeedTotp] = useState(false);
  const [msg, setMsg] = useState(null);
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  async function submit(e) {
    e.preventDefault();
    const body = { username: form.username.trim(), password: form.password };
    if (needTotp && form.totp) body.totp = form.totp;
    try {
      const res = await post('/api/v1/session', body);
      setCsrf(res.csrf_token);
      onIn(remember(res.user));
    } catch (err) {
      if (err.code === 'totp_required') setNeedTotp(true);
      setMsg({ ok: false, text: errText(t, err) });
    }
  }
  return html`<main class="narrow"><form onSubmit=${submit} class="card signin" aria-labelledby="signin-title">
    <h2 id="signin-title">${t.signInTitle}</h2>
    <label>${t.username}<input name="username" autocomplete="username" required value=${form.username} onInput=${set('username')} /></label>
    <label>${t.password}<input name="password" type="password" autocomplete="current-password" required value=${form.password} onInput=${set('password')} /></label>
    ${needTotp && html`<label>${t.totp}<input name="totp" inputmode="numeric" autocomplete="one-time-code" value=${form.totp} onInput=${set('totp')} /></label>`}
    <button type="submit" class="primary">${t.signIn}</button>
    <${Msg} msg=${msg} />
  </form></main>`;
}

function Inbox({ t, lang, onRead }) {
  const [tick, setTick] = useState(0);
  const box = useLoad(() => get('/api/v1/notifications?limit=50'), [tick]);
  async function readAll() {
    const top = box.data?.items?.[0];
    if (!top) return;
    await post('/api/v1/notifications/read', { up_to_id: top.id });
    setTick((n) => n + 1);
    onRead();
  }
  return html`<section class="card"><h2>${t.inbox}</h2>
    ${box.data && box.data.unread > 0 && html`<button type="button" onClick=${readAll}>${t.markAllRead}</button>`}
    ${box.data && html`<ul class="plain inbox">${box.data.items.map((n) => html`<li class=${n.read_at ? '' : 'unread'}>
      <strong>${n.title}</strong> <time datetime=${n.created_at}>${when(lang, n.created_at)}</time><div class="muted">${n.body}</div></li>`)}</ul>`}
    ${box.data && box.data.items.length === 0 && html`<p class="muted">${t.noNotifications}</p>`}
  </section>`;
}

// Who is signed in (and the session's CSRF token); remembered on the device
// so the app can open without a network.
const LAST_USER = 'gridline.user';
async function whoAmI() {
  const me = await api('/api/v1/me');
  setCsrf(me.csrf_token);
  return remember(me);
}
function remember(user) {
  const { csrf_token: _, ...keep } = user;
  localStorage.setItem(LAST_USER, JSON.stringify(keep));
  return user;
}
function lastUser() {
  try { return JSON.parse(localStorage.getItem(LAST_USER)) || null; } catch { return null; }
}

const route = () => (location.hash.replace(/^#\/?/, '').split('/')[0] || '');

function App() {
  const [lang, setLang] = useState(pickLang());
  const [user, setUser] = useState(undefined); // undefined: asking; null: signed out
  const [view, setView] = useState(route());
  const [online, setOnline] = useState(navigator.onLine);
  const [unread, setUnread] = useState(0);
  const [msg, setMsg] = useState(null);
  const t = messages[lang];

  useEffect(() => {
    // Offline, the phone opens as the person last signed in on it (the
    // server still checks the session when the queue goes out).
    whoAmI().then(setUser).catch((err) => setUser(isOffline(err) ? lastUser() : null));
    onSignedOut(() => setUser(null));
    const onHash = () => setView(route());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = t.title;
    localStorage.setItem('gridline.lang', lang);
  }, [lang]);
  // The phone's queue goes out when the network comes back (and at start).
  useEffect(() => {
    if (!user) return undefined;
    const send = () => flush((item, err) => setMsg({ ok: false, text: `${t.refusedQueued}: ${errText(t, err)}` }))
      .then((n) => n && setMsg({ ok: true, text: t.synced(n) }));
    const up = () => { setOnline(true); whoAmI().then(setUser).then(send).catch((err) => !isOffline(err) && setUser(null)); };
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    if (navigator.onLine) send();
    return () => { window.removeEventListener('online', up); window.removeEventListener('offline', down); };
  }, [user?.id, lang]);
  const refreshUnread = () => get('/api/v1/notifications?unread=1&limit=1').then((b) => setUnread(b.unread)).catch(() => {});
  useEffect(() => { if (user) refreshUnread(); }, [user, view]);

  async function signOut() {
    await api('/api/v1/session', { method: 'DELETE' }).catch(() => {});
    setCsrf('');
    localStorage.removeItem(LAST_USER);
    setUser(null);
  }
  const roles = new Set((user?.roles || []).map((r) => r.role));
  const views = VIEWS.filter(([, who]) => !who || who.some((r) => roles.has(r))).map(([k]) => k);
  const current = views.includes(view) ? view : views[0];
  // The caller's own area: their first grant's region (everything when none).
  const area = user?.roles?.find((r) => r.region_code)?.region_code || '';
  const residentOnly = roles.size === 1 && roles.has('resident');

  return html`
    <a class="skip" href="#main">${t.skip}</a>
    <header>
      <div><h1>${t.title}</h1><p class="sub">${t.subtitle}</p></div>
      <div class="who">
        ${!online && html`<span class="badge offline" role="status">${t.offline}</span>`}
        ${user && html`<span>${user.display_name} · ${user.roles.map((r) => t.roles[r.role] || r.role).join('、')}</span>
          <button type="button" class="ghost" onClick=${signOut}>${t.signOut}</button>`}
        <button type="button" class="ghost" lang=${lang === 'zh' ? 'en' : 'zh-CN'} onClick=${() => setLang(lang === 'zh' ? 'en' : 'zh')}>${t.lang}</button>
      </div>
    </header>
    ${user === null && html`<${SignIn} t=${t} onIn=${setUser} />`}
    ${user && html`<nav class="menu" aria-label=${t.menu}>${views.map((v) => html`<a href=${`#/${v}`}
        aria-current=${v === current ? 'page' : undefined}>${t.views[v]}${v === 'inbox' && unread ? html` <span class="count">${unread}</span>` : ''}</a>`)}</nav>
      <main id="main" tabindex="-1">
        <${Msg} msg=${msg} />
        ${current === 'tasks' && html`<${WorkerHome} t=${t} lang=${lang} user=${user} area=${area} tab="tasks" />`}
        ${current === 'report' && html`<${Pending} t=${t} /><${ReportForm} t=${t} lang=${lang} user=${user} area=${area} />`}
        ${current === 'mine' && html`<${CaseQueue} t=${t} lang=${lang} filters=${false} title=${t.myCases} />`}
        ${current === 'desk' && html`<${CaseDesk} t=${t} lang=${lang} supervisor=${roles.has('supervisor') && roles.size === 1} />`}
        ${current === 'dashboard' && html`<${Dashboard} t=${t} lang=${lang} area=${area} />`}
        ${current === 'errands' && (residentOnly ? html`<${ResidentHome} t=${t} lang=${lang} user=${user} area=${area} tab="errands" />`
          : html`<${ErrandDesk} t=${t} lang=${lang} />`)}
        ${current === 'visits' && html`<${Pending} t=${t} /><${VisitLog} t=${t} lang=${lang} user=${user} area=${area} />`}
        ${current === 'votes' && html`<${ResidentHome} t=${t} lang=${lang} user=${user} area=${area} tab="votes" />`}
        ${current === 'opinions' && html`<${OpinionForm} t=${t} lang=${lang} resident=${residentOnly} area=${area} />`}
        ${current === 'decide' && html`<${OpinionDesk} t=${t} lang=${lang} />`}
        ${current === 'admin' && html`<${Admin} t=${t} lang=${lang} area=${area} />`}
        ${current === 'inbox' && html`<${Inbox} t=${t} lang=${lang} onRead=${refreshUnread} />`}
      </main>`}
    ${user === undefined && html`<main><p class="muted" role="status">${t.loading}</p></main>`}`;
}

render(html`<${App} />`, document.getElementById('app'));

if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => {});
