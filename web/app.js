// gridline web app entry. Views grow here as their APIs land; for now the
// status panel and the case-category catalogue.
import { h, render } from './vendor/preact.module.js';
import { useEffect, useState } from './vendor/hooks.module.js';
import htm from './vendor/htm.module.js';
import { messages, pickLang } from './i18n.js';

const html = htm.bind(h);

// The session's CSRF token, sent on every unsafe request.
let csrf = '';

async function api(path, options = {}) {
  const headers = { 'Content-Type': 'application/json', ...(options.headers || {}) };
  if (options.method && options.method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  const res = await fetch(path, { ...options, headers, credentials: 'same-origin' });
  const body = res.status === 204 ? null : await res.json();
  if (!res.ok) {
    const err = new Error(body?.error?.message || res.statusText);
    err.field = body?.error?.field;
    err.code = body?.error?.code;
    err.status = res.status;
    throw err;
  }
  return body;
}

function Status({ t }) {
  const [state, setState] = useState(null);
  useEffect(() => {
    fetch('/readyz').then(async (r) => setState({ ok: r.ok, body: await r.json() }))
      .catch(() => setState({ ok: false, body: {} }));
  }, []);
  if (!state) return html`<p>${t.loading}</p>`;
  return html`<p class=${state.ok ? 'ok' : 'bad'} role="status">
    ${state.ok ? t.ready : t.notReady}${state.ok ? ` · ${t.schema} ${state.body.schema}` : ''}
  </p>`;
}

function CategoryForm({ t, tops, onSaved }) {
  const [form, setForm] = useState({ parent_code: '', code: '', name_zh: '', name_en: '', time_limit_hours: '' });
  const [msg, setMsg] = useState(null);
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  async function submit(e) {
    e.preventDefault();
    const body = { code: form.code, name_zh: form.name_zh };
    if (form.parent_code) body.parent_code = form.parent_code;
    if (form.name_en) body.name_en = form.name_en;
    if (form.time_limit_hours) body.time_limit_hours = Number(form.time_limit_hours);
    try {
      await api('/api/v1/categories', { method: 'POST', body: JSON.stringify(body) });
      setMsg({ ok: true, text: t.saved });
      setForm({ ...form, code: '', name_zh: '', name_en: '', time_limit_hours: '' });
      onSaved();
    } catch (err) {
      setMsg({ ok: false, text: err.field ? `${err.field}: ${err.message}` : err.message });
    }
  }
  return html`<form onSubmit=${submit} class="card">
    <h2>${t.addTitle}</h2>
    <label>${t.parent}
      <select value=${form.parent_code} onChange=${set('parent_code')}>
        <option value="">${t.topLevel}</option>
        ${tops.map((c) => html`<option value=${c.code}>${c.code} ${c.name_zh}</option>`)}
      </select></label>
    <label>${t.code}<input required value=${form.code} onInput=${set('code')} inputmode="numeric" /></label>
    <label>${t.nameZh}<input required value=${form.name_zh} onInput=${set('name_zh')} /></label>
    <label>${t.nameEn}<input value=${form.name_en} onInput=${set('name_en')} /></label>
    <label>${t.limit}<input type="number" min="1" max="2000" value=${form.time_limit_hours} onInput=${set('time_limit_hours')} /></label>
    <button type="submit">${t.save}</button>
    ${msg && html`<p class=${msg.ok ? 'ok' : 'bad'} role="alert">${msg.text}</p>`}
  </form>`;
}

function SignIn({ t, onIn }) {
  const [form, setForm] = useState({ username: '', password: '', totp: '' });
  const [needTotp, setNeedTotp] = useState(false);
  const [msg, setMsg] = useState(null);
  const set = (k) => (e) => setForm({ ...form, [k]: e.target.value });
  async function submit(e) {
    e.preventDefault();
    const body = { username: form.username, password: form.password };
    if (needTotp && form.totp) body.totp = form.totp;
    try {
      const res = await api('/api/v1/session', { method: 'POST', body: JSON.stringify(body) });
      csrf = res.csrf_token;
      onIn(res.user);
    } catch (err) {
      if (err.code === 'totp_required') setNeedTotp(true);
      setMsg(err.message);
    }
  }
  return html`<form onSubmit=${submit} class="card signin">
    <h2>${t.signInTitle}</h2>
    <label>${t.username}<input name="username" autocomplete="username" required value=${form.username} onInput=${set('username')} /></label>
    <label>${t.password}<input name="password" type="password" autocomplete="current-password" required value=${form.password} onInput=${set('password')} /></label>
    ${needTotp && html`<label>${t.totp}<input name="totp" inputmode="numeric" autocomplete="one-time-code" value=${form.totp} onInput=${set('totp')} /></label>`}
    <button type="submit">${t.signIn}</button>
    ${msg && html`<p class="bad" role="alert">${msg}</p>`}
  </form>`;
}

function Territory({ t }) {
  const [towns, setTowns] = useState(null);
  useEffect(() => {
    (async () => {
      const county = (await api('/api/v1/regions')).items[0];
      if (!county) return setTowns([]);
      const list = (await api(`/api/v1/regions?parent=${county.code}`)).items;
      const grids = (await api('/api/v1/grids?geometry=0')).items;
      setTowns(list.map((town) => {
        const mine = grids.filter((g) => g.code.startsWith(town.code.slice(0, 9)));
        return { ...town, county: county.name, grids: mine.length, households: mine.reduce((n, g) => n + g.households, 0) };
      }));
    })().catch(() => setTowns([]));
  }, []);
  if (!towns) return html`<p>${t.loading}</p>`;
  return html`<section class="card">
    <h2>${t.territory}</h2>
    <ul class="towns">${towns.map((x) => html`<li><strong>${x.county} · ${x.name}</strong> ${t.grids(x.grids)} · ${t.households(x.households)}</li>`)}</ul>
  </section>`;
}

function Categories({ t, lang, canEdit }) {
  const [items, setItems] = useState(null);
  const [error, setError] = useState(null);
  const load = () => api('/api/v1/categories').then((b) => setItems(b.items)).catch((e) => setError(e.message));
  useEffect(() => { load(); }, []);
  if (error) return html`<p class="bad">${t.loadFailed}: ${error}</p>`;
  if (!items) return html`<p>${t.loading}</p>`;
  const tops = items.filter((c) => !c.parent_code);
  const nameOf = (c) => (lang === 'en' && c.name_en ? c.name_en : c.name_zh);
  return html`
    <section class="card">
      <h2>${t.categories}</h2>
      ${items.length === 0 ? html`<p>${t.empty}</p>` : html`
      <table>
        <thead><tr><th>${t.code}</th><th>${t.name}</th><th>${t.limit}</th></tr></thead>
        <tbody>${items.map((c) => html`
          <tr class=${c.parent_code ? 'sub' : 'top'}>
            <td>${c.code}</td><td>${nameOf(c)}</td><td>${t.hours(c.time_limit_hours)}</td>
          </tr>`)}
        </tbody>
      </table>`}
    </section>
    ${canEdit && html`<${CategoryForm} t=${t} tops=${tops} onSaved=${load} />`}`;
}

function App() {
  const [lang, setLang] = useState(pickLang());
  const [user, setUser] = useState(undefined); // undefined: asking; null: signed out
  const t = messages[lang];
  useEffect(() => {
    api('/api/v1/me').then((me) => { csrf = me.csrf_token || ''; setUser(me); }).catch(() => setUser(null));
  }, []);
  async function signOut() {
    await api('/api/v1/session', { method: 'DELETE' }).catch(() => {});
    csrf = '';
    setUser(null);
  }
  const isAdmin = user?.roles?.some((r) => r.role === 'admin' && !r.region_code);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = t.title;
    localStorage.setItem('gridline.lang', lang);
  }, [lang]);
  return html`
    <header>
      <div><h1>${t.title}</h1><p class="sub">${t.subtitle}</p></div>
      <div class="who">
        ${user && html`<span>${user.display_name} · ${user.roles.map((r) => t.roles[r.role] || r.role).join('、')}</span>
          <button class="lang" onClick=${signOut}>${t.signOut}</button>`}
        <button class="lang" onClick=${() => setLang(lang === 'zh' ? 'en' : 'zh')}>${t.lang}</button>
      </div>
    </header>
    <main>
      <section class="card"><h2>${t.status}</h2><${Status} t=${t} /></section>
      ${user === null && html`<${SignIn} t=${t} onIn=${setUser} />`}
      ${user && html`<${Territory} t=${t} />`}
      ${user && html`<${Categories} t=${t} lang=${lang} canEdit=${isAdmin} />`}
    </main>`;
}

render(html`<${App} />`, document.getElementById('app'));
