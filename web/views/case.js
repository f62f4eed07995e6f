// One case as everyone working on it sees it: what, where, the clock, the
// photos and the timeline, and the steps the caller may take now (the API
// lists them). Each step opens the few fields it needs; handling and
// verifying take photos as evidence, sent before the step itself.
import { useEffect, useState } from '../vendor/hooks.module.js';
import { get, post, upload } from '../lib/api.js';
import { html, Loading, Msg, PhotoPicker, Progress, StateBadge, WarnDot, errText, useLoad, val, when } from '../lib/ui.js';

// Which fields each step asks for (the API refuses the others).
const FIELDS = {
  accept: ['note'], reject: ['note!'], merge: ['into!', 'note'], dispatch: ['dept', 'limit', 'note'],
  return: ['note!'], start: ['note'], handle: ['note!', 'photos'], self_handle: ['note!', 'photos'],
  verify: ['note', 'photos'], reopen: ['note!'], escalate: ['note!'], supervise: ['note!', 'deadline!'],
  rate: ['rating!', 'note'], comment: ['note!'],
};
const PHOTO_STEP = { handle: 'handle', self_handle: 'handle', verify: 'verify' };

function ActionForm({ t, k, action, depts, onDone, onCancel }) {
  const fields = FIELDS[action] || [];
  const has = (f) => fields.includes(f) || fields.includes(`${f}!`);
  const need = (f) => fields.includes(`${f}!`);
  const [form, setForm] = useState({ note: '', dept: k.routed ? String(k.routed.dept_id) : '', limit: '',
    into: '', deadline: '', rating: 'satisfied' });
  const [photos, setPhotos] = useState([]);
  const [progress, setProgress] = useState(null);
  const [msg, setMsg] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (f) => val((v) => setForm((s) => ({ ...s, [f]: v })));
  async function go(e) {
    e.preventDefault();
    setBusy(true);
    setMsg(null);
    try {
      for (let i = 0; i < photos.length; i++) {
        setProgress(i / photos.length);
        await upload(`/api/v1/cases/${k.id}/photos?step=${PHOTO_STEP[action]}`, photos[i],
          (p) => setProgress((i + p) / photos.length));
      }
      setProgress(null);
      const body = { if_version: k.version };
      if (form.note) body.note = form.note;
      if (has('dept') && form.dept) body.dept_id = Number(form.dept);
      if (has('limit') && form.limit) body.limit_hours = Number(form.limit);
      if (has('into')) body.into = Number(form.into);
      if (has('deadline') && form.deadline) body.deadline = new Date(form.deadline).toISOString();
      if (has('rating')) body.rating = form.rating;
      onDone(await post(`/api/v1/cases/${k.id}/${action}`, body));
    } catch (err) {
      setMsg({ ok: false, text: errText(t, err) });
      setProgress(null);
    }
    setBusy(false);
  }
  return html`<form class="action-form" onSubmit=${go} aria-label=${t.actions[action]}>
    <h3>${t.actions[action]}</h3>
    ${has('dept') && html`<label>${t.department}
      <select name="dept_id" value=${form.dept} onChange=${set('dept')}>
        <option value="">${t.routedDefault}</option>
        ${(depts || []).map((d) => html`<option value=${String(d.id)}>${d.name}${k.routed && k.routed.dept_id === d.id ? ` (${t.routed})` : ''}</option>`)}
      </select></label>`}
    ${has('limit') && html`<label>${t.limitHours}<input name="limit_hours" type="number" min="1" max="2000"
      value=${form.limit} onInput=${set('limit')} placeholder=${k.routed?.limit_hours ?? k.limit_hours} /></label>`}
    ${has('into') && html`<label>${t.mergeInto}<input name="into" type="number" min="1" required value=${form.into} onInput=${set('into')} /></label>`}
    ${has('deadline') && html`<label>${t.superviseDeadline}<input name="deadline" type="datetime-local" required value=${form.deadline} onInput=${set('deadline')} /></label>`}
    ${has('rating') && html`<fieldset><legend>${t.rating}</legend>
      ${['satisfied', 'basically_satisfied', 'dissatisfied'].map((r) => html`<label class="inline">
        <input type="radio" name="rating" value=${r} checked=${form.rating === r} onChange=${set('rating')} /> ${t.ratings[r]}</label>`)}
    </fieldset>`}
    ${has('note') && html`<label>${need('note') ? t.noteRequired : t.note}
      <textarea name="note" rows="2" maxlength="1000" required=${need('note')} value=${form.note} onInput=${set('note')}></textarea></label>`}
    ${has('photos') && html`<${PhotoPicker} t=${t} label=${t.evidencePhotos} photos=${photos} onChange=${setPhotos} />`}
    <${Progress} value=${progress} label=${t.uploading} />
    <div class="buttons"><button type="submit" class="primary" disabled=${busy}>${t.confirmAction}</button>
      <button type="button" onClick=${onCancel}>${t.cancel}</button></div>
    <${Msg} msg=${msg} />
  </form>`;
}

