// The desks: the case queue for command centres, departments and
// supervisors (live, with the case beside it), the errand desk (全程代办:
// the red box, the blue box, each step with what it needs), and the
// opinions waiting for an answer.
import { useState } from '../vendor/hooks.module.js';
import { get, post, qs } from '../lib/api.js';
import { CaseQueue } from './queue.js';
import { ExportButtons, html, Loading, Msg, errText, useLoad, val, when } from '../lib/ui.js';

export function CaseDesk({ t, lang, supervisor }) {
  return html`<${CaseQueue} t=${t} lang=${lang} title=${supervisor ? t.superviseQueue : t.caseDesk}
    preset=${supervisor ? { overdue: '1', state: 'open' } : {}} />`;
}

// What each errand step asks for (the API refuses the rest).
const ERRAND_FIELDS = { submit: ['dept_ref'], complete: ['result'], cancel: ['note!'], accept: [], notify: [],
  return_materials: [], confirm: ['code!'] };

function ErrandDetail({ t, lang, id, onChanged }) {
  const [tick, setTick] = useState(0);
  const e = useLoad(() => get(`/api/v1/errands/${id}`), [id, tick]);
  const [action, setAction] = useState(null);
  const [form, setForm] = useState({});
  const [msg, setMsg] = useState(null);
  if (!e.data) return html`<section class="card"><${Loading} t=${t} state=${e} /></section>`;
  const x = e.data;
  const fields = ERRAND_FIELDS[action] || [];
  async function go(ev) {
    ev.preventDefault();
    const body = { if_version: x.version };
    for (const f of fields) { const k = f.replace('!', ''); if (form[k]) body[k] = form[k]; }
    try {
      const r = await post(`/api/v1/errands/${x.id}/${action}`, body);
      setMsg({ ok: true, text: r.code_sent_to ? t.codeSent(r.code_sent_to) : t.actionDone(t.errandActions[action], t.errandStates[r.state]) });
      setAction(null);
      setForm({});
      setTick((n) => n + 1);
      if (onChanged) onChanged();
    } catch (err) { setMsg({ ok: false, text: errText(t, err) }); }
  }
  return html`<section class="card errand" aria-labelledby=${`errand-${x.id}`}>
    <h2 id=${`errand-${x.id}`}>${x.service.name} <small>${x.code}</small></h2>
    <p class="meta"><span class=${`badge box-${x.box}`}>${t.boxes[x.box]}</span> <span class="badge">${t.errandStates[x.state]}</span>
      ${x.overdue && html` <span class="badge overdue">${t.overdue}</span>`} · ${x.grid.village} ${x.grid.name}</p>
    <dl class="facts"><dt>${t.resident}</dt><dd>${x.resident.name} ${x.resident.phone || ''}</dd>
      <dt>${t.deadline}</dt><dd>${when(lang, x.deadline_at)}</dd>
      <dt>${t.department}</dt><dd>${x.dept.name}</dd>
      ${x.dept_ref && html`<dt>${t.deptRef}</dt><dd>${x.dept_ref}</dd>`}</dl>
    <p>${t.materials}: ${x.materials.map((m) => `${m.name}${m.received ? '✓' : ''}${m.returned ? `(${t.returned})` : ''}`).join('、') || '—'}</p>
    <div class="actions" role="group" aria-label=${t.nextSteps}>${x.actions.map((a) => html`<button type="button"
      data-action=${a} onClick=${() => setAction(a)}>${t.errandActions[a]}</button>`)}</div>
    ${action && html`<form class="action-form" onSubmit=${go}><h3>${t.errandActions[action]}</h3>
      ${fields.map((f) => { const k = f.replace('!', ''); return html`<label>${t.errandField[k]}
        <input name=${k} required=${f.endsWith('!')} value=${form[k] || ''} onInput=${(ev) => setForm({ ...form, [k]: ev.target.value })} /></label>`; })}
      <div class="buttons"><button type="submit" class="primary">${t.confirmAction}</button>
        <button type="button" onClick=${() => setAction(null)}>${t.cancel}</button></div></form>`}
    <${Msg} msg=${msg} />
    <h3>${t.timeline}</h3>
    <ol class="timeline">${x.timeline.map((ev) => html`<li><time datetime=${ev.at}>${when(lang, ev.at)}</time>
      <strong>${t.errandActions[ev.action] || t.events[ev.action] || ev.action}</strong>${ev.actor ? ` · ${ev.actor.name}` : ''}
      ${ev.note && html`<div class="note">${ev.note}</div>`}</li>`)}</ol>
  </section>`;
}

