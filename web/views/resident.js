// The resident's app: report a problem, follow their cases and rate them,
// ask for an errand (全程代办) and sign it off with the code they are sent,
// vote in their area's polls (百姓点菜) and evaluations (群众评议), and leave
// an opinion or an idea.
import { useState } from '../vendor/hooks.module.js';
import { get, post, qs } from '../lib/api.js';
import { CaseQueue } from './queue.js';
import { ReportForm } from './report.js';
import { html, Loading, Msg, errText, pct, useLoad, val, when } from '../lib/ui.js';

function Errands({ t, lang, user, area }) {
  const services = useLoad(() => get('/api/v1/services').then((b) => b.items), []);
  const grids = useLoad(() => get(`/api/v1/grids${qs({ region: area, geometry: 0 })}`).then((b) => b.items), [area]);
  const [tick, setTick] = useState(0);
  const mine = useLoad(() => get('/api/v1/errands').then((b) => b.items), [tick]);
  const [form, setForm] = useState({ service_id: '', grid_code: '', resident_phone: '', notes: '' });
  const [codes, setCodes] = useState({});
  const [msg, setMsg] = useState(null);
  const set = (k) => val((v) => setForm((f) => ({ ...f, [k]: v })));
  async function ask(e) {
    e.preventDefault();
    const body = { service_id: Number(form.service_id), grid_code: form.grid_code };
    if (form.resident_phone) body.resident_phone = form.resident_phone;
    if (form.notes) body.notes = form.notes;
    try {
      const x = await post('/api/v1/errands', body);
      setMsg({ ok: true, text: t.errandAsked(x.code) });
      setForm({ service_id: '', grid_code: '', resident_phone: '', notes: '' });
      setTick((n) => n + 1);
    } catch (err) { setMsg({ ok: false, text: errText(t, err) }); }
  }
  async function confirm(x) {
    try {
      await post(`/api/v1/errands/${x.id}/confirm`, { if_version: x.version, code: codes[x.id] || '' });
      setMsg({ ok: true, text: t.errandConfirmed });
      setTick((n) => n + 1);
    } catch (err) { setMsg({ ok: false, text: errText(t, err) }); }
  }
  const svc = (services.data || []).find((s) => String(s.id) === form.service_id);
  return html`<div class="stack">
    <form class="card" onSubmit=${ask} aria-labelledby="errand-title">
      <h2 id="errand-title">${t.askErrand}</h2>
      <label>${t.service}<select name="service_id" required value=${form.service_id} onChange=${set('service_id')}>
        <option value="">${t.choose}</option>
        ${(services.data || []).map((s) => html`<option value=${String(s.id)}>${s.category} · ${s.name}</option>`)}</select></label>
      ${svc && html`<p class="muted">${t.promised(svc.promised_days)} · ${t.materials}: ${svc.materials.join('、') || '—'}</p>`}
      <label>${t.myGrid}<select name="grid_code" required value=${form.grid_code} onChange=${set('grid_code')}>
        <option value="">${t.choose}</option>
        ${(grids.data || []).map((g) => html`<option value=${g.code}>${g.name}</option>`)}</select></label>
      <label>${t.phoneForCode}<input name="resident_phone" inputmode="tel" value=${form.resident_phone} onInput=${set('resident_phone')} /></label>
      <label>${t.errandNotes}<textarea name="notes" rows="2" maxlength="1000" value=${form.notes} onInput=${set('notes')}></textarea></label>
      <button type="submit" class="primary">${t.submit}</button>
    </form>
    <${Msg} msg=${msg} />
    <section class="card"><h2>${t.myErrands}</h2>
      ${mine.data ? html`<ul class="plain">${mine.data.map((x) => html`<li>
        <strong>${x.service.name}</strong> · ${x.code} · <span class="badge">${x.state_zh && lang === 'zh' ? x.state_zh : t.errandStates[x.state]}</span>
        ${x.overdue && html` <span class="badge overdue">${t.overdue}</span>`}
        <div class="muted">${t.deadline}: ${when(lang, x.deadline_at, false)}</div>
        ${x.actions.includes('confirm') && html`<form class="inline-form" onSubmit=${(e) => { e.preventDefault(); confirm(x); }}>
          <label>${t.confirmCode}<input name="code" inputmode="numeric" pattern="[0-9]{6}" required
            value=${codes[x.id] || ''} onInput=${(e) => setCodes({ ...codes, [x.id]: e.target.value })} /></label>
          <button type="submit" class="primary">${t.signOff}</button></form>`}
      </li>`)}</ul>` : html`<${Loading} t=${t} state=${mine} />`}
      ${mine.data && mine.data.length === 0 && html`<p class="muted">${t.noErrands}</p>`}
    </section>
  </div>`;
}

