// Small pieces every view uses: the html tag, async loading, messages that
// screen readers announce, progress bars, state badges, times and numbers
// in the user's locale, and the export button.
import { h } from '../vendor/preact.module.js';
import { useCallback, useEffect, useState } from '../vendor/hooks.module.js';
import htm from '../vendor/htm.module.js';
import { download } from './api.js';

export const html = htm.bind(h);

// Loads fn() now and whenever deps change; reload() loads again.
export function useLoad(fn, deps = []) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const load = useCallback(() => {
    setState((s) => ({ ...s, loading: true }));
    return Promise.resolve().then(fn)
      .then((data) => setState({ data, error: null, loading: false }))
      .catch((error) => setState({ data: null, error, loading: false }));
  }, deps);
  useEffect(() => { load(); }, [load]);
  return { ...state, reload: load };
}

// A result line: ok or not, announced to screen readers.
export function Msg({ msg }) {
  if (!msg) return null;
  return html`<p class=${msg.ok ? 'msg ok' : 'msg bad'} role=${msg.ok ? 'status' : 'alert'}>${msg.text}</p>`;
}

// An error from the API as a sentence naming the field at fault.
export const errText = (t, err) => (err?.field ? `${t.field(err.field)}: ${err.message}` : err?.message || String(err));

export function Loading({ t, state }) {
  if (state.error) return html`<p class="msg bad" role="alert">${t.loadFailed}: ${errText(t, state.error)}</p>`;
  return html`<p class="muted" role="status">${t.loading}</p>`;
}

export function Progress({ value, label }) {
  if (value === null || value === undefined) return null;
  return html`<div class="progress"><progress max="1" value=${value} aria-label=${label}></progress>
    <span>${Math.round(value * 100)}%</span></div>`;
}

export function StateBadge({ state, t }) {
  return html`<span class=${`badge state-${state}`}>${t.states[state] || state}</span>`;
}

// Photos from the camera or the gallery (the phone offers both): a button
// in the page's language, since the browser's own file button speaks the
// browser's, and how many are chosen (at most nine).
export function PhotoPicker({ t, label, photos, onChange }) {
  return html`<div class="photo-pick"><span class="label">${label}</span>
    <label class="button">${t.choosePhotos}<input name="photos" type="file" accept="image/jpeg,image/png" multiple
      onChange=${(e) => onChange(Array.from(e.target.files).slice(0, 9))} /></label>
    ${photos.length > 0 && html` <span class="muted">${t.photosChosen(photos.length)}</span>`}</div>`;
}

// The clock's warning while a case is open (a finished case shows none).
export function WarnDot({ warn, t, state }) {
  if (!warn || warn === 'green' || ['closed', 'rejected', 'merged'].includes(state)) return null;
  return html`<span class=${`warn warn-${warn}`} title=${t.warn[warn]}>${t.warn[warn]}</span>`;
}

// Times and numbers in the user's language.
export const when = (lang, iso, withTime = true) => {
  if (!iso) return '';
  const d = new Date(iso);
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', withTime
    ? { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }
    : { year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
};
export const num = (lang, n) => new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-GB').format(n ?? 0);
export const pct = (lang, r) => (r === null || r === undefined ? '—'
  : new Intl.NumberFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { style: 'percent', maximumFractionDigits: 1 }).format(r));

// Downloads path as CSV or XLSX with a progress bar.
export function ExportButtons({ t, path, filename }) {
  const [progress, setProgress] = useState(null);
  const [msg, setMsg] = useState(null);
  const go = (format) => async () => {
    setMsg(null);
    setProgress(0);
    try {
      const sep = path.includes('?') ? '&' : '?';
      await download(`${path}${sep}format=${format}`, `${filename}.${format}`, setProgress);
    } catch (err) {
      setMsg({ ok: false, text: errText(t, err) });
    }
    setTimeout(() => setProgress(null), 1500);
  };
  return html`<div class="exports">
    <button type="button" onClick=${go('xlsx')}>${t.exportXlsx}</button>
    <button type="button" onClick=${go('csv')}>${t.exportCsv}</button>
    <${Progress} value=${progress} label=${t.downloading} />
    <${Msg} msg=${msg} />
  </div>`;
}

// Tabs as buttons with the current one pressed.
export function Tabs({ tabs, current, onChange, label }) {
  return html`<nav class="tabs" aria-label=${label}>${tabs.map(([key, label]) => html`
    <button type="button" aria-pressed=${current === key} class=${current === key ? 'on' : ''}
      onClick=${() => onChange(key)}>${label}</button>`)}</nav>`;
}

// The value of a form field change.
export const val = (set) => (e) => set(e.target.type === 'checkbox' ? e.target.checked : e.target.value);