export function ErrandDesk({ t, lang }) {
  const [box, setBox] = useState('red');
  const [tick, setTick] = useState(0);
  const [open, setOpen] = useState(null);
  const list = useLoad(() => get(`/api/v1/errands${qs({ box, limit: 100 })}`), [box, tick]);
  return html`<div class="queue-wrap">
    <section class="card queue"><h2>${t.errandDesk}</h2>
      <label>${t.box}<select name="box" value=${box} onChange=${val(setBox)}>
        ${['red', 'blue', 'closed', 'cancelled'].map((b) => html`<option value=${b}>${t.boxes[b]}</option>`)}</select></label>
      ${list.data ? html`<ul class="cases">${list.data.items.map((x) => html`<li class=${open === x.id ? 'on' : ''}>
        <button type="button" class="case-row" onClick=${() => setOpen(x.id)}>
          <span class="row1"><strong>${x.service.name}</strong> ${x.overdue ? html`<span class="badge overdue">${t.overdue}</span>` : ''}</span>
          <span class="row2">${x.code} · ${x.resident.name} · ${x.grid.village}</span></button></li>`)}</ul>
        ${list.data.items.length === 0 && html`<p class="muted">${t.noErrands}</p>`}` : html`<${Loading} t=${t} state=${list} />`}
      <${ExportButtons} t=${t} path=${'/api/v1/errands/ledger'} filename=${t.ledgerFile} />
    </section>
    ${open && html`<${ErrandDetail} t=${t} lang=${lang} id=${open} onChanged=${() => setTick((n) => n + 1)} />`}
  </div>`;
}

export function OpinionDesk({ t, lang }) {
  const [tick, setTick] = useState(0);
  const list = useLoad(() => get('/api/v1/opinions?state=new&limit=50'), [tick]);
  const [reply, setReply] = useState({});
  const [msg, setMsg] = useState(null);
  const act = (o, action) => async () => {
    try {
      await post(`/api/v1/opinions/${o.id}/${action}`, { if_version: o.version, reply: reply[o.id] || '' });
      setMsg({ ok: true, text: t.actionDone(t.opinionActions[action], '') });
      setTick((n) => n + 1);
    } catch (err) { setMsg({ ok: false, text: errText(t, err) }); }
  };
  return html`<section class="card"><h2>${t.opinionsWaitingTitle}</h2>
    <${Msg} msg=${msg} />
    ${list.data ? html`<ul class="plain">${list.data.items.map((o) => html`<li>
      <strong>${t.opinionKinds[o.kind]}</strong> · ${o.code} · ${o.region.name} · ${t.channels[o.channel]} · ${when(lang, o.created_at)}
      <div>${o.body}</div>
      ${o.actions.length > 0 && html`<div class="inline-form"><label>${t.reply}<input value=${reply[o.id] || ''}
        onInput=${(e) => setReply({ ...reply, [o.id]: e.target.value })} /></label>
        ${o.actions.filter((a) => a !== 'to_case').map((a) => html`<button type="button" onClick=${act(o, a)}>${t.opinionActions[a]}</button>`)}</div>`}
    </li>`)}</ul>` : html`<${Loading} t=${t} state=${list} />`}
    ${list.data && list.data.items.length === 0 && html`<p class="muted">${t.noOpinions}</p>`}
    <${ExportButtons} t=${t} path=${'/api/v1/opinions'} filename=${t.opinionsFile} />
  </section>`;
}
