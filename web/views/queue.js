// A queue of cases with filters, newest first, that follows the live event
// stream: a case reported or moved by someone else appears or changes
// without reloading the page (and is marked new until opened). Clicking a
// case opens it beside the list (below it on a phone).
import { useEffect, useMemo, useRef, useState } from '../vendor/hooks.module.js';
import { get, qs, subscribe } from '../lib/api.js';
import { CaseDetail } from './case.js';
import { ExportButtons, html, Loading, StateBadge, WarnDot, useLoad, val, when } from '../lib/ui.js';

const STATES = ['reported', 'accepted', 'dispatched', 'in_progress', 'handled', 'closed', 'rejected', 'merged'];

export function CaseQueue({ t, lang, preset = {}, filters = true, live = true, title, sort }) {
  const [f, setF] = useState({ state: '', overdue: '', supervised: '', category: '', q: '', ...preset });
  const [tick, setTick] = useState(0);
  const [open, setOpen] = useState(null);
  const [fresh, setFresh] = useState(new Set());
  const [liveOn, setLiveOn] = useState(false);
  const cats = useLoad(() => get('/api/v1/categories').then((b) => b.items.filter((c) => !c.parent_code)), []);
  const query = qs({ ...f, limit: 100 });
  const list = useLoad(() => get(`/api/v1/cases${query}`), [query, tick]);
  const timer = useRef(null);
  useEffect(() => {
    if (!live) return undefined;
    setLiveOn(true);
    const stop = subscribe((ev) => {
      setFresh((s) => new Set(s).add(ev.case_id));
      clearTimeout(timer.current);
      timer.current = setTimeout(() => setTick((n) => n + 1), 250); // one reload for a burst
    });
    return () => { stop(); setLiveOn(false); clearTimeout(timer.current); };
  }, [live]);
  const set = (k) => val((v) => setF((s) => ({ ...s, [k]: v })));
  const items = useMemo(() => {
    const xs = [...(list.data?.items || [])];
    return sort ? xs.sort(sort) : xs;
  }, [list.data, sort]);
  const pick = (id) => {
    setOpen(id);
    setFresh((s) => { const n = new Set(s); n.delete(id); return n; });
  };
  return html`<div class="queue-wrap">
    <section class="card queue" aria-label=${title || t.queue}>
      <div class="queue-head"><h2>${title || t.queue}</h2>
        ${live && html`<span class=${liveOn ? 'live on' : 'live'} role="status">${t.liveUpdates}</span>`}</div>
      ${filters && html`<form class="filters" onSubmit=${(e) => e.preventDefault()} aria-label=${t.filters}>
        <label>${t.state}<select name="state" value=${f.state} onChange=${set('state')}>
          <option value="">${t.all}</option><option value="open">${t.stateOpen}</option>${STATES.map((s) => html`<option value=${s}>${t.states[s]}</option>`)}</select></label>
        <label>${t.category}<select name="category" value=${f.category} onChange=${set('category')}>
          <option value="">${t.all}</option>${(cats.data || []).map((c) => html`<option value=${c.code}>${lang === 'en' && c.name_en ? c.name_en : c.name_zh}</option>`)}</select></label>
        <label>${t.overdueFilter}<select name="overdue" value=${f.overdue} onChange=${set('overdue')}>
          <option value="">${t.all}</option><option value="1">${t.yes}</option><option value="0">${t.no}</option></select></label>
        <label>${t.supervisedFilter}<select name="supervised" value=${f.supervised} onChange=${set('supervised')}>
          <option value="">${t.all}</option><option value="1">${t.yes}</option><option value="0">${t.no}</option></select></label>
        <label>${t.search}<input name="q" type="search" value=${f.q} onInput=${set('q')} placeholder=${t.searchHint} /></label>
      </form>`}
      ${list.data ? html`
        <ul class="cases">${items.map((k) => html`<li class=${`${open === k.id ? 'on' : ''} ${fresh.has(k.id) ? 'fresh' : ''}`}>
          <button type="button" class="case-row" onClick=${() => pick(k.id)} aria-current=${open === k.id}>
            <span class="row1"><strong>${k.category.name}</strong> <${StateBadge} state=${k.state} t=${t} />
              <${WarnDot} warn=${k.clock.warn} state=${k.state} t=${t} />${fresh.has(k.id) ? html` <span class="badge new">${t.newBadge}</span>` : ''}</span>
            <span class="row2">${k.code} · ${k.grid.name} · ${when(lang, k.created_at)}</span>
            <span class="row3">${k.description}</span>
          </button></li>`)}</ul>
        ${items.length === 0 && html`<p class="muted">${t.noCases}</p>`}
        <${ExportButtons} t=${t} path=${`/api/v1/cases${qs(f)}`} filename=${t.casesFile} />`
        : html`<${Loading} t=${t} state=${list} />`}
    </section>
    ${open ? html`<${CaseDetail} t=${t} lang=${lang} id=${open} refresh=${tick} onChanged=${() => setTick((n) => n + 1)} />`
      : items.length > 0 && html`<section class="card hint"><p class="muted">${t.pickCase}</p></section>`}
  </div>`;
}
