// An ECharts chart that follows its option and its box's size.
import { useEffect, useRef } from '../vendor/hooks.module.js';
import * as echarts from '../vendor/echarts.js';
import { html } from './ui.js';

export function Chart({ option, label, height = 280 }) {
  const el = useRef(null);
  const chart = useRef(null);
  useEffect(() => {
    chart.current = echarts.init(el.current, null, { renderer: 'canvas' });
    const ro = new ResizeObserver(() => chart.current.resize());
    ro.observe(el.current);
    return () => { ro.disconnect(); chart.current.dispose(); };
  }, []);
  useEffect(() => { if (option) chart.current.setOption(option, true); }, [option]);
  return html`<div class="chart" ref=${el} style=${`height:${height}px`} role="img" aria-label=${label}></div>`;
}
