// Reporting a problem (随手拍 / 我要反映): the category in two steps, what
// is wrong, photos from the camera, where (the device's location or a tap
// on the map of the caller's grids). Sent at once when the network is
// there; otherwise kept on the phone and sent when it returns, with a key
// that makes a resend the same case.
import { useState } from '../vendor/hooks.module.js';
import { get, clientKey, qs } from '../lib/api.js';
import { submit } from '../lib/queue.js';
import { GridMap } from '../lib/map.js';
import { html, Msg, PhotoPicker, Progress, errText, useLoad, val } from '../lib/ui.js';

export function ReportForm({ t, lang, user, area, onDone }) {
  const cats = useLoad(() => get('/api/v1/categories').then((b) => b.items.filter((c) => c.active)), []);
  const grids = useLoad(() => get(`/api/v1/grids${qs({ region: area })}`).then((b) => b.items), [area]);
  const [top, setTop] = useState('');
  const [form, setForm] = useState({ category: '', description: '', address: '' });
  const [point, setPoint] = useState(null);
  const [photos, setPhotos] = useState([]);
  const [progress, setProgress] = useState(null);
  const [msg, setMsg] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k) => val((v) => setForm((f) => ({ ...f, [k]: v })));
  const name = (c) => (lang === 'en' && c.name_en ? c.name_en : c.name_zh);
  const tops = (cats.data || []).filter((c) => !c.parent_code);
  const subs = (cats.data || []).filter((c) => c.parent_code === top);
  // A top category without subcategories is itself the category.
  const pickTop = val((v) => {
    setTop(v);
    setForm((f) => ({ ...f, category: (cats.data || []).some((c) => c.parent_code === v) ? '' : v }));
  });

  function locate() {
    if (!navigator.geolocation) return setMsg({ ok: false, text: t.noGeolocation });
    navigator.geolocation.getCurrentPosition(
      (p) => { setPoint({ lat: p.coords.latitude, lng: p.coords.longitude }); setMsg(null); },
      () => setMsg({ ok: false, text: t.noGeolocation }),
      { enableHighAccuracy: true, timeout: 10000 },
    );
  }

  async function send(e) {
    e.preventDefault();
    if (!form.category) return setMsg({ ok: false, text: t.pickCategory });
    if (!point) return setMsg({ ok: false, text: t.pickPlace });
    setBusy(true);
    setMsg(null);
    const body = { category: form.category, description: form.description, lat: point.lat, lng: point.lng,
      client_key: clientKey(user.username) };
    if (form.address) body.address = form.address;
    try {
      setProgress(photos.length ? 0 : null);
      const r = await submit({ key: body.client_key, kind: 'case', body, photos, progress: setProgress });
      if (r.queued) {
        setMsg({ ok: true, text: t.queuedReport });
      } else {
        setMsg({ ok: true, text: t.reported(r.sent.code) });
        if (onDone) onDone(r.sent);
      }
      setForm({ category: '', description: '', address: '' });
      setTop('');
      setPhotos([]);
      setPoint(null);
    } catch (err) {
      setMsg({ ok: false, text: errText(t, err) });
    }
    setBusy(false);
    setProgress(null);
  }

  return html`<form class="card report" onSubmit=${send} aria-labelledby="report-title">
    <h2 id="report-title">${t.reportTitle}</h2>
    <div class="row">
      <label>${t.categoryTop}
        <select name="top" value=${top} onChange=${pickTop} required>
          <option value="">${t.choose}</option>
          ${tops.map((c) => html`<option value=${c.code}>${name(c)}</option>`)}
        </select></label>
      ${subs.length > 0 && html`<label>${t.categorySub}
        <select name="category" value=${form.category} onChange=${set('category')} required>
          <option value="">${t.choose}</option>
          ${subs.map((c) => html`<option value=${c.code}>${name(c)}</option>`)}
        </select></label>`}
    </div>
    <label>${t.description}
      <textarea name="description" required minlength="2" maxlength="2000" rows="3" value=${form.description}
        onInput=${set('description')} placeholder=${t.descriptionHint}></textarea></label>
    <${PhotoPicker} t=${t} label=${t.photos} photos=${photos} onChange=${setPhotos} />
    <fieldset>
      <legend>${t.where}</legend>
      <button type="button" onClick=${locate}>${t.useMyLocation}</button>
      <span class="muted"> ${t.orTapMap}</span>
      ${point && html`<p class="muted" data-testid="point">${t.pointSet(point.lat.toFixed(5), point.lng.toFixed(5))}</p>`}
      ${grids.data && html`<${GridMap} grids=${grids.data} point=${point} label=${t.mapPick}
        onPick=${(lat, lng) => setPoint({ lat, lng })} height=${260} />`}
      <label>${t.address}<input name="address" maxlength="128" value=${form.address} onInput=${set('address')} /></label>
    </fieldset>
    <${Progress} value=${progress} label=${t.uploading} />
    <button type="submit" disabled=${busy}>${busy ? t.sending : t.submitReport}</button>
    <${Msg} msg=${msg} />
  </form>`;
}
