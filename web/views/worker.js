// The grid worker's phone: the grid's open cases by urgency (red, yellow,
// then by deadline), 随手拍, the visit log (走访/民情日记) and what waits on
// the phone for the network. Reports and visits made offline are queued
// and sent when the network returns.
import { useEffect, useState } from '../vendor/hooks.module.js';
import { get, qs, clientKey } from '../lib/api.js';
import { submit, watch, flush } from '../lib/queue.js';
import { CaseQueue } from './queue.js';
import { ReportForm } from './report.js';
import { html, Msg, errText, useLoad, val, when } from '../lib/ui.js';

const RANK = { red: 0, yellow: 1, green: 2 };
const byUrgency = (a, b) => (RANK[a.clock.warn] - RANK[b.clock.warn])
  || ((a.clock.deadline_at || '9') < (b.clock.deadline_at || '9') ? -1 : 1);

// What waits on this phone, with a button to send it now.
export function Pending({ t }) {
  const [items, setItems] = useState([]);
  const [msg, setMsg] = useState(null);
  useEffect(() => watch(setItems), []);
  if (!items.length) return html`<${Msg} msg=${msg} />`; // "sent" outlives the list
  const now = async () => {
    const n = await flush((item, err) => setMsg({ ok: false, text: errText(t, err) }));
    if (n) setMsg({ ok: true, text: t.synced(n) });
  };
  return html`<section class="card pending" aria-live="polite">
    <p><strong>${t.pendingCount(items.length)}</strong> ${t.pendingHint}</p>
    <button type="button" onClick=${now}>${t.syncNow}</button>
    <${Msg} msg=${msg} />
  </section>`;
}

export function VisitLog({ t, lang, user, area }) {
  const [q, setQ] = useState('');
  const [hh, setHh] = useState(null);
  const [form, setForm] = useState({ kind: 'home', heard: '', follow_up: '' });
  const [msg, setMsg] = useState(null);
  const [tick, setTick] = useState(0);
  const found = useLoad(() => (q.length ? get(`/api/v1/households${qs({ q, region: area, limit: 20 })}`).then((b) => b.items) : Promise.resolve([])), [q, area]);
  const recent = useLoad(() => get(`/api/v1/visits${qs({ visitor: user.id, limit: 20 })}`).then((b) => b.items), [tick]);
  const set = (k) => val((v) => setForm((f) => ({ ...f, [k]: v })));
  async function save(e) {
    e.preventDefault();
    if (!hh) return setMsg({ ok: false, text: t.pickHousehold });
    const body = { household_id: hh.id, kind: form.kind, heard: form.heard, client_key: clientKey(user.username),
      visited_at: new Date().toISOString() };
    if (form.follow_up) body.follow_up = form.follow_up;
    try {
      const r = await submit({ key: body.client_key, kind: 'visit', body });
      setMsg({ ok: true, text: r.queued ? t.queuedVisit : t.visitSaved(hh.head_name) });
      setForm({ kind: 'home', heard: '', follow_up: '' });
      setHh(null);
      setQ('');
      setTick((n) => n + 1);
    } catch (err) {
      setMsg({ ok: false, text: errText(t, err) });
    }
  }
  return html`<div class="stack">
    <form class="card" onSubmit=${save} aria-labelledby="visit-title">
      <h2 id="visit-title">${t.visitTitle}</h2>
      <label>${t.findHousehold}<input name="q" type="search" value=${q} onInput=${val(setQ)} placeholder=${t.headName} /></label>
      ${found.data && found.data.length > 0 && !hh && html`<ul class="picks">${found.data.map((x) => html`<li>
        <button type="button" onClick=${() => setHh(x)}>${x.head_name} · ${x.address_area}${x.tags.length ? ` · ${x.tags.join('、')}` : ''}</button></li>`)}</ul>`}
      ${hh && html`<p class="chosen">${t.household}: <strong>${hh.head_name}</strong> · ${hh.address_area}
        <button type="button" class="link" onClick=${() => setHh(null)}>${t.change}</button></p>`}
      <label>${t.visitKind}<select name="kind" value=${form.kind} onChange=${set('kind')}>
        ${['home', 'phone', 'field', 'night'].map((k) => html`<option value=${k}>${t.visitKinds[k]}</option>`)}</select></label>
      <label>${t.heard}<textarea name="heard" required minlength="2" maxlength="2000" rows="3" value=${form.heard} onInput=${set('heard')}></textarea></label>
      <label>${t.followUp}<input name="follow_up" maxlength="500" value=${form.follow_up} onInput=${set('follow_up')} /></label>
      <button type="submit" class="primary">${t.saveVisit}</button>
      <${Msg} msg=${msg} />
    </form>
    <section class="card"><h2>${t.recentVisits}</h2>
      ${recent.data && html`<ul class="plain">${recent.data.map((v) => html`<li>
        <time datetime=${v.visited_at}>${when(lang, v.visited_at)}</time> · ${v.household.head} · ${t.visitKinds[v.kind]}
        <div class="muted">${v.heard}</div></li>`)}</ul>`}
      ${recent.data && recent.data.length === 0 && html`<p class="muted">${t.noVisits}</p>`}
    </section>
  </div>`;
}

export function WorkerHome({ t, lang, user, area, tab }) {
  return html`<div class="stack">
    <${Pending} t=${t} />
    ${tab === 'tasks' && html`<${CaseQueue} t=${t} lang=${lang} filters=${false} title=${t.gridTasks}
      preset=${{ state: 'open' }} sort=${byUrgency} />`}
    ${tab === 'report' && html`<${ReportForm} t=${t} lang=${lang} user=${user} area=${area} />`}
    ${tab === 'visits' && html`<${VisitLog} t=${t} lang=${lang} user=${user} area=${area} />`}
  </div>`;
}
