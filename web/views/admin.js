// Administration: users and their scoped roles, departments, case
// categories and routing rules, the working-time calendar, the errand
// service catalogue, and grids imported from a GeoJSON file (all or
// nothing, with progress; the first bad feature named).
import { useState } from '../vendor/hooks.module.js';
import { get, post, put, patch, del, qs, upload } from '../lib/api.js';
import { html, Loading, Msg, Progress, Tabs, errText, useLoad, val } from '../lib/ui.js';

const ROLES = ['resident', 'grid_worker', 'party_member', 'agent', 'dispatcher', 'dept_staff', 'dept_head',
  'supervisor', 'leader', 'auditor', 'admin'];

function Users({ t }) {
  const [tick, setTick] = useState(0);
  const users = useLoad(() => get('/api/v1/users?limit=200'), [tick]);
  const depts = useLoad(() => get('/api/v1/departments').then((b) => b.items), []);
  const [form, setForm] = useState({ username: '', display_name: '', password: '', role: 'grid_worker', region_code: '', dept_id: '' });
  const [msg, setMsg] = useState(null);
  const set = (k) => val((v) => setForm((f) => ({ ...f, [k]: v })));
  async function add(e) {
    e.preventDefault();
    const role = { role: form.role };
    if (form.region_code) role.region_code = form.region_code;
    if (form.dept_id) role.dept_id = Number(form.dept_id);
    try {
      await post('/api/v1/users', { username: form.username, display_name: form.display_name, password: form.password, roles: [role] });
      setMsg({ ok: true, text: t.saved });
      setForm({ ...form, username: '', display_name: '', password: '' });
      setTick((n) => n + 1);
    } catch (err) { setMsg({ ok: false, text: errText(t, err) }); }
  }
  return html`<div class="stack">
    <form class="card" onSubmit=${add}><h2>${t.addUser}</h2>
      <div class="row">
        <label>${t.username}<input name="username" required value=${form.username} onInput=${set('username')} /></label>
        <label>${t.displayName}<input name="display_name" required value=${form.display_name} onInput=${set('display_name')} /></label>
        <label>${t.password}<input name="password" type="password" autocomplete="new-password" required minlength="10" value=${form.password} onInput=${set('password')} /></label>
      </div>
      <div class="row">
        <label>${t.role}<select name="role" value=${form.role} onChange=${set('role')}>${ROLES.map((r) => html`<option value=${r}>${t.roles[r]}</option>`)}</select></label>
        <label>${t.regionCode}<input name="region_code" inputmode="numeric" value=${form.region_code} onInput=${set('region_code')} placeholder="379901001001001" /></label>
        <label>${t.department}<select name="dept_id" value=${form.dept_id} onChange=${set('dept_id')}>
          <option value="">—</option>${(depts.data || []).map((d) => html`<option value=${String(d.id)}>${d.name}</option>`)}</select></label>
      </div>
      <button type="submit" class="primary">${t.save}</button><${Msg} msg=${msg} />
    </form>
    <section class="card"><h2>${t.users}</h2>
      ${users.data ? html`<div class="scroll"><table><thead><tr><th>${t.username}</th><th>${t.displayName}</th><th>${t.role}</th><th>${t.active}</th></tr></thead>
        <tbody>${users.data.items.map((u) => html`<tr><td>${u.username}</td><td>${u.display_name}</td>
          <td>${u.roles.map((r) => `${t.roles[r.role] || r.role}${r.region_code ? ` @${r.region_code}` : ''}`).join('、')}</td>
          <td>${u.active ? t.yes : t.no}</td></tr>`)}</tbody></table></div>` : html`<${Loading} t=${t} state=${users} />`}
    </section>
  </div>`;
}

