// The grids on a map: Leaflet drawing the grids' GeoJSON polygons on a
// plain background (no map tiles are fetched), coloured by the caller, with
// an optional point the user can set by tapping (where the problem is).
import { useEffect, useRef } from '../vendor/hooks.module.js';
import * as L from '../vendor/leaflet.js';
import { html } from './ui.js';

// grids: [{code, name, geometry}]; style(grid) -> {fill, label}; point
// {lat, lng} or null; onPick(lat, lng) when tapping is wanted.
export function GridMap({ grids, style, point, onPick, label, height = 320 }) {
  const el = useRef(null);
  const map = useRef(null);
  const layer = useRef(null);
  const marker = useRef(null);
  useEffect(() => {
    map.current = L.map(el.current, { attributionControl: false, zoomSnap: 0.25, keyboard: true });
    return () => map.current.remove();
  }, []);
  useEffect(() => {
    const m = map.current;
    if (layer.current) layer.current.remove();
    if (!grids || !grids.length) return;
    layer.current = L.geoJSON({
      type: 'FeatureCollection',
      features: grids.filter((g) => g.geometry).map((g) => ({ type: 'Feature', properties: g, geometry: g.geometry })),
    }, {
      style: (f) => {
        const s = style ? style(f.properties) : {};
        return { color: '#57606a', weight: 1, fillColor: s.fill || '#dbe9f6', fillOpacity: 0.75 };
      },
      onEachFeature: (f, l) => {
        const s = style ? style(f.properties) : {};
        l.bindTooltip(`${f.properties.name}${s.label ? ` · ${s.label}` : ''}`, { sticky: true });
      },
    }).addTo(m);
    m.fitBounds(layer.current.getBounds(), { padding: [8, 8] });
  }, [grids, style]);
  useEffect(() => {
    const m = map.current;
    const click = (e) => onPick && onPick(e.latlng.lat, e.latlng.lng);
    m.on('click', click);
    if (layer.current) layer.current.eachLayer((l) => l.on('click', click));
    return () => {
      m.off('click', click);
      if (layer.current) layer.current.eachLayer((l) => l.off('click', click));
    };
  }, [onPick, grids]);
  useEffect(() => {
    if (marker.current) marker.current.remove();
    marker.current = point ? L.circleMarker([point.lat, point.lng], { radius: 8, color: '#c8102e', fillOpacity: 0.9 }).addTo(map.current) : null;
  }, [point]);
  return html`<div class="map" ref=${el} style=${`height:${height}px`} role="application" aria-label=${label}></div>`;
}
