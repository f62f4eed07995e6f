// The leader's screen, from one request (/api/v1/dashboard): this month's
// figures beside last month's, thirty days of trend, the grids coloured by
// their open and overdue cases, the hotspots, the department league table
// (sortable) and the errands and participation around the cases.
import { useMemo, useState } from '../vendor/hooks.module.js';
import { get, qs } from '../lib/api.js';
import { Chart } from '../lib/chart.js';
import { GridMap } from '../lib/map.js';
import { ExportButtons, html, Loading, num, pct, useLoad } from '../lib/ui.js';

// The last day a window covers: its end is exclusive, so an end at midnight
// means the day before (dates as the server writes them, its local time).
function lastDay(iso) {
  const day = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  if (iso.slice(11, 19) === '00:00:00') day.setUTCDate(day.getUTCDate() - 1);
  return day.toISOString().slice(0, 10);
}

const RATES = ['response_rate', 'on_time_rate', 'solve_rate', 'satisfaction', 'rework_rate'];

// A figure beside the previous period's; the arrow is green or red only for
// figures where up is good (or, lowerIsBetter, bad), grey for plain volumes.
function Card({ t, lang, label, now, before, rate, lowerIsBetter, neutral }) {
  const fmt = (v) => (rate ? pct(lang, v) : num(lang, v));
  let trend = '';
  if (now !== null && before !== null && now !== undefined && before !== undefined && now !== before) {
    const up = now > before;
    const tone = neutral ? 'up plain' : (up !== !!lowerIsBetter) ? 'up good' : 'up bad';
    trend = html`<span class=${tone} aria-label=${up ? t.higher : t.lower}>${up ? '▲' : '▼'}</span>`;
  }
  return html`<div class="kpi"><div class="kpi-label">${label}</div>
    <div class="kpi-value">${fmt(now)} ${trend}</div>
    ${before !== null && before !== undefined && html`<div class="kpi-prev">${t.previous}: ${fmt(before)}</div>`}</div>`;
}