function Poll({ t, lang, id, onVoted }) {
  const [tick, setTick] = useState(0);
  const poll = useLoad(() => get(`/api/v1/polls/${id}`), [id, tick]);
  const [picks, setPicks] = useState([]);
  const [msg, setMsg] = useState(null);
  if (!poll.data) return html`<${Loading} t=${t} state=${poll} />`;
  const p = poll.data;
  const toggle = (oid) => setPicks((xs) => (xs.includes(oid) ? xs.filter((x) => x !== oid)
    : xs.length < p.max_picks ? [...xs, oid] : xs));
  async function vote(e) {
    e.preventDefault();
    try {
      await post(`/api/v1/polls/${id}/votes`, { option_ids: picks });
      setMsg({ ok: true, text: t.voted });
      setTick((n) => n + 1);
      if (onVoted) onVoted();
    } catch (err) { setMsg({ ok: false, text: errText(t, err) }); }
  }
  const canVote = p.actions.includes('vote');
  return html`<form class="card poll" onSubmit=${vote} aria-labelledby=${`poll-${id}`}>
    <h3 id=${`poll-${id}`}>${p.title}</h3>
    <p class="muted">${p.region.name} · ${t.phases[p.phase]} · ${t.closesAt} ${when(lang, p.closes_at)} · ${t.ballots(p.ballots)}</p>
    ${p.description && html`<p>${p.description}</p>`}
    ${canVote && html`<p>${t.pickUpTo(p.max_picks)}</p>`}
    <ol class="options">${p.options.map((o) => html`<li>
      ${canVote ? html`<label class="inline"><input type="checkbox" name="option" value=${o.id}
        checked=${picks.includes(o.id)} onChange=${() => toggle(o.id)} /> ${o.title}</label>`
        : html`<span>${o.title}${o.picked ? ` ✓ ${t.yourPick}` : ''}</span>`}
      <span class="bar" aria-label=${t.votes(o.votes)}><span style=${`width:${Math.round((o.share || 0) * 100)}%`}></span></span>
      <span class="muted">${t.votes(o.votes)} · ${pct(lang, o.share)}${o.selected && p.phase === 'closed' ? ` · ${t.selected}` : ''}</span>
    </li>`)}</ol>
    ${canVote && html`<button type="submit" class="primary" disabled=${!picks.length}>${t.castVote}</button>`}
    <${Msg} msg=${msg} />
  </form>`;
}

function Evaluation({ t, id }) {
  const [tick, setTick] = useState(0);
  const ev = useLoad(() => get(`/api/v1/evaluations/${id}`), [id, tick]);
  const [grades, setGrades] = useState({});
  const [msg, setMsg] = useState(null);
  if (!ev.data) return html`<${Loading} t=${t} state=${ev} />`;
  const e = ev.data;
  const canVote = e.actions.includes('vote');
  async function vote(x) {
    x.preventDefault();
    try {
      await post(`/api/v1/evaluations/${id}/ballots`, { grades: e.targets.map((tg) => ({ target_id: tg.id, grade: grades[tg.id] || 'satisfied' })) });
      setMsg({ ok: true, text: t.voted });
      setTick((n) => n + 1);
    } catch (err) { setMsg({ ok: false, text: errText(t, err) }); }
  }
  return html`<form class="card" onSubmit=${vote} aria-labelledby=${`ev-${id}`}>
    <h3 id=${`ev-${id}`}>${e.title}</h3>
    <p class="muted">${e.region.name} · ${t.phases[e.phase]} · ${e.voted ? t.youVoted : ''}</p>
    ${canVote ? html`<table><tbody>${e.targets.map((tg) => html`<tr><th scope="row">${tg.name}</th><td>
      <select aria-label=${tg.name} value=${grades[tg.id] || 'satisfied'} onChange=${(x) => setGrades({ ...grades, [tg.id]: x.target.value })}>
        ${['satisfied', 'basically_satisfied', 'dissatisfied'].map((g) => html`<option value=${g}>${t.ratings[g]}</option>`)}</select></td></tr>`)}</tbody></table>
      <button type="submit" class="primary">${t.castVote}</button>`
      : e.results && html`<ol class="plain">${e.results.items.map((r) => html`<li>${r.rank}. ${r.name} · ${t.score} ${r.score ?? '—'}${r.veto ? ` · ${t.veto}` : ''}</li>`)}</ol>`}
    <${Msg} msg=${msg} />
  </form>`;
}

