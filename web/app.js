// gridline web app entry. Views grow here as their APIs land; for now the
// status panel and the case-category catalogue.
import { h, render } from './vendor/preact.module.js';
import { useEffect, useState } from './vendor/hooks.module.js';
import htm from './vendor/htm.module.js';
import { messages, pickLang } from './i18n.js';

const html = htm.bind(h);

async function api(path, options = {}) {
  const res = await fetch(path, {
    ...options,
    headers: { 'Content-Type': 'application/json', ...(options.headers || {}) },
  });
  const body = res.status === 204 ? null : await res.json();
  if (!res.ok) {
    const err = new Error(body?.error?.message || res.statusText);
    err.field = body?.error?.field;
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

function Categories({ t, lang }) {
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
    <${CategoryForm} t=${t} tops=${tops} onSaved=${load} />`;
}

function App() {
  const [lang, setLang] = useState(pickLang());
  const t = messages[lang];
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = t.title;
    localStorage.setItem('gridline.lang', lang);
  }, [lang]);
  return html`
    <header>
      <div><h1>${t.title}</h1><p class="sub">${t.subtitle}</p></div>
      <button class="lang" onClick=${() => setLang(lang === 'zh' ? 'en' : 'zh')}>${t.lang}</button>
    </header>
    <main>
      <section class="card"><h2>${t.status}</h2><${Status} t=${t} /></section>
      <${Categories} t=${t} lang=${lang} />
    </main>`;
}

render(html`<${App} />`, document.getElementById('app'));