export function Dashboard({ t, lang, area }) {
  const dash = useLoad(() => get(`/api/v1/dashboard${qs({ region: area })}`), [area]);
  const grids = useLoad(() => get(`/api/v1/grids${qs({ region: area })}`).then((b) => b.items), [area]);
  const [sortBy, setSortBy] = useState('received');
  const d = dash.data;
  const byGrid = useMemo(() => new Map((d?.grids || []).map((g) => [g.code, g])), [d]);
  const style = useMemo(() => (g) => {
    const x = byGrid.get(g.code);
    if (!x) return { fill: '#d7eedc', label: t.noOpen };
    if (x.overdue) return { fill: x.overdue > 2 ? '#b3261e' : '#e2725b', label: t.openOverdue(x.open, x.overdue) };
    return { fill: x.open > 3 ? '#f2b134' : '#f7dc8c', label: t.openOverdue(x.open, 0) };
  }, [byGrid, lang]);
  const trend = useMemo(() => d && ({
    tooltip: { trigger: 'axis' },
    legend: { data: [t.received, t.closedOnTime, t.closedLate, t.wentOverdue], bottom: 0 },
    grid: { left: 40, right: 16, top: 16, bottom: 48 },
    xAxis: { type: 'category', data: d.trend.map((x) => x.label.slice(5)) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: t.received, type: 'line', smooth: true, data: d.trend.map((x) => x.received), color: '#0969da' },
      { name: t.closedOnTime, type: 'bar', stack: 'closed', data: d.trend.map((x) => x.closed_on_time), color: '#1a7f37' },
      { name: t.closedLate, type: 'bar', stack: 'closed', data: d.trend.map((x) => x.closed_late), color: '#bc4c00' },
      { name: t.wentOverdue, type: 'line', data: d.trend.map((x) => x.overdue), color: '#c8102e' },
    ],
  }), [d, lang]);
  if (!d) return html`<section class="card"><${Loading} t=${t} state=${dash} /></section>`;
  const k = d.kpis, p = d.previous;
  const depts = [...d.departments].sort((a, b) => (b[sortBy] ?? -1) - (a[sortBy] ?? -1));
  const a = d.activity;
  return html`<div class="stack dashboard">
    <section class="card" aria-labelledby="kpi-title">
      <h2 id="kpi-title">${t.thisPeriod} <small>${d.from.slice(0, 10)} — ${lastDay(d.to)}</small></h2>
      <p class="muted">${t.comparedWith(d.previous_from.slice(0, 10), lastDay(d.previous_to))}</p>
      <div class="kpis">
        <${Card} t=${t} lang=${lang} label=${t.kpi.received} now=${k.received} before=${p.received} neutral=${true} />
        <${Card} t=${t} lang=${lang} label=${t.kpi.closed} now=${k.closed} before=${p.closed} neutral=${true} />
        ${RATES.map((r) => html`<${Card} t=${t} lang=${lang} label=${t.kpi[r]} now=${k[r]} before=${p[r]} rate=${true}
          lowerIsBetter=${r === 'rework_rate'} />`)}
        <${Card} t=${t} lang=${lang} label=${t.kpi.escalations} now=${k.escalations} before=${p.escalations} lowerIsBetter=${true} />
        <${Card} t=${t} lang=${lang} label=${t.openNow} now=${d.open.open} before=${null} />
        <${Card} t=${t} lang=${lang} label=${t.overdueNow} now=${d.open.overdue} before=${null} lowerIsBetter=${true} />
      </div>
    </section>
    <div class="two">
      <section class="card"><h2>${t.trend30}</h2><${Chart} option=${trend} label=${t.trend30} /></section>
      <section class="card"><h2>${t.gridMap}</h2>
        ${grids.data && html`<${GridMap} grids=${grids.data} style=${style} label=${t.gridMap} height=${300} />`}
        <p class="legend"><span class="sw ok"></span>${t.noOpen} <span class="sw open"></span>${t.hasOpen} <span class="sw late"></span>${t.hasOverdue}</p>
      </section>
    </div>
    <div class="two">
      <section class="card"><h2>${t.hotspots}</h2>
        ${d.hotspots.length === 0 ? html`<p class="muted">${t.noHotspots}</p>` : html`<ol class="plain">${d.hotspots.map((h) => html`
          <li><strong>${h.name}</strong> · ${t.hotspotLine(h.count, h.baseline)}</li>`)}</ol>`}
      </section>
      <section class="card"><h2>${t.activity}</h2>
        <dl class="facts">
          <dt>${t.errandsRed}</dt><dd>${num(lang, a.errands_red)}</dd>
          <dt>${t.errandsOverdue}</dt><dd>${num(lang, a.errands_overdue)}</dd>
          <dt>${t.errandsConfirmed}</dt><dd>${num(lang, a.errands_confirmed)}</dd>
          <dt>${t.opinionsWaiting}</dt><dd>${num(lang, a.opinions_waiting)}</dd>
          <dt>${t.visitCoverage}</dt><dd>${pct(lang, a.visit_coverage)} (${num(lang, a.households_visited)} / ${num(lang, a.households)})</dd>
          <dt>${t.pollsOpen}</dt><dd>${num(lang, a.polls_open)}</dd>
          <dt>${t.commitmentsVeto}</dt><dd>${num(lang, a.commitments_veto)}</dd>
        </dl>
      </section>
    </div>
    <section class="card" aria-labelledby="league-title">
      <h2 id="league-title">${t.league}</h2>
      <div class="scroll"><table class="league">
        <thead><tr><th scope="col">${t.department}</th>
          ${['received', 'closed', ...RATES].map((c) => html`<th scope="col" aria-sort=${sortBy === c ? 'descending' : 'none'}>
            <button type="button" class="link" onClick=${() => setSortBy(c)}>${t.kpi[c]}</button></th>`)}</tr></thead>
        <tbody>${depts.map((x) => html`<tr><th scope="row">${x.name}</th>
          <td>${num(lang, x.received)}</td><td>${num(lang, x.closed)}</td>
          ${RATES.map((r) => html`<td>${pct(lang, x[r])}</td>`)}</tr>`)}</tbody>
      </table></div>
      <${ExportButtons} t=${t} path=${`/api/v1/stats/kpis${qs({ by: 'department', region: area })}`} filename=${t.kpiFile} />
    </section>
  </div>`;
}