function Departments({ t }) {
  const [tick, setTick] = useState(0);
  const list = useLoad(() => get('/api/v1/departments').then((b) => b.items), [tick]);
  const [form, setForm] = useState({ code: '', name: '', region_code: '', phone: '' });
  const [msg, setMsg] = useState(null);
  const set = (k) => val((v) => setForm((f) => ({ ...f, [k]: v })));
  async function add(e) {
    e.preventDefault();
    try {
      await post('/api/v1/departments', { ...form, phone: form.phone || undefined });
      setMsg({ ok: true, text: t.saved });
      setForm({ code: '', name: '', region_code: '', phone: '' });
      setTick((n) => n + 1);
    } catch (err) { setMsg({ ok: false, text: errText(t, err) }); }
  }
  return html`<div class="stack"><form class="card" onSubmit=${add}><h2>${t.addDepartment}</h2><div class="row">
      <label>${t.code}<input name="code" required value=${form.code} onInput=${set('code')} /></label>
      <label>${t.name}<input name="name" required value=${form.name} onInput=${set('name')} /></label>
      <label>${t.regionCode}<input name="region_code" required value=${form.region_code} onInput=${set('region_code')} /></label>
      <label>${t.phone}<input name="phone" value=${form.phone} onInput=${set('phone')} /></label></div>
      <button type="submit" class="primary">${t.save}</button><${Msg} msg=${msg} /></form>
    <section class="card"><h2>${t.departments}</h2>${list.data ? html`<ul class="plain">${list.data.map((d) => html`<li>${d.code} · ${d.name} · ${d.phone}</li>`)}</ul>` : html`<${Loading} t=${t} state=${list} />`}</section></div>`;
}

function Routing({ t, lang }) {
  const [tick, setTick] = useState(0);
  const cats = useLoad(() => get('/api/v1/categories').then((b) => b.items), [tick]);
  const rules = useLoad(() => get('/api/v1/routing-rules').then((b) => b.items), [tick]);
  const depts = useLoad(() => get('/api/v1/departments').then((b) => b.items), []);
  const [rule, setRule] = useState({ category: '', region_code: '', dept_id: '', limit_hours: '' });
  const [cat, setCat] = useState({ parent_code: '', code: '', name_zh: '', name_en: '', time_limit_hours: '' });
  const [msg, setMsg] = useState(null);
  const setR = (k) => val((v) => setRule((f) => ({ ...f, [k]: v })));
  const setC = (k) => val((v) => setCat((f) => ({ ...f, [k]: v })));
  const name = (c) => (lang === 'en' && c.name_en ? c.name_en : c.name_zh);
  const catName = (code) => { const c = (cats.data || []).find((x) => x.code === code); return c ? name(c) : ''; };
  async function saveRule(e) {
    e.preventDefault();
    const body = { category: rule.category, region_code: rule.region_code, dept_id: Number(rule.dept_id) };
    if (rule.limit_hours) body.limit_hours = Number(rule.limit_hours);
    try { await put('/api/v1/routing-rules', body); setMsg({ ok: true, text: t.saved }); setTick((n) => n + 1); } catch (err) { setMsg({ ok: false, text: errText(t, err) }); }
  }
  async function saveCat(e) {
    e.preventDefault();
    const body = { code: cat.code, name_zh: cat.name_zh };
    if (cat.parent_code) body.parent_code = cat.parent_code;
    if (cat.name_en) body.name_en = cat.name_en;
    if (cat.time_limit_hours) body.time_limit_hours = Number(cat.time_limit_hours);
    try { await post('/api/v1/categories', body); setMsg({ ok: true, text: t.saved }); setTick((n) => n + 1); } catch (err) { setMsg({ ok: false, text: errText(t, err) }); }
  }
  return html`<div class="stack"><${Msg} msg=${msg} />
    <form class="card" onSubmit=${saveCat}><h2>${t.addCategory}</h2><div class="row">
      <label>${t.parent}<select name="parent_code" value=${cat.parent_code} onChange=${setC('parent_code')}><option value="">${t.topLevel}</option>
        ${(cats.data || []).filter((c) => !c.parent_code).map((c) => html`<option value=${c.code}>${c.code} ${name(c)}</option>`)}</select></label>
      <label>${t.code}<input name="code" required value=${cat.code} onInput=${setC('code')} /></label>
      <label>${t.nameZh}<input name="name_zh" required value=${cat.name_zh} onInput=${setC('name_zh')} /></label>
      <label>${t.nameEn}<input name="name_en" value=${cat.name_en} onInput=${setC('name_en')} /></label>
      <label>${t.limitHours}<input name="time_limit_hours" type="number" min="1" max="2000" value=${cat.time_limit_hours} onInput=${setC('time_limit_hours')} /></label></div>
      <button type="submit" class="primary">${t.save}</button></form>
    <form class="card" onSubmit=${saveRule}><h2>${t.routingRule}</h2><div class="row">
      <label>${t.category}<select name="category" required value=${rule.category} onChange=${setR('category')}><option value="">${t.choose}</option>
        ${(cats.data || []).map((c) => html`<option value=${c.code}>${c.code} ${name(c)}</option>`)}</select></label>
      <label>${t.regionCode}<input name="region_code" required value=${rule.region_code} onInput=${setR('region_code')} /></label>
      <label>${t.department}<select name="dept_id" required value=${rule.dept_id} onChange=${setR('dept_id')}><option value="">${t.choose}</option>
        ${(depts.data || []).map((d) => html`<option value=${String(d.id)}>${d.name}</option>`)}</select></label>
      <label>${t.limitHours}<input name="limit_hours" type="number" min="1" max="2000" value=${rule.limit_hours} onInput=${setR('limit_hours')} /></label></div>
      <button type="submit" class="primary">${t.save}</button></form>
    <section class="card"><h2>${t.routingRules}</h2>${rules.data && html`<div class="scroll"><table><thead><tr><th>${t.category}</th><th>${t.regionCode}</th><th>${t.department}</th><th>${t.limitHours}</th></tr></thead>
      <tbody>${[...rules.data].sort((a, b) => a.category.localeCompare(b.category) || a.region_code.localeCompare(b.region_code))
        .map((r) => html`<tr><td>${r.category} ${catName(r.category)}</td><td>${r.region_code}</td><td>${r.department.name}</td>
          <td>${r.limit_hours ?? t.categoryDefault}</td></tr>`)}</tbody></table></div>`}</section>
  </div>`;
}