function Votes({ t, lang, area }) {
  const polls = useLoad(() => get(`/api/v1/polls${qs({ region: area })}`).then((b) => b.items), [area]);
  const evals = useLoad(() => get(`/api/v1/evaluations${qs({ region: area, phase: 'open' })}`).then((b) => b.items), [area]);
  return html`<div class="stack">
    <h2 class="section">${t.pollsTitle}</h2>
    ${polls.data ? polls.data.map((p) => html`<${Poll} key=${p.id} t=${t} lang=${lang} id=${p.id} />`) : html`<${Loading} t=${t} state=${polls} />`}
    ${polls.data && polls.data.length === 0 && html`<p class="muted">${t.noPolls}</p>`}
    <h2 class="section">${t.evaluationsTitle}</h2>
    ${evals.data && evals.data.map((e) => html`<${Evaluation} key=${e.id} t=${t} id=${e.id} />`)}
    ${evals.data && evals.data.length === 0 && html`<p class="muted">${t.noEvaluations}</p>`}
  </div>`;
}

export function OpinionForm({ t, lang, resident, area }) {
  const [form, setForm] = useState({ kind: 'opinion', category: 'other', channel: 'visit', body: '', author_name: '' });
  const [msg, setMsg] = useState(null);
  const [tick, setTick] = useState(0);
  const mine = useLoad(() => get('/api/v1/opinions?limit=20').then((b) => b.items), [tick]);
  const set = (k) => val((v) => setForm((f) => ({ ...f, [k]: v })));
  async function send(e) {
    e.preventDefault();
    const body = { kind: form.kind, category: form.category, body: form.body };
    if (!resident) {
      body.channel = form.channel;
      body.region_code = area;
      if (form.author_name) body.author_name = form.author_name;
    }
    try {
      const o = await post('/api/v1/opinions', body);
      setMsg({ ok: true, text: t.opinionSent(o.code) });
      setForm({ ...form, body: '' });
      setTick((n) => n + 1);
    } catch (err) { setMsg({ ok: false, text: errText(t, err) }); }
  }
  return html`<div class="stack">
    <form class="card" onSubmit=${send} aria-labelledby="op-title">
      <h2 id="op-title">${t.opinionTitle}</h2>
      <fieldset><legend>${t.opinionKind}</legend>
        ${['opinion', 'idea'].map((k) => html`<label class="inline"><input type="radio" name="kind" value=${k}
          checked=${form.kind === k} onChange=${set('kind')} /> ${t.opinionKinds[k]}</label>`)}</fieldset>
      <label>${t.category}<select name="category" value=${form.category} onChange=${set('category')}>
        ${Object.keys(t.opinionCategories).map((c) => html`<option value=${c}>${t.opinionCategories[c]}</option>`)}</select></label>
      ${!resident && html`<div class="row"><label>${t.channel}<select name="channel" value=${form.channel} onChange=${set('channel')}>
        ${Object.keys(t.channels).map((c) => html`<option value=${c}>${t.channels[c]}</option>`)}</select></label>
        <label>${t.authorName}<input name="author_name" maxlength="32" value=${form.author_name} onInput=${set('author_name')} /></label></div>`}
      <label>${t.opinionBody}<textarea name="body" required minlength="2" maxlength="2000" rows="4" value=${form.body} onInput=${set('body')}></textarea></label>
      <button type="submit" class="primary">${t.submit}</button>
      <${Msg} msg=${msg} />
    </form>
    ${resident && html`<section class="card"><h2>${t.myOpinions}</h2>
      ${mine.data && html`<ul class="plain">${mine.data.map((o) => html`<li>
        <strong>${t.opinionKinds[o.kind]}</strong> · ${o.code} · <span class="badge">${t.opinionStates[o.state]}</span>
        <div>${o.body}</div>${o.reply && html`<div class="reply">${t.reply}: ${o.reply}</div>`}</li>`)}</ul>`}
    </section>`}
  </div>`;
}

export function ResidentHome({ t, lang, user, area, tab }) {
  return html`<div class="stack">
    ${tab === 'report' && html`<${ReportForm} t=${t} lang=${lang} user=${user} area=${area} />`}
    ${tab === 'mine' && html`<${CaseQueue} t=${t} lang=${lang} filters=${false} title=${t.myCases} />`}
    ${tab === 'errands' && html`<${Errands} t=${t} lang=${lang} user=${user} area=${area} />`}
    ${tab === 'votes' && html`<${Votes} t=${t} lang=${lang} area=${area} />`}
    ${tab === 'opinions' && html`<${OpinionForm} t=${t} lang=${lang} resident=${true} area=${area} />`}
  </div>`;
}