export function CaseDetail({ t, lang, id, refresh, onChanged }) {
  const state = useLoad(() => get(`/api/v1/cases/${id}`), [id, refresh]);
  const depts = useLoad(() => get('/api/v1/departments').then((b) => b.items), []);
  const [k, setK] = useState(null);
  const [action, setAction] = useState(null);
  const [msg, setMsg] = useState(null);
  useEffect(() => { setK(state.data); }, [state.data]);
  useEffect(() => { setAction(null); setMsg(null); }, [id]);
  if (!k) return html`<section class="card"><${Loading} t=${t} state=${state} /></section>`;
  const done = (next) => {
    setK(next);
    setAction(null);
    setMsg({ ok: true, text: t.actionDone(t.actions[action], t.states[next.state]) });
    if (onChanged) onChanged(next);
  };
  return html`<section class="card case" aria-labelledby=${`case-${k.id}`}>
    <h2 id=${`case-${k.id}`}>${k.category.name} <small>${k.code}</small></h2>
    <p class="meta"><${StateBadge} state=${k.state} t=${t} /> <${WarnDot} warn=${k.clock.warn} state=${k.state} t=${t} />
      ${k.overdue && html`<span class="badge overdue">${t.overdue}</span>`}
      ${k.supervised && html`<span class="badge supervised">${t.supervisedBadge}</span>`}
      · ${t.levels[k.level]} · ${k.grid.name}${k.department ? ` · ${k.department.name}` : ''}</p>
    <p class="desc">${k.description}</p>
    ${k.address && html`<p class="muted">${t.address}: ${k.address}</p>`}
    <dl class="facts">
      <dt>${t.reportedAt}</dt><dd>${when(lang, k.created_at)}</dd>
      ${k.clock.deadline_at && html`<dt>${t.deadline}</dt><dd>${when(lang, k.clock.deadline_at)}</dd>`}
      ${k.origin && html`<dt>${t.origin}</dt><dd>${t.origins[k.origin.kind]} ${k.origin.code}</dd>`}
      ${k.rating && html`<dt>${t.rating}</dt><dd>${t.ratings[k.rating.value]} ${k.rating.comment}</dd>`}
    </dl>
    ${k.photos.length > 0 && html`<div class="photos">${k.photos.map((p) => html`
      <a href=${`/api/v1/cases/${k.id}/photos/${p.id}`} target="_blank" rel="noopener">
        <img src=${`/api/v1/cases/${k.id}/photos/${p.id}`} alt=${t.photoOf(t.photoSteps[p.step])} loading="lazy" /></a>`)}</div>`}
    <div class="actions" role="group" aria-label=${t.nextSteps}>
      ${k.actions.length === 0 && html`<span class="muted">${t.noActions}</span>`}
      ${k.actions.map((a) => html`<button type="button" class=${a === 'verify' || a === 'dispatch' ? 'primary' : ''}
        data-action=${a} aria-expanded=${action === a} onClick=${() => setAction(a)}>${t.actions[a]}</button>`)}
    </div>
    ${action && html`<${ActionForm} t=${t} k=${k} action=${action} depts=${depts.data}
      onDone=${done} onCancel=${() => setAction(null)} />`}
    <${Msg} msg=${msg} />
    <h3>${t.timeline}</h3>
    <ol class="timeline">${k.timeline.map((e) => html`<li>
      <time datetime=${e.at}>${when(lang, e.at)}</time>
      <strong>${t.events[e.action] || e.action}</strong>
      ${e.actor ? ` · ${e.actor.name}` : ` · ${t.system}`}
      ${e.note && html`<div class="note">${e.note}</div>`}
    </li>`)}</ol>
  </section>`;
}