function Calendar({ t }) {
  const [tick, setTick] = useState(0);
  const cal = useLoad(() => get('/api/v1/calendar'), [tick]);
  const [form, setForm] = useState({ day: '', works: 'false', note: '' });
  const [msg, setMsg] = useState(null);
  const set = (k) => val((v) => setForm((f) => ({ ...f, [k]: v })));
  async function save(e) {
    e.preventDefault();
    try { await put(`/api/v1/calendar/days/${form.day}`, { works: form.works === 'true', note: form.note }); setMsg({ ok: true, text: t.saved }); setTick((n) => n + 1); } catch (err) { setMsg({ ok: false, text: errText(t, err) }); }
  }
  const remove = (day) => async () => {
    try { await del(`/api/v1/calendar/days/${day}`); setTick((n) => n + 1); } catch (err) { setMsg({ ok: false, text: errText(t, err) }); }
  };
  return html`<div class="stack"><form class="card" onSubmit=${save}><h2>${t.calendarDay}</h2><div class="row">
      <label>${t.day}<input name="day" type="date" required value=${form.day} onInput=${set('day')} /></label>
      <label>${t.dayKind}<select name="works" value=${form.works} onChange=${set('works')}><option value="false">${t.holiday}</option><option value="true">${t.makeUpDay}</option></select></label>
      <label>${t.note}<input name="note" maxlength="32" value=${form.note} onInput=${set('note')} /></label></div>
      <button type="submit" class="primary">${t.save}</button><${Msg} msg=${msg} /></form>
    <section class="card"><h2>${t.calendar}</h2>${cal.data ? html`<ul class="plain">${(cal.data.days || []).map((d) => html`<li>
      ${d.day} · ${d.works ? t.makeUpDay : t.holiday} ${d.note} <button type="button" class="link" onClick=${remove(d.day)}>${t.remove}</button></li>`)}</ul>` : html`<${Loading} t=${t} state=${cal} />`}</section></div>`;
}

function Services({ t }) {
  const [tick, setTick] = useState(0);
  const list = useLoad(() => get('/api/v1/services?all=1').then((b) => b.items), [tick]);
  const [msg, setMsg] = useState(null);
  const toggle = (s) => async () => {
    try { await patch(`/api/v1/services/${s.id}`, { if_version: s.version, active: !s.active }); setTick((n) => n + 1); } catch (err) { setMsg({ ok: false, text: errText(t, err) }); }
  };
  return html`<section class="card"><h2>${t.serviceCatalog}</h2><${Msg} msg=${msg} />
    ${list.data ? html`<div class="scroll"><table><thead><tr><th>${t.code}</th><th>${t.name}</th><th>${t.department}</th><th>${t.promisedDays}</th><th>${t.active}</th></tr></thead>
      <tbody>${list.data.map((s) => html`<tr><td>${s.code}</td><td>${s.name}</td><td>${s.dept.name}</td><td>${s.promised_days}</td>
        <td><button type="button" class="link" onClick=${toggle(s)}>${s.active ? t.retire : t.restore}</button></td></tr>`)}</tbody></table></div>` : html`<${Loading} t=${t} state=${list} />`}
  </section>`;
}

function Grids({ t, area }) {
  const [tick, setTick] = useState(0);
  const list = useLoad(() => get(`/api/v1/grids${qs({ region: area, geometry: 0 })}`).then((b) => b.items), [tick]);
  const [progress, setProgress] = useState(null);
  const [msgs, setMsgs] = useState([]);
  // The file goes up as it is; the server checks every feature and imports
  // all of them or none, naming the first bad one.
  async function importFile(e) {
    const file = e.target.files[0];
    if (!file) return;
    setMsgs([]);
    setProgress(0);
    try {
      const r = await upload('/api/v1/grids/import', file.slice(0, file.size, 'application/json'), setProgress);
      setMsgs([{ ok: true, text: t.imported(r.imported) }]);
      setTick((n) => n + 1);
    } catch (err) {
      setMsgs([{ ok: false, text: errText(t, err) }]);
    }
    setProgress(null);
    e.target.value = '';
  }
  return html`<div class="stack"><section class="card"><h2>${t.importGrids}</h2>
      <label>${t.geojsonFile}<input type="file" accept=".geojson,.json,application/geo+json" onChange=${importFile} /></label>
      <${Progress} value=${progress} label=${t.importing} />${msgs.map((m) => html`<${Msg} msg=${m} />`)}</section>
    <section class="card"><h2>${t.gridList}</h2>${list.data ? html`<ul class="plain columns">${list.data.map((g) => html`<li>${g.code} ${g.name} · ${t.householdsN(g.households)}</li>`)}</ul>` : html`<${Loading} t=${t} state=${list} />`}</section></div>`;
}

export function Admin({ t, lang, area }) {
  const [tab, setTab] = useState('users');
  const tabs = [['users', t.users], ['departments', t.departments], ['routing', t.categoriesAndRouting],
    ['calendar', t.calendar], ['services', t.serviceCatalog], ['grids', t.gridList]];
  return html`<div class="stack"><${Tabs} tabs=${tabs} current=${tab} onChange=${setTab} label=${t.views.admin} />
    ${tab === 'users' && html`<${Users} t=${t} />`}
    ${tab === 'departments' && html`<${Departments} t=${t} />`}
    ${tab === 'routing' && html`<${Routing} t=${t} lang=${lang} />`}
    ${tab === 'calendar' && html`<${Calendar} t=${t} />`}
    ${tab === 'services' && html`<${Services} t=${t} />`}
    ${tab === 'grids' && html`<${Grids} t=${t} area=${area} />`}
  </div>`;
}
